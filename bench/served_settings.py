"""Settings for `bench/pages.py --served`: the test settings (DEBUG off, no collected static files needed) with
the full-page cache on and bench/served_urls.py as the URLconf."""

from haining.settings.test import *  # noqa: F403

ROOT_URLCONF = "served_urls"
PAGE_CACHE_ENABLED = True
MEDIA_ROOT = VAR_DIR / "media"  # noqa: F405  (shared by the set-up process and the workers)
# The yardstick goes through the whole middleware stack, as any non-page view does, without our lookup.
PAGE_CACHE_EXCLUDED_PATHS = (*PAGE_CACHE_EXCLUDED_PATHS, "/bench/")  # noqa: F405
