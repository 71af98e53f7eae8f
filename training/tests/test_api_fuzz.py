"""Schema-driven fuzzing of the API with schemathesis: no generated request yields a 5xx.

Schemathesis' own pytest plugin does not load under pytest 9 yet, so each operation's Hypothesis strategy
is driven directly: positive cases (valid by the schema) and negative ones (violating it).
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.generation import GenerationMode

from training.models import Enrollment
from training.tests.factories import OPEN, CourseIndexPageFactory, CoursePageFactory, TermFactory

pytestmark = pytest.mark.django_db

EXAMPLES = int(__import__("os").environ.get("FUZZ_EXAMPLES", "30"))


@pytest.fixture
def api_schema(site_root, settings):
    from django.core.wsgi import get_wsgi_application

    settings.RATE_LIMITS_ENABLED = False
    index = CourseIndexPageFactory(parent=site_root)
    CoursePageFactory(parent=index, term=TermFactory(**OPEN), capacity=3, waitlist_size=3)
    # Like Django's test client: keep the test's connection (and transaction) across WSGI requests,
    # which otherwise close it at the end of each request (fatal on PostgreSQL inside a test).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_generated_request_produces_a_server_error(api_schema, mode):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 5
    seen = {}
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def run(case):
            response = case.call()
            seen[response.status_code] = seen.get(response.status_code, 0) + 1
            assert response.status_code < 500, (case.method, case.formatted_path, case.body, response.text[:300])

        run()
    # Valid requests reach the application's own answers, not only schema rejections. (Requests that
    # break the schema may all be rejected as 400/422, rightly: no such assertion for them.)
    if mode == GenerationMode.POSITIVE:
        assert any(code in seen for code in (200, 201, 404, 409)), seen
    assert seen and all(code < 500 for code in seen), seen
    # Whatever was accepted was stored whole: no enrollment without its required fields.
    assert not Enrollment.objects.filter(phone="").exists()
