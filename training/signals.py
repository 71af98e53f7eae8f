"""Keeping a course's live state beside its page: its seat row and lottery seed exist from the course's
first save, and a full save (publish, scheduled publish, revert, approval, copy) hands any new seats to
the waitlist through the enrollment service. Nothing here reads or writes seat counts on the page."""

import logging

from django.db.models.signals import post_save
from django.dispatch import receiver

from training.models import Allocation, CoursePage, CourseSeats

logger = logging.getLogger(__name__)


@receiver(post_save, sender=CoursePage)
def course_saved(sender, instance, created, update_fields=None, raw=False, **kwargs):
    if raw:
        return
    from training.services import lottery
    from training.services.enrollment import EnrollmentError, apply_capacity

    if created:
        CourseSeats.objects.bulk_create([CourseSeats(course_id=instance.pk)], ignore_conflicts=True)
    if instance.allocation == Allocation.LOTTERY:
        lottery.commit_seed(instance.pk)
    if update_fields is None and not created:
        try:
            apply_capacity(instance.pk)
        except EnrollmentError:  # busy: the next enrollment fills the seats from the waitlist first anyway
            logger.warning("Course %s saved while its seats were busy; waitlist filled later", instance.pk)
