"""The content version is read from the shared cache once per request (home.signals): every later reader in
the same request (site lookup, page cache, fragments, the enrollment API's course memo) gets the same number,
unless this request bumps it; outside a request each call reads the cache."""

from unittest import mock

import pytest
from django.core.cache import cache
from django.core.signals import request_finished, request_started

from home.signals import CONTENT_VERSION_KEY, bump_content_version, content_version


def _reads_of_the_version(calls):
    return [c for c in calls if c.args and c.args[0] == CONTENT_VERSION_KEY]


@pytest.mark.django_db
def test_a_page_request_reads_the_version_from_the_cache_once(client, site_root, settings):
    settings.PAGE_CACHE_ENABLED = False
    client.get(site_root.url)  # warm: site, route and fragments cached
    with mock.patch.object(cache, "get", wraps=cache.get) as get:
        assert client.get(site_root.url).status_code == 200
    assert len(_reads_of_the_version(get.call_args_list)) == 1


@pytest.mark.django_db  # request_started also closes stale database connections
def test_within_a_request_the_version_holds_until_this_request_bumps_it():
    cache.set(CONTENT_VERSION_KEY, 10, None)
    request_started.send(sender=None)
    try:
        assert content_version() == 10
        cache.set(CONTENT_VERSION_KEY, 20, None)  # another process publishes meanwhile
        assert content_version() == 10  # one request renders against one version
        bump_content_version()  # this request publishes
        assert content_version() == 21
    finally:
        request_finished.send(sender=None)
    cache.set(CONTENT_VERSION_KEY, 30, None)
    assert content_version() == 30  # after the request: no memo


def test_outside_a_request_every_call_reads_the_cache():
    cache.set(CONTENT_VERSION_KEY, 5, None)
    assert content_version() == 5
    cache.set(CONTENT_VERSION_KEY, 6, None)  # e.g. a Celery task after an editor's publish elsewhere
    assert content_version() == 6
