"""Wagtail's database search backend with Chinese word segmentation (SQLite FTS5 and PostgreSQL).

`WAGTAILSEARCH_BACKENDS["default"]["BACKEND"]` points here when no search engine is configured. The
backend is chosen by database vendor, as Wagtail's own `database` backend does, and adds one thing to it:
text is segmented into words (search.segmentation) before it is indexed, and every query is segmented
the same way before it is compiled. Because this happens in the backend, it covers every indexed model
(pages, snippets, images, documents) and every caller (the site search, the admin's searches,
autocomplete, `Model.objects.search()`).

Where: indexing goes through each database module's `ObjectIndexer.prepare_field` (one value per search
field); the indexers here subclass it and are installed as that module's `ObjectIndexer`, the name its
`Index.add_items` looks up. Queries go through `BaseSearchBackend._search`, the one method that both
`search()` and `autocomplete()` call. Run `manage update_index` after switching segmentation on.
"""

import importlib
from functools import cache

from django.db import connection
from django.db.models import F, FloatField, Func, IntegerField, Q
from modelsearch.index import RelatedFields
from modelsearch.query import And, Boost, Not, Or, Phrase, PlainText

from search.segmentation import segment_for_index, segment_query

# The database module of each vendor (imported only for the vendor in use: the SQLite module needs
# the FTS index model, which exists only on SQLite) and the name of its backend class.
VENDOR_MODULES = {
    "sqlite": ("modelsearch.backends.database.sqlite.sqlite", "SQLiteSearchBackend"),
    "postgresql": ("modelsearch.backends.database.postgres.postgres", "PostgresSearchBackend"),
}


class SegmentingIndexerMixin:
    def prepare_field(self, obj, field):
        if isinstance(field, RelatedFields):
            # Sub-fields come back through this method and are segmented there.
            yield from super().prepare_field(obj, field)
            return
        for item in super().prepare_field(obj, field):
            yield (*item[:-1], segment_for_index(item[-1]))


def segment_query_object(query):
    """The same query with every piece of text in it segmented into words."""
    if isinstance(query, str):
        return segment_query(query)
    if isinstance(query, PlainText):
        return PlainText(segment_query(query.query_string), operator=query.operator, boost=query.boost)
    if isinstance(query, Phrase):
        return Phrase(segment_query(query.query_string))
    if isinstance(query, And):
        return And([segment_query_object(q) for q in query.subqueries])
    if isinstance(query, Or):
        return Or([segment_query_object(q) for q in query.subqueries])
    if isinstance(query, Not):
        return Not(segment_query_object(query.subquery))
    if isinstance(query, Boost):
        return Boost(segment_query_object(query.subquery), query.boost)
    return query  # MatchAll, Fuzzy (fuzzy matching works on characters, not words)


class SegmentingSearchMixin:
    segment_queries = True

    def _search(self, query_compiler_class, query, model_or_queryset, **kwargs):
        if self.segment_queries:
            query = segment_query_object(query)
            if isinstance(query, PlainText) and not query.query_string:
                query = ""
        return super()._search(query_compiler_class, query, model_or_queryset, **kwargs)


def _rank_once_search(self, config, start, stop, score_field=None):
    """SQLite: score every match in one FTS5 pass, then keep the queryset's rows, ordered by score.

    modelsearch orders by a correlated subquery that runs the MATCH again for every candidate row, and
    SQLite plans its join by probing the FTS table once per index entry: a common word over 10,000 pages
    took seconds (bench/search_bench.py). Here the FTS table is queried alone for (entry, bm25), the
    source queryset (live, public, …) keeps the ids it allows, and the slice is fetched in rank order.
    """
    from django.db.models import Case, Value, When
    from modelsearch.backends.database.sqlite.query import BM25, MatchExpression, normalize
    from modelsearch.backends.database.sqlite.sqlite import IndexEntry, SQLiteFTSIndexEntry
    from modelsearch.query import MatchAll
    from modelsearch.utils import get_descendants_content_types_pks

    normalized = normalize(self.query)
    if not self.order_by_relevance or isinstance(normalized, (MatchAll, Not)):
        return self._stock_search(config, start, stop, score_field=score_field)
    match = MatchExpression(self.fields or self.FTS_TABLE_FIELDS, self.build_search_query(normalized, config=config))
    # 1. The FTS table alone drives the query: one MATCH, one bm25 per hit. (Joined to the entry table in
    #    the same statement, SQLite's planner loops over the entries and probes FTS once per row.)
    bm25 = dict(SQLiteFTSIndexEntry.objects.filter(match).annotate(score=BM25()).values_list("pk", "score"))
    # 2. Keep the hits of this model's content types; weight by title norm as modelsearch does.
    content_types = get_descendants_content_types_pks(self.queryset.model)
    scores = {}
    hit_ids = list(bm25)
    for chunk in range(0, len(hit_ids), 5000):  # stay under SQLite's bound-parameter limit
        entries = IndexEntry.objects.filter(pk__in=hit_ids[chunk : chunk + 5000], content_type_id__in=content_types)
        for entry_id, object_id, title_norm in entries.values_list("pk", "object_id", "title_norm"):
            score = bm25[entry_id] * ((title_norm or 1.0) + 1.0)  # bm25: lower is better
            scores[object_id] = min(score, scores.get(object_id, score))
    ids = [int(object_id) for object_id in scores if object_id.isdigit()]
    allowed = []
    for chunk in range(0, len(ids), 5000):  # stay under SQLite's bound-parameter limit
        allowed += self.queryset.filter(pk__in=ids[chunk : chunk + 5000]).values_list("pk", flat=True)
    ranked = sorted(allowed, key=lambda pk: (scores.get(str(pk), 0.0), -pk))
    page_ids = ranked[start:stop]
    position = Case(*[When(pk=pk, then=Value(n)) for n, pk in enumerate(page_ids)], output_field=IntegerField())
    queryset = self.queryset.filter(pk__in=page_ids)
    if page_ids:
        queryset = queryset.annotate(_rank_position=position).order_by("_rank_position")
    if score_field and page_ids:
        queryset = queryset.annotate(
            **{
                score_field: Case(
                    *[When(pk=pk, then=Value(scores.get(str(pk), 0.0))) for pk in page_ids], output_field=FloatField()
                )
            }
        )
    return queryset


