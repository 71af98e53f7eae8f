"""Test settings: fast hashing, isolated media, services only when the environment names them."""

import os
import tempfile

from .base import *  # noqa: F403

SECRET_KEY = "test-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = tempfile.mkdtemp(prefix="haining-test-media-")
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
WAGTAILADMIN_BASE_URL = "http://testserver"
# Tests exercise the Celery path explicitly; by default tasks run inline.
if not os.environ.get("TEST_CELERY_BROKER"):
    CELERY_TASK_ALWAYS_EAGER = True
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
if not REDIS_URL:  # noqa: F405
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Off unless a test turns it on (home/tests/test_pagecache.py, tests/test_nginx.py): other tests change rows
# without publishing and read the page again at once.
PAGE_CACHE_ENABLED = os.environ.get("PAGE_CACHE") == "1"
SEARCH_HITS_FLUSH_SECONDS = 0  # count every search at once: tests read the counts after a request
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
