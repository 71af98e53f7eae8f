"""Elasticsearch / OpenSearch backends and index settings for Chinese text (plain data, tested offline)."""

ENGINE_BACKENDS = {
    "elasticsearch7": "wagtail.search.backends.elasticsearch7",
    "elasticsearch8": "wagtail.search.backends.elasticsearch8",
    "elasticsearch9": "wagtail.search.backends.elasticsearch9",
    "opensearch2": "wagtail.search.backends.opensearch2",
    "opensearch3": "wagtail.search.backends.opensearch3",
    "http": "wagtail.search.backends.elasticsearch8",
    "https": "wagtail.search.backends.elasticsearch8",
}


def chinese_index_settings() -> dict:
    """Analysers that split Chinese into overlapping bigrams (built-in `cjk` analysis, no plugin)."""
    return {
        "settings": {
            "analysis": {
                "analyzer": {
                    "default": {"type": "cjk"},
                    "standard": {"type": "cjk"},
                }
            }
        }
    }
