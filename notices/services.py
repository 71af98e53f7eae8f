"""The outbox: write notices with the change that causes them, deliver each exactly once, let staff resend.

Writing (any app, inside its own transaction):

    queue(about=enrollment, kind="created:confirmed", reference=enrollment.reference,
          sms=(phone, text), email=(address, subject, text), params={...})

writes one `Notice` row per channel in the caller's transaction (rolled back with it) and, after the
commit, hands each row to `notices.tasks.deliver_notice`. With no broker (embedded default) the row is
delivered inline after the commit; when the broker cannot be reached the row simply stays pending.

States: pending → sending (claimed by one worker with a conditional UPDATE) → sent, or back to pending with
`next_attempt_at` pushed back (backoff 1, 2, 4 … 60 minutes), or failed (permanent provider error, or
`MAX_ATTEMPTS` reached). A row is claimed only by the UPDATE that moves it out of `pending` (or that takes
over a `sending` row whose worker died: the same Celery message redelivered after the worker was killed,
or a claim older than `LEASE`), so two workers, a retry and the sweep can never both send it.

What cannot be promised: a worker killed after the provider accepted the message but before the row was
marked sent leaves the row `sending`; it is sent again when the claim is taken over. Each channel is a row
of its own, so an e-mail outage never repeats an SMS.

`sweep()` (Celery beat every minute; `manage run_scheduled_jobs` from cron) delivers what is due and whose
task never ran. `resend(notice, user)` sends a copy of a notice again (staff action, logged);
`notices_for(obj)` lists an object's notices, newest first.
"""

import datetime
import logging
import uuid

from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from notices import broker
from notices.masking import mask_recipient
from notices.models import Channel, Notice, NoticeStatus
from notices.sms import SmsError, SmsMessage, sms_backend

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
LEASE = datetime.timedelta(minutes=10)  # a claim older than this belongs to a worker that died
SWEEP_GRACE = datetime.timedelta(seconds=30)  # fresh rows are left to their own task for this long
SWEEP_BATCH = 500


def backoff(attempts: int) -> datetime.timedelta:
    """Delay before the next try after `attempts` failed tries: 1, 2, 4, 8 … minutes, at most 60."""
    return datetime.timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def queue(
    *,
    kind: str,
    about=None,
    reference: str = "",
    sms: tuple[str, str] | None = None,
    email: tuple[str, str, str] | None = None,
    params: dict | None = None,
    user=None,
) -> list[Notice]:
    """Write the notices in the current transaction; deliver them after it commits.

    `sms` = (phone, text); `email` = (address, subject, text); a missing or empty recipient writes no row.
    `params` are the provider template's parameters (see notices.sms). Returns the rows written.
    """
    content_type = ContentType.objects.get_for_model(about) if about is not None else None
    common = {
        "kind": kind,
        "reference": reference,
        "params": params or {},
        "content_type": content_type,
        "object_id": str(about.pk) if about is not None else "",
        "created_by": user,
    }
    rows = []
    if sms and sms[0]:
        rows.append(Notice(channel=Channel.SMS, recipient=sms[0], body=sms[1], **common))
    if email and email[0]:
        rows.append(Notice(channel=Channel.EMAIL, recipient=email[0], subject=email[1], body=email[2], **common))
    if rows:
        Notice.objects.bulk_create(rows)  # one INSERT for both channels (often under the caller's seat lock)
        ids = [row.pk for row in rows]
        transaction.on_commit(lambda: dispatch(ids), robust=True)
    return rows


def dispatch(ids) -> None:
    """Hand notices to the workers (or deliver inline without a broker). Never raises."""
    from notices.tasks import deliver_notice

    for notice_id in ids:
        if broker.eager():
            try:
                deliver(notice_id)
            except Exception:
                logger.exception("Delivering notice %s failed unexpectedly", notice_id)
        elif not broker.publish(deliver_notice, (notice_id,)):
            logger.warning("Notice %s stays pending until the broker is back (the sweep sends it)", notice_id)
            return


def _claim(notice_id: int, token: str, now) -> Notice | None:
    due = Q(status=NoticeStatus.PENDING, next_attempt_at__lte=now)
    abandoned = Q(status=NoticeStatus.SENDING) & (Q(claim_token=token) | Q(claimed_at__lt=now - LEASE))
    claimed = Notice.objects.filter(due | abandoned, pk=notice_id).update(
        status=NoticeStatus.SENDING, claim_token=token, claimed_at=now, attempts=F("attempts") + 1
    )
    return Notice.objects.filter(pk=notice_id).first() if claimed else None


