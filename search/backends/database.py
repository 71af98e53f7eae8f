"""Wagtail's database search backend for Chinese (SQLite FTS5 and PostgreSQL): segmentation and ranking.

`WAGTAILSEARCH_BACKENDS["default"]["BACKEND"]` points here when no search engine is configured. The
backend is chosen by database vendor, as Wagtail's own `database` backend does, and changes three things:

1. **Words.** Text is normalised and segmented (search.segmentation) before it is indexed: fine-grained,
   every dictionary word inside a longer word. Every query is normalised and segmented coarsely before it
   is compiled. This covers every indexed model (pages, snippets, images, documents) and every caller
   (the site search, the admin's searches, autocomplete, `Model.objects.search()`).
2. **Ranking** (`search()` of both vendors, not autocomplete). Results are ordered by, in this order:

   a. how many of the query's words the object contains anywhere (title or body): with `operator="or"`,
      pages with all the words come before pages with some;
   b. how many of the query's words are in its title: a title match ranks above any body-only match
      with the same coverage;
   c. the database's own text rank, squashed into [0, 1): modelsearch's `ts_rank` expression on
      PostgreSQL (title weighted by its `title_norm`, plus body), `-bm25 × (1 + title_norm)` on SQLite;
   d. primary key, newest first (modelsearch's tie-break).

   As one number: ``score = coverage × (n + 1) + title_hits + r / (1 + r)`` with n the number of query
   words and r the text rank (`relevance_score`). A "word" is a positive term of the query: each word of
   a PlainText, each Phrase as one unit; words under a Not are not counted.
3. **Speed and semantics on PostgreSQL.** modelsearch filters on `(title || body) @@ q`, which no index
   serves. Here the same condition is decomposed into index-usable parts: each word w becomes
   `title @@ w OR body @@ w`, combined with the query's own AND/OR. For queries made only of words that
   is exactly `(title || body) @@ q`; with a negation or a phrase it is a superset and the exact
   `(title || body) @@ q` is checked on top (a phrase may span title and body; `!w` needs the whole
   text). Queries no index part can bound (a top-level Not, an OR with a negated branch) use modelsearch's
   own search. A bounded slice ranks the index entries alone, then keeps what the queryset allows.
   A rebuild (`manage update_index`) ends by merging GIN's pending entries and analysing the index table
   (`PlannerStatisticsIndexMixin`): without that, searches after a bulk index were 1.5-2× slower.

Where: indexing goes through each database module's `ObjectIndexer.prepare_field` (one value per search
field); the indexers here subclass it and are installed as that module's `ObjectIndexer`, the name its
`Index.add_items` looks up. Queries go through `BaseSearchBackend._search`, which `search()` and
`autocomplete()` both call. These are modelsearch internals: the version they were written against is
pinned in pyproject.toml and `search/tests/test_modelsearch_internals.py` fails if they change.
Run `manage update_index` after changing segmentation.
"""

import importlib
import json
import re
from functools import cache, reduce

from django.db import connection, connections
from django.db.models import Avg, Case, F, FloatField, Func, IntegerField, Q, Value, When
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Length
from modelsearch.index import RelatedFields
from modelsearch.query import And, Boost, Fuzzy, MatchAll, Not, Or, Phrase, PlainText

from search.segmentation import segment_for_index, segment_query

# The database module of each vendor (imported only for the vendor in use: the SQLite module needs
# the FTS index model, which exists only on SQLite) and the name of its backend class.
VENDOR_MODULES = {
    "sqlite": ("modelsearch.backends.database.sqlite.sqlite", "SQLiteSearchBackend"),
    "postgresql": ("modelsearch.backends.database.postgres.postgres", "PostgresSearchBackend"),
}
MAX_CANDIDATES = 5000  # ids checked against the queryset in Python before filtering in SQL instead
_SPLIT = re.compile(r"[\s\-]+")  # how modelsearch splits a PlainText into terms


class SegmentingIndexerMixin:
    def prepare_field(self, obj, field):
        if isinstance(field, RelatedFields):
            # Sub-fields come back through this method and are segmented there.
            yield from super().prepare_field(obj, field)
            return
        for item in super().prepare_field(obj, field):
            yield (*item[:-1], segment_for_index(item[-1]))


def segment_query_object(query):
    """The same query with every piece of text in it normalised and segmented into words."""
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


# --- Query analysis shared by both vendors ----------------------------------------------------------


