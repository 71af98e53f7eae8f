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

from django.db import connection
from modelsearch.backends.database.postgres import postgres as postgres_module
from modelsearch.backends.database.sqlite import sqlite as sqlite_module
from modelsearch.index import RelatedFields
from modelsearch.query import And, Boost, Not, Or, Phrase, PlainText

from search.segmentation import segment_for_index, segment_query


class SegmentingIndexerMixin:
    def prepare_field(self, obj, field):
        if isinstance(field, RelatedFields):
            # Sub-fields come back through this method and are segmented there.
            yield from super().prepare_field(obj, field)
            return
        for item in super().prepare_field(obj, field):
            yield (*item[:-1], segment_for_index(item[-1]))


class SQLiteObjectIndexer(SegmentingIndexerMixin, sqlite_module.ObjectIndexer):
    pass


class PostgresObjectIndexer(SegmentingIndexerMixin, postgres_module.ObjectIndexer):
    pass


STOCK_INDEXERS = {sqlite_module: sqlite_module.ObjectIndexer, postgres_module: postgres_module.ObjectIndexer}


def set_index_segmentation(enabled: bool) -> None:
    """Install (or remove, for the stock baseline in bench/search_bench.py) the segmenting indexers."""
    sqlite_module.ObjectIndexer = SQLiteObjectIndexer if enabled else STOCK_INDEXERS[sqlite_module]
    postgres_module.ObjectIndexer = PostgresObjectIndexer if enabled else STOCK_INDEXERS[postgres_module]


set_index_segmentation(True)


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


class SQLiteSearchBackend(SegmentingSearchMixin, sqlite_module.SQLiteSearchBackend):
    pass


class PostgresSearchBackend(SegmentingSearchMixin, postgres_module.PostgresSearchBackend):
    pass


def SearchBackend(params):  # noqa: N802 - Wagtail looks for this name in a backend module
    """The segmenting backend for the current database (Wagtail's database backend picks the same way)."""
    if connection.vendor == "postgresql":
        return PostgresSearchBackend(params)
    if connection.vendor == "sqlite":
        from modelsearch.backends.database.sqlite.utils import fts5_available, fts_table_exists

        if fts5_available() and fts_table_exists():
            return SQLiteSearchBackend(params)
    from wagtail.search.backends.database import SearchBackend as stock_backend

    return stock_backend(params)
