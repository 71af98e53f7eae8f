"""Template tags the rest of the site uses to show courses (the home page's "open courses" row)."""

from django import template

register = template.Library()


@register.inclusion_tag("training/includes/open_courses.html", takes_context=True)
def open_courses(context, limit: int = 4):
    # Filled in when the course catalog lands: courses open for enrollment now or soon.
    return {"courses": [], "request": context.get("request")}
