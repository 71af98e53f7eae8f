"""The Django project package. Its folder is `site/`; it is imported as `haining` (see pyproject.toml)."""

from .celery import app as celery_app

__all__ = ["celery_app"]
