"""Home, news index and news page in headless Chromium at desktop and phone width: screenshots and axe."""

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

SHOTS = Path(os.environ.get("SCREENSHOT_DIR", Path(__file__).resolve().parent.parent / "var" / "screenshots" / "home"))
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def demo_site(live_server):
    from wagtail.models import Site

    from haining.testing import ensure_wagtail_base_rows
    from home import demo

    ensure_wagtail_base_rows()
    home = demo.seed()
    demo.build_navigation(home)
    site = Site.objects.get(is_default_site=True)
    site.hostname, site.port = "localhost", live_server.thread.port
    site.save()
    return live_server.url.replace("127.0.0.1", "localhost")


def _open(browser, viewport_name):
    phone = viewport_name == "phone"
    return browser.new_context(
        viewport=VIEWPORTS[viewport_name], is_mobile=phone, has_touch=phone, device_scale_factor=1, locale="zh-CN"
    )


def _check(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    result = Axe().run(page)
    assert result.violations_count == 0, result.generate_report()
    # Nothing is wider than the viewport (no sideways scrolling on phones).
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_home_news_index_and_article(browser, demo_site, viewport):
    context = _open(browser, viewport)
    page = context.new_page()
    page.goto(demo_site + "/")
    assert page.locator("h1").first.inner_text() == "建好职工信赖的“职工之家”"
    assert page.get_by_text("12351 职工服务热线").is_visible()
    _check(page, f"home-{viewport}")

    page.goto(demo_site + "/news/")
    assert page.locator(".card").count() >= 10
    _check(page, f"news-index-{viewport}")

    page.get_by_role("link", name="海宁市总工会举办元旦职工拔河比赛").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "海宁市总工会举办元旦职工拔河比赛"
    assert page.locator(".gallery img").count() == 3
    _check(page, f"news-page-{viewport}")
    context.close()


def test_phone_menu_and_keyboard_focus(browser, demo_site):
    context = _open(browser, "phone")
    page = context.new_page()
    page.goto(demo_site + "/")
    nav = page.get_by_role("navigation", name="主导航（手机）")
    assert not nav.is_visible()
    page.get_by_text("菜单").click()
    assert nav.is_visible()
    nav.get_by_role("link", name="工会新闻").click()
    page.wait_for_load_state()
    assert page.url.endswith("/news/")
    # The first Tab stop is the skip link, and it becomes visible when focused.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="跳到正文")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.bounding_box()["y"] >= 0
    context.close()
