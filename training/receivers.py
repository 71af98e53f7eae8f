"""Signal receivers of the training app (connected in TrainingConfig.ready)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from training.models import Enrollment, EnrollmentStatus


@receiver(post_save, sender=Enrollment, dispatch_uid="training-payment-due")
def stamp_payment_due(sender, instance, created, update_fields=None, **kwargs):
    """A paid course's enrollment gets its payment due time when it becomes confirmed, whatever the path."""
    if instance.status != EnrollmentStatus.CONFIRMED or instance.payment_due_at or instance.paid_at:
        return
    if update_fields is not None and "status" not in update_fields:
        return
    from training.services.payments import stamp_due

    stamp_due(instance)
