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
    """Ancestors of the page below the site root, then the page itself.

    Routing leaves each page's parent cached on it, so walking up costs no query for a served page;
    treebeard's get_parent queries only where that cache is missing.
    """
    page = page or context.get("page")
    ancestors = []
    node = page
    while node is not None and getattr(node, "depth", 0) > 3:
        node = node.get_parent(update=False)
        ancestors.insert(0, node)
    return {"ancestors": ancestors, "page": page, "extra": extra, "request": context.get("request")}


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
