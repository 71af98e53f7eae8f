"""Zero English words on the screens of the real groups: 内容编辑, 内容审核 and 报名管理员 each log in (no
superuser) and walk every admin screen they can reach from the dashboard (tests/admin_walk.py counts the
English words left after acronyms, key names, product names and data are taken out), plus the screens only an
action opens: the table block's right-click menu, the rich-text link dialog, a page waiting for review.
Screenshots in var/screenshots/admin-zh/."""

import datetime
import os
from pathlib import Path

import pytest

from tests.admin_walk import english_words, report, screen_text, walk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHOTS = Path(
    os.environ.get("SCREENSHOT_DIR", Path(__file__).resolve().parent.parent / "var" / "screenshots" / "admin-zh")
)
PASSWORD = "haining-demo-2026"


@pytest.fixture
def admin_site(live_server, settings):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from wagtail.models import Page, Site

    from haining.testing import ensure_wagtail_base_rows
    from home.tests.factories import HomePageFactory, NewsIndexPageFactory, NewsPageFactory
    from training.services.enrollment import enroll
    from training.tests.factories import CourseIndexPageFactory, CoursePageFactory, TermFactory, applicant

    settings.WAGTAIL_AUTOSAVE_INTERVAL = 0
    root = ensure_wagtail_base_rows()
    home = HomePageFactory(parent=root, title="海宁市总工会", slug="home-zh")
    Site.objects.all().delete()
    Site.objects.create(
        hostname="localhost", port=live_server.thread.port, root_page=home, is_default_site=True, site_name="海宁"
    )
    news_index = NewsIndexPageFactory(parent=home, title="工会新闻")
    published = NewsPageFactory(parent=news_index, title="职工运动会开幕")
    waiting = NewsPageFactory(parent=news_index, title="待审核的通知")
    waiting.unpublish()
    Page.objects.filter(depth=2).exclude(pk=home.pk).delete()  # Wagtail's "Welcome to your new site" page
    now = datetime.datetime.now(datetime.UTC)
    term = TermFactory(
        name="2027 年暑期",
        enrollment_opens_at=now - datetime.timedelta(hours=5),
        enrollment_closes_at=now + datetime.timedelta(days=20),
        starts_on=datetime.date(2027, 7, 5),
        ends_on=datetime.date(2100, 1, 1),
    )
    course = CoursePageFactory(parent=CourseIndexPageFactory(parent=home), title="少儿书法", term=term, capacity=2)
    for seq in range(1, 5):
        enroll(course.pk, applicant(seq), now=now)

    User = get_user_model()
    users = {}
    for username, group, name in (
        ("bianji", "内容编辑", "王晓燕"),
        ("shenhe", "内容审核", "陈建国"),
        ("baoming", "报名管理员", "周敏"),
    ):
        user = User.objects.create_user(username, password=PASSWORD, first_name=name, email=f"{username}@example.cn")
        user.groups.add(Group.objects.get(name=group))
        assert not user.is_superuser
        users[username] = user
    # The editor has submitted a page: the reviewer's dashboard and the page's workflow screens show it.
    waiting.save_revision(user=users["bianji"])
    waiting.get_workflow().start(waiting, users["bianji"])
    return {
        "url": live_server.url.replace("127.0.0.1", "localhost"),
        "users": users,
        "published": published,
        "waiting": waiting,
        "news_index": news_index,
        "course": course,
    }


def _page_as(browser, site, username):
    from django.test import Client

    client = Client()
    client.force_login(site["users"][username])
    context = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=1, locale="zh-CN")
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": site["url"]}])
    context.set_default_timeout(60_000)
    return context, context.new_page()


def _shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def _walk(browser, site, username, start):
    context, page = _page_as(browser, site, username)
    shots = iter(range(1000))
    found = walk(
        page,
        site["url"],
        start=start,
        max_screens=60,
        ignore={username},
        on_screen=lambda p, url: _shoot(p, f"{username}-{next(shots):02d}"),
    )
    return context, page, found


