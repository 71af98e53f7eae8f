"""Keep the cached site chrome (header navigation, footer) fresh when editors change it."""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from wagtail.signals import page_published, page_unpublished

CHROME_VERSION_KEY = "site-chrome-version"


def chrome_version() -> int:
    version = cache.get(CHROME_VERSION_KEY)
    if version is None:
        version = 1
        cache.add(CHROME_VERSION_KEY, version, None)
    return version


def bump_chrome_version(**kwargs) -> None:
    try:
        cache.incr(CHROME_VERSION_KEY)
    except ValueError:
        cache.set(CHROME_VERSION_KEY, 2, None)


def _connect():
    from .models import NavigationSettings, SiteContactSettings

    for model in (NavigationSettings, SiteContactSettings):
        post_save.connect(bump_chrome_version, sender=model, dispatch_uid=f"chrome-{model.__name__}")
    post_delete.connect(bump_chrome_version, sender="wagtailcore.Page", dispatch_uid="chrome-page-delete")
    page_published.connect(bump_chrome_version, dispatch_uid="chrome-published")
    page_unpublished.connect(bump_chrome_version, dispatch_uid="chrome-unpublished")


_connect()
