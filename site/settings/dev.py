"""Local development: debug on, a throwaway secret, everything else from base."""

import os

from .base import *  # noqa: F403

DEBUG = True
SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret-haining")
ALLOWED_HOSTS = ["*"]
INTERNAL_IPS = ["127.0.0.1"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
