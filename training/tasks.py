"""Celery tasks of the training app (queued after the enrollment's transaction commits)."""

from celery import shared_task
from django.core.mail import send_mail

from training.notifications import message_for, sms_backend


@shared_task(bind=True, autoretry_for=(Exception,), retry_backoff=True, retry_backoff_max=600, max_retries=8)
def send_enrollment_notice(self, enrollment_id: int, event: str, context: dict | None = None) -> str:
    """Tell the applicant by SMS what happened to the enrollment; retried with backoff on failure."""
    from training.models import Enrollment

    enrollment = Enrollment.objects.select_related("course").filter(pk=enrollment_id).first()
    if enrollment is None:
        return "missing"
    text = message_for(enrollment, event, context)
    if text is None:
        return "nothing to send"
    sms_backend().send(enrollment.phone, text)
    if enrollment.email:
        send_mail(
            subject=f"报名通知：{enrollment.course.title}",
            message=text.removeprefix("【海宁市工人文化宫】"),
            from_email=None,
            recipient_list=[enrollment.email],
        )
    return "sent"


@shared_task
def send_lesson_reminders() -> int:
    """Daily (beat): the reminder the day before the first lesson."""
    from training.services.scheduled import send_lesson_reminders as run

    return run()


@shared_task
def expire_offers() -> int:
    """Every few minutes (beat): withdraw offers past their deadline and offer the seat to the next."""
    from training.services.enrollment import expire_offers as run

    return run()


@shared_task
def purge_personal_data() -> int:
    """Daily (beat): anonymise enrollments past the retention period."""
    from training.services.retention import anonymise_expired

    return sum(anonymise_expired().values())


@shared_task
def release_unpaid() -> int:
    """Every few minutes (beat): seats unpaid past their payment deadline go to the first on the waitlist."""
    from training.services.payments import release_unpaid as run

    return run()
