"""The search page in headless Chromium at phone and desktop width: results, filters, suggestions, axe."""

import pytest

from tests.test_browser_home import _check, _open, demo_site  # noqa: F401 - shared fixture and helpers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_search_page(browser, demo_site, viewport):  # noqa: F811
    context = _open(browser, viewport)
    page = context.new_page()
    page.goto(demo_site + "/search/?q=职工")
    assert page.locator(".search-result").count() >= 5
    assert page.locator(".search-result mark").first.inner_text() == "职工"
    _check(page, f"search-{viewport}")

    page.get_by_role("navigation", name="按类型筛选").get_by_role("link", name="新闻").click()
    page.wait_for_load_state()
    assert "type=news" in page.url
    page.goto(demo_site + "/search/?q=拨河比塞")
    assert page.get_by_text("您是不是要找").is_visible()
    _check(page, f"search-empty-{viewport}")
    context.close()


def test_header_suggestions_by_keyboard(browser, demo_site):  # noqa: F811
    context = _open(browser, "desktop")
    page = context.new_page()
    page.goto(demo_site + "/")
    box = page.get_by_role("combobox", name="搜索全站")
    box.fill("拔河")
    option = page.get_by_role("option").first
    option.wait_for()
    assert "拔河" in option.inner_text()
    box.press("ArrowDown")
    box.press("Enter")
    page.wait_for_url("**/news/tug-of-war/")
    context.close()
