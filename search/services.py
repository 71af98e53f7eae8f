"""Site search: one relevance-ordered result list across page types, counted by type, highlighted.

A query of several words looks for pages that contain all of them (AND). When none does, it looks again
for pages with any of them (OR, pages with more of the words first, see search.backends.database) and the
outcome says so (`partial`), so the page can tell the visitor "没有同时包含…的结果，以下为部分匹配".
"""

import contextlib
import functools
import hashlib
import logging
import re
import unicodedata
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import transaction
from django.utils.html import escape
from django.utils.safestring import mark_safe
from wagtail.fields import StreamField
from wagtail.models import Page, Site
from wagtail.search.utils import normalise_query_string

from search.segmentation import query_terms, query_words, segment_query

logger = logging.getLogger(__name__)

MAX_QUERY_LENGTH = 100
MAX_RESULTS = 300  # relevance falls off long before this; keeps counting and paging cheap
PER_PAGE = 10
# Site-wide rankings are cached this long per query; saving or deleting any page or view restriction
# makes them stale at once (`forget_ranked_results`).
RANKED_CACHE_SECONDS = 300
RANKED_GENERATION_KEY = "search:ranked:generation"

# Result types visitors can filter by: key → (label, "app_label.ModelName"). Models that are not
# installed yet are skipped; every other page type is grouped under "page".
RESULT_TYPES = [
    ("news", "新闻", "home.NewsPage"),
    ("event", "活动", "culture.EventPage"),
    ("course", "课程", "training.CoursePage"),
]
OTHER_TYPE = ("page", "页面")
# What each page type's result card (templates/<app>/search/<model>.html) shows from related rows, in
# place of everything its `serve_queryset` selects for the full page (cover images, teachers …).
CARD_RELATED = {
    "home.newspage": ("category",),
    "culture.eventpage": ("category", "venue"),
    "training.coursepage": ("term", "category"),
}


def clean_query(raw: str) -> str:
    """The query as searched and recorded: control characters dropped (PostgreSQL rejects NUL), bounded."""
    text = "".join(ch for ch in (raw or "")[: MAX_QUERY_LENGTH * 2] if unicodedata.category(ch) not in ("Cc", "Cs"))
    return normalise_query_string(text)[:MAX_QUERY_LENGTH].strip()


def _type_content_types() -> dict[int, str]:
    """content type id → result type key for the installed result types."""
    mapping = {}
    for key, _label, model_path in RESULT_TYPES:
        try:
            model = apps.get_model(model_path)
        except LookupError:
            continue
        mapping[ContentType.objects.get_for_model(model).pk] = key
    return mapping


@dataclass
class SearchOutcome:
    query: str
    result_type: str
    page_obj: object = None
    results: list = field(default_factory=list)
    type_counts: list = field(default_factory=list)
    total: int = 0
    # The query's words (normalised) and whether the results match only some of them (OR fallback).
    words: list = field(default_factory=list)
    partial: bool = False


def search_pages(query: str, result_type: str = "", page_number="1", queryset=None) -> SearchOutcome:
    outcome = SearchOutcome(query=query, result_type=result_type)
    if not query:
        return outcome
    outcome.words = query_terms(query)
    if queryset is None:
        ranked, outcome.partial = _ranked_site_wide(query)
    else:
        ranked, outcome.partial = _ranked(queryset, query)
    type_of = _type_content_types()

    def key_of(page):
        return type_of.get(page.content_type_id, OTHER_TYPE[0])

    counts = {}
    for page in ranked:
        counts[key_of(page)] = counts.get(key_of(page), 0) + 1
    labels = [(key, label) for key, label, _ in RESULT_TYPES] + [OTHER_TYPE]
    outcome.type_counts = [(key, label, counts[key]) for key, label in labels if counts.get(key)]
    outcome.total = len(ranked)

    if result_type in counts:
        ranked = [page for page in ranked if key_of(page) == result_type]
    else:
        outcome.result_type = ""
    paginator = Paginator(ranked, PER_PAGE)
    try:
        page_obj = paginator.page(page_number)
    except PageNotAnInteger:
        page_obj = paginator.page(1)
    except EmptyPage:
        page_obj = paginator.page(max(paginator.num_pages, 1))
    outcome.page_obj = page_obj
    ids = [page.pk for page in page_obj.object_list]
    specific = _specific_pages(page_obj.object_list)
    outcome.results = [SearchResult(specific[pk], key_of(specific[pk]), query) for pk in ids if pk in specific]
    return outcome


