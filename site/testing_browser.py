"""Playwright launch arguments for Debian's Chromium (a plugin registered by haining.testing)."""

import contextlib
import time

import pytest

from haining.testing import CHROMIUM, chromium_available


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not chromium_available():
        pytest.fail(f"Chromium is required here but missing at {CHROMIUM}")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
            "--disable-dev-shm-usage",
        ],
    }


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_teardown(item, nextitem):
    """Before any fixture is torn down: close the test's browser pages, then let the live server finish
    the requests they sent on the way out.

    Closing a page the admin's editor is open on sends Wagtail's "release the editing session" beacon
    (/admin/editing-sessions/release/<id>/). Unwaited, the live server handled it while pytest-django
    flushed the database after the test: "database table is locked" on SQLite, an error in a test that
    had passed (seen on a loaded CI machine).
    """
    browser = getattr(item, "funcargs", {}).get("browser")
    live_server = getattr(item, "funcargs", {}).get("live_server")
    if browser is not None and live_server is not None:
        for context in list(browser.contexts):
            with contextlib.suppress(Exception):  # already closed, or the browser went away: nothing to send
                context.close()
        _wait_for_requests(live_server)
    return (yield)


def _wait_for_requests(live_server, timeout: float = 10.0) -> None:
    """Wait (at most `timeout` seconds) until the live server's request threads have ended."""
    deadline = time.monotonic() + timeout
    time.sleep(0.2)  # a beacon sent as the page closed may still be on its way to the server
    server = getattr(getattr(live_server, "thread", None), "httpd", None)
    for thread in list(getattr(server, "_threads", None) or ()):  # socketserver.ThreadingMixIn's own list
        thread.join(max(0.0, deadline - time.monotonic()))
