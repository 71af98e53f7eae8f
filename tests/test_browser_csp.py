"""Content-Security-Policy in a real browser (issue #14): every kind of public page and the Wagtail admin,
with the policy on, report no CSP violation, and every HTML response carries the policy.

The demo site (`seed_demo`) gives one page of every type, events, courses, enrollments and a lottery
draw. Violations are collected from the browser's `securitypolicyviolation` events and console.
"""

import datetime

import pytest
from django.core.management import call_command

from tests.browser import serve_default_site
from tests.test_browser_home import _check

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "csp-test-password-2026"
WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile + ':' + e.lineNumber);
});
"""


@pytest.fixture
def full_demo(live_server, monkeypatch):
    from haining.testing import ensure_wagtail_base_rows

    ensure_wagtail_base_rows()
    monkeypatch.setenv("DEMO_ADMIN_PASSWORD", PASSWORD)
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return serve_default_site(live_server)


def public_paths() -> list[str]:
    from wagtail.models import Page

    from training.models import LotteryDraw

    paths, seen = [], set()
    for page in Page.objects.live().public().filter(depth__gt=1).order_by("path"):
        if page.content_type_id not in seen:
            seen.add(page.content_type_id)
            paths.append(page.url)
    today = datetime.date.today()
    paths += [
        f"/activities/{today.year}/{today.month}/",
        f"/activities/week/{today.year}/{today.month}/{today.day}/",
        "/activities/past/",
        "/enroll/lookup/",
        "/search/?q=职工",
        "/search/?q=没有这个词",
        "/no-such-page/",
        "/api/v1/docs/",
    ]
    draw = LotteryDraw.objects.first()
    if draw:
        paths.append(f"/enroll/draw/{draw.course_id}/")
    return paths


def admin_paths() -> list[str]:
    from wagtail.models import Page

    from culture.models import EventPage
    from home.models import SiteImage
    from training.models import CoursePage, Enrollment

    news = Page.objects.live().filter(depth=3).first()
    enrollment = Enrollment.objects.first()
    return [
        "/admin/",
        "/admin/pages/",
        f"/admin/pages/{news.pk}/",
        f"/admin/pages/{EventPage.objects.first().pk}/edit/",
        f"/admin/pages/{CoursePage.objects.first().pk}/edit/",
        f"/admin/pages/{Page.objects.filter(depth=2).first().pk}/edit/",
        "/admin/images/",
        f"/admin/images/{SiteImage.objects.first().pk}/",
        "/admin/documents/",
        "/admin/snippets/",
        "/admin/enrollments/",
        f"/admin/enrollments/inspect/{enrollment.pk}/",
        "/admin/lottery/",
        "/admin/users/",
        "/admin/reports/site-history/",
        "/admin/searchpicks/",
        "/admin/redirects/",
        "/admin/settings/sitesearch/searchsuggestionsettings/",
    ]


def _visit(page, url) -> int:
    response = page.goto(url, wait_until="networkidle")
    assert response is not None
    if response.headers.get("content-type", "").startswith("text/html"):
        assert "default-src 'self'" in response.headers.get("content-security-policy", ""), url
        assert "camera=()" in response.headers.get("permissions-policy", ""), url
    return response.status


def test_public_site_has_no_csp_violation(browser, full_demo):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.add_init_script(WATCH)
    page = context.new_page()
    console = []
    page.on("console", lambda m: "Content Security Policy" in m.text and console.append(m.text))
    problems = {}
    for path in public_paths():
        status = _visit(page, full_demo + path)
        assert status in (200, 404), (path, status)
        violations = page.evaluate("window.__csp")
        if violations:
            problems[path] = violations
    # The pages' own behaviour, which is script from static files: the lookup form's confirm dialog.
    page.goto(full_demo + "/courses/")
    _check(page, "csp-courses")
    assert not problems and not console, (problems, console)
    context.close()


def test_admin_has_no_csp_violation(browser, full_demo):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.add_init_script(WATCH)
    page = context.new_page()
    console = []
    page.on("console", lambda m: "Content Security Policy" in m.text and console.append(m.text))
    page.goto(full_demo + "/admin/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/admin/login" not in page.url
    problems = {}
    for path in admin_paths():
        assert _visit(page, full_demo + path) == 200, path
        if violations := page.evaluate("window.__csp"):
            problems[path] = violations

    # What editors do on a page: open the image chooser, add a block, open the preview.
    from culture.models import EventPage

    page.goto(full_demo + f"/admin/pages/{EventPage.objects.first().pk}/edit/", wait_until="networkidle")
    chooser = page.locator("[data-chooser-action-choose]:visible")
    for tab in page.locator("[role=tab]").all():
        if chooser.count():
            break
        tab.click()
    chooser.first.click()  # a modal chooser: its HTML and script arrive by XHR
    page.wait_for_selector(".modal-content:visible", timeout=15000)
    page.wait_for_load_state("networkidle")
    page.locator(".modal:visible button.close").first.click()
    page.wait_for_selector(".modal-content", state="hidden", timeout=15000)
    preview = page.locator("[data-side-panel-toggle='preview']:visible")
    if preview.count():
        preview.first.click()
        page.wait_for_timeout(2000)
    if violations := page.evaluate("window.__csp"):
        problems["editor interactions"] = violations
    _check(page, "csp-admin-editor")
    assert not problems and not console, (problems, console)
    context.close()
