"""The anonymous full-page cache: Wagtail pages served to visitors without a session, from Django's cache.

What is stored: a GET answered by Wagtail's page view (`wagtail_serve`) with 200, no cookie set, no
`private`/`no-cache`/`no-store`, no CSRF token rendered into it, for a request that carries no session or
messages cookie and no Authorization header. Everything else passes through untouched and is marked
`Cache-Control: private` so that no shared cache (nginx, a CDN) keeps it either: the Wagtail admin,
previews (their own view), logged-in editors (a session cookie), enrollment confirmation, lookup, cancel
and offer acceptance (not page views, and they use the session), the API, the 长辈模式 switch.

Pages with a form (the course page while enrollment is open) render a CSRF token, which sets the CSRF
cookie: they are never stored, so the form always carries the visitor's own token and works without
JavaScript. The course page is stored when it shows no form (before the window opens, full, closed).

The key is the host, the path, the query string (less tracking parameters that WeChat and campaign links
add) and 长辈模式 (the cookie `hn_elder=1` renders the same address differently).

Freshness:
- An entry remembers the site's content version (home.signals) current when its request began, and is
  used only while that version is still current. Publishing, unpublishing, moving or deleting a page and
  changing a setting, a snippet or another model listed in PAGE_CACHE_CONTENT_MODELS bump the version,
  so the next request renders afresh: a published change is visible at once. A request whose rendering
  overlapped a change stores nothing useful (its version is already old), so a stale render never wins.
- Pages that show live state (seats left and a course's status, read through training.services.seats,
  which calls `shows_live_state()`) are kept only PAGE_CACHE_LIVE_SECONDS (2 s) and proxies are told to
  keep them 1 s: a parent never sees 报名中 more than a couple of seconds after a course filled, nor
  即将开放 after the window opened.
- Other pages are kept PAGE_CACHE_SECONDS (10 min) at most; proxies are told PAGE_CACHE_PROXY_SECONDS
  (s-maxage, 60 s) and are purged on publish through Wagtail's frontend cache (home.frontend_cache).
  Addresses with a query string (filters, page 2) are told 1 s: a purge names addresses, not their
  query strings.

The middleware sits high in MIDDLEWARE (after security and static files): a hit skips sessions,
authentication, CSRF and the page tree. It answers `X-Page-Cache: hit|miss|skip` for operators and tests.
"""

import contextvars
import hashlib
import logging
import time
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import patch_cache_control

from home.signals import CONTENT_VERSION_KEY

logger = logging.getLogger(__name__)

ELDER_COOKIE = "hn_elder"
HEADER = "X-Page-Cache"
# Query parameters that only say where a link was shared; they do not change the page.
TRACKING_PARAMS = {"isappinstalled", "spm", "scene", "clicktime", "enterid", "share_token", "nsukey"}
TRACKING_PREFIXES = ("utm_",)
WECHAT_FROM = {"singlemessage", "groupmessage", "timeline"}
# Response headers that are never stored (they belong to one visitor or are set again on the way out).
PRIVATE_HEADERS = {"set-cookie", "cache-control", "expires", HEADER.lower()}
# Vary values the key already accounts for (the elder cookie; encodings and languages do not vary here).
HANDLED_VARY = {"cookie", "accept-encoding", "accept-language"}

_live_state = contextvars.ContextVar("page_cache_live_state", default=None)


def shows_live_state() -> None:
    """Called by code that reads state changing without a publish (seat counts, enrollment status), so a
    page rendering it is kept only for seconds. Outside a cached request it does nothing."""
    flags = _live_state.get()
    if flags is not None:
        flags["live"] = True


def enabled() -> bool:
    return getattr(settings, "PAGE_CACHE_ENABLED", False)


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _normalised_query(query_string: str) -> str:
    if not query_string:
        return ""
    kept = []
    for name, value in parse_qsl(query_string, keep_blank_values=True):
        if name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES):
            continue
        if name == "from" and value in WECHAT_FROM:
            continue
        kept.append((name, value))
    return urlencode(sorted(kept))


