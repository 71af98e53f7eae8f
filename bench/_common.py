"""What the benchmark scripts share: Django set up for a throwaway run, a scratch PostgreSQL database, the site.

The scripts run as ``.venv/bin/python bench/<script>.py``, so this folder is on sys.path: ``from _common import …``.
"""

import os
import tempfile
from urllib.parse import urlparse


def recreate_postgres(url: str) -> None:
    """DROP and CREATE the database named in `url` (a scratch database)."""
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(var_prefix: str) -> None:
    """Test settings, a temporary VAR_DIR, warnings-only logs; test-client requests keep one connection."""
    os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix=var_prefix))
    os.environ["DJANGO_SETTINGS_MODULE"] = "haining.settings.test"
    os.environ.setdefault("LOG_LEVEL", "WARNING")

    import django

    django.setup()
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)


def make_home_site():
    """A home page under the tree root as the only, default site (localhost:80); returns the home page."""
    from wagtail.models import Page, Site

    from home.models import HomePage

    home = HomePage(title="海宁市总工会", slug="bench-home")
    Page.get_first_root_node().add_child(instance=home)
    Site.objects.all().delete()
    Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)
    return home