def _send(notice: Notice) -> str:
    if notice.channel == Channel.SMS:
        return sms_backend().send(
            SmsMessage(phone=notice.recipient, text=notice.body, template=notice.kind, params=notice.params)
        )
    send_mail(subject=notice.subject, message=notice.body, from_email=None, recipient_list=[notice.recipient])
    return ""


def deliver(notice_id: int, *, token: str = "", now=None) -> str:
    """Claim and send one notice. Returns "sent", "retry", "failed" or "skipped" (not due, taken, done).

    `token` identifies the attempt (the Celery task id): the same message redelivered after its worker was
    killed may take over its own claim.
    """
    now = now or timezone.now()
    token = token or uuid.uuid4().hex
    notice = _claim(notice_id, token, now)
    if notice is None:
        return "skipped"
    mine = Notice.objects.filter(pk=notice.pk, status=NoticeStatus.SENDING, claim_token=token)
    try:
        provider_id = _send(notice)
    except Exception as error:
        permanent = isinstance(error, SmsError) and error.permanent
        give_up = permanent or notice.attempts >= MAX_ATTEMPTS
        mine.update(
            status=NoticeStatus.FAILED if give_up else NoticeStatus.PENDING,
            next_attempt_at=now + backoff(notice.attempts),
            last_error=f"{type(error).__name__}: {error}"[:1000],
            claim_token="",
        )
        logger.warning(
            "Notice %s (%s to %s) attempt %s failed%s: %s",
            notice.pk,
            notice.channel,
            mask_recipient(notice.recipient),
            notice.attempts,
            " for good" if give_up else "",
            error,
        )
        return "failed" if give_up else "retry"
    mine.update(
        status=NoticeStatus.SENT, sent_at=timezone.now(), provider_id=provider_id[:100], last_error="", claim_token=""
    )
    return "sent"


def due_ids(now=None, limit: int = SWEEP_BATCH) -> list[int]:
    """Notices the sweep should try now: due and untouched for SWEEP_GRACE, or claimed by a dead worker."""
    now = now or timezone.now()
    condition = Q(status=NoticeStatus.PENDING, next_attempt_at__lte=now - SWEEP_GRACE) | Q(
        status=NoticeStatus.SENDING, claimed_at__lt=now - LEASE
    )
    return list(Notice.objects.filter(condition).order_by("next_attempt_at").values_list("pk", flat=True)[:limit])


def sweep(*, now=None, inline: bool | None = None) -> int:
    """Deliver (inline) or hand to the workers every due notice; returns how many were picked up.

    `inline` defaults to True without a broker; `manage run_scheduled_jobs` always delivers inline.
    """
    from notices.tasks import deliver_notice

    now = now or timezone.now()
    ids = due_ids(now)
    inline = broker.eager() if inline is None else inline
    for notice_id in ids:
        if inline:
            deliver(notice_id, now=now)
        elif not broker.publish(deliver_notice, (notice_id,)):
            break
    if ids:
        logger.info("Notice sweep picked up %s notices", len(ids))
    return len(ids)


def notices_for(obj) -> list[Notice]:
    """Every notice about `obj` (e.g. an enrollment), newest first; one query."""
    content_type = ContentType.objects.get_for_model(obj)
    return list(Notice.objects.filter(content_type=content_type, object_id=str(obj.pk)).select_related("created_by"))


def resend(notice: Notice, user=None) -> Notice:
    """Send a notice again as a new row (the original keeps its history); logged with the staff user."""
    from wagtail.log_actions import log

    with transaction.atomic():
        copy = Notice.objects.create(
            kind=notice.kind,
            channel=notice.channel,
            recipient=notice.recipient,
            subject=notice.subject,
            body=notice.body,
            params=notice.params,
            reference=notice.reference,
            content_type=notice.content_type,
            object_id=notice.object_id,
            resend_of=notice,
            created_by=user,
        )
        log(instance=copy, action="notices.resend", user=user, data={"original": notice.pk})
        transaction.on_commit(lambda: dispatch([copy.pk]), robust=True)
    return copy


def forget_recipients(about_model, object_ids) -> int:
    """Clear the phone numbers and addresses of notices about these objects (data retention)."""
    content_type = ContentType.objects.get_for_model(about_model)
    return Notice.objects.filter(content_type=content_type, object_id__in=[str(pk) for pk in object_ids]).update(
        recipient=""
    )
