"""大家都在搜: search suggestions that a spammer cannot write.

A term is suggested when (all of):
- visitors searched it on at least `min_searches` client-days in the last 30 days (each address counts
  once a day: `count_search` decides whether a search is recorded at all, so one script repeating a
  phrase counts once);
- it finds live pages with ALL of its words (a phrase that finds nothing, or only shares one common word
  with the site, is not suggested);
- it contains no blocked word (editors' list in 设置 → 搜索建议, plus the `SEARCH_SUGGESTION_BLOCKLIST`
  setting), no contact-like digit runs (phone, QQ numbers) and no web addresses.
Pinned terms come first, in the editors' order. The list is cached for `CACHE_SECONDS` and rebuilt when
the editors save the setting.
"""

import contextlib
import datetime
import hashlib
import logging
import re
import unicodedata

from django.conf import settings
from django.core.cache import cache
from django.db.models import Sum
from django.utils import timezone
from wagtail.contrib.search_promotions.models import Query
from wagtail.models import Page

from search.models import SUGGESTIONS_CACHE_KEY, SearchSuggestionSettings

logger = logging.getLogger(__name__)

CACHE_SECONDS = 600
DAYS = 30
MAX_TERM_LENGTH = 20
CANDIDATES = 40
_CONTACT_LIKE = re.compile(r"\d{5,}|https?:|www\.|\.com|\.cn|@", re.IGNORECASE)


def _fold(text: str) -> str:
    """Full-width → half-width, lower case, no spaces: how blocked words are matched."""
    return "".join(unicodedata.normalize("NFKC", text or "").lower().split())


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def is_allowed(term: str, blocked: list[str]) -> bool:
    folded = _fold(term)
    if not folded or len(term) > MAX_TERM_LENGTH or _CONTACT_LIKE.search(folded):
        return False
    return not any(_fold(word) and _fold(word) in folded for word in blocked)


def finds_pages(term: str) -> bool:
    try:
        return bool(list(Page.objects.live().public().search(term, operator="and")[:1]))
    except Exception:  # a search backend error must not break the search page
        logger.warning("Suggestion check failed for a term", exc_info=True)
        return False


def count_search(query: str, client: str) -> bool:
    """True the first time today that this client searches this query (then it is recorded)."""
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{client}:{_fold(query)}".encode()).hexdigest()[:32]
    try:
        return cache.add(f"search:seen:{timezone.localdate():%Y%m%d}:{digest}", 1, 60 * 60 * 26)
    except Exception:
        return True


def popular_terms(limit: int = 8) -> list[str]:
    cached = None
    try:
        cached = cache.get(SUGGESTIONS_CACHE_KEY)
    except Exception:
        logger.warning("Suggestions cache did not answer", exc_info=True)
    if cached is None:
        cached = _build(limit)
        with contextlib.suppress(Exception):  # a cache outage only costs a rebuild next time
            cache.set(SUGGESTIONS_CACHE_KEY, cached, CACHE_SECONDS)
    return cached[:limit]


def _build(limit: int) -> list[str]:
    config = SearchSuggestionSettings.load()
    blocked = _lines(config.blocked_terms) + list(getattr(settings, "SEARCH_SUGGESTION_BLOCKLIST", []))
    terms = []
    for term in _lines(config.pinned_terms):
        if term not in terms:
            terms.append(term)
    since = timezone.localdate() - datetime.timedelta(days=DAYS)
    candidates = (
        Query.objects.filter(daily_hits__date__gte=since)
        .annotate(searches=Sum("daily_hits__hits"))
        .filter(searches__gte=max(config.min_searches, 1))
        .order_by("-searches", "query_string")
        .values_list("query_string", flat=True)[:CANDIDATES]
    )
    for term in candidates:
        if len(terms) >= limit:
            break
        if term not in terms and is_allowed(term, blocked) and finds_pages(term):
            terms.append(term)
    return terms
