"""The catalogue and the home page's course row cost the same queries with 10 or 150 courses."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from training.tests.factories import CourseIndexPageFactory, CoursePageFactory, TermFactory

pytestmark = pytest.mark.django_db


def count(client, url, params=None):
    client.get(url, params)
    client.get(url, params)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_courses(client, site_root):
    index = CourseIndexPageFactory(parent=site_root)
    term = TermFactory()
    for n in range(10):
        CoursePageFactory(parent=index, term=term, slug=f"a{n}")
    filters = {"audience": "children", "status": "open", "age": "8", "fee": "free"}
    small = [count(client, index.url), count(client, index.url, filters), count(client, "/")]
    for n in range(140):
        CoursePageFactory(parent=index, term=term, slug=f"b{n}")
    large = [count(client, index.url), count(client, index.url, filters), count(client, "/")]
    assert large == small
    assert max(large) <= 12
