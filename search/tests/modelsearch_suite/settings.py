"""Settings for running modelsearch's BackendTests: modelsearch's own test project, our backend named.

modelsearch's tests need its app (label ``modelsearch``) and test app (``searchtests``), which cannot be
installed next to Wagtail's ``wagtail.search`` (the same models under another label), so they run in
their own Django process with modelsearch's test settings. Differences: the fixture directory (the
fixture is not in modelsearch's wheel or sdist; `make test-fixtures` fetches it), a test database name of
our own on PostgreSQL, and our backend as an extra entry.
"""

import os

from modelsearch.test.settings import *  # noqa: F403
from modelsearch.test.settings import DATABASES, INSTALLED_APPS

FIXTURE_DIRS = [os.environ["MODELSEARCH_FIXTURE_DIR"]]
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_modelsearch"}
    if "django.contrib.postgres" not in INSTALLED_APPS:
        INSTALLED_APPS.append("django.contrib.postgres")
