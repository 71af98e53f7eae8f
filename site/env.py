"""Turn environment variables into settings values (kept tiny; no third-party env library)."""

import os
from urllib.parse import parse_qs, unquote, urlsplit

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    return default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name, "")
    if not value.strip():
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def search_backend_from_url(url: str) -> dict:
    """Wagtail search backends: the Chinese-aware database backend, or Elasticsearch/OpenSearch.

    `SEARCH_URL` examples: ``elasticsearch8://es:9200``, ``https://user:pw@es:9200`` (Elasticsearch 8),
    ``opensearch2://os:9200?prefix=site2_``. The scheme chooses the backend; an http(s) scheme means
    Elasticsearch 8; ``prefix`` names the indexes (default ``haining_``). Raises ImproperlyConfigured
    when the engine's Python client is missing or of another major version (search.index_settings).
    """
    if not url:
        return {"default": {"BACKEND": "search.backends.database", "AUTO_UPDATE": True}}

    from search.index_settings import ENGINE_BACKENDS, check_engine_client, chinese_index_settings

    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    engine = scheme if scheme in ENGINE_BACKENDS else "elasticsearch8"
    backend = ENGINE_BACKENDS[engine]
    check_engine_client(engine)  # the client matching the engine's major version, or a clear error
    http_scheme = "https" if scheme in {"https", "elasticsearchs", "opensearchs"} else "http"
    host = f"{http_scheme}://{parts.hostname}:{parts.port or 9200}"
    options = {}
    if parts.username:
        options["http_auth"] = (unquote(parts.username), unquote(parts.password or ""))
    query = parse_qs(parts.query)
    return {
        "default": {
            "BACKEND": backend,
            "URLS": [host],
            # Wagtail keeps one index per root model (pages, images, documents …) named with this prefix.
            "INDEX_PREFIX": query.get("prefix", ["haining_"])[0],
            "TIMEOUT": 10,
            "OPTIONS": options,
            "INDEX_SETTINGS": chinese_index_settings(),
            "AUTO_UPDATE": True,
        }
    }


def mailers_from_url(url: str) -> dict:
    """Django 6.1 `MAILERS` from `EMAIL_URL`: ``smtp://user:pass@host:587?tls=1``, ``smtps://…``,
    ``console:`` or ``locmem:``; empty means the console (development default)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if not url or scheme == "console":
        return {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
    if scheme == "locmem":
        return {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": parts.hostname or "localhost",
                "port": parts.port or (465 if scheme == "smtps" else 25),
                "username": unquote(parts.username or ""),
                "password": unquote(parts.password or ""),
                "use_ssl": scheme == "smtps",
                "use_tls": query.get("tls", "") in _TRUE,
                "timeout": 10,
            },
        }
    }
