"""Elasticsearch/OpenSearch index settings for Chinese, checked offline as plain data (no engine here)."""

import pytest

from haining.env import search_backend_from_url
from search.index_settings import BUILTIN_FILTERS, chinese_index_settings


def _analysis(settings):
    return settings["settings"]["analysis"]


def test_every_filter_is_builtin_or_defined_by_wagtail():
    from modelsearch.backends.elasticsearchbase import ElasticsearchBaseSearchBackend

    wagtail_filters = set(_analysis(ElasticsearchBaseSearchBackend.settings)["filter"])
    for name, analyzer in _analysis(chinese_index_settings("cjk"))["analyzer"].items():
        if analyzer["type"] == "custom":
            assert analyzer["tokenizer"] == "standard", name
            assert set(analyzer["filter"]) <= BUILTIN_FILTERS | wagtail_filters, name


@pytest.mark.parametrize("analyzer, expected", [("smartcn", "smartcn"), ("ik", "ik_max_word")])
def test_plugin_analyzers_replace_the_default(analyzer, expected):
    analysis = _analysis(chinese_index_settings(analyzer))
    assert analysis["analyzer"]["default"] == {"type": expected}
    # Autocomplete stays on built-in filters so index and query agree without the plugin.
    assert "cjk_bigram" in analysis["analyzer"]["edgengram_analyzer"]["filter"]


def test_backend_merges_our_settings_into_wagtails():
    from wagtail.search.backends.elasticsearch8 import SearchBackend

    from home.models import NewsPage

    params = search_backend_from_url("https://elastic:secret@search.internal:9200?prefix=hn_")["default"]
    params.pop("BACKEND")
    backend = SearchBackend(dict(params))
    analysis = _analysis(backend.settings)
    # Ours are in, Wagtail's filter and tokenizer definitions survive the merge.
    assert analysis["analyzer"]["default"]["filter"][-1] == "cjk_bigram"
    assert analysis["analyzer"]["edgengram_analyzer"]["filter"][-1] == "edgengram"
    assert {"ngram", "edgengram"} <= set(analysis["filter"])
    assert backend.settings["settings"]["index"]["max_ngram_diff"] == 12
    assert backend.get_index_for_model(NewsPage).name == "hn_wagtailcore_page"
    assert backend.es is not None  # the client is built from the URL (no connection is made here)


def test_every_analyzer_the_mapping_names_is_defined():
    from wagtail.search.backends.elasticsearch8 import SearchBackend

    from home.models import NewsPage

    backend = SearchBackend({"URLS": ["http://localhost:9200"], "INDEX_SETTINGS": chinese_index_settings("cjk")})
    mapping = backend.mapping_class(NewsPage).get_mapping()
    defined = set(_analysis(backend.settings)["analyzer"])

    def analyzers(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("analyzer", "search_analyzer"):
                    yield value
                else:
                    yield from analyzers(value)

    used = set(analyzers(mapping))
    assert used, "the mapping should name its analysers"
    assert used <= defined


@pytest.mark.parametrize(
    "url, backend",
    [
        ("elasticsearch7://es:9200", "wagtail.search.backends.elasticsearch7"),
        ("elasticsearch9://es:9200", "wagtail.search.backends.elasticsearch9"),
        ("opensearch2://os:9200", "wagtail.search.backends.opensearch2"),
        ("opensearch3://os:9200", "wagtail.search.backends.opensearch3"),
        ("https://es:9200", "wagtail.search.backends.elasticsearch8"),
    ],
)
def test_search_url_selects_the_engine_backend(url, backend):
    config = search_backend_from_url(url)["default"]
    assert config["BACKEND"] == backend
    assert config["INDEX_SETTINGS"] == chinese_index_settings()
    assert config["URLS"][0].endswith(":9200")
