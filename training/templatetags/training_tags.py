"""Template tags the rest of the site uses to show courses (the home page's "open courses" row)."""

from django import template

from training.services.catalog import open_courses as find_open_courses
from training.services.enrollment import STATUS_LABELS

register = template.Library()


@register.inclusion_tag("training/includes/open_courses.html", takes_context=True)
def open_courses(context, limit: int = 4):
    return {"courses": find_open_courses(limit), "status_labels": STATUS_LABELS, "request": context.get("request")}


@register.filter
def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, "")


BADGE = {"open": "open", "waitlist": "full", "full": "closed", "closed": "closed", "upcoming": "soon"}


@register.filter
def status_badge(status: str) -> str:
    return BADGE.get(status, "closed")
