"""Work that runs on a schedule (Celery beat in production, `manage run_scheduled_jobs` from cron otherwise)."""

import datetime
import logging

from django.utils import timezone

from training.models import Enrollment, EnrollmentStatus
from training.notifications import notify
from training.services.enrollment import expire_offers

logger = logging.getLogger(__name__)

__all__ = ["expire_offers", "send_lesson_reminders"]


def send_lesson_reminders(*, now=None) -> int:
    """Remind every confirmed participant whose course starts tomorrow (local date), once each."""
    from django.db import transaction

    now = now or timezone.now()
    tomorrow = timezone.localtime(now).date() + datetime.timedelta(days=1)
    candidates = Enrollment.objects.filter(
        status=EnrollmentStatus.CONFIRMED,
        reminded_at__isnull=True,
        course__first_lesson=tomorrow,
        course__live=True,
    ).values_list("pk", flat=True)
    sent = 0
    for pk in list(candidates):
        with transaction.atomic():
            # Claiming the row first makes two overlapping runs send one reminder, not two.
            if Enrollment.objects.filter(pk=pk, reminded_at__isnull=True).update(reminded_at=now):
                enrollment = Enrollment.objects.select_related("course", "course__venue").get(pk=pk)
                notify(enrollment, "reminder")
                sent += 1
    logger.info("Lesson reminders queued: %s (first lesson %s)", sent, tomorrow)
    return sent