@dataclass(frozen=True)
class Hit:
    """A ranked page as the result list needs it before the page itself is loaded."""

    pk: int
    content_type_id: int


def _ranked(queryset, query: str) -> tuple[list[Hit], bool]:
    """(the best MAX_RESULTS pages with all the words, False), else those with any of them, True."""
    queryset = queryset.only("id", "content_type_id")
    ranked = list(queryset.search(query, operator="and")[:MAX_RESULTS])
    partial = False
    if not ranked and len(query_terms(query)) > 1:
        ranked = list(queryset.search(query, operator="or")[:MAX_RESULTS])
        partial = bool(ranked)
    return [Hit(page.pk, page.content_type_id) for page in ranked], partial


def _ranked_site_wide(query: str) -> tuple[list[Hit], bool]:
    """`_ranked` over the live, public pages, kept in the cache for RANKED_CACHE_SECONDS.

    Keyed by the normalised, segmented query (工會 and 工会 share an entry) and by a generation number
    that `forget_ranked_results` moves on whenever a page or a view restriction is saved or deleted
    (publish, unpublish, edit, move, delete, privacy), so a cached ranking never outlives the pages it names.
    """
    words = segment_query(query)
    if not words:
        return [], False

    def compute():
        ranked, partial = _ranked(Page.objects.live().public(), query)
        return [(h.pk, h.content_type_id) for h in ranked], partial

    hits, partial = _cached("ranked", words, compute)
    return [Hit(*hit) for hit in hits], partial


def _cache_key(kind: str, text: str) -> str | None:
    """The cache key of `text` under the current generation (see `_ranked_site_wide`); None if the
    cache is out."""
    try:
        generation = cache.get_or_set(RANKED_GENERATION_KEY, 1, None)
    except Exception:
        return None
    return f"search:{kind}:{generation}:{hashlib.sha256(text.encode()).hexdigest()[:32]}"


def _cached(kind: str, text: str, compute):
    """`compute()`, kept in the cache for RANKED_CACHE_SECONDS under the current generation."""
    key = _cache_key(kind, text)
    try:
        value = cache.get(key) if key else None
    except Exception:
        key, value = None, None
    if value is None:
        value = compute()
        if key:
            with contextlib.suppress(Exception):
                cache.set(key, value, RANKED_CACHE_SECONDS)
    return value


def promotions_for(query: str) -> list:
    """The editors' promoted results for `query` (live, public pages or external links), in their order.

    Cached like the rankings: a saved or deleted promotion, page or site makes them stale. A promoted
    page made private is left out, as the search results leave it out.
    """
    from wagtail.contrib.search_promotions.models import SearchPromotion

    def compute():
        promotions = (
            SearchPromotion.objects.filter(query__query_string=query.lower())
            .select_related("page")
            .order_by("sort_order")
        )
        return [p for p in promotions if p.page is None or p.page.live]

    promotions = _cached("promotions", query.lower(), compute)
    page_ids = [p.page_id for p in promotions if p.page_id]
    if not page_ids:
        return promotions
    # Cached objects: whether each page is still live and public is read now (one query).
    shown = set(Page.objects.filter(pk__in=page_ids).live().public().values_list("pk", flat=True))
    return [p for p in promotions if p.page_id is None or p.page_id in shown]


def site_for_request(request):
    """`Site.find_for_request`, with its lookup (a query ranking every site by a CASE) cached per host
    and port like the rankings; the result cards' links need it. Wagtail keeps the site on the request
    (`request._wagtail_site`, as its docstring says), so every later lookup in this request is free."""
    if not hasattr(request, "_wagtail_site"):
        host = f"{request.get_host()}|{request.get_port()}"
        site = _cached("site", host, lambda: Site.find_for_request(request) or False)
        request._wagtail_site = site or None
    return request._wagtail_site


