"""Wagtail's database search backend for this site (SQLite FTS5 / PostgreSQL full text).

Chinese segmentation is added here (see the search app); this module is the one place the
`WAGTAILSEARCH_BACKENDS` setting points at.
"""

from wagtail.search.backends.database import SearchBackend  # noqa: F401
