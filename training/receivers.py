"""Signal receivers of the training app (connected in TrainingConfig.ready)."""

import logging

from django.db.models.signals import post_save
from django.dispatch import receiver

from training.models import Allocation, CoursePage, CourseSeats, Enrollment, EnrollmentStatus, Term

logger = logging.getLogger(__name__)


@receiver(post_save, sender=Enrollment, dispatch_uid="training-payment-due")
def stamp_payment_due(sender, instance, created, update_fields=None, **kwargs):
    """A paid course's enrollment gets its payment due time when it becomes confirmed, whatever the path."""
    if instance.status != EnrollmentStatus.CONFIRMED or instance.payment_due_at or instance.paid_at:
        return
    if update_fields is not None and "status" not in update_fields:
        return
    from training.services.payments import stamp_due

    stamp_due(instance)


@receiver(post_save, sender=CoursePage, dispatch_uid="training-course-seats")
def course_saved(sender, instance, created, update_fields=None, raw=False, **kwargs):
    """A course's live state lives beside its page: its seat row and lottery seed exist from its first save,
    and a full save (publish, scheduled publish, revert, approval) hands any new seats to the waitlist
    through the enrollment service. Nothing here reads or writes seat counts on the page."""
    if raw:
        return
    from training.services import lottery
    from training.services.enrollment import EnrollmentError, apply_capacity
    from training.services.seats import forget_refusal_on_commit

    if created:
        CourseSeats.objects.bulk_create([CourseSeats(course_id=instance.pk)], ignore_conflicts=True)
    else:
        # Capacity, waitlist size, window or live state may have changed: drop the "full"/"closed" flag.
        forget_refusal_on_commit([instance.pk])
    if instance.allocation == Allocation.LOTTERY:
        lottery.commit_seed(instance.pk)
    if update_fields is None and not created:
        try:
            apply_capacity(instance.pk)
        except EnrollmentError:  # busy: the next enrollment fills the seats from the waitlist first anyway
            logger.warning("Course %s saved while its seats were busy; waitlist filled later", instance.pk)


@receiver(post_save, sender=Term, dispatch_uid="training-term-refusals")
def term_saved(sender, instance, created, raw=False, **kwargs):
    """A term's default enrollment window may reopen its courses: drop their "full"/"closed" flags."""
    if raw or created:
        return
    from training.services.seats import fast_refusals_enabled, forget_refusal_on_commit

    if fast_refusals_enabled():
        forget_refusal_on_commit(CoursePage.objects.filter(term=instance).values_list("pk", flat=True))