def positive_terms(query) -> list:
    """The query's positive terms, in order, without repeats: PlainText(word) per word, each Phrase whole."""
    terms, seen = [], set()

    def walk(node):
        if isinstance(node, PlainText):
            for word in _SPLIT.split(node.query_string):
                if word and ("w", word) not in seen:
                    seen.add(("w", word))
                    terms.append(PlainText(word))
        elif isinstance(node, Phrase):
            if node.query_string.strip() and ("p", node.query_string) not in seen:
                seen.add(("p", node.query_string))
                terms.append(node)
        elif isinstance(node, Boost):
            walk(node.subquery)
        elif isinstance(node, (And, Or)):
            for sub in node.subqueries:
                walk(sub)
        # Not, MatchAll, Fuzzy: nothing to count

    walk(query)
    return terms


def is_conjunction_of_words(query) -> bool:
    """True when every match contains every positive term (AND of words, no OR, no negation)."""
    if isinstance(query, PlainText):
        return query.operator == "and" or len([w for w in _SPLIT.split(query.query_string) if w]) <= 1
    if isinstance(query, Phrase):
        return True
    if isinstance(query, Boost):
        return is_conjunction_of_words(query.subquery)
    if isinstance(query, And):
        return all(is_conjunction_of_words(q) for q in query.subqueries)
    return False


def _contains(query, kinds) -> bool:
    if isinstance(query, kinds):
        return True
    if isinstance(query, (And, Or)):
        return any(_contains(q, kinds) for q in query.subqueries)
    if isinstance(query, (Not, Boost)):
        return _contains(query.subquery, kinds)
    return False


def relevance_score(coverage: int, title_hits: int, text_rank: float, n_terms: int) -> float:
    """The ranking above as one number (higher is better); see the module docstring."""
    text_rank = max(text_rank, 0.0)
    return coverage * (n_terms + 1) + title_hits + text_rank / (1.0 + text_rank)


def _rank_window(self, ranked_pks, start, stop):
    """The ids in `ranked_pks` (best first) that the queryset allows, enough of them for `[start:stop]`.

    The queryset (live, public, a section …) is applied by primary key to a growing window of the best
    candidates; past MAX_CANDIDATES ids it is applied to all of them in chunks.
    """
    allowed = []
    position = 0
    window = (stop + max(stop, 20)) if stop is not None else len(ranked_pks)
    while position < len(ranked_pks) and (stop is None or len(allowed) < stop):
        chunk = ranked_pks[position : position + min(window, MAX_CANDIDATES)]
        keep = set(self.queryset.filter(pk__in=chunk).order_by().values_list("pk", flat=True))
        allowed += [pk for pk in chunk if pk in keep]
        position += len(chunk)
        window *= 4
    return allowed[start:stop]


# --- PostgreSQL -------------------------------------------------------------------------------------


def _pg_condition(self, query, config, prefix):
    """(Q over the index entry's title/body columns, exact) for `query`, or (None, False) if unbounded.

    The Q is implied by `(title || body) @@ query` and uses the GIN indexes; `exact` says it is also
    sufficient (only words, AND/OR), so no recheck is needed.
    """
    title, body = f"{prefix}title", f"{prefix}body"

    def word(tsquery):
        return Q(**{title: tsquery}) | Q(**{body: tsquery})

    if isinstance(query, PlainText):
        words = [w for w in _SPLIT.split(query.query_string) if w]
        if not words:
            return None, False
        parts = [word(self.build_tsquery(PlainText(w), config=config)) for w in words]
        joined = reduce(lambda a, b: (a & b) if query.operator == "and" else (a | b), parts)
        return joined, True
    if isinstance(query, Phrase):
        words = [w for w in _SPLIT.split(query.query_string) if w]
        if not words:
            return None, False
        parts = [word(self.build_tsquery(PlainText(w), config=config)) for w in words]
        return reduce(lambda a, b: a & b, parts), False
    if isinstance(query, Boost):
        return _pg_condition(self, query.subquery, config, prefix)
    if isinstance(query, And):
        parts = [_pg_condition(self, sub, config, prefix) for sub in query.subqueries]
        bounded = [q for q, _exact in parts if q is not None]
        if not bounded:
            return None, False
        exact = all(q is not None and ex for q, ex in parts)
        return reduce(lambda a, b: a & b, bounded), exact
    if isinstance(query, Or):
        parts = [_pg_condition(self, sub, config, prefix) for sub in query.subqueries]
        if any(q is None for q, _exact in parts):
            return None, False
        return reduce(lambda a, b: a | b, [q for q, _ in parts]), all(ex for _, ex in parts)
    return None, False  # Not, MatchAll, Fuzzy


