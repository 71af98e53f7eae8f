"""Template tags the rest of the site uses to show events (the home page's "upcoming events" row)."""

from django import template

register = template.Library()


@register.inclusion_tag("culture/includes/upcoming_events.html", takes_context=True)
def upcoming_events(context, limit: int = 4):
    # Filled in when the event calendar lands: the next `limit` occurrences.
    return {"events": [], "request": context.get("request")}
