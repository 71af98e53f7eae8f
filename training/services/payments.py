"""Fees (no online payment): staff mark 已缴费; unpaid seats past the deadline go to the waitlist.

A course with a fee may have a payment deadline (`CoursePage.payment_deadline`). Each confirmed
enrollment's own due time is the later of that deadline and PAYMENT_GRACE after it was confirmed (so
someone promoted from the waitlist the day before the deadline still has time); it is stamped when
the enrollment becomes confirmed (`stamp_due`, from a post_save receiver). `release_unpaid` (run by
Celery beat / `run_scheduled_jobs`) cancels confirmed, unpaid enrollments past their due time through
the enrollment service's cancel path, which offers or gives the seat to the first on the waitlist and
sends the notices.
"""

import datetime
import logging

from django.db import transaction
from django.utils import timezone

from training.models import CoursePage, Enrollment, EnrollmentStatus
from training.services.enrollment import EnrollmentError, release_unpaid_seat

logger = logging.getLogger(__name__)

PAYMENT_GRACE = datetime.timedelta(days=3)


def due_time(course: CoursePage, confirmed_at: datetime.datetime) -> datetime.datetime | None:
    """When an enrollment confirmed at `confirmed_at` must have paid, or None (free, or no deadline)."""
    if not course.fee or course.payment_deadline is None:
        return None
    return max(course.payment_deadline, confirmed_at + PAYMENT_GRACE)


def stamp_due(enrollment: Enrollment, now: datetime.datetime | None = None) -> None:
    """Set `payment_due_at` once, when a paid course's enrollment is confirmed (one UPDATE, no reload)."""
    if enrollment.status != EnrollmentStatus.CONFIRMED or enrollment.payment_due_at or enrollment.paid_at:
        return
    course = enrollment._state.fields_cache.get("course")
    if course is None or not {"fee", "payment_deadline"} <= course.__dict__.keys():
        course = CoursePage.objects.only("fee", "payment_deadline").get(pk=enrollment.course_id)
    due = due_time(course, now or timezone.now())
    if due is None:
        return
    enrollment.payment_due_at = due
    Enrollment.objects.filter(pk=enrollment.pk, payment_due_at__isnull=True).update(payment_due_at=due)


def mark_paid(enrollment_id: int, *, user=None, now=None) -> Enrollment:
    """Staff: the fee was received at the desk. Only a confirmed enrollment can be marked."""
    now = now or timezone.now()
    with transaction.atomic():
        enrollment = Enrollment.objects.select_for_update().get(pk=enrollment_id)
        if enrollment.status != EnrollmentStatus.CONFIRMED:
            raise EnrollmentError("not_confirmed", "只有已录取的报名可以标记已缴费。")
        if enrollment.paid_at is None:
            enrollment.paid_at = now
            enrollment.save(update_fields=["paid_at", "updated_at"])
            _log(enrollment, user)
    return enrollment


def release_unpaid(*, now=None) -> int:
    """Cancel confirmed, unpaid enrollments past their due time; each seat goes to the waitlist. Returns how many."""
    now = now or timezone.now()
    overdue = Enrollment.objects.filter(
        status=EnrollmentStatus.CONFIRMED, paid_at__isnull=True, payment_due_at__lt=now
    ).order_by("course_id", "payment_due_at", "pk")
    released = 0
    for pk in list(overdue.values_list("pk", flat=True)):
        try:
            promoted = release_unpaid_seat(pk, now=now)
        except EnrollmentError as error:  # paid or cancelled meanwhile
            logger.info("Not released %s: %s", pk, error.message)
            continue
        released += 1
        if promoted is not None and promoted.status == EnrollmentStatus.CONFIRMED:
            # Confirmed at `now` (the job's clock): the grace period runs from here.
            due = due_time(CoursePage.objects.only("fee", "payment_deadline").get(pk=promoted.course_id), now)
            Enrollment.objects.filter(pk=promoted.pk, paid_at__isnull=True).update(payment_due_at=due)
    if released:
        logger.info("Unpaid seats released: %s", released)
    return released


def _log(enrollment, user):
    from wagtail.log_actions import log

    log(instance=enrollment, action="training.paid", user=user, data={})
