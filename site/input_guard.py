"""Hostile request input answered with 400 before any view, page route or database query sees it.

PostgreSQL cannot store or compare text containing NUL (U+0000): a NUL in a path segment, a query
parameter, a form field or a cookie reached a lookup (a page slug, a reference code, a redirect's old
path, a session key) and the driver's ValueError became a 500 (issue #12: 13 of 410 hostile inputs).
No legitimate request carries one, so the whole kind is refused here, once, for every endpoint.

Multipart bodies are not parsed here (that would consume uploads before their views choose upload
handlers); their text fields are Django form fields, which refuse NUL themselves. The JSON API has
its own error shape and strips NUL itself, so it is left to the API.
"""

from django.core.exceptions import BadRequest

NUL = "\x00"
EXEMPT_PREFIXES = ("/api/",)


def _has_nul(pairs) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in pairs)


def hostile_reason(request) -> str | None:
    """Why this request is refused, or None. Looks at the path, query, form body and cookies."""
    if request.path_info.startswith(EXEMPT_PREFIXES):
        return None
    if NUL in request.path_info or NUL in request.path:
        return "path"
    if _has_nul(request.GET.lists()):
        return "query"
    if any(NUL in key or NUL in value for key, value in request.COOKIES.items()):
        return "cookie"
    form = request.method == "POST" and request.content_type == "application/x-www-form-urlencoded"
    if form and _has_nul(request.POST.lists()):
        return "form"
    return None


class RejectNulMiddleware:
    """400 for a request whose path, query string, url-encoded form or cookies contain NUL."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reason = hostile_reason(request)
        if reason:
            raise BadRequest(f"NUL character in the request {reason}")
        return self.get_response(request)


class ObjectIdConverter:
    """``<id:pk>`` in URLs: a database id of at most 18 digits (fits a 64-bit integer, so the database
    driver never sees an integer it cannot bind; Django's ``<int:…>`` takes any length: a 500 on
    /enroll/draw/99999999999999999999999999999/). Longer numbers do not match: 404."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)
