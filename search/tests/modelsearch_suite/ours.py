"""modelsearch's SQLite and PostgreSQL BackendTests classes, pointed at search.backends.database.

Each class is modelsearch's own (same tests, same skips with modelsearch's reasons); only the backend
differs. Imported only inside the separate Django process (settings.py), never by pytest directly.
"""

from django.test.utils import override_settings
from modelsearch.tests import test_postgres_backend, test_sqlite_backend

OURS = "search.backends.database"


@override_settings(MODELSEARCH_BACKENDS={"default": {"BACKEND": OURS}})
class OurSQLiteSearchBackend(test_sqlite_backend.TestSQLiteSearchBackend):
    backend_path = OURS


@override_settings(MODELSEARCH_BACKENDS={"default": {"BACKEND": OURS}})
class OurPostgresSearchBackend(test_postgres_backend.TestPostgresSearchBackend):
    backend_path = OURS
