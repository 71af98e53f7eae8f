"""A site-wide content version: cached fragments that list pages are keyed on it.

It is bumped whenever a page is published, unpublished, moved or deleted, and when the navigation or
contact settings change; a fragment cached under the old version is then simply never read again.
Publishing is rare next to reading, so listings are served from the cache almost always, and never
stale after an editor's change. Nothing that changes without a publish (seat counts, event status
recomputed by the apps) may be cached under this key.
"""

import logging

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

logger = logging.getLogger(__name__)

CONTENT_VERSION_KEY = "site-content-version"


def content_version() -> int:
    version = cache.get(CONTENT_VERSION_KEY)
    if version is None:
        version = 1
        cache.add(CONTENT_VERSION_KEY, version, None)
    return version


def bump_content_version(**kwargs) -> None:
    try:
        cache.incr(CONTENT_VERSION_KEY)
    except ValueError:
        cache.set(CONTENT_VERSION_KEY, 2, None)


def _connect():
    from .models import NavigationSettings, NewsCategory, SiteContactSettings

    for model in (NavigationSettings, SiteContactSettings, NewsCategory):
        post_save.connect(bump_content_version, sender=model, dispatch_uid=f"content-version-{model.__name__}")
    post_delete.connect(bump_content_version, sender="wagtailcore.Page", dispatch_uid="content-version-page-delete")
    for signal in (page_published, page_unpublished, page_slug_changed, post_page_move):
        signal.connect(bump_content_version, dispatch_uid=f"content-version-{id(signal)}")


_connect()


def enqueue_renditions(sender, instance, created, update_fields=None, **kwargs) -> None:
    """After an upload (or a replaced file) commits, make the template renditions in the background."""
    if kwargs.get("raw") or (update_fields and "file" not in update_fields):
        return
    if not created and not getattr(instance, "_file_replaced", False):
        return
    from django.db import transaction

    from .tasks import generate_image_renditions

    def enqueue():
        try:
            generate_image_renditions.enqueue(instance.pk)
        except Exception:  # a broker outage must not fail the upload; pages make renditions on demand
            logger.exception("Could not enqueue renditions for image %s", instance.pk)

    transaction.on_commit(enqueue)


def _connect_images():
    from .models import SiteImage

    post_save.connect(enqueue_renditions, sender=SiteImage, dispatch_uid="home-image-renditions")


_connect_images()
