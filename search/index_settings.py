"""Elasticsearch / OpenSearch: which Wagtail backend a SEARCH_URL selects, and index settings for Chinese.

Plain data, merged by Wagtail into its own index settings (`INDEX_SETTINGS` is deep-merged, so Wagtail's
`ngram`/`edgengram` filters stay defined). Verified offline only (see README): no engine can be
installed on the development and CI machines.

Analysis: Wagtail indexes text fields with the index's `default` analyser, autocomplete fields with
`edgengram_analyzer` and analyses autocomplete queries with `standard`. All of them are redefined to
split Chinese into overlapping character bigrams (the built-in `cjk_bigram` filter, no plugin needed),
so index and query agree: 拔河比赛 → 拔河, 河比, 比赛; a query for 拔河 matches. Latin words are lower-cased
and ASCII-folded as before. With the smartcn or IK plugin installed, `SEARCH_ANALYZER=smartcn` (or `ik`)
uses its word segmentation for the `default` analyser instead.
"""

import os

ENGINE_BACKENDS = {
    "elasticsearch7": "wagtail.search.backends.elasticsearch7",
    "elasticsearch8": "wagtail.search.backends.elasticsearch8",
    "elasticsearch9": "wagtail.search.backends.elasticsearch9",
    "opensearch2": "wagtail.search.backends.opensearch2",
    "opensearch3": "wagtail.search.backends.opensearch3",
    "http": "wagtail.search.backends.elasticsearch8",
    "https": "wagtail.search.backends.elasticsearch8",
}

# Built-in token filters the analysers below use (present in Elasticsearch 7–9 and OpenSearch 2–3).
BUILTIN_FILTERS = {"cjk_width", "lowercase", "asciifolding", "cjk_bigram"}
PLUGIN_ANALYZERS = {"smartcn": "smartcn", "ik": "ik_max_word"}


def chinese_index_settings(analyzer: str | None = None) -> dict:
    analyzer = (analyzer or os.environ.get("SEARCH_ANALYZER", "cjk")).lower()
    bigram_text = {
        "type": "custom",
        "tokenizer": "standard",
        "filter": ["cjk_width", "asciifolding", "lowercase", "cjk_bigram"],
    }
    default = {"type": PLUGIN_ANALYZERS[analyzer]} if analyzer in PLUGIN_ANALYZERS else bigram_text
    return {
        "settings": {
            "analysis": {
                "analyzer": {
                    "default": default,
                    "default_search": default,
                    # Autocomplete queries are analysed with "standard" (Wagtail's mapping): keep it CJK-aware
                    # and consistent with edgengram_analyzer below.
                    "standard": bigram_text,
                    "edgengram_analyzer": {
                        "type": "custom",
                        "tokenizer": "standard",
                        "filter": ["cjk_width", "asciifolding", "lowercase", "cjk_bigram", "edgengram"],
                    },
                    "ngram_analyzer": {
                        "type": "custom",
                        "tokenizer": "standard",
                        "filter": ["cjk_width", "asciifolding", "lowercase", "cjk_bigram", "ngram"],
                    },
                }
            }
        }
    }
