"""The anonymous full-page cache (home.pagecache) and purging the proxy on publish (home.frontend_cache)."""

import http.server
import threading

import pytest

from home import pagecache
from home.models import NavigationSettings, SiteContactSettings
from home.tests.factories import NewsIndexPageFactory, NewsPageFactory, StandardPageFactory
from training.services.enrollment import enroll
from training.tests.factories import applicant, one_seat_course_on_sale

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_ENABLED = True


@pytest.fixture
def news(site_root):
    index = NewsIndexPageFactory(parent=site_root)
    page = NewsPageFactory(parent=index, title="职工书屋免费开放")
    page.save_revision().publish()
    return page


def state(response):
    return response[pagecache.HEADER]


def test_second_anonymous_visit_is_a_hit_and_identical(news, client):
    first = client.get(news.url)
    second = client.get(news.url)
    assert (state(first), state(second)) == ("miss", "hit")
    assert second.content == first.content
    assert "职工书屋免费开放" in second.text
    assert second["Cache-Control"].startswith("public, max-age=0, s-maxage=")
    assert "Set-Cookie" not in second


def test_elder_mode_is_its_own_entry(news, client):
    assert state(client.get(news.url)) == "miss"
    client.cookies["hn_elder"] = "1"
    elder = client.get(news.url)
    assert state(elder) == "miss"
    assert '<html lang="zh-CN" class="elder">' in elder.text
    assert state(client.get(news.url)) == "hit"
    assert '<html lang="zh-CN" class="elder">' in client.get(news.url).text
    del client.cookies["hn_elder"]
    plain = client.get(news.url)
    assert state(plain) == "hit" and 'class="elder"' not in plain.text


def test_making_a_page_private_takes_it_out_of_the_cache(news, client, django_capture_on_commit_callbacks):
    from wagtail.models import PageViewRestriction

    client.get(news.url)
    assert state(client.get(news.url)) == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        restriction = PageViewRestriction.objects.create(
            page=news, restriction_type=PageViewRestriction.PASSWORD, password="neibu2026"
        )
    private = client.get(news.url)
    assert state(private) != "hit"
    assert 'name="password"' in private.text  # Wagtail's password form, not the cached article
    assert state(client.get(news.url)) != "hit"
    with django_capture_on_commit_callbacks(execute=True):
        restriction.delete()
    assert state(client.get(news.url)) == "miss"


def test_tracking_parameters_share_the_entry(news, client):
    client.get(news.url)
    assert state(client.get(news.url + "?from=singlemessage&isappinstalled=0")) == "hit"
    assert state(client.get(news.url + "?utm_source=wx")) == "hit"
    assert state(client.get(news.url + "?page=2")) == "miss"


def test_publish_is_visible_on_the_next_request(news, client, django_capture_on_commit_callbacks):
    client.get(news.url)
    index_url = news.get_parent().url
    assert "职工书屋免费开放" in client.get(index_url).text
    news.title = "职工书屋延长开放时间"
    with django_capture_on_commit_callbacks(execute=True):
        news.save_revision().publish()
    page = client.get(news.url)
    assert state(page) == "miss" and "职工书屋延长开放时间" in page.text
    assert "职工书屋延长开放时间" in client.get(index_url).text


