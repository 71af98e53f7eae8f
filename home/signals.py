"""A site-wide content version: cached fragments that list pages, and the full-page cache, are keyed on it.

It is bumped whenever a page is published, unpublished, moved or deleted, and when a setting or a model that
pages show changes (PAGE_CACHE_CONTENT_MODELS: snippets, terms, teachers, lessons…); a fragment or page cached
under the old version is then simply never read again. The same events purge the proxy in front
(home.frontend_cache).
Publishing is rare next to reading, so listings are served from the cache almost always, and never
stale after an editor's change. Nothing that changes without a publish (seat counts, event status
recomputed by the apps) may be cached under this key.
"""

import logging

from asgiref.local import Local
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

logger = logging.getLogger(__name__)

CONTENT_VERSION_KEY = "site-content-version"


# Within one request the version is read from the cache once (the site lookup, the page cache, fragments and
# the enrollment API's course memo all ask for it): one shared-cache round trip per request instead of two to
# four. Outside a request (Celery, commands) every call reads the cache.
_request = Local()


def content_version() -> int:
    """The current content version (an int ≥ 1); read once per request, again after this request bumps it."""
    version = getattr(_request, "version", None)
    if version is not None:
        return version
    version = cache.get(CONTENT_VERSION_KEY)
    if version is None:
        version = 1
        cache.add(CONTENT_VERSION_KEY, version, None)
    if getattr(_request, "active", False):
        _request.version = version
    return version


def _request_started(**kwargs) -> None:
    _request.active, _request.version = True, None


def _request_finished(**kwargs) -> None:
    _request.active, _request.version = False, None


def _bump() -> None:
    _request.version = None  # this request reads the new version from now on
    try:
        cache.incr(CONTENT_VERSION_KEY)
    except ValueError:
        cache.set(CONTENT_VERSION_KEY, 2, None)


def bump_content_version(**kwargs) -> None:
    """Bump now and again when the transaction commits: a request that read the new version before the
    commit could otherwise cache what it read of the old rows under it (the full-page cache, fragments)."""
    _bump()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(_bump, robust=True)


def _is_content(sender, instance, created: bool) -> bool:
    from wagtail.contrib.settings.models import BaseGenericSetting, BaseSiteSetting

    if isinstance(instance, (BaseSiteSetting, BaseGenericSetting)):
        # A settings row is created with its defaults the first time a page reads it: nothing changed.
        return not created
    return sender._meta.label_lower in _content_models()


def _content_models() -> set[str]:
    from django.conf import settings

    return {label.lower() for label in getattr(settings, "PAGE_CACHE_CONTENT_MODELS", ())}


def content_model_changed(sender, instance, created=False, **kwargs) -> None:
    """A setting, snippet or other model that pages show (PAGE_CACHE_CONTENT_MODELS) was saved or deleted."""
    if not _is_content(sender, instance, created):
        return
    bump_content_version()
    from .frontend_cache import purge_everything

    purge_everything()


def page_published_or_unpublished(sender, instance, **kwargs) -> None:
    bump_content_version()
    from .frontend_cache import purge_listing_pages

    purge_listing_pages(instance)


def page_moved(sender, instance, url_path_before=None, url_path_after=None, **kwargs) -> None:
    bump_content_version()
    from .frontend_cache import purge_everything, purge_urls

    purge_urls(_old_urls(instance, url_path_before, url_path_after))
    purge_everything()


def page_slug_changed_handler(sender, instance, instance_before=None, **kwargs) -> None:
    page_moved(sender, instance, getattr(instance_before, "url_path", None), instance.url_path)


def page_deleted(sender, instance, **kwargs) -> None:
    bump_content_version()
    from .frontend_cache import purge_everything, purge_urls

    if instance.live and instance.depth > 1:
        purge_urls([url for url in [instance.get_full_url()] if url])
    purge_everything()


def _old_urls(page, before: str | None, after: str | None) -> list[str]:
    """The addresses `page` and its live descendants had before their url_path changed."""
    if not before or not after or before == after:
        return []
    from wagtail.models import Site

    roots = Site.get_site_root_paths()
    paths = [before + d.url_path[len(after) :] for d in page.get_descendants(inclusive=True).live().only("url_path")]
    urls = []
    for path in paths:
        for root in roots:
            if path.startswith(root.root_path):
                urls.append(root.root_url + "/" + path[len(root.root_path) :])
                break
    return urls


def _connect():
    post_save.connect(content_model_changed, dispatch_uid="content-version-models")
    post_delete.connect(content_model_changed, dispatch_uid="content-version-models-delete")
    pre_delete.connect(page_deleted, sender="wagtailcore.Page", dispatch_uid="content-version-page-delete")
    for signal in (page_published, page_unpublished):
        signal.connect(page_published_or_unpublished, dispatch_uid=f"content-version-{id(signal)}")
    post_page_move.connect(page_moved, dispatch_uid="content-version-page-move")
    page_slug_changed.connect(page_slug_changed_handler, dispatch_uid="content-version-slug")
    request_started.connect(_request_started, dispatch_uid="content-version-request-started")
    request_finished.connect(_request_finished, dispatch_uid="content-version-request-finished")


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
