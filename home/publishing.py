"""Scheduled publishing (定时发布 / 到期下线) that one refused page cannot hold up.

Wagtail's `publish_scheduled` command walks the due revisions in one loop and stops at the first one
whose save raises. A course draft whose 名额 was lowered before more people enrolled is such a revision:
its page validation (training.services.enrollment.capacity_error) refuses it when it goes live, and every
page scheduled after it would then wait for ever. Here each item is published on its own, in its own
transaction: a refused revision loses its schedule (the draft stays, as Wagtail keeps any draft), its page
history says why in Chinese, and the rest go live. Run by Celery beat every minute (`home.tasks`), or by
`manage run_scheduled_jobs` from cron where there is no broker.
"""

import logging
from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log
from wagtail.models import DraftStateMixin, Page, Revision

logger = logging.getLogger(__name__)

REFUSED_ACTION = "haining.publish_refused"


@dataclass
class ScheduledRun:
    """What one run did: counts of items unpublished on expiry and revisions published, and the refusals
    as (object title, Chinese reason)."""

    unpublished: int = 0
    published: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)


def refusal_reason(error: ValidationError) -> str:
    """The Chinese messages of a validation error, joined for one line of page history or a banner."""
    return "；".join(error.messages)


def publish_due(now=None) -> ScheduledRun:
    """Unpublish what has expired, then publish every revision whose go-live time has passed, oldest first.

    Same selection as Wagtail's `publish_scheduled` (pages and every DraftStateMixin model), same log
    actions (wagtail.unpublish.scheduled / wagtail.publish.scheduled), but a revision that fails
    validation is logged as REFUSED_ACTION with its reason and taken off the schedule instead of stopping
    the run.
    """
    now = now or timezone.now()
    run = ScheduledRun()
    models = [Page] + [
        model for model in apps.get_models() if issubclass(model, DraftStateMixin) and not issubclass(model, Page)
    ]
    for model in models:
        for obj in list(model.objects.filter(live=True, expire_at__lt=now).order_by("expire_at")):
            with transaction.atomic():
                obj.unpublish(set_expired=True, log_action="wagtail.unpublish.scheduled")
            run.unpublished += 1
    due = Revision.objects.filter(approved_go_live_at__lt=now)
    for revision_id in list(due.order_by("approved_go_live_at").values_list("pk", flat=True)):
        try:
            with transaction.atomic():
                # Claimed under its row lock and read again: a run that overlaps this one (a slow run, cron
                # beside beat) skips what was published meanwhile instead of publishing it over newer content.
                revision = due.select_for_update().filter(pk=revision_id).first()
                if revision is None:
                    continue
                revision.publish(log_action="wagtail.publish.scheduled")
        except ValidationError as error:
            reason = refusal_reason(error)
            obj = revision.as_object()
            Revision.objects.filter(pk=revision.pk).update(approved_go_live_at=None)
            log(instance=obj, action=REFUSED_ACTION, revision=revision, data={"reason": reason})
            logger.error("Scheduled publishing of %s (revision %s) refused: %s", obj, revision.pk, reason)
            run.refused.append((str(obj), reason))
        else:
            run.published += 1
    return run


class RefusedPublishMiddleware:
    """Admin: a publish that page validation refuses outside the edit form answers with the Chinese reason.

    The edit form shows validation errors itself. Approving the last step of a workflow (批准并发布) and
    the page listing's bulk 发布 publish a revision that was valid when saved but may not be any more
    (see the module docstring), and Wagtail lets the ValidationError through as a 500. Wagtail's
    workflow approval runs in one transaction, so when it is refused nothing of it stays: the workflow
    waits on the same step and the draft is kept. This answers with an error banner on the page the
    reviewer came from (for the approval modal, the JSON it expects). Other admin actions that save a page
    (锁定, 移动 …) can meet the same rule: they get the reason as 操作未完成. Must come after MessageMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.contrib import messages
        from django.shortcuts import redirect
        from django.urls import reverse
        from django.utils.http import url_has_allowed_host_and_scheme
        from wagtail.admin.modal_workflow import render_modal_workflow

        admin_home = reverse("wagtailadmin_home")
        if not isinstance(exception, ValidationError) or request.method != "POST":
            return None
        if not request.path.startswith(admin_home):
            return None
        reason = refusal_reason(exception)
        logger.warning("Admin action at %s refused by validation: %s", request.path, reason)
        publishing = "/workflow/action/" in request.path or request.path.endswith("/publish/")
        messages.error(request, f"{'未能发布' if publishing else '操作未完成'}：{reason}")
        back = request.META.get("HTTP_REFERER", "")
        if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
            back = admin_home
        if request.headers.get("x-requested-with") == "XMLHttpRequest":
            return render_modal_workflow(request, "", None, {}, json_data={"step": "success", "redirect": back})
        return redirect(back)
