"""Elasticsearch / OpenSearch: which Wagtail backend a SEARCH_URL selects, its client, and Chinese analysis.

Plain data, merged by Wagtail into its own index settings (`INDEX_SETTINGS` is deep-merged, so Wagtail's
`ngram`/`edgengram` filters stay defined). Verified offline only (see README): no engine can be
installed on the development and CI machines.

The same behaviour as the database backend (search.segmentation), done by the engine:

- Normalisation, index and query side: a `mapping` char filter turns every traditional character that
  OpenCC's ``t2s`` maps to a single simplified character into it (工會 → 工会; character by character,
  where OpenCC itself also uses phrases), then `cjk_width` folds full-width Latin letters and digits
  (ＣＡＤ → CAD) and `lowercase` folds case. All built in; no plugin.
- Fine-grained indexing, coarse queries: Wagtail indexes text with the index's `default` analyser and
  analyses queries with `default_search`. Built in: the standard tokenizer splits Chinese into single
  characters; `default` keeps them and adds overlapping bigrams (``cjk_bigram`` with
  ``output_unigrams``: 拔河比赛 → 拔 河 比 赛 拔河 河比 比赛), `default_search` uses the bigrams only
  (a one-character query keeps its character), so every query bigram is in the index. With the IK
  plugin (`SEARCH_ANALYZER=ik`): ``ik_max_word`` for indexing, ``ik_smart`` for queries — the same
  fine/coarse pair as the database backend. smartcn (`SEARCH_ANALYZER=smartcn`) has one mode for both.
  Autocomplete (`edgengram_analyzer`, queries analysed with `standard`) gets the same normalisation.

Clients: each engine needs its own Python client at the matching major version (the 8.x Elasticsearch
client cannot talk to Elasticsearch 9 and the reverse). They are optional extras of this project:
``pip install '.[elasticsearch8]'``, ``'.[elasticsearch9]'`` or ``'.[opensearch]'``;
`check_engine_client` refuses to start with a clear message when the installed one does not fit.
"""

import os
from functools import cache
from importlib.metadata import PackageNotFoundError, version

from django.core.exceptions import ImproperlyConfigured

ENGINE_BACKENDS = {
    "elasticsearch7": "wagtail.search.backends.elasticsearch7",
    "elasticsearch8": "wagtail.search.backends.elasticsearch8",
    "elasticsearch9": "wagtail.search.backends.elasticsearch9",
    "opensearch2": "wagtail.search.backends.opensearch2",
    "opensearch3": "wagtail.search.backends.opensearch3",
    "http": "wagtail.search.backends.elasticsearch8",
    "https": "wagtail.search.backends.elasticsearch8",
}
# scheme → (client distribution, accepted major versions, how to install it)
ENGINE_CLIENTS = {
    "elasticsearch7": ("elasticsearch", {7}, "pip install 'elasticsearch>=7,<8'"),
    "elasticsearch8": ("elasticsearch", {8}, "pip install '.[elasticsearch8]'"),
    "elasticsearch9": ("elasticsearch", {9}, "pip install '.[elasticsearch9]'"),
    "opensearch2": ("opensearch-py", {2, 3}, "pip install '.[opensearch]'"),
    "opensearch3": ("opensearch-py", {2, 3}, "pip install '.[opensearch]'"),
}
ENGINE_CLIENTS["http"] = ENGINE_CLIENTS["https"] = ENGINE_CLIENTS["elasticsearch8"]

# Built-in token filters and char filter types the analysers below use (Elasticsearch 7–9, OpenSearch 2–3).
BUILTIN_FILTERS = {"cjk_width", "lowercase", "asciifolding", "cjk_bigram"}
PLUGIN_ANALYZERS = {"smartcn": ("smartcn_tokenizer", "smartcn_tokenizer"), "ik": ("ik_max_word", "ik_smart")}
T2S_CHAR_FILTER = "haining_t2s"
FINE_BIGRAMS = "haining_cjk_fine"
# Chinese characters OpenCC can map: CJK Unified Ideographs, Extension A, Compatibility Ideographs.
_HAN_RANGES = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00))


def client_version(distribution: str) -> str | None:
    try:
        return version(distribution)
    except PackageNotFoundError:
        return None


def check_engine_client(scheme: str) -> None:
    """Raise ImproperlyConfigured unless the client `scheme` needs is installed at a fitting version."""
    distribution, majors, install = ENGINE_CLIENTS[scheme]
    installed = client_version(distribution)
    if installed is None or int(installed.split(".")[0]) not in majors:
        wanted = " 或 ".join(f"{major}.x" for major in sorted(majors))
        raise ImproperlyConfigured(
            f"SEARCH_URL 使用 {scheme}://，需要 {distribution} {wanted} 客户端（当前："
            f"{installed or '未安装'}）。请运行：{install}"
        )


@cache
def t2s_mappings() -> tuple[str, ...]:
    """`mapping` char filter rules "繁=>简" for every character OpenCC's t2s maps to one character."""
    import opencc

    convert = opencc.OpenCC("t2s").convert
    rules = []
    for start, stop in _HAN_RANGES:
        for code in range(start, stop):
            char = chr(code)
            simplified = convert(char)
            if simplified != char and len(simplified) == 1:
                rules.append(f"{char}=>{simplified}")
    return tuple(rules)


def chinese_index_settings(analyzer: str | None = None) -> dict:
    analyzer = (analyzer or os.environ.get("SEARCH_ANALYZER", "cjk")).lower()
    normalise = ["cjk_width", "asciifolding", "lowercase"]

    def custom(tokenizer, *filters):
        return {
            "type": "custom",
            "char_filter": [T2S_CHAR_FILTER],
            "tokenizer": tokenizer,
            "filter": [*normalise, *filters],
        }

    fine_bigrams = custom("standard", FINE_BIGRAMS)
    coarse_bigrams = custom("standard", "cjk_bigram")
    if analyzer in PLUGIN_ANALYZERS:
        index_tokenizer, query_tokenizer = PLUGIN_ANALYZERS[analyzer]
        default, default_search = custom(index_tokenizer), custom(query_tokenizer)
    else:
        default, default_search = fine_bigrams, coarse_bigrams
    return {
        "settings": {
            "analysis": {
                "char_filter": {T2S_CHAR_FILTER: {"type": "mapping", "mappings": list(t2s_mappings())}},
                "filter": {
                    # Unigrams and bigrams at index time; `cjk_bigram` (bigrams only) at query time.
                    FINE_BIGRAMS: {"type": "cjk_bigram", "output_unigrams": True},
                },
                "analyzer": {
                    "default": default,
                    "default_search": default_search,
                    # Autocomplete queries are analysed with "standard" (Wagtail's mapping): keep it CJK-aware
                    # and consistent with edgengram_analyzer below.
                    "standard": coarse_bigrams,
                    "edgengram_analyzer": custom("standard", "cjk_bigram", "edgengram"),
                    "ngram_analyzer": custom("standard", "cjk_bigram", "ngram"),
                },
            }
        }
    }
