"""Data retention (PIPL): personal data of past terms is anonymised, the counts staff report on stay.

`TRAINING_RETENTION_DAYS` (default 365) after a term's last day, each of its enrollments loses what
identifies a person: names are reduced to the masked form (张*明), phone, e-mail and 身份证 number are
cleared, also from the notices sent to them (the number becomes "purged-<id>", which keeps the one-active-per-participant constraint), the
birth date keeps only its year. Status, course, gender, birth year, employer and timestamps remain, so
counts by course, status, age group and gender still add up. Each course's purge is logged.
"""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from notices.services import forget_recipients
from training.models import CoursePage, Enrollment, mask_name

logger = logging.getLogger(__name__)


def retention_days() -> int:
    return int(getattr(settings, "TRAINING_RETENTION_DAYS", 365))


def expired_enrollments(now=None):
    now = now or timezone.now()
    cutoff = timezone.localtime(now).date() - datetime.timedelta(days=retention_days())
    return Enrollment.objects.filter(anonymised_at__isnull=True, course__term__ends_on__lt=cutoff)


def anonymise_expired(*, now=None, dry_run: bool = False) -> dict[int, int]:
    """Anonymise what is past retention; returns {course id: enrollments anonymised} (or would be)."""
    from wagtail.log_actions import log

    now = now or timezone.now()
    counts: dict[int, int] = {}
    for course_id in sorted(set(expired_enrollments(now).values_list("course_id", flat=True))):
        enrollments = list(expired_enrollments(now).filter(course_id=course_id))
        counts[course_id] = len(enrollments)
        if dry_run:
            continue
        with transaction.atomic():
            for enrollment in enrollments:
                enrollment.applicant_name = mask_name(enrollment.applicant_name)
                enrollment.participant_name = mask_name(enrollment.participant_name)
                enrollment.phone = ""
                enrollment.email = ""
                enrollment.id_number = f"purged-{enrollment.pk}"
                enrollment.birth_date = enrollment.birth_date.replace(month=1, day=1)
                enrollment.anonymised_at = now
            Enrollment.objects.bulk_update(
                enrollments,
                ["applicant_name", "participant_name", "phone", "email", "id_number", "birth_date", "anonymised_at"],
                batch_size=500,
            )
            forget_recipients(Enrollment, [enrollment.pk for enrollment in enrollments])  # the outbox's copies
            course = CoursePage.objects.get(pk=course_id)
            log(instance=course, action="training.purge", data={"enrollments": len(enrollments)})
        logger.info("Anonymised %s enrollments of course %s (%s)", len(enrollments), course_id, course.title)
    return counts
