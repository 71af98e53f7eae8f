"""Settings for `bench/pages.py --bakerydemo`: production settings (DEBUG off, whitenoise manifest storage)
plus the yardstick URL of bench/served_urls.py. The full-page cache follows PAGE_CACHE in the environment."""

from haining.settings.production import *  # noqa: F403

ROOT_URLCONF = "served_urls"
# The yardstick goes through the whole middleware stack, as any non-page view does, without our lookup.
PAGE_CACHE_EXCLUDED_PATHS = (*PAGE_CACHE_EXCLUDED_PATHS, "/bench/")  # noqa: F405
