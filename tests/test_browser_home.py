"""Home, news index and news page in headless Chromium at desktop and phone width: screenshots and axe."""

import pytest

from tests.browser import check_page, new_context, screenshot_dir, serve_demo_site

SHOTS = screenshot_dir("home")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def demo_site(live_server):
    return serve_demo_site(live_server)


_open = new_context  # the other browser test files import _open, _check and demo_site from here


def _check(page, name):
    check_page(page, SHOTS, name)  # SHOTS read when called: test_browser_public_pages swaps it


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
