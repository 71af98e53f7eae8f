"""Celery tasks of the outbox. Registered with `shared_task`; the project's Celery app is the default app
in every thread (haining.celery), so these bind to it whichever thread sends them."""

from celery import shared_task

from notices import broker, services


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver_notice(self, notice_id: int) -> str:
    """Deliver one outbox row; on a temporary failure schedule the next try (the sweep is the fallback)."""
    outcome = services.deliver(notice_id, token=self.request.id or "")
    if outcome == "retry" and not self.request.is_eager:
        from notices.models import Notice

        retry_at = Notice.objects.filter(pk=notice_id).values_list("next_attempt_at", flat=True).first()
        if retry_at:
            broker.publish(deliver_notice, (notice_id,), eta=retry_at)
    return outcome


@shared_task(ignore_result=True)
def sweep_notices() -> int:
    """Every minute (beat): hand every due notice whose task never ran (or died) to the workers."""
    return services.sweep(inline=False)
