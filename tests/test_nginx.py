"""Debian's nginx with the repository's config (deploy/nginx/) in front of the test server.

Checks what the sample config promises: an anonymous page is served from nginx's cache (HIT), a publish
purges it through Wagtail's frontend cache (home.frontend_cache.NginxPurgeBackend → the cache-purge
module), 长辈模式 is cached apart, a logged-in editor bypasses the cache both ways, static files come from
nginx, and the client's address reaches the app in X-Forwarded-For / X-Real-IP.

Needs /usr/sbin/nginx and libnginx-mod-http-cache-purge (`make system-deps`); skipped without them,
failed under CI=true.
"""

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.signals import request_started

from haining.testing import NGINX, NGINX_PURGE_MODULE, ensure_wagtail_base_rows

pytestmark = [pytest.mark.nginx, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

REPO = Path(__file__).resolve().parent.parent
CONFIG = (REPO / "deploy/nginx/local.conf.in").read_text()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def nginx(live_server, tmp_path, settings):
    port, purge_port = free_port(), free_port()
    tmp_path.chmod(0o755)
    config = tmp_path / "nginx.conf"
    config.write_text(
        CONFIG.format(
            module=NGINX_PURGE_MODULE,
            user="user root;" if os.geteuid() == 0 else "",
            tmp=tmp_path,
            repo=REPO,
            upstream=live_server.url.removeprefix("http://"),
            port=port,
            purge_port=purge_port,
        )
    )
    process = subprocess.Popen(
        [NGINX, "-c", str(config), "-p", str(tmp_path), "-g", "daemon off;"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise AssertionError(f"nginx did not start: {process.stdout.read().decode()}") from None
            time.sleep(0.05)
    settings.WAGTAILFRONTENDCACHE = {
        "nginx": {"BACKEND": "home.frontend_cache.NginxPurgeBackend", "LOCATION": f"http://127.0.0.1:{purge_port}"}
    }
    settings.PAGE_CACHE_ENABLED = True
    yield f"http://127.0.0.1:{port}"
    process.send_signal(signal.SIGQUIT)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    errors = (tmp_path / "error.log").read_text() if (tmp_path / "error.log").exists() else ""
    assert "[emerg]" not in errors and "[crit]" not in errors, errors


def get(url, cookie=None, headers=None):
    # The Site's hostname, as a visitor's browser sends it (the purge names pages by it).
    host = {"Host": "localhost:" + url.split(":")[2].split("/")[0]}
    request = urllib.request.Request(url, headers={**host, **(headers or {}), **({"Cookie": cookie} if cookie else {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


@pytest.fixture
def news():
    from wagtail.models import Site

    from home.tests.factories import HomePageFactory, NewsIndexPageFactory, NewsPageFactory

    root = ensure_wagtail_base_rows()
    home = HomePageFactory(parent=root, title="海宁市总工会", slug="home-nginx")
    Site.objects.all().delete()
    Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="海宁市总工会")
    index = NewsIndexPageFactory(parent=home)
    page = NewsPageFactory(parent=index, title="职工书屋免费开放")
    page.save_revision().publish()
    return page


def test_cached_hit_purge_on_publish_and_logged_in_bypass(nginx, news, django_user_model):
    url = nginx + news.url
    status, headers, body = get(url)
    assert status == 200 and headers["X-Cache-Status"] == "MISS" and "职工书屋免费开放" in body
    status, headers, body = get(url)
    assert headers["X-Cache-Status"] == "HIT" and "职工书屋免费开放" in body

    # 长辈模式 is stored apart from the plain page.
    _status, headers, body = get(url, cookie="hn_elder=1")
    assert headers["X-Cache-Status"] == "MISS" and 'class="elder"' in body
    _status, headers, body = get(url, cookie="hn_elder=1")
    assert headers["X-Cache-Status"] == "HIT" and 'class="elder"' in body
    assert 'class="elder"' not in get(url)[2]

    # Publishing purges both renderings at once (no waiting for s-maxage).
    news.title = "职工书屋延长开放时间"
    news.save_revision().publish()
    for cookie in (None, "hn_elder=1"):
        _status, headers, body = get(url, cookie=cookie)
        assert headers["X-Cache-Status"] == "MISS", cookie
        assert "职工书屋延长开放时间" in body and "职工书屋免费开放" not in body
    assert get(url)[1]["X-Cache-Status"] == "HIT"
    # The news index lists it and was purged too.
    assert "职工书屋延长开放时间" in get(nginx + news.get_parent().url)[2]

    # A logged-in editor is never answered from the cache, and what they see is not stored.
    editor = django_user_model.objects.create_superuser("shenhe", "s@example.cn", "pw-123456")
    from django.test import Client

    client = Client()
    client.force_login(editor)
    session = f"{django_settings.SESSION_COOKIE_NAME}={client.cookies[django_settings.SESSION_COOKIE_NAME].value}"
    _status, headers, body = get(url, cookie=session)
    assert headers["X-Cache-Status"] == "BYPASS" and "wagtail-userbar" in body
    assert "private" in headers["Cache-Control"]
    _status, headers, body = get(url)
    assert headers["X-Cache-Status"] == "HIT" and "wagtail-userbar" not in body


def test_static_files_and_client_address(nginx, news, settings):
    from types import SimpleNamespace

    from haining.client_address import client_ip

    status, headers, body = get(nginx + "/static/css/site.css")
    assert status == 200 and "X-Page-Cache" not in headers and body
    seen = []

    def record(sender, environ, **kwargs):
        seen.append({k: environ.get(k) for k in ("HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP", "REMOTE_ADDR")})

    request_started.connect(record, weak=False)
    try:
        get(nginx + news.url + "?client=1", headers={"X-Forwarded-For": "203.0.113.9"})
    finally:
        request_started.disconnect(record)
    # nginx appends the address it saw (here the test itself, 127.0.0.1) and sends it as X-Real-IP.
    assert seen == [
        {"HTTP_X_FORWARDED_FOR": "203.0.113.9, 127.0.0.1", "HTTP_X_REAL_IP": "127.0.0.1", "REMOTE_ADDR": "127.0.0.1"}
    ]
    request = SimpleNamespace(META=seen[0])
    # Django believes the header only from its own proxies (TRUSTED_PROXIES, haining.client_address): the
    # right-most address that is not one of them is the client.
    settings.TRUSTED_PROXIES = []
    assert client_ip(request) == "127.0.0.1"
    settings.TRUSTED_PROXIES = ["127.0.0.1", "::1"]
    assert client_ip(request) == "203.0.113.9"