def elder(request) -> bool:
    return request.COOKIES.get(ELDER_COOKIE) == "1"


def cache_key(request) -> str:
    raw = "|".join(
        (
            request.get_host(),
            request.path,
            _normalised_query(request.META.get("QUERY_STRING", "")),
            "elder" if elder(request) else "",
        )
    )
    return "page:" + hashlib.sha256(raw.encode()).hexdigest()


def request_cacheable(request) -> bool:
    if request.method != "GET" or "HTTP_AUTHORIZATION" in request.META:
        return False
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
        return False
    return not request.path.startswith(tuple(getattr(settings, "PAGE_CACHE_EXCLUDED_PATHS", ())))


def response_cacheable(request, response) -> bool:
    match = getattr(request, "resolver_match", None)
    if match is None or match.url_name != "wagtail_serve" or getattr(request, "is_preview", False):
        return False
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False  # a CSRF token was rendered: the page holds a form
    cache_control = response.get("Cache-Control", "").lower()
    if any(word in cache_control for word in ("private", "no-cache", "no-store")):
        return False
    vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
    return vary <= HANDLED_VARY


def _proxy_headers(response, request, *, live: bool, remaining: float) -> None:
    proxy = 1 if live or request.META.get("QUERY_STRING") else _setting("PAGE_CACHE_PROXY_SECONDS", 60)
    proxy = max(0, min(proxy, int(remaining)))
    # Browsers ask again every time (an editor's change shows on reload); nginx and CDNs keep it `proxy` s.
    response["Cache-Control"] = f"public, max-age=0, s-maxage={proxy}"


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not enabled() or not request_cacheable(request):
            return self._pass(request)
        try:
            key = cache_key(request)
        except Exception:  # DisallowedHost and the like: let the view stack answer it
            return self._pass(request)
        found = cache.get_many([key, CONTENT_VERSION_KEY])
        version = found.get(CONTENT_VERSION_KEY)
        if version is None:
            from home.signals import content_version

            version = content_version()
        entry = found.get(key)
        now = time.time()
        if entry and entry["version"] == version and entry["until"] > now:
            return self._hit(request, entry, now)

        flags = {"live": False}
        token = _live_state.set(flags)
        try:
            response = self.get_response(request)
        finally:
            _live_state.reset(token)
        if not response_cacheable(request, response):
            return self._skip(response)
        live = flags["live"]
        seconds = _setting("PAGE_CACHE_LIVE_SECONDS", 2) if live else _setting("PAGE_CACHE_SECONDS", 600)
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        if cache.get(CONTENT_VERSION_KEY, version) != version:
            # The content changed while this page rendered: it may show the old rows. Keep it nowhere.
            response[HEADER] = "miss"
            response["Cache-Control"] = "public, max-age=0, s-maxage=0"
            return response
        entry = {
            "version": version,
            "until": now + seconds,
            "live": live,
            "status": response.status_code,
            "headers": [(k, v) for k, v in response.items() if k.lower() not in PRIVATE_HEADERS],
            "content": response.content,
        }
        try:
            cache.set(key, entry, seconds)
        except Exception:  # the fail-safe cache swallows outages; anything else must not cost the page
            logger.exception("Could not store page %s", request.path)
        response[HEADER] = "miss"
        _proxy_headers(response, request, live=live, remaining=seconds)
        return response

    def _pass(self, request):
        response = self.get_response(request)
        return self._skip(response) if enabled() else response

    @staticmethod
    def _skip(response):
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True)
        response[HEADER] = "skip"
        return response

    @staticmethod
    def _hit(request, entry, now):
        response = HttpResponse(entry["content"], status=entry["status"])
        for name, value in entry["headers"]:
            response[name] = value
        response[HEADER] = "hit"
        _proxy_headers(response, request, live=entry["live"], remaining=entry["until"] - now)
        return response
