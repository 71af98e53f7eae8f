"""Template tags for the calendar and for the rest of the site (the home page's "upcoming events" row)."""

from django import template

from culture.models import EventIndexPage

register = template.Library()


@register.inclusion_tag("culture/includes/upcoming_events.html", takes_context=True)
def upcoming_events(context, limit: int = 4):
    """The next `limit` events, each with its next date (one query, plus one for the calendar link)."""
    from culture.services.calendar import next_events

    return {
        "occurrences": next_events(limit),
        "event_index": EventIndexPage.objects.live().only("pk", "url_path", "path", "depth").first(),
        "request": context.get("request"),
    }


@register.simple_tag
def calendar_url(index, name, date=None, *args):
    """The URL of a calendar route: calendar_url page "month" date → /activities/2026/12/."""
    if date is not None and not args:
        args = (date.year, date.month) if name == "month" else (date.year, date.month, date.day)
    return index.url + index.reverse_subpage(name, args=args or None)
