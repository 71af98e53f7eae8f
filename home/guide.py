"""帮助 in the admin: our own Chinese guide (docs/guide.md) instead of the links to Wagtail's English guides."""

import functools
from pathlib import Path

from django.conf import settings
from django.template.response import TemplateResponse
from django.utils.safestring import mark_safe

GUIDE = Path(settings.BASE_DIR) / "docs" / "guide.md"
# Wagtail's own help items (English pages on wagtail.org); the keyboard-shortcuts item stays.
WAGTAIL_HELP_ITEMS = ("editor-guide", "whats-new-in-wagtail-")


@functools.cache
def _render(mtime: float) -> tuple[str, str]:
    """(title, HTML) of the guide; raw HTML in the Markdown is escaped. Cached until the file changes."""
    from markdown_it import MarkdownIt  # here: ~4 MiB that only the admin's 帮助 page needs

    text = GUIDE.read_text(encoding="utf-8")
    title, _, body = text.partition("\n")
    html = MarkdownIt("commonmark", {"html": False}).enable("table").render(body)
    return title.lstrip("# ").strip(), html


def guide_view(request):
    title, html = _render(GUIDE.stat().st_mtime)
    return TemplateResponse(request, "home/admin/guide.html", {"title": title, "guide_html": mark_safe(html)})


def drop_wagtail_help_items(request, menu_items):
    menu_items[:] = [item for item in menu_items if not item.name.startswith(WAGTAIL_HELP_ITEMS)]
