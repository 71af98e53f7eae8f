"""Elasticsearch/OpenSearch index settings for Chinese, checked offline as plain data (no engine here)."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from haining.env import search_backend_from_url
from search import index_settings
from search.index_settings import BUILTIN_FILTERS, FINE_BIGRAMS, T2S_CHAR_FILTER, chinese_index_settings


def _analysis(settings):
    return settings["settings"]["analysis"]


def test_every_filter_is_builtin_or_defined_by_wagtail():
    from modelsearch.backends.elasticsearchbase import ElasticsearchBaseSearchBackend

    wagtail_filters = set(_analysis(ElasticsearchBaseSearchBackend.settings)["filter"])
    analysis = _analysis(chinese_index_settings("cjk"))
    ours = set(analysis["filter"])
    assert {definition["type"] for definition in analysis["filter"].values()} <= BUILTIN_FILTERS
    for name, analyzer in analysis["analyzer"].items():
        assert analyzer["tokenizer"] == "standard", name
        assert set(analyzer["filter"]) <= BUILTIN_FILTERS | wagtail_filters | ours, name
        assert analyzer["char_filter"] == [T2S_CHAR_FILTER], name
        assert analyzer["filter"][:3] == ["cjk_width", "asciifolding", "lowercase"], name


def test_index_side_is_fine_grained_and_query_side_coarse():
    analysis = _analysis(chinese_index_settings("cjk"))
    assert analysis["analyzer"]["default"]["filter"][-1] == FINE_BIGRAMS
    assert analysis["filter"][FINE_BIGRAMS] == {"type": "cjk_bigram", "output_unigrams": True}
    assert analysis["analyzer"]["default_search"]["filter"][-1] == "cjk_bigram"
    ik = _analysis(chinese_index_settings("ik"))["analyzer"]
    assert (ik["default"]["tokenizer"], ik["default_search"]["tokenizer"]) == ("ik_max_word", "ik_smart")


def test_traditional_characters_map_to_simplified_in_the_engine():
    mappings = _analysis(chinese_index_settings())["char_filter"][T2S_CHAR_FILTER]["mappings"]
    rules = dict(rule.split("=>") for rule in mappings)
    assert rules["會"] == "会" and rules["職"] == "职" and rules["訓"] == "训" and rules["體"] == "体"
    assert "会" not in rules and "工" not in rules  # simplified and shared characters stay
    assert len(rules) == len(mappings) > 2000
    assert all(len(key) == 1 and len(value) == 1 for key, value in rules.items())


@pytest.mark.parametrize("analyzer, expected", [("smartcn", "smartcn_tokenizer"), ("ik", "ik_max_word")])
def test_plugin_analyzers_replace_the_default(analyzer, expected):
    analysis = _analysis(chinese_index_settings(analyzer))
    assert analysis["analyzer"]["default"]["tokenizer"] == expected
    assert analysis["analyzer"]["default"]["char_filter"] == [T2S_CHAR_FILTER]
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
    assert analysis["analyzer"]["default"]["filter"][-1] == FINE_BIGRAMS
    assert analysis["analyzer"]["edgengram_analyzer"]["filter"][-1] == "edgengram"
    assert T2S_CHAR_FILTER in analysis["char_filter"]
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
def test_search_url_selects_the_engine_backend(monkeypatch, url, backend):
    fitting = {"elasticsearch7": "7.17.0", "elasticsearch9": "9.1.0"}.get(url.split(":")[0], "8.19.3")
    monkeypatch.setattr(index_settings, "client_version", lambda name: "3.2.0" if name == "opensearch-py" else fitting)
    config = search_backend_from_url(url)["default"]
    assert config["BACKEND"] == backend
    assert config["INDEX_SETTINGS"] == chinese_index_settings()
    assert config["URLS"][0].endswith(":9200")


@pytest.mark.parametrize(
    "url, module",
    [
        ("opensearch2://os:9200", "wagtail.search.backends.opensearch2"),
        ("opensearch3://os:9200", "wagtail.search.backends.opensearch3"),
    ],
)
def test_opensearch_backends_accept_our_settings(url, module):
    """opensearch-py is installed (test extra): the backend is built, with our analysis merged in."""
    import importlib

    params = search_backend_from_url(url)["default"]
    backend = importlib.import_module(params.pop("BACKEND")).SearchBackend(dict(params))
    assert T2S_CHAR_FILTER in _analysis(backend.settings)["char_filter"]
    assert backend.client is not None if hasattr(backend, "client") else backend.es is not None


@pytest.mark.parametrize(
    "url, installed, ok",
    [
        ("elasticsearch9://es:9200", {"elasticsearch": "8.19.3"}, False),
        ("elasticsearch9://es:9200", {"elasticsearch": "9.1.0"}, True),
        ("https://es:9200", {"elasticsearch": "9.1.0"}, False),
        ("elasticsearch8://es:9200", {"elasticsearch": "8.19.3"}, True),
        ("elasticsearch8://es:9200", {}, False),
        ("opensearch2://os:9200", {}, False),
        ("opensearch3://os:9200", {"opensearch-py": "3.2.0"}, True),
    ],
)
def test_search_url_refuses_a_client_of_the_wrong_major_version(monkeypatch, url, installed, ok):
    monkeypatch.setattr(index_settings, "client_version", installed.get)
    if ok:
        assert search_backend_from_url(url)["default"]["BACKEND"].startswith("wagtail.search.backends.")
    else:
        with pytest.raises(ImproperlyConfigured, match="SEARCH_URL 使用 .* 客户端.*请运行：pip install"):
            search_backend_from_url(url)
