"""Walk the Wagtail admin as one user in Chromium and count the English words left on each screen.

Used by tests/test_browser_admin_chinese.py; also runnable against a running server:

    .venv/bin/python tests/admin_walk.py http://127.0.0.1:8000 bianji haining-demo-2026 [max screens]

A "screen" is one admin URL pattern (digits folded), reached by following links from the dashboard.
Words that are not interface text are not counted: acronyms (SMS, URL), key names (Ctrl, Esc), the
product name (Wagtail), and data (user names, e-mail and web addresses, file names, slugs of our content).
"""

import re
import sys
from collections import Counter
from urllib.parse import urljoin, urlsplit

# Key names shown in the keyboard-shortcuts dialog and in hints.
KEY_NAMES = {"Ctrl", "Cmd", "Shift", "Alt", "Option", "Enter", "Return", "Esc", "Escape", "Tab", "Space", "Backspace"}
# Product and file-format names.
PRODUCT_NAMES = {"Wagtail", "Excel", "Word", "WPS", "WeChat", "WebP", "Chromium", "Gravatar"}
WORD = re.compile(r"(?<![\w@/-])[A-Za-z][A-Za-z']+(?![\w@/-])")
DATA = re.compile(
    r"\b[A-Z][a-z]+/[A-Za-z_/+-]+\b|"  # an IANA time-zone name (Asia/Shanghai): a key, not a word
    r"\S+@\S+|https?://\S+|www\.\S+|/\S*|\b[\w.-]+\.(?:png|jpe?g|gif|webp|svg|pdf|docx?|xlsx?|csv|txt|ics|zip)\b|"
    r"\b[\w-]+_[\w-]+\b|\b\w+-\w[\w-]*\b",
    re.IGNORECASE,
)

# Never followed: they change state on GET, leave the admin, or only repeat a screen already seen.
SKIP = re.compile(
    r"/logout/|/jsi18n/|/preview|/view_draft/|/unpublish/|/delete/|/revisions/\d+/(view|revert)/|"
    r"/lock/|/unlock/|/copy/|/move/|/convert_alias/|/usage/|/export|[?&]export=|/sprite|\.(xlsx|csv|pdf|png|jpe?g)$|"
    r"/slip/|/signin/|/documents/\d+/[^/]+$|/images/\d+/generate_url|/login/|/password_reset/"
)


def english_words(text: str, ignore=()) -> list[str]:
    """The English words in a screen's text, after data and allowed words are taken out."""
    text = DATA.sub(" ", text)
    words = []
    for word in WORD.findall(text):
        if word.isupper() or word in KEY_NAMES or word in PRODUCT_NAMES or word in ignore:
            continue  # acronym (SMS, URL, ID, CSV), key name, product name, known data
        if len(word) <= 1:
            continue
        words.append(word)
    return words


def pattern(url: str) -> str:
    parts = urlsplit(url)
    path = re.sub(r"/\d+(?=/|$)", "/N", parts.path)
    return path + ("?" + re.sub(r"=\d+", "=N", parts.query) if parts.query and "p=" not in parts.query else "")


def screen_text(page) -> str:
    """What a user reads: the body's visible text, placeholders, and tooltips of icon-only buttons."""
    return page.evaluate(
        """() => {
            const bits = [document.body.innerText, document.title];
            for (const el of document.querySelectorAll('[placeholder]')) {
                if (el.offsetParent !== null) bits.push(el.getAttribute('placeholder'));
            }
            for (const el of document.querySelectorAll('button[aria-label], a[aria-label]')) {
                if (el.offsetParent !== null && !el.innerText.trim()) bits.push(el.getAttribute('aria-label'));
            }
            return bits.join('\\n');
        }"""
    )


def log_in(page, base_url, username, password):
    page.goto(base_url + "/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")


def walk(page, base_url, start=("/admin/",), max_screens=80, ignore=(), on_screen=None):
    """Visit every admin screen reachable from `start` (one URL per pattern); return {url: [English words]}."""
    seen_patterns, queue, found = set(), [urljoin(base_url, s) for s in start], {}
    host = urlsplit(base_url).netloc
    while queue and len(found) < max_screens:
        url = queue.pop(0)
        key = pattern(url)
        if key in seen_patterns:
            continue
        seen_patterns.add(key)
        response = page.goto(url)
        if response is None or response.status >= 400 or urlsplit(page.url).netloc != host:
            continue
        page.wait_for_load_state("networkidle")
        if on_screen:
            on_screen(page, url)
        found[url] = english_words(screen_text(page), ignore)
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            href = href.split("#")[0]
            parts = urlsplit(href)
            # Query-string variants (sorting, paging, filters) repeat a screen already walked.
            if (
                parts.netloc == host
                and parts.path.startswith("/admin/")
                and not parts.query
                and not SKIP.search(href)
                and pattern(href) not in seen_patterns
            ):
                queue.append(href)
    return found


def report(found) -> str:
    total = Counter(w for words in found.values() for w in words)
    lines = [f"{len(found)} screens, {sum(total.values())} English words"]
    for url, words in found.items():
        lines.append(f"  {url}: {' '.join(words)}")
    return "\n".join(lines)


if __name__ == "__main__":
    from playwright.sync_api import sync_playwright

    base, user, password = sys.argv[1:4]
    limit = int(sys.argv[4]) if len(sys.argv) > 4 else 80
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        log_in(page, base, user, password)
        found = walk(page, base, start=["/admin/", *sys.argv[5:]], max_screens=limit, ignore={user})
        print(report(found))
        browser.close()