def forget_ranked_results_on_change(sender, instance=None, **_kwargs) -> None:
    """post_save/post_delete of any model: a saved or deleted page, view restriction (publish,
    unpublish, move, edit, delete, privacy), site or search promotion makes cached rankings,
    promotions and site lookups stale."""
    from wagtail.contrib.search_promotions.models import SearchPromotion
    from wagtail.models import PageViewRestriction

    if isinstance(instance, (Page, PageViewRestriction, Site, SearchPromotion)):
        forget_ranked_results()


def forget_ranked_results() -> None:
    """Make every cached ranking stale (see `_ranked_site_wide`): now, and again when the transaction
    commits, so a search that read the old rows just before the commit cannot keep them under the new
    generation (the same double step as home.signals' content version)."""
    _next_generation()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(_next_generation, robust=True)


def _next_generation() -> None:
    try:
        cache.incr(RANKED_GENERATION_KEY)
    except ValueError:  # not set yet (or evicted): nothing cached under it can be found either
        cache.set(RANKED_GENERATION_KEY, 2, None)
    except Exception:
        logger.warning("Could not invalidate cached search rankings", exc_info=True)


def _specific_pages(pages) -> dict:
    """The specific pages, one query per page type, with what each type's result card shows selected.

    Unordered (the ranking gives the order) and without the page's StreamField contents, which no
    result card shows: together half of this query's cost.
    """
    ids_by_type = {}
    for page in pages:
        ids_by_type.setdefault(page.content_type_id, []).append(page.pk)
    found = {}
    # The ranking is cached; a page unpublished or made private since (seen late by a worker without the
    # shared cache) must not come back as a card: live and public are checked again here.
    private = Page.objects.private_q() if ids_by_type else None
    for content_type_id, ids in ids_by_type.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None:
            continue
        queryset = model.serve_queryset() if hasattr(model, "serve_queryset") else model.objects.all()
        queryset = queryset.filter(pk__in=ids, live=True).exclude(private).order_by().defer(*_stream_fields(model))
        if model._meta.label_lower in CARD_RELATED:
            queryset = queryset.select_related(None).select_related(*CARD_RELATED[model._meta.label_lower])
        found.update({page.pk: page for page in queryset})
    return found


@functools.cache
def _stream_fields(model) -> tuple:
    return tuple(f.name for f in model._meta.concrete_fields if isinstance(f, StreamField))


class SearchResult:
    """A found page with what the result list shows: type, highlighted title and summary."""

    def __init__(self, page, result_type: str, query: str):
        self.page = page
        self.type = result_type
        self.type_label = dict((k, label) for k, label, _ in RESULT_TYPES).get(result_type, OTHER_TYPE[1])
        self._words = query_words(query)

    @property
    def summary(self) -> str:
        page = self.page
        text = getattr(page, "summary_text", "") or page.search_description or ""
        return text[:160]

    def title_html(self):
        return highlight(self.page.title, self._words)

    def summary_html(self):
        return highlight(self.summary, self._words)


def highlight(text: str, words: list[str]):
    """Escape `text` and wrap each occurrence of the query words in <mark>."""
    if not text:
        return ""
    escaped = escape(text)
    words = [escape(w) for w in words if w]
    if not words:
        return mark_safe(escaped)
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    return mark_safe(pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", escaped))


def suggestions_for_empty(query: str, limit: int = 5) -> list[Page]:
    """Pages whose titles share the most characters with a query that found nothing (typo-tolerant)."""
    chars = {c for c in query if not c.isspace()}
    if not chars:
        return []
    scored = []
    candidates = Page.objects.live().public().filter(depth__gt=2).order_by("-last_published_at")
    for pk, title in candidates.values_list("pk", "title")[:2000]:
        overlap = len(chars & set(title))
        if overlap >= max(2, len(chars) // 2):
            scored.append((overlap / len(set(title) | chars), pk))
    scored.sort(reverse=True)
    ids = [pk for _score, pk in scored[:limit]]
    pages = Page.objects.in_bulk(ids)
    return [pages[pk] for pk in ids if pk in pages]
