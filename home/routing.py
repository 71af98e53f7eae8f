"""Per-process memo of Wagtail's site lookup and page routes, for pages rendered without the page cache.

Wagtail finds the Site for every request with a query, then walks the page tree from the site's root one URL
segment at a time (the root page, each ancestor, base row then specific row): a news article costs five
queries before its template starts, more than its rendering (issue #18, bench/pages.py --bakerydemo).

- The Site matched to a host and port is remembered, keyed on the content version (home.signals: saving a
  Site bumps it) and for SITE_SECONDS at most, so a worker that cannot see another's version bump (no
  shared cache) still follows a changed hostname within a minute. Each request gets its own copy.
- A route that Wagtail resolved (page class, primary key, url_path, and a routable page's view and
  arguments) is remembered per site, path and content version. A later request for the same path fetches
  that one page with its `serve_queryset()` and uses it only if it is still live and still at the same
  url_path; otherwise (unpublished, moved, deleted, renamed) Wagtail routes it afresh. Only routes that
  resolved are remembered, so a page published at a formerly missing address is found at once.

The admin (SKIPPED_PATHS) is left to Wagtail. Wagtail's own checks after routing (view restrictions, the
before_serve_page hooks) run as before. Both
memos are bounded (MAX_ENTRIES, oldest dropped first) so that they cannot grow a worker's memory.
"""

import copy
import time
from collections import OrderedDict

from django.http import Http404
from wagtail.models import Page, Site
from wagtail.url_routing import RouteResult
from wagtail.views import serve

from home.signals import content_version

MAX_ENTRIES = 2000
SITE_SECONDS = 60
# Editors' pages look the site up as Wagtail does: the memo is for what visitors read.
SKIPPED_PATHS = ("/admin/", "/django-admin/")

_sites: OrderedDict = OrderedDict()
_routes: OrderedDict = OrderedDict()


def clear() -> None:
    _sites.clear()
    _routes.clear()


def _remember(memo: OrderedDict, key, value) -> None:
    memo[key] = value
    memo.move_to_end(key)
    while len(memo) > MAX_ENTRIES:
        memo.popitem(last=False)


def site_for_request(request, version: int):
    """The Site Wagtail would pick for this request (a private copy), or None when none matches."""
    key = (request._get_raw_host(), request.get_port())
    hit = _sites.get(key)
    if hit is not None and hit[1] == version and hit[2] > time.monotonic():
        return copy.copy(hit[0])
    site = Site._find_for_request(request)
    if site is not None:
        _remember(_sites, key, (copy.copy(site), version, time.monotonic() + SITE_SECONDS))
    return site


def _fetch(model, pk: int, url_path: str):
    queryset = model.serve_queryset() if hasattr(model, "serve_queryset") else model.objects.all()
    page = queryset.filter(pk=pk, live=True).first()
    if page is None or page.url_path != url_path:
        return None
    return page


def route_for_request(request, path: str, version: int):
    """Wagtail's Page.route_for_request, answered from the memo when the remembered page still fits."""
    if hasattr(request, "_wagtail_route_for_request"):
        return request._wagtail_route_for_request
    site = Site.find_for_request(request)
    if site is None:
        return Page.route_for_request(request, path)
    key = (site.pk, site.root_page_id, path, version)
    hit = _routes.get(key)
    if hit is not None:
        model, pk, url_path, args, kwargs = hit
        page = _fetch(model, pk, url_path)
        if page is not None:
            if hasattr(page, "resolve_subpage"):
                # A routable page's route carries its view bound to the page object routed (Wagtail's
                # RoutablePageMixin.route): route the fresh page again from itself, never reuse that view.
                request._wagtail_route_for_request = page.route(request, _below(page, site, path))
            else:
                request._wagtail_route_for_request = RouteResult(page, args=list(args), kwargs=dict(kwargs))
            return request._wagtail_route_for_request
        _routes.pop(key, None)
    result = Page.route_for_request(request, path)
    if result is not None:
        page, args, kwargs = result
        kept = () if hasattr(page, "resolve_subpage") else tuple(args)
        _remember(_routes, key, (type(page), page.pk, page.url_path, kept, dict(kwargs)))
    return result


def _below(page, site, path: str) -> list[str]:
    """The path components after `page`'s own address (a routable page's sub-route, e.g. ["2026", "11"])."""
    depth = len([c for c in page.url_path[len(site.root_page.url_path) :].split("/") if c])
    return [c for c in path.split("/") if c][depth:]


class RouteMemoMiddleware:
    """Sets Wagtail's per-request site (all requests) and page route (page views, GET and HEAD) from the
    memo; Wagtail reads both from the request (`_wagtail_site`, `_wagtail_route_for_request`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(SKIPPED_PATHS):
            return self.get_response(request)
        version = content_version()
        request._route_memo_version = version
        site = site_for_request(request, version)
        if site is not None:
            request._wagtail_site = site
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if (
            view_func is not serve
            or request.method not in ("GET", "HEAD")
            or not hasattr(request, "_route_memo_version")
        ):
            return None
        path = view_kwargs.get("path", view_args[0] if view_args else "")
        try:
            route_for_request(request, path, request._route_memo_version)
        except Http404:
            request._wagtail_route_for_request = None
        return None