def _pg_score(self, config, prefix, rank_expression):
    """The ranking as a SQL expression over the index entry columns `<prefix>title`/`<prefix>body`."""
    terms = positive_terms(self.query)
    n = len(terms)
    all_words = is_conjunction_of_words(self.query)  # every match has every word: coverage is n
    coverage, title_hits = [], []
    for term in terms:
        tsquery = self.build_tsquery(term, config=config)
        in_title = Q(**{f"{prefix}title": tsquery})
        if not all_words:
            coverage.append(Case(When(in_title | Q(**{f"{prefix}body": tsquery}), then=Value(1.0)), default=Value(0.0)))
        title_hits.append(Case(When(in_title, then=Value(1.0)), default=Value(0.0)))
    # r / (1 + r) written 1 - 1 / (1 + r): the rank (two ts_rank calls) appears once, so PostgreSQL
    # computes it once per row instead of twice.
    rank = Func(rank_expression, function="GREATEST", template="GREATEST(%(expressions)s, 0.0)")
    score = Value(1.0) - Value(1.0) / (Value(1.0) + rank)
    if terms:
        covered = Value(float(n)) if all_words else sum(coverage[1:], coverage[0])
        score = covered * Value(float(n + 1)) + sum(title_hits[1:], title_hits[0]) + score
    return score


def _pg_search(self, config, start, stop, score_field=None, backend=None):
    """PostgreSQL search: index-usable condition, exact semantics, the ranking of the module docstring."""
    if (
        self.fields is not None
        or isinstance(self.query, (MatchAll, Fuzzy, Not))
        or _contains(self.query, (MatchAll, Fuzzy))
    ):
        return self._stock_search(config, start, stop, score_field=score_field, backend=backend)
    if config is None:
        config = _default_text_search_config(self.queryset.db)
    condition, exact = _pg_condition(self, self.query, config, "index_entries__")
    if condition is None:
        return self._stock_search(config, start, stop, score_field=score_field, backend=backend)
    search_query = self.build_tsquery(self.query, config=config)

    if stop is not None and self.order_by_relevance and _has_integer_pk(self.queryset.model):
        ranked = _pg_ranked_candidates(self, config, search_query, start, stop, score_field)
        if ranked is not None:
            return ranked

    queryset = self.queryset.filter(condition)
    if not exact:
        combined = CombinedExpression(F("index_entries__title"), "||", F("index_entries__body"))
        queryset = queryset.alias(_vector_=combined).filter(_vector_=search_query)
    rank = self._build_rank_expression(self.get_search_vectors(search_query), config)
    score = _pg_score(self, config, "index_entries__", rank)
    return self._apply_ordering_and_scoring(queryset, score, start, stop, score_field)


def _pg_ranked_candidates(self, config, search_query, start, stop, score_field):
    """PostgreSQL, a bounded slice: rank the index entries alone, then keep the rows the queryset allows.

    Joined to the page tables, ranking took 25-45 ms for a common word at 10,000 pages, and without table
    statistics PostgreSQL filtered by content type first, matching every entry. Here:

    1. The index entries alone are matched through the two GIN indexes (`content_type_id + 0` keeps the
       planner off the content-type btree, which selects nearly every entry when searching pages),
       scored with `_pg_score`, and the best `limit` come back as (object id, score).
    2. The source queryset (live, public, …) keeps the ids it allows, by primary key.
    3. If fewer than `stop` survive while more candidates exist, the limit grows and 1-2 run again; the
       result is the same order as the joined query (score, then pk descending) in fewer rows. Past
       MAX_CANDIDATES this returns None and the caller filters in one joined query instead.
    """
    from django.db.models.functions import Cast
    from modelsearch.backends.database.postgres.postgres import IndexEntry
    from modelsearch.utils import get_descendants_content_types_pks

    if 2 * stop > MAX_CANDIDATES:
        return None
    condition, exact = _pg_condition(self, self.query, config, "")
    rank = self._build_rank_expression([(F("title"), F("title_norm")), (F("body"), 1.0)], config)
    content_types = get_descendants_content_types_pks(self.queryset.model)
    entries = (
        IndexEntry._default_manager.using(self.queryset.db)
        .annotate(_content_type=F("content_type_id") + 0, _object_pk=Cast("object_id", IntegerField()))
        .filter(_content_type__in=content_types)
        .filter(condition)
    )
    if not exact:
        entries = entries.alias(_vector_=CombinedExpression(F("title"), "||", F("body"))).filter(_vector_=search_query)
    entries = (
        entries.annotate(_score=_pg_score(self, config, "", rank))
        .order_by("-_score", "-_object_pk")
        .values_list("_object_pk", "_score")
    )
    limit = stop + max(stop, 20)  # room for rows the queryset excludes (drafts, private pages)
    while True:
        candidates = list(entries[:limit])
        scores = {}
        for pk, score in candidates:  # one object indexed under two content types: its best entry
            scores[pk] = max(score, scores.get(pk, score))
        allowed = set(self.queryset.filter(pk__in=list(scores)).order_by().values_list("pk", flat=True))
        ranked = sorted(allowed, key=lambda pk: (-scores[pk], -pk))
        if len(ranked) >= stop or len(candidates) < limit:
            break
        if limit >= MAX_CANDIDATES:
            return None
        limit = min(limit * 4, MAX_CANDIDATES)
    return _ordered_slice(self.queryset, ranked[start:stop], scores, score_field)


