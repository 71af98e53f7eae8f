"""The per-process site and route memo (home.routing): fewer queries per rendered page, never a stale page."""

from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from home import routing
from home.tests.factories import NewsIndexPageFactory, NewsPageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def news(site_root):
    index = NewsIndexPageFactory(parent=site_root, slug="news")
    page = NewsPageFactory(parent=index, title="职工书屋免费开放", slug="shuwu")
    page.save_revision().publish()
    return page


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return response, [q["sql"] for q in ctx.captured_queries]


def test_a_remembered_route_renders_the_same_page_with_fewer_queries(news, client):
    client.get(news.url)  # settings rows, renditions, fragments
    routing.clear()
    first, cold = _queries(client, news.url)
    second, warm = _queries(client, news.url)
    assert first.status_code == second.status_code == 200
    assert second.content == first.content and "职工书屋免费开放" in second.text
    assert not any('FROM "wagtailcore_site"' in sql for sql in warm)
    assert len(warm) <= len(cold) - 3


def test_a_routable_page_route_is_remembered_with_its_view(news, client):
    feed_url = news.get_parent().url + "feed/"
    first = client.get(feed_url)
    second = client.get(feed_url)
    assert first.status_code == second.status_code == 200
    assert "xml" in second["Content-Type"] and second.content == first.content


@pytest.fixture
def frozen_version():
    """A worker that does not see the content version move (no shared cache): the memo itself must notice."""
    with mock.patch("home.routing.content_version", return_value=7):
        yield


def test_an_unpublished_page_is_not_served_from_the_memo(news, client, frozen_version):
    assert client.get(news.url).status_code == 200
    news.unpublish()
    assert client.get(news.url).status_code == 404


def test_a_moved_page_is_not_served_at_its_old_address(news, client, frozen_version):
    old_url = news.url
    assert client.get(old_url).status_code == 200
    news.slug = "shuwu-2"
    news.save_revision().publish()
    assert client.get(old_url).status_code == 404
    news.refresh_from_db()
    assert news.url.endswith("/shuwu-2/") and "职工书屋免费开放" in client.get(news.url).text


def test_a_deleted_page_is_not_served(news, client, frozen_version):
    url = news.url
    assert client.get(url).status_code == 200
    news.delete()
    assert client.get(url).status_code == 404


def test_a_changed_site_is_followed_when_the_content_version_moves(news, client):
    assert client.get(news.url).status_code == 200
    Site.objects.update(hostname="www.hnzgh.cn", is_default_site=False)  # no signal: the memo still has it
    assert client.get(news.url).status_code == 200
    site = Site.objects.get()
    site.save()  # a Site saved in the admin bumps the content version
    assert client.get(news.url).status_code == 404  # localhost no longer matches any site


def test_a_remembered_site_expires_without_a_version_bump(news, client, frozen_version):
    assert client.get(news.url).status_code == 200
    Site.objects.update(hostname="www.hnzgh.cn", is_default_site=False)
    with mock.patch("home.routing.time.monotonic", return_value=10**9):
        assert client.get(news.url).status_code == 404


def test_the_memo_is_bounded(news, client, monkeypatch):
    monkeypatch.setattr(routing, "MAX_ENTRIES", 2)
    for n in range(4):
        client.get(f"{news.url}?n={n}")
        client.get(f"/missing-{n}/")
    client.get(news.get_parent().url)
    client.get(news.get_parent().url + "feed/")
    client.get("/")
    assert len(routing._routes) <= 2 and len(routing._sites) <= 2


def test_a_routable_page_shows_its_published_change_when_the_version_is_not_seen(news, client, frozen_version):
    """Wagtail binds a routable page's view to the page object it routed: a remembered route must render the
    page as it is now (news index and its feed, the event calendar), not the object of the first request."""
    from culture.tests.factories import EventIndexPageFactory

    index = news.get_parent().specific
    calendar = EventIndexPageFactory(parent=index.get_parent(), title="文化活动", slug="huodong")
    calendar.save_revision().publish()
    for page in (index, calendar):
        assert client.get(page.url).status_code == 200
        page.title = f"{page.title}（改版）"
        page.save_revision().publish()
        assert f"{page.title}" in client.get(page.url).text
    assert client.get(index.url + "feed/").status_code == 200
