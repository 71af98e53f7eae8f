"""Purging the proxy in front (nginx, or a CDN) through Wagtail's frontend cache (wagtail.contrib.frontend_cache).

Wagtail purges a page's own addresses when it is published or unpublished (deleting a live page unpublishes
it first), through its purge task (on the Celery workers when there is a broker). Here we purge, at once after
the commit, the page with the pages that list it (its index, the home page) and, after a change that shows on
every page (navigation, contact settings, a snippet, a move or a renamed slug), every live page and the old
addresses. The Django page cache (home.pagecache) needs none of this: it follows the content version.

`NginxPurgeBackend` is Wagtail's HTTP backend for nginx with the cache-purge module
(deploy/nginx/haining.conf): it sends PURGE for both renderings of an address (plain and 长辈模式, which the
nginx cache key tells apart by the `hn_elder` cookie), treats "not in the cache" (404) as done, and sends
nothing before the transaction that caused the purge has committed — a purge that ran earlier could let a
request still reading the old rows put the old page back.
"""

import logging
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit, urlunsplit
from urllib.request import urlopen

from django.db import connection, transaction
from wagtail.contrib.frontend_cache.backends.http import HTTPBackend, PurgeRequest
from wagtail.contrib.frontend_cache.utils import PurgeBatch, get_backends

logger = logging.getLogger(__name__)

VARIANTS = ("", "hn_elder=1")


class NginxPurgeBackend(HTTPBackend):
    timeout = 5

    def purge(self, url) -> None:
        self.purge_batch([url])

    def purge_batch(self, urls) -> None:
        urls = list(urls)
        transaction.on_commit(lambda: self._send(urls), robust=True)

    def _send(self, urls) -> None:
        for url in urls:
            parts = urlsplit(url)
            host = parts.hostname + (f":{parts.port}" if parts.port else "")
            target = urlunsplit([self.cache_scheme, self.cache_netloc, parts.path or "/", parts.query, ""])
            for cookie in VARIANTS:
                headers = {"Host": host, "User-Agent": "haining-purge"}
                if cookie:
                    headers["Cookie"] = cookie
                try:
                    urlopen(PurgeRequest(target, headers=headers), timeout=self.timeout)  # noqa: S310 (configured)
                except HTTPError as error:
                    if error.code != 404:  # 404: that rendering was not cached
                        logger.error("Could not purge %s from the proxy: HTTP %s", url, error.code)
                except (URLError, OSError) as error:
                    logger.error("Could not purge %s from the proxy: %s", url, error)


def configured() -> bool:
    return bool(get_backends())


def _purge(batch: PurgeBatch) -> None:
    """nginx is purged from this process (after the commit; a local nginx answers in milliseconds), so the
    change shows within a second even when the Celery workers are busy; other backends (a CDN's API) go
    through Wagtail's purge task."""
    backends = get_backends()
    local = [name for name, backend in backends.items() if isinstance(backend, NginxPurgeBackend)]
    for name in local:
        backends[name].purge_batch(sorted(batch.urls))
    others = [name for name in backends if name not in local]
    if others:
        batch.purge(backends=others)


def purge_listing_pages(page) -> None:
    """After `page` is published or unpublished: the page and the pages above it, which list it."""
    if not configured():
        return
    batch = PurgeBatch()
    batch.add_page(page)
    batch.add_pages(page.get_ancestors().live().filter(depth__gt=1).specific(defer=True))
    _purge(batch)


def _purge_all_live_pages() -> None:
    from wagtail.models import Page

    batch = PurgeBatch()
    batch.add_pages(Page.objects.live().filter(depth__gt=1).specific(defer=True))
    _purge(batch)


def purge_everything() -> None:
    """After a change that shows on every page: every live page, once per transaction, after it commits."""
    if not configured():
        return
    if any(callback is _purge_all_live_pages for _sids, callback, _robust in connection.run_on_commit):
        return
    transaction.on_commit(_purge_all_live_pages, robust=True)


def purge_urls(urls) -> None:
    """Addresses that no longer belong to a live page (the old address of a moved page)."""
    if configured() and urls:
        _purge(PurgeBatch(urls))