def test_unpublish_move_and_delete_are_visible_at_once(site_root, news, client, django_capture_on_commit_callbacks):
    about = StandardPageFactory(parent=site_root, title="关于我们", slug="about")
    about.save_revision().publish()
    assert client.get(news.url).status_code == 200
    assert client.get(about.url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        news.unpublish()
    assert client.get(news.url).status_code == 404
    old_url = about.url
    with django_capture_on_commit_callbacks(execute=True):
        about.move(news.get_parent(), pos="last-child")
    about.refresh_from_db()
    assert client.get(old_url).status_code != 200  # gone (the slug redirect may send it on)
    assert client.get(about.url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        about.delete()
    assert client.get(about.url).status_code == 404


def test_settings_change_is_visible_at_once(news, client, site_root):
    from wagtail.models import Site

    site = Site.objects.get()
    contact = SiteContactSettings.for_site(site)
    assert state(client.get(news.url)) == "miss"
    assert state(client.get(news.url)) == "hit"
    contact.hotline = "0573-87001234"
    contact.save()
    page = client.get(news.url)
    assert state(page) == "miss" and "0573-87001234" in page.text
    NavigationSettings.for_site(site).save()
    assert state(client.get(news.url)) == "miss"


def test_logged_in_editor_is_never_served_or_stored(news, client, django_user_model):
    editor = django_user_model.objects.create_superuser("bianji", "b@example.cn", "pw-123456")
    client.force_login(editor)
    response = client.get(news.url)
    assert state(response) == "skip" and "private" in response["Cache-Control"]
    client.logout()
    client.cookies.clear()
    assert state(client.get(news.url)) == "miss"  # what the editor saw was not stored
    client.force_login(editor)
    assert state(client.get(news.url)) == "skip"  # and the anonymous copy is not served to the editor


def test_admin_preview_and_personal_pages_are_never_stored(news, client):
    for url in ("/admin/login/", "/enroll/lookup/", "/elder/?on=1&next=/", "/healthz"):
        first, second = client.get(url), client.get(url)
        assert state(first) == state(second) == "skip", url
        assert "private" in second["Cache-Control"] or "no-cache" in second["Cache-Control"], url


@pytest.fixture
def courses(site_root):
    course = one_seat_course_on_sale(site_root)
    return course.get_parent().specific, course


def test_course_page_with_the_enrollment_form_is_never_stored(courses, client):
    _index, course = courses
    first = client.get(course.url)
    assert 'name="csrfmiddlewaretoken"' in first.text
    assert state(first) == "skip"
    # The visitor's own token: the form posts without a CSRF failure.
    second = client.get(course.url)
    assert state(second) == "skip"
    assert client.cookies.get("csrftoken")


def test_seat_state_pages_are_kept_seconds_and_a_sold_out_course_shows_full(courses, client, monkeypatch, settings):
    index, course = courses
    page = client.get(index.url)
    assert state(page) == "miss" and ">报名中</span>" in page.text
    assert page["Cache-Control"].endswith("s-maxage=1")  # proxies: one second
    assert state(client.get(index.url)) == "hit"
    enroll(course.pk, applicant(1), source="web")  # the only seat goes
    clock = pagecache.time.time
    monkeypatch.setattr(pagecache.time, "time", lambda: clock() + settings.PAGE_CACHE_LIVE_SECONDS + 0.01)
    page = client.get(index.url)
    assert state(page) == "miss"
    assert ">已满</span>" in page.text and ">报名中</span>" not in page.text
    # The course page itself now has no form, so it is cached, for seconds only.
    full = client.get(course.url)
    assert 'name="csrfmiddlewaretoken"' not in full.text
    assert state(full) == "miss" and full["Cache-Control"].endswith("s-maxage=1")


def test_a_render_that_overlaps_a_change_is_not_kept(news, client, monkeypatch):
    from home import signals

    real = pagecache.PageCacheMiddleware.__call__

    def change_during_render(self, request):
        original = self.get_response

        def get_response(request):
            response = original(request)
            signals.bump_content_version()  # an editor publishes while this page renders
            return response

        self.get_response = get_response
        try:
            return real(self, request)
        finally:
            self.get_response = original

    monkeypatch.setattr(pagecache.PageCacheMiddleware, "__call__", change_during_render)
    response = client.get(news.url)
    assert response["Cache-Control"].endswith("s-maxage=0")
    monkeypatch.undo()
    assert state(client.get(news.url)) == "miss"


class PurgeRecorder(http.server.BaseHTTPRequestHandler):
    seen: list

    def do_PURGE(self):  # noqa: N802
        self.seen.append((self.headers["Host"], self.path, self.headers.get("Cookie", "")))
        self.send_response(404 if "missing" in self.path else 200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def purge_server(settings):
    PurgeRecorder.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), PurgeRecorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.WAGTAILFRONTENDCACHE = {
        "nginx": {
            "BACKEND": "home.frontend_cache.NginxPurgeBackend",
            "LOCATION": f"http://127.0.0.1:{server.server_port}",
        }
    }
    yield PurgeRecorder.seen
    server.shutdown()


def test_publish_purges_the_page_and_the_pages_listing_it_after_commit(
    news, purge_server, django_capture_on_commit_callbacks
):
    news.title = "新标题"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        news.save_revision().publish()
        assert purge_server == []  # nothing is purged before the commit
    for callback in callbacks:
        callback()
    paths = {(path, cookie) for _host, path, cookie in purge_server}
    for url in (news.url, news.get_parent().url, "/"):
        assert (url, "") in paths and (url, "hn_elder=1") in paths, url
    assert {host for host, _path, _cookie in purge_server} == {"localhost"}


def test_settings_change_purges_every_live_page(news, purge_server, site_root, django_capture_on_commit_callbacks):
    from wagtail.models import Site

    with django_capture_on_commit_callbacks(execute=True):
        contact = SiteContactSettings.for_site(Site.objects.get())
        contact.hotline = "12351-1"
        contact.save()
    paths = {path for _host, path, _cookie in purge_server}
    assert {"/", news.get_parent().url, news.url} <= paths