def test_editor_screens_have_no_english(browser, admin_site):
    site = admin_site
    start = [
        "/admin/",
        f"/admin/pages/{site['published'].pk}/edit/",
        f"/admin/pages/add/home/newspage/{site['news_index'].pk}/",
        "/admin/pages/search/?q=%E8%BF%90%E5%8A%A8%E4%BC%9A",
        "/admin/guide/",
    ]
    context, page, found = _walk(browser, site, "bianji", start)
    assert any(url.endswith("/admin/account/") for url in found), report(found)
    assert any("/images/" in url for url in found) and any("/documents/" in url for url in found), report(found)

    # 帮助 → our guide, not Wagtail's English guide.
    page.goto(site["url"] + "/admin/")
    page.get_by_role("button", name="帮助").click()
    menu = page.inner_text("nav")
    assert "使用指南" in menu and "Editor Guide" not in menu and "编辑指南" not in menu
    page.get_by_role("list", name="帮助").get_by_role("link", name="使用指南").click()
    page.wait_for_url("**/admin/guide/")
    assert "报名管理" in page.inner_text("main") and "内容审核" in page.inner_text("main")

    # Actions that open screens no link leads to: the table block's right-click menu, the link dialog.
    page.goto(f"{site['url']}/admin/pages/{site['published'].pk}/edit/")
    page.locator("[data-contentpath='body'] button.c-sf-add-button").last.click()
    page.get_by_role("option", name="表格（手工录入）", exact=True).click()
    page.locator(".htCore td").first.click(button="right")
    menu = page.locator(".htContextMenu").first
    menu.wait_for()
    _shoot(page, "bianji-table-menu")
    assert "在上方插入行" in menu.inner_text()
    found["table menu"] = english_words(menu.inner_text())
    page.keyboard.press("Escape")

    page.locator("[data-contentpath='body'] button.c-sf-add-button").last.click()
    page.get_by_role("option", name="正文", exact=True).click()
    editor = page.locator("[data-contentpath='body'] .public-DraftEditor-content").last
    editor.click()
    page.keyboard.type("职工之家")
    page.keyboard.press("Shift+Home")
    page.locator("[data-contentpath='body'] button[name='LINK']").first.click()
    dialog = page.locator(".modal-content")
    dialog.wait_for()
    page.wait_for_load_state("networkidle")
    _shoot(page, "bianji-link-dialog")
    found["link dialog"] = english_words(screen_text(page))
    context.close()

    assert not any(found.values()), report(found)


def test_reviewer_screens_have_no_english(browser, admin_site):
    site = admin_site
    start = ["/admin/", f"/admin/pages/{site['waiting'].pk}/edit/", f"/admin/pages/{site['waiting'].pk}/history/"]
    context, page, found = _walk(browser, site, "shenhe", start)
    page.goto(site["url"] + "/admin/")
    dashboard = page.inner_text("main")
    assert "待审核的通知" in dashboard and "王晓燕" in dashboard  # the submitter by name
    page.goto(f"{site['url']}/admin/pages/{site['waiting'].pk}/edit/")
    actions = page.locator("footer").first.text_content()  # the workflow actions, also those in the drop-down
    _shoot(page, "shenhe-edit")
    assert "批准并发布" in actions and "批准 和发布" not in actions
    page.goto(f"{site['url']}/admin/pages/{site['news_index'].pk}/")
    assert "已发布" in page.inner_text("main") and "在用" not in page.inner_text("main")
    context.close()
    assert not any(found.values()), report(found)


def test_enrollment_staff_screens_have_no_english(browser, admin_site):
    from notices.models import Notice

    site = admin_site
    enrollment = site["course"].enrollments.order_by("pk").first()
    notice = Notice.objects.filter(reference=enrollment.reference).first()
    start = [
        "/admin/",
        "/admin/enrollments/",
        f"/admin/enrollments/?course={site['course'].pk}",
        f"/admin/enrollments/inspect/{enrollment.pk}/",
        "/admin/enrollments/new/",
        f"/admin/notices/inspect/{notice.pk}/",
        "/admin/account/",
    ]
    context, page, found = _walk(browser, site, "baoming", start)
    page.goto(site["url"] + "/admin/account/")
    # Wagtail leaves the time-zone field out when there is only one zone to offer.
    zones = page.locator("select[name='locale-current_time_zone'] option").all_inner_texts()
    assert all(zone in ("Asia/Shanghai", "使用服务器时区") for zone in zones) and "Europe/" not in page.content(), zones
    avatars = page.eval_on_selector_all("img", "els => els.map(e => e.src)")
    assert not [src for src in avatars if "gravatar" in src], avatars
    context.close()
    assert not any(found.values()), report(found)
