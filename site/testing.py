"""Pytest plugin shared by every app's tests (loaded with ``-p haining.testing`` from pyproject.toml).

- Service-backed tests carry a marker: ``postgres`` (runs only when the database is PostgreSQL),
  ``redis`` (only with REDIS_URL), ``browser`` (only when Chromium is installed), ``nginx`` (only when
  Debian's nginx and its cache-purge module are installed). Elsewhere they are reported as SKIPPED with
  the reason. With CI=true (or REQUIRE_SERVICES=1) a missing Chromium or nginx fails those tests
  instead; PostgreSQL and Redis are required by `make test-services`.
- ``site_root``: a published home page that is the default site's root, built with factories.
- The internet is out of reach: a connection to a public address fails as if the network were down, so
  a test never depends on what a real host (WeChat's picture server, an SMS gateway) answers today.
  Loopback and private addresses (our own services and fakes) are reachable.
"""

import errno
import ipaddress
import os
import shutil
import socket

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
NGINX = os.environ.get("NGINX", "/usr/sbin/nginx")
NGINX_PURGE_MODULE = os.environ.get("NGINX_PURGE_MODULE", "/usr/lib/nginx/modules/ngx_http_cache_purge_module.so")
SERVICES_REQUIRED = os.environ.get("CI") == "true" or os.environ.get("REQUIRE_SERVICES") == "1"


def chromium_available() -> bool:
    return bool(shutil.which(CHROMIUM) or os.path.exists(CHROMIUM))


def nginx_available() -> bool:
    return os.path.exists(NGINX) and os.path.exists(NGINX_PURGE_MODULE)


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Mark service-backed tests to skip where the service is missing; run transactional tests last.

    Transactional tests flush the database when they end (the rows made by migrations included), so
    they must run after every test that relies on those rows. pytest-django sorts them last, but
    pytest then regroups tests by session-scoped parameters (Playwright's browser), so sort again.
    """
    items.sort(key=_is_transactional)
    _mark_service_tests(items)


def _mark_service_tests(items):
    from django.conf import settings
    from django.db import connection

    vendor = connection.vendor
    for item in items:
        if "postgres" in item.keywords and vendor != "postgresql":
            item.add_marker(
                pytest.mark.skip(reason="needs PostgreSQL: run with DATABASE_URL=postgres://… (make test does)")
            )
        if "redis" in item.keywords and not settings.REDIS_URL:
            item.add_marker(pytest.mark.skip(reason="needs Redis: run with REDIS_URL=redis://… (make test does)"))
        if "browser" in item.keywords and not chromium_available() and not SERVICES_REQUIRED:
            item.add_marker(pytest.mark.skip(reason=f"needs Chromium at {CHROMIUM} (apt-get install chromium)"))
        if "nginx" in item.keywords and not nginx_available() and not SERVICES_REQUIRED:
            item.add_marker(
                pytest.mark.skip(
                    reason=f"needs {NGINX} and {NGINX_PURGE_MODULE} (apt-get install nginx libnginx-mod-http-cache-purge)"
                )
            )


def pytest_configure(config):
    # Registered now, after pytest-playwright, so its launch-args fixture is the one used.
    config.pluginmanager.import_plugin("haining.testing_browser")
    _cut_off_internet()


def _cut_off_internet():
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def public(address) -> bool:
        if not isinstance(address, tuple):
            return False  # a Unix socket
        try:
            return ipaddress.ip_address(address[0]).is_global
        except ValueError:
            return False

    def connect(sock, address):
        if public(address):
            raise OSError(errno.ENETUNREACH, f"tests do not reach the internet ({address[0]})")
        return real_connect(sock, address)

    def connect_ex(sock, address):
        return errno.ENETUNREACH if public(address) else real_connect_ex(sock, address)

    socket.socket.connect, socket.socket.connect_ex = connect, connect_ex


def ensure_wagtail_base_rows():
    """Recreate the rows Wagtail's migrations make (locale, root collection, root page) if missing.

    A transactional test (live server, concurrency) flushes the whole database when it ends. Django's
    serialized rollback is meant to restore those rows for the next one, but after a browser test it
    was seen not to; tests that need the page tree call this instead of relying on it.
    """
    from django.conf import settings
    from wagtail.models import Collection, Locale, Page

    locale, _ = Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    if not Collection.objects.exists():
        Collection.add_root(name="Root")
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(instance=Page(title="Root", slug="root", locale=locale, live=True))
    return root


@pytest.fixture
def site_root(db):
    """The default Site pointing at a fresh, published HomePage."""
    from wagtail.models import Site

    from home.tests.factories import HomePageFactory

    root = ensure_wagtail_base_rows()
    home = HomePageFactory(parent=root, title="海宁市总工会", slug="home-test")
    Site.objects.all().delete()
    Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="海宁市总工会")
    return home


@pytest.fixture(autouse=True)
def _clear_cache():
    """Cached navigation/footer fragments must not leak between tests."""
    from django.core.cache import cache

    from home import routing
    from training.services import enrollment

    cache.clear()
    routing.clear()  # the per-process site and route memo, keyed on the content version the cache held
    enrollment.forget_rule_courses()  # the same for the enrollment API's course memo
    yield
