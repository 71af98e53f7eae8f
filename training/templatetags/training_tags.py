"""Template tags the rest of the site uses to show courses (the home page's "open courses" row)."""

from django import template
from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from home.pagecache import shows_live_state
from home.signals import content_version
from training.services.catalog import open_courses as find_open_courses
from training.services.enrollment import STATUS_LABELS

register = template.Library()


@register.simple_tag(takes_context=True)
def open_courses(context, limit: int = 4):
    """The home page's open-courses row. It shows seats and status, which change without a publish, so it is
    kept PAGE_CACHE_LIVE_SECONDS (2 s), as long as the page cache keeps a page showing them, keyed on the
    content version; a page using the kept row is still marked live (kept seconds, not minutes). Rendered
    pages under load thus compute the row once every two seconds instead of on every request (issue #18)."""
    shows_live_state()
    request = context.get("request")
    preview = getattr(request, "is_preview", False)
    key = f"open-courses:{limit}:{content_version()}"
    html = None if preview else cache.get(key)
    if html is None:
        html = render_to_string(
            "training/includes/open_courses.html",
            {"courses": find_open_courses(limit), "status_labels": STATUS_LABELS},
            request=request,
        )
        if not preview:
            cache.set(key, html, int(getattr(settings, "PAGE_CACHE_LIVE_SECONDS", 2)))
    return mark_safe(html)  # rendered by our own autoescaping template


@register.filter
def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, "")


BADGE = {"open": "open", "waitlist": "full", "full": "closed", "closed": "closed", "upcoming": "soon"}


@register.filter
def status_badge(status: str) -> str:
    return BADGE.get(status, "closed")
