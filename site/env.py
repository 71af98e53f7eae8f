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
    ``opensearch2://os:9200``. The scheme chooses the backend; an http(s) scheme means Elasticsearch 8.
    """
    if not url:
        return {"default": {"BACKEND": "search.backends.database", "AUTO_UPDATE": True}}

    from search.index_settings import ENGINE_BACKENDS, chinese_index_settings

    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    backend = ENGINE_BACKENDS.get(scheme, ENGINE_BACKENDS["elasticsearch8"])
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
            "INDEX": query.get("index", ["haining"])[0],
            "TIMEOUT": 10,
            "OPTIONS": options,
            "INDEX_SETTINGS": chinese_index_settings(),
            "AUTO_UPDATE": True,
        }
    }


def email_settings_from_url(url: str) -> dict:
    """`EMAIL_URL` like ``smtp://user:pass@host:587?tls=1`` or ``console:`` into Django settings."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme == "locmem":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname or "localhost",
        "EMAIL_PORT": parts.port or (465 if scheme == "smtps" else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_SSL": scheme == "smtps",
        "EMAIL_USE_TLS": query.get("tls", "") in _TRUE,
        "EMAIL_TIMEOUT": 10,
    }
