"""Fails loudly when the modelsearch internals that search/backends/database.py relies on change.

Our backend subclasses modelsearch's database backends and replaces or calls methods that are not public
API. It was written against modelsearch 1.3.2 (pinned in pyproject.toml). On an upgrade, this test names
every internal whose source changed: re-read each, adapt search/backends/database.py, run the search tests
and modelsearch's own BackendTests (search/tests/test_modelsearch_suite.py) on SQLite and PostgreSQL,
then record the new fingerprints here.
"""

import ast
import hashlib
import importlib.util
from importlib.metadata import version
from pathlib import Path

import pytest

PINNED_VERSION = "1.3.2"

# "module:Qualified.name" → first 16 hex digits of the SHA-256 of its source, and what we rely on.
INTERNALS = {
    "modelsearch.backends.base:BaseSearchBackend._search": (
        "3310d39c349cf4ea",
        "search() and autocomplete() both pass the query object through here (we segment it)",
    ),
    "modelsearch.backends.database.postgres.postgres:ObjectIndexer.prepare_field": (
        "ec850ed96548da0e",
        "yields (field, weight, text) per search field; RelatedFields recurse through prepare_field",
    ),
    "modelsearch.backends.database.postgres.postgres:PostgresIndex.add_items": (
        "ada217d2c4eb42cd",
        "looks up the module global ObjectIndexer (we install the segmenting one there)",
    ),
    "modelsearch.backends.database.postgres.postgres:PostgresSearchQueryCompiler.search": (
        "a2e0aaf1edd18109",
        "kept as _stock_search: MatchAll/Fuzzy/Not and field-restricted queries go through it",
    ),
    "modelsearch.backends.database.postgres.postgres:PostgresSearchQueryCompiler.build_tsquery_content": (
        "09bcabaee2a1ae80",
        "PlainText splits on [\\s\\-]+ and combines by operator; Not inverts (our index conditions mirror it)",
    ),
    "modelsearch.backends.database.postgres.postgres:PostgresSearchQueryCompiler._build_rank_expression": (
        "ff09ecddaf51534a",
        "ts_rank over (vector, boost) pairs: the text rank our score squashes into [0, 1)",
    ),
    "modelsearch.backends.database.postgres.postgres:PostgresSearchQueryCompiler._apply_ordering_and_scoring": (
        "760061589d42b0f3",
        "orders by the rank expression then -pk, annotates score_field, slices",
    ),
    "modelsearch.backends.database.postgres.postgres:PostgresSearchQueryCompiler.get_index_vectors": (
        "ed97d5c29461570a",
        "index_entries__title weighted by index_entries__title_norm, plus index_entries__body",
    ),
    "modelsearch.backends.database.postgres.postgres:PostgresSearchAtomicRebuilder.finish": (
        "c8bb62b8c4339f0a",
        "commits the rebuild's transaction: our finish() settles the index table (analyze) after it",
    ),
    "modelsearch.backends.database.postgres.postgres:PostgresSearchBackend.__init__": (
        "c1623693b3c02d33",
        "picks rebuilder_class or atomic_rebuilder_class (we subclass both)",
    ),
    "modelsearch.backends.database.sqlite.sqlite:ObjectIndexer.prepare_field": (
        "70670551c344c6a2",
        "yields (field, text) per search field",
    ),
    "modelsearch.backends.database.sqlite.sqlite:SQLiteIndex.add_items": (
        "c48707b3a2e49006",
        "looks up the module global ObjectIndexer; rowid of the FTS table is the index entry id",
    ),
    "modelsearch.backends.database.sqlite.sqlite:SQLiteSearchQueryCompiler.search": (
        "5aef6c60116eb5a7",
        "kept as _stock_search for MatchAll/Not/fields/order_by_relevance=False",
    ),
    "modelsearch.backends.database.sqlite.sqlite:SQLiteSearchQueryCompiler.build_search_query": (
        "a12877cbb34166e3",
        "turns a normalised query into an FTS5 expression",
    ),
    "modelsearch.backends.database.sqlite.sqlite:SQLiteSearchQueryCompiler.build_search_query_content": (
        "28e66fe3c21e2aca",
        "PlainText/Phrase/AndNot/And/Or → FTS5 lexemes",
    ),
    "modelsearch.backends.database.sqlite.query:MatchExpression.as_sql": (
        "7f2109ca4ed821af",
        "the whole MATCH string is the single query parameter: `{columns} : (expression)`",
    ),
    "modelsearch.backends.database.sqlite.query:normalize": (
        "bd884cf6d9d7f661",
        "moves NOT to the front (AndNot) as FTS5 needs",
    ),
}


def _source(target: str) -> str:
    """The source of `module:Qualified.name`, read from the installed file (importing the SQLite module
    on PostgreSQL fails: its FTS model exists only on SQLite)."""
    module, qualname = target.split(":")
    path = Path(importlib.util.find_spec(module).origin)
    text = path.read_text()
    node = ast.parse(text)
    for part in qualname.split("."):
        node = next(
            child
            for child in ast.iter_child_nodes(node)
            if isinstance(child, (ast.ClassDef, ast.FunctionDef)) and child.name == part
        )
    return ast.get_source_segment(text, node)


def test_modelsearch_is_the_pinned_version():
    assert version("modelsearch") == PINNED_VERSION, (
        f"modelsearch {version('modelsearch')} is installed; search/backends/database.py was written against "
        f"{PINNED_VERSION}. Check the internals listed in {__name__} before changing the pin."
    )


@pytest.mark.parametrize("target", sorted(INTERNALS))
def test_patched_internals_are_unchanged(target):
    fingerprint, relied_on = INTERNALS[target]
    found = hashlib.sha256(_source(target).encode()).hexdigest()[:16]
    assert found == fingerprint, (
        f"modelsearch changed {target} (we rely on: {relied_on}). Re-check search/backends/database.py "
        f"against it, then update its fingerprint to {found}."
    )


def test_the_backend_builds_on_these_classes():
    from django.db import connection

    from search.backends.database import VENDOR_MODULES, vendor_classes

    module, stock_indexer, indexer, backend = vendor_classes(connection.vendor)
    assert module.__name__ == VENDOR_MODULES[connection.vendor][0]
    assert issubclass(indexer, stock_indexer) and module.ObjectIndexer is indexer
    compiler = backend.query_compiler_class
    assert compiler._stock_search is compiler.__mro__[1].search


@pytest.mark.django_db
@pytest.mark.parametrize("word", ["职工", "it's", "a\\b", "cad"])
def test_sqlite_match_strings_written_directly_equal_modelsearchs(word):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite FTS5 only")
    from modelsearch.backends.database.sqlite.query import MatchExpression
    from modelsearch.backends.database.sqlite.sqlite import SQLiteFTSIndexEntry
    from modelsearch.query import PlainText
    from wagtail.search.backends import get_search_backend

    from home.models import NewsPage
    from search.backends.database import _fts_param

    compiler = get_search_backend().query_compiler_class(NewsPage.objects.all(), PlainText(word))
    for columns in (["title"], ["title", "body"]):
        match = MatchExpression(columns, compiler.build_search_query(PlainText(word)))
        sql, params = SQLiteFTSIndexEntry.objects.filter(match).values("pk").query.sql_with_params()
        assert _fts_param(compiler, columns, PlainText(word), None) == params[-1]
