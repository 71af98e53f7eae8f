"""Celery tasks of the training app: the scheduled work (beat). Notices are delivered by notices.tasks."""

from celery import shared_task


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
