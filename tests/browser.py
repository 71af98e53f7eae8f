"""What the browser tests share: the demo site served by the live server, a browser context at desktop or
phone width, and the check every screenshotted page passes (axe finds nothing, nothing scrolls sideways)."""

import os
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def screenshot_dir(name: str) -> Path:
    """var/screenshots/<name>/, or $SCREENSHOT_DIR."""
    return Path(os.environ.get("SCREENSHOT_DIR", Path(__file__).resolve().parent.parent / "var" / "screenshots" / name))


def serve_default_site(live_server) -> str:
    """Point the default Wagtail site at the live server; returns its base URL (host ``localhost``, as the site's)."""
    from wagtail.models import Site

    site = Site.objects.get(is_default_site=True)
    site.hostname, site.port = "localhost", live_server.thread.port
    site.save()
    return live_server.url.replace("127.0.0.1", "localhost")


def serve_demo_site(live_server, *, culture: bool = False) -> str:
    """The home demo (with the culture demo if asked) and its navigation, served by the live server."""
    from culture import demo as culture_demo
    from haining.testing import ensure_wagtail_base_rows
    from home import demo

    ensure_wagtail_base_rows()
    home = demo.seed()
    if culture:
        culture_demo.seed(home)
    demo.build_navigation(home)
    return serve_default_site(live_server)


def new_context(browser, viewport_name: str):
    """A zh-CN browser context at desktop width or as a phone (touch, mobile)."""
    phone = viewport_name == "phone"
    return browser.new_context(
        viewport=VIEWPORTS[viewport_name], is_mobile=phone, has_touch=phone, device_scale_factor=1, locale="zh-CN"
    )


def check_page(page, shots: Path, name: str):
    """Full-page screenshot to shots/<name>.png; axe finds nothing; nothing is wider than the viewport."""
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    result = Axe().run(page)
    assert result.violations_count == 0, result.generate_report()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
