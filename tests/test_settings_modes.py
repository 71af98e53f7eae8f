"""The settings in both modes: embedded default (nothing set) and production services from the environment.

Each case imports the settings in a fresh interpreter with a controlled environment.
"""

import json
import os
import subprocess
import sys

import pytest

PROBE = """
import json, django
from django.conf import settings
django.setup()
from django.db import connection
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "db_name": str(settings.DATABASES["default"]["NAME"]),
    "cache": settings.CACHES["default"]["BACKEND"],
    "tasks": settings.TASKS["default"]["BACKEND"],
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": settings.CELERY_BROKER_URL,
    "search": settings.WAGTAILSEARCH_BACKENDS["default"]["BACKEND"],
    "search_urls": settings.WAGTAILSEARCH_BACKENDS["default"].get("URLS"),
    "index_settings": "INDEX_SETTINGS" in settings.WAGTAILSEARCH_BACKENDS["default"],
    "mailer": settings.MAILERS["default"]["BACKEND"],
    "mailer_options": settings.MAILERS["default"].get("OPTIONS", {}),
    "language": settings.LANGUAGE_CODE, "tz": settings.TIME_ZONE, "use_tz": settings.USE_TZ,
    "debug": settings.DEBUG, "hosts": settings.ALLOWED_HOSTS,
    "user": settings.AUTH_USER_MODEL, "image": settings.WAGTAILIMAGES_IMAGE_MODEL,
}))
"""

SERVICE_VARS = (
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "SEARCH_URL",
    "EMAIL_URL",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
)


def run_settings(module: str, tmp_path, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in SERVICE_VARS}
    clean.update({"DJANGO_SETTINGS_MODULE": module, "VAR_DIR": str(tmp_path), **env})
    return subprocess.run([sys.executable, "-c", PROBE], env=clean, capture_output=True, text=True, timeout=60)


def settings_for(module: str, tmp_path, **env) -> dict:
    result = run_settings(module, tmp_path, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_embedded_default_needs_no_services(tmp_path):
    s = settings_for("haining.settings.dev", tmp_path)
    assert s["engine"] == "django.db.backends.sqlite3" and s["db_name"].startswith(str(tmp_path))
    assert s["cache"].endswith("LocMemCache")
    assert s["tasks"] == "django_tasks.backends.immediate.ImmediateBackend" and s["eager"] is True
    assert s["search"] == "search.backends.database"
    assert s["mailer"].endswith("console.EmailBackend")
    assert (s["language"], s["tz"], s["use_tz"]) == ("zh-hans", "Asia/Shanghai", True)
    assert (s["user"], s["image"]) == ("users.User", "home.SiteImage")


def test_base_settings_are_safe_for_production(tmp_path):
    s = settings_for("haining.settings.base", tmp_path)
    assert s["debug"] is False
    assert "*" not in s["hosts"]


def test_environment_switches_to_services(tmp_path):
    s = settings_for(
        "haining.settings.production",
        tmp_path,
        SECRET_KEY="k" * 60,
        ALLOWED_HOSTS="www.hnzgh.cn,hnzgh.cn",
        DATABASE_URL="postgres://app:secret@db.internal:5432/haining",
        REDIS_URL="redis://cache.internal:6379/1",
        SEARCH_URL="https://elastic:pw@search.internal:9200",
        EMAIL_URL="smtp://mailer:pw@smtp.internal:587?tls=1",
    )
    assert s["engine"] == "django.db.backends.postgresql" and s["db_name"] == "haining"
    assert s["cache"] == "haining.cache.FailSafeRedisCache"
    assert s["tasks"] == "haining.tasks_backend.OnCommitCeleryBackend" and s["eager"] is False
    assert s["broker"] == "redis://cache.internal:6379/1"  # CELERY_BROKER_URL defaults to REDIS_URL
    assert s["search"] == "wagtail.search.backends.elasticsearch8"
    assert s["search_urls"] == ["https://search.internal:9200"] and s["index_settings"]
    assert s["mailer"].endswith("smtp.EmailBackend")
    assert s["mailer_options"]["host"] == "smtp.internal" and s["mailer_options"]["use_tls"] is True
    assert s["hosts"] == ["www.hnzgh.cn", "hnzgh.cn"] and s["debug"] is False


def test_separate_broker_and_opensearch(tmp_path):
    s = settings_for(
        "haining.settings.production",
        tmp_path,
        SECRET_KEY="k" * 60,
        REDIS_URL="redis://cache:6379/0",
        CELERY_BROKER_URL="amqp://guest:guest@mq:5672//",
        SEARCH_URL="opensearch2://search:9200",
    )
    assert s["broker"] == "amqp://guest:guest@mq:5672//"
    assert s["search"] == "wagtail.search.backends.opensearch2"


def test_production_refuses_to_start_without_a_secret(tmp_path):
    result = run_settings("haining.settings.production", tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_mail_never_goes_to_the_console(tmp_path):
    s = settings_for("haining.settings.production", tmp_path, SECRET_KEY="k" * 60)
    assert s["mailer"].endswith("smtp.EmailBackend") and s["mailer_options"]["host"] == "localhost"


@pytest.mark.parametrize("module", ["haining.settings.production"])
def test_check_deploy_passes_with_a_sample_environment(module, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARS}
    env.update(
        DJANGO_SETTINGS_MODULE=module,
        VAR_DIR=str(tmp_path),
        SECRET_KEY="sample-4f9c2b7e1d8a6035-secret-key-for-checks-only-9e7d5c3b1a",
        ALLOWED_HOSTS="www.example.cn",
        # With a broker and an SMS provider configured, as in production (nothing is contacted).
        REDIS_URL="redis://127.0.0.1:6379/0",
        CELERY_BROKER_URL="amqp://guest:guest@127.0.0.1:5672//",
        SMS_URL="tencent://SampleId:SampleKey@sms.tencentcloudapi.com?sdk_app_id=1400000000&sign=海宁市工人文化宫",
    )
    manage = os.path.join(os.path.dirname(sys.executable), "manage")
    result = subprocess.run(
        [manage, "check", "--deploy", "--fail-level", "WARNING"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_warns_when_text_messages_would_only_be_logged(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARS and k != "SMS_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="haining.settings.production",
        VAR_DIR=str(tmp_path),
        SECRET_KEY="sample-4f9c2b7e1d8a6035-secret-key-for-checks-only-9e7d5c3b1a",
        ALLOWED_HOSTS="www.example.cn",
    )
    manage = os.path.join(os.path.dirname(sys.executable), "manage")
    result = subprocess.run([manage, "check", "--deploy"], env=env, capture_output=True, text=True, timeout=120)
    assert "notices.W001" in result.stdout + result.stderr
