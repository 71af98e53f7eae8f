"""Template helpers shared by every page: Chinese dates, breadcrumbs, the cached chrome version."""

import datetime

from django import template
from django.utils import timezone

from home.signals import content_version

register = template.Library()

WEEKDAYS = "一二三四五六日"


def _local(value):
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value) if timezone.is_aware(value) else value
    return value


@register.filter
def cn_date(value, style: str = "long") -> str:
    """2026年12月31日 星期四 (long), 2026年12月31日 (date), 12月31日 (short)."""
    if not value:
        return ""
    value = _local(value)
    if style == "short":
        return f"{value.month}月{value.day}日"
    text = f"{value.year}年{value.month}月{value.day}日"
    if style == "long":
        text += f" 星期{WEEKDAYS[value.weekday()]}"
    return text


@register.filter
def cn_weekday(value) -> str:
    return f"星期{WEEKDAYS[_local(value).weekday()]}" if value else ""


@register.simple_tag(name="content_version")
def content_version_tag() -> int:
    """`{% content_version as version %}`: key for fragments that list pages (see home.signals)."""
    return content_version()


@register.inclusion_tag("includes/breadcrumbs.html", takes_context=True)
def breadcrumbs(context, page=None, extra=None):
    """Ancestors of the page below the site root ({title, url} each), then the page itself.

    The ancestors' titles and addresses are kept in the cache under the content version (home.signals): a
    publish, move, rename or new view restriction anywhere bumps it, so a served page pays no query for
    them (routing from the memo, home.routing, loads the page without its parents).
    """
    from django.core.cache import cache
    from wagtail.models import Site

    page = page or context.get("page")
    request = context.get("request")
    ancestors = []
    if page is not None and getattr(page, "depth", 0) > 3:
        site = Site.find_for_request(request) if request else None  # kept on the request: no query
        key = f"breadcrumbs:{content_version()}:{site.pk if site else None}:{page.pk}"
        ancestors = cache.get(key)
        if ancestors is None:
            ancestors = [
                {"title": ancestor.title, "url": ancestor.get_url(request=request)}
                for ancestor in page.get_ancestors().filter(depth__gt=2).only("title", "url_path", "depth", "path")
            ]
            cache.set(key, ancestors, 3600)
    return {"ancestors": ancestors, "page": page, "extra": extra, "request": request}


@register.simple_tag(takes_context=True)
def absolute_url(context, url: str) -> str:
    request = context.get("request")
    return request.build_absolute_uri(url) if request and url else url or ""


@register.simple_tag(takes_context=True)
def main_navigation(context) -> list[dict]:
    """The editable main navigation as plain {label, href} items, cached until an editor changes it.

    Falls back to the home page's children marked "show in menus" while the setting is empty.
    """
    from django.core.cache import cache
    from wagtail.models import Site

    from home.models import NavigationSettings

    request = context.get("request")
    site = Site.find_for_request(request) if request else None
    if site is None:
        return []
    key = f"main-nav:{site.pk}:{content_version()}"
    items = cache.get(key)
    if items is None:
        items = [{"label": "首页", "href": "/"}]
        nav = NavigationSettings.for_site(site)
        for block in nav.main_navigation:
            link = block.value["link"]
            page = link.get("page")
            items.append({"label": block.value["label"] or (page.title if page else ""), "href": link.href()})
        if not nav.main_navigation:
            for page in site.root_page.get_children().live().in_menu():
                items.append({"label": page.title, "href": page.url})
        cache.set(key, items, 3600)
    return items


# Simple 24×24 line icons drawn for this site (stroke paths, currentColor).
ICON_PATHS = {
    "phone": "M6 3h3l2 5-2.5 1.5a11 11 0 0 0 6 6L16 13l5 2v3a2 2 0 0 1-2 2A16 16 0 0 1 4 5a2 2 0 0 1 2-2z",
    "help": "M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zm0 13v.5M9.5 9.5a2.5 2.5 0 1 1 3.5 2.3c-.6.3-1 .9-1 1.6V14",
    "law": "M12 3v18M5 21h14M4 8h16M7 8l-3 6a3 3 0 0 0 6 0zm10 0-3 6a3 3 0 0 0 6 0z",
    "health": "M9 3h6v6h6v6h-6v6H9v-6H3V9h6z",
    "book": "M4 4h6a2 2 0 0 1 2 2v14a2 2 0 0 0-2-2H4zM20 4h-6a2 2 0 0 0-2 2v14a2 2 0 0 1 2-2h6z",
    "course": "M2 9l10-5 10 5-10 5zM6 11v5c3 2 9 2 12 0v-5M22 9v6",
    "event": "M4 6h16v14H4zM4 10h16M8 3v5M16 3v5",
}


@register.simple_tag
def icon(name: str, size: int = 24):
    from django.utils.html import format_html

    path = ICON_PATHS.get(name, ICON_PATHS["help"])
    return format_html(
        '<svg class="icon" aria-hidden="true" width="{}" height="{}" viewBox="0 0 24 24" fill="none" '
        'stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"><path d="{}"/></svg>',
        size,
        size,
        path,
    )