def _default_text_search_config(alias: str) -> str:
    """The database's `default_text_search_config`, read once per connection.

    modelsearch indexes and queries without a configuration when SEARCH_CONFIG is not set, so both use
    this default. But `to_tsquery(text)` depends on a setting, so PostgreSQL evaluates it again for every
    row it ranks or rechecks, while `to_tsquery(config, text)` is folded to a constant when the query is
    planned. Naming the same configuration explicitly changes nothing in what matches or how it ranks.
    """
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


# --- SQLite -----------------------------------------------------------------------------------------


def _fts_param(self, columns, query, config) -> str:
    """The FTS5 MATCH string modelsearch builds for `query` restricted to `columns`.

    A single word is written directly, as modelsearch's `Lexeme` and `MatchExpression` write it
    (compiling a queryset for it costs more than the MATCH itself).
    """
    if isinstance(query, PlainText) and " " not in query.query_string.strip():
        word = query.query_string.strip().replace("'", "''").replace("\\", "\\\\")
        return f'{{{" ".join(columns)}}} : ("{word}")'
    from modelsearch.backends.database.sqlite.query import MatchExpression
    from modelsearch.backends.database.sqlite.sqlite import SQLiteFTSIndexEntry

    match = MatchExpression(columns, self.build_search_query(query, config=config))
    sql, params = SQLiteFTSIndexEntry.objects.filter(match).values("pk").query.sql_with_params()
    return params[-1]


