"""Background work of the site frame (Django tasks; Celery workers when a broker is configured)."""

from celery import shared_task
from django_tasks import task


@task()
def generate_image_renditions(image_id: int) -> int:
    """Make the renditions templates use for a newly uploaded picture; returns how many were made."""
    from .images import generate_renditions
    from .models import SiteImage

    image = SiteImage.objects.filter(pk=image_id).first()
    if image is None:  # deleted before the worker got to it
        return 0
    return generate_renditions(image)


@shared_task
def publish_scheduled() -> int:
    """Every minute (beat): 定时发布 and 到期下线 (home.publishing); returns the revisions published."""
    from .publishing import publish_due

    return publish_due().published