def _indexed_or_search(self, config, start, stop, score_field=None, backend=None):
    """PostgreSQL: match `title` and `body` separately so their GIN indexes are used.

    modelsearch filters on `title || body @@ query`; the concatenation cannot use either index, so every
    search scanned every index entry (38 ms even for a word found nowhere, at 10,000 pages). The same
    condition written as `title @@ query OR body @@ query` lets PostgreSQL OR the two index scans.
    A bounded slice (`[:10]`, the site search's `[:300]`) goes through `_ranked_candidates` instead.
    """
    from modelsearch.query import Fuzzy, MatchAll

    if self.fields is not None or isinstance(self.query, (MatchAll, Fuzzy, Not)):
        return self._stock_search(config, start, stop, score_field=score_field, backend=backend)
    if config is None:
        config = _default_text_search_config(self.queryset.db)
    if stop is not None and self.order_by_relevance and _has_integer_pk(self.queryset.model):
        ranked = _ranked_candidates(self, config, start, stop, score_field)
        if ranked is not None:
            return ranked
    search_query = self.build_tsquery(self.query, config=config)
    rank_expression = self._build_rank_expression(self.get_search_vectors(search_query), config)
    queryset = self.queryset.filter(Q(index_entries__title=search_query) | Q(index_entries__body=search_query))
    return self._apply_ordering_and_scoring(queryset, rank_expression, start, stop, score_field)


def _default_text_search_config(alias: str) -> str:
    """The database's `default_text_search_config`, read once per connection.

    modelsearch indexes and queries without a configuration when SEARCH_CONFIG is not set, so both use
    this default. But `to_tsquery(text)` depends on a setting, so PostgreSQL evaluates it again for every
    row it ranks or rechecks (2-3 µs each: 45 of the 60 ms of a query matching all 10,000 pages), while
    `to_tsquery(config, text)` is folded to a constant when the query is planned. Naming the same
    configuration explicitly changes nothing in what matches or how it ranks.
    """
    from django.db import connections

    wrapper = connections[alias]
    config = getattr(wrapper, "_haining_text_search_config", None)
    if config is None:
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT current_setting('default_text_search_config')")
            config = cursor.fetchone()[0]
        wrapper._haining_text_search_config = config
    return config


def _has_integer_pk(model) -> bool:
    field = model._meta.pk
    while field.is_relation:  # multi-table inheritance: NewsPage.page_ptr → Page.id
        field = field.target_field
    return isinstance(field, IntegerField)


MAX_CANDIDATES = 5000  # PostgreSQL: ids checked against the queryset in Python before filtering in SQL instead