def _sqlite_search(self, config, start, stop, score_field=None):
    """SQLite: the whole ranking in one FTS5 statement, then the queryset's rows by score.

    modelsearch orders by a correlated subquery that runs the MATCH again for every candidate row, and
    SQLite plans its join by probing the FTS table once per index entry: a common word over 10,000 pages
    took seconds (bench/search_bench.py). Here one statement matches, scores and sorts:

    - the MATCH over title and body drives the join to the index entries (CROSS JOIN fixes that order);
    - each query word's title hits (and, unless every match has every word, its coverage) are
      `rowid IN (SELECT rowid … MATCH '{title} : word')`: SQLite runs each such subquery once per
      statement into a temporary index, not once per row;
    - the text rank is `-bm25 × (1 + title_norm)`, and `r / (1 + r)` is written `1 - 1 / (1 + r)`
      so that bm25 is computed once per row;
    - ORDER BY score, then primary key, with a LIMIT: SQLite keeps only the best rows while scanning.

    The queryset (live, public, …) is then applied by primary key to the best candidates; when it
    excludes too many, the limit grows and the statement runs again (as on PostgreSQL).
    """
    from modelsearch.backends.database.sqlite.query import normalize
    from modelsearch.backends.database.sqlite.sqlite import IndexEntry, SQLiteFTSIndexEntry
    from modelsearch.utils import get_descendants_content_types_pks

    normalized = normalize(self.query)
    if (
        not self.order_by_relevance
        or self.fields
        or not _has_integer_pk(self.queryset.model)
        or isinstance(normalized, (MatchAll, Not))
        or isinstance(getattr(normalized, "subquery_a", None), MatchAll)  # AndNot(MatchAll, …)
        or _contains(self.query, (MatchAll, Fuzzy))
    ):
        return self._stock_search(config, start, stop, score_field=score_field)
    fts = SQLiteFTSIndexEntry._meta.db_table
    entry_table = IndexEntry._meta.db_table
    content_types = list(get_descendants_content_types_pks(self.queryset.model))
    match = _fts_param(self, self.FTS_TABLE_FIELDS, normalized, config)
    terms = positive_terms(self.query)
    n = len(terms)
    # A word's hits among this query's matches: FTS5 intersects the two doclists, where a plain
    # `MATCH word` would first collect every title with the word (thousands for 职工).
    hits = f"({fts}.rowid IN (SELECT rowid FROM {fts} WHERE {fts} MATCH %s))"
    major_params = []
    if is_conjunction_of_words(self.query):
        coverage_sql = str(n)
    else:
        coverage_sql = " + ".join([hits] * n) or "0"
        major_params += [f"({_fts_param(self, self.FTS_TABLE_FIELDS, t, config)}) AND ({match})" for t in terms]
    major_params += [f"({_fts_param(self, ['title'], t, config)}) AND ({match})" for t in terms]
    major = f"(({coverage_sql}) * {float(n + 1)} + ({' + '.join([hits] * n) or '0'}))"
    text_rank = f"MAX(-bm25({fts}) * (1.0 + COALESCE(NULLIF(e.title_norm, 0), 1.0)), 0.0)"
    matches = (
        f"FROM {fts} CROSS JOIN {entry_table} e ON e.id = {fts}.rowid "  # noqa: S608 - names and placeholders
        f"WHERE {fts} MATCH %s AND e.content_type_id IN ({', '.join(['%s'] * len(content_types))})"
    )
    match_params = [match, *content_types]

    def best(limit):
        """(rows, {pk: score}) of the best `limit` matches (all of them for None), best first."""
        sql = f"SELECT CAST(e.object_id AS INTEGER) AS pk, {major} + 1.0 - 1.0 / (1.0 + {text_rank}) AS score {matches}"
        params = [*major_params, *match_params]
        sql += " ORDER BY score DESC, pk DESC" + (" LIMIT %s" if limit else "")
        with connections[self.queryset.db].cursor() as cursor:
            cursor.execute(sql, params + ([limit] if limit else []))
            rows = cursor.fetchall()
        scores = {}
        for pk, score in rows:  # one object indexed under two content types: its best entry (first)
            scores.setdefault(pk, score)
        return rows, scores

    if stop is None:
        rows, scores = best(None)
        return _ordered_slice(self.queryset, _rank_window(self, list(scores), start, stop), scores, score_field)
    limit = stop + max(stop, 20)  # room for rows the queryset excludes (drafts, private pages)
    while True:
        rows, scores = best(limit)
        allowed = set(self.queryset.filter(pk__in=list(scores)).order_by().values_list("pk", flat=True))
        ranked = [pk for pk in scores if pk in allowed]
        if len(ranked) >= stop or len(rows) < limit:
            break
        if limit >= MAX_CANDIDATES:
            rows, scores = best(None)
            ranked = _rank_window(self, list(scores), 0, stop)
            break
        limit = min(limit * 4, MAX_CANDIDATES)
    return _ordered_slice(self.queryset, ranked[start:stop], scores, score_field)


# --- Both -------------------------------------------------------------------------------------------


class _ListedFor(Func):
    """The value listed for each row's primary key, without a CASE arm per row.

    PostgreSQL: `(values)[array_position(ids, pk)]`; SQLite: `json_extract(mapping, '$."<pk>"')`.
    Django resolves and compiles 300 CASE arms (the site search's result list) in about 40 ms, more
    than the search itself.
    """

    def __init__(self, ids, values, sql_type, output_field):
        super().__init__(F("pk"), output_field=output_field)
        self.ids, self.values, self.sql_type = list(ids), list(values), sql_type

    def as_sql(self, compiler, connection, **extra_context):
        pk_sql, pk_params = compiler.compile(self.source_expressions[0])
        if connection.vendor == "postgresql":
            sql = f"(%s::{self.sql_type}[])[array_position(%s::bigint[], ({pk_sql})::bigint)]"
            return sql, (self.values, self.ids, *pk_params)
        mapping = json.dumps({str(pk): value for pk, value in zip(self.ids, self.values, strict=True)})
        return f"json_extract(%s, '$.\"' || ({pk_sql}) || '\"')", (mapping, *pk_params)