def _ranked_candidates(self, config, start, stop, score_field):
    """PostgreSQL, a bounded slice: rank the index entries alone, then keep the rows the queryset allows.

    Joined to the page tables, the search took 25-45 ms for a common word at 10,000 pages. Without table
    statistics (a fresh or never-analysed index) PostgreSQL filtered by content type first, reading and
    matching every index entry even for a word found nowhere, then joined every match to the pages before
    ranking. Here:

    1. The index entries alone are matched through the two GIN indexes (`content_type_id + 0` keeps the
       planner off the content-type btree, which selects nearly every entry when searching pages), ranked
       with modelsearch's own expression, and the best `limit` come back as (object id, rank).
    2. The source queryset (live, public, …) keeps the ids it allows, by primary key.
    3. If fewer than `stop` survive while more candidates exist, the limit grows and 1-2 run again; so the
       result is exactly modelsearch's order (rank, then pk descending), only computed in fewer rows.
       A queryset that excludes almost everything (a small section of the site) would make the id list
       long: past MAX_CANDIDATES this returns None and the caller filters in one joined query instead.
    """
    from django.db.models.functions import Cast
    from modelsearch.backends.database.postgres.postgres import IndexEntry
    from modelsearch.utils import get_descendants_content_types_pks

    if 2 * stop > MAX_CANDIDATES:
        return None
    search_query = self.build_tsquery(self.query, config=config)
    rank_expression = self._build_rank_expression([(F("title"), F("title_norm")), (F("body"), 1.0)], config)
    content_types = get_descendants_content_types_pks(self.queryset.model)
    entries = (
        IndexEntry._default_manager.using(self.queryset.db)
        .annotate(_content_type=F("content_type_id") + 0, _object_pk=Cast("object_id", IntegerField()))
        .filter(_content_type__in=content_types)
        .filter(Q(title=search_query) | Q(body=search_query))
        .annotate(_rank=rank_expression)
        .order_by("-_rank", "-_object_pk")
        .values_list("_object_pk", "_rank")
    )
    limit = stop + max(stop, 20)  # room for rows the queryset excludes (drafts, private pages)
    while True:
        candidates = list(entries[:limit])
        scores = {}
        for pk, rank in candidates:  # one object indexed under two content types: its best entry
            scores[pk] = max(rank, scores.get(pk, rank))
        allowed = set(self.queryset.filter(pk__in=list(scores)).order_by().values_list("pk", flat=True))
        ranked = sorted(allowed, key=lambda pk: (-scores[pk], -pk))
        if len(ranked) >= stop or len(candidates) < limit:
            break
        if limit >= MAX_CANDIDATES:
            return None
        limit = min(limit * 4, MAX_CANDIDATES)
    page_ids = ranked[start:stop]
    queryset = self.queryset.filter(pk__in=page_ids)
    if page_ids:
        positions = _ListedFor(page_ids, range(len(page_ids)), "integer", IntegerField())
        queryset = queryset.annotate(_rank_position=positions).order_by("_rank_position")
        if score_field:
            score = _ListedFor(page_ids, [scores[pk] for pk in page_ids], "double precision", FloatField())
            queryset = queryset.annotate(**{score_field: score})
    return queryset


class _ListedFor(Func):
    """The value listed for each row's primary key: `(values)[array_position(ids, pk)]`.

    Two array parameters instead of a `CASE WHEN pk = … THEN …` arm per row: Django resolves and compiles
    300 CASE arms (the site search's result list) in about 40 ms, more than the search itself.
    """

    def __init__(self, ids, values, sql_type, output_field):
        super().__init__(F("pk"), output_field=output_field)
        self.ids, self.values, self.sql_type = list(ids), list(values), sql_type

    def as_sql(self, compiler, connection, **extra_context):
        pk_sql, pk_params = compiler.compile(self.source_expressions[0])
        sql = f"(%s::{self.sql_type}[])[array_position(%s::bigint[], ({pk_sql})::bigint)]"
        return sql, (self.values, self.ids, *pk_params)


@cache
def vendor_classes(vendor: str):
    """(module, stock indexer, segmenting indexer, segmenting backend class) for a database vendor."""
    module_path, backend_name = VENDOR_MODULES[vendor]
    module = importlib.import_module(module_path)
    stock_indexer = module.ObjectIndexer
    indexer = type(f"Segmenting{stock_indexer.__name__}", (SegmentingIndexerMixin, stock_indexer), {})
    backend_class = getattr(module, backend_name)
    compiler = backend_class.query_compiler_class
    faster_search = {"sqlite": _rank_once_search, "postgresql": _indexed_or_search}[vendor]
    attrs = {
        "query_compiler_class": type(
            f"Faster{compiler.__name__}", (compiler,), {"search": faster_search, "_stock_search": compiler.search}
        )
    }
    backend = type(f"Segmenting{backend_name}", (SegmentingSearchMixin, backend_class), attrs)
    module.ObjectIndexer = indexer  # installed once, when the vendor's backend is first needed
    return module, stock_indexer, indexer, backend


def set_index_segmentation(enabled: bool, vendor: str | None = None) -> None:
    """Install the segmenting indexer as the module's `ObjectIndexer` (or the stock one, for baselines)."""
    module, stock_indexer, indexer, _backend = vendor_classes(vendor or connection.vendor)
    module.ObjectIndexer = indexer if enabled else stock_indexer


def SearchBackend(params):  # noqa: N802 - Wagtail looks for this name in a backend module
    """The segmenting backend for the current database (Wagtail's database backend picks the same way)."""
    vendor = connection.vendor
    if vendor == "sqlite":
        from modelsearch.backends.database.sqlite.utils import fts5_available, fts_table_exists

        if not (fts5_available() and fts_table_exists()):
            vendor = None
    if vendor in VENDOR_MODULES:
        return vendor_classes(vendor)[3](params)
    from wagtail.search.backends.database import SearchBackend as stock_backend

    return stock_backend(params)