def _ordered_slice(queryset, page_ids, scores, score_field):
    """`queryset` restricted to `page_ids`, in that order, with the score annotated when asked."""
    queryset = queryset.filter(pk__in=page_ids)
    if not page_ids:
        return queryset
    positions = _ListedFor(page_ids, range(len(page_ids)), "integer", IntegerField())
    queryset = queryset.annotate(_rank_position=positions).order_by("_rank_position")
    if score_field:
        values = [float(scores[pk]) for pk in page_ids]
        queryset = queryset.annotate(**{score_field: _ListedFor(page_ids, values, "double precision", FloatField())})
    return queryset


class TitleNormRefreshMixin:
    """PostgreSQL index whose per-save title-norm refresh rewrites only rows whose value changes.

    modelsearch sets ``title_norm = avg title length / title length`` for every entry still at the default 1.0
    after each indexed save. An entry whose title length equals the average keeps 1.0, so it was rewritten
    (with its tsvectors and GIN entries) on every later save: saving N pages rewrote O(N²) rows — 1,000 news
    items took over 10 minutes. Skipping rows whose new value would be the same 1.0 gives identical norms.
    """

    def _refresh_title_norms(self, full=False):
        if full:
            return super()._refresh_title_norms(full=True)
        lengths = self.entries.annotate(title_length=Length("title")).filter(title_length__gt=0)
        average = lengths.aggregate(Avg("title_length"))["title_length__avg"]
        if average is None:
            return None
        lengths.filter(title_norm=1.0).exclude(title_length=average).update(title_norm=average / F("title_length"))
        return None


class PlannerStatisticsIndexMixin:
    """PostgreSQL index that can settle its table after a bulk (re)index (`analyze`).

    Rows written in bulk leave two things for autovacuum, and searches are slow until it comes:
    - GIN's pending list: new entries of the title/body indexes wait in an unsorted list that every
      search scans in full (a word's bitmap scan took 4.5 ms instead of 0.06 ms at 10,000 pages);
      `gin_clean_pending_list` merges it into the index;
    - no planner statistics: PostgreSQL guesses how many entries a word matches, and chose a
      sequential scan.
    Both statements work inside a transaction (VACUUM would not). `manage update_index` ends with it.
    """

    def analyze(self):
        from modelsearch.backends.database.postgres.postgres import IndexEntry

        table = IndexEntry._meta.db_table
        with self.write_connection.cursor() as cursor:
            cursor.execute(
                "SELECT gin_clean_pending_list(i.indexrelid) FROM pg_index i"
                " JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam"
                " WHERE i.indrelid = %s::regclass AND am.amname = 'gin'",
                [table],
            )
            cursor.execute(f"ANALYZE {self.write_connection.ops.quote_name(table)}")


class AnalyzingRebuilderMixin:
    """A rebuild that refreshes the index table's statistics once its rows are written (and committed)."""

    def finish(self):
        failed = getattr(getattr(self, "transaction", None), "needs_rollback", False)  # set by __del__
        super().finish()
        if not failed:
            self.index.analyze()


@cache
def vendor_classes(vendor: str):
    """(module, stock indexer, segmenting indexer, segmenting backend class) for a database vendor."""
    module_path, backend_name = VENDOR_MODULES[vendor]
    module = importlib.import_module(module_path)
    stock_indexer = module.ObjectIndexer
    indexer = type(f"Segmenting{stock_indexer.__name__}", (SegmentingIndexerMixin, stock_indexer), {})
    backend_class = getattr(module, backend_name)
    compiler = backend_class.query_compiler_class
    search = {"sqlite": _sqlite_search, "postgresql": _pg_search}[vendor]
    attrs = {
        "query_compiler_class": type(
            f"Ranking{compiler.__name__}", (compiler,), {"search": search, "_stock_search": compiler.search}
        )
    }
    if vendor == "postgresql":
        attrs["index_class"] = type(
            "SegmentingPostgresIndex",
            (TitleNormRefreshMixin, PlannerStatisticsIndexMixin, backend_class.index_class),
            {},
        )
        for name in ("rebuilder_class", "atomic_rebuilder_class"):
            rebuilder = getattr(backend_class, name)
            attrs[name] = type(f"Analyzing{rebuilder.__name__}", (AnalyzingRebuilderMixin, rebuilder), {})
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
