"""The home page's open-courses row (training_tags.open_courses): kept two seconds, never longer, and a page
showing it stays a live page for the full-page cache even when the row comes from the cache."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from home import pagecache
from training.services.enrollment import enroll
from training.tests.factories import applicant, one_seat_course_on_sale

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(site_root):
    return one_seat_course_on_sale(site_root)


def _row(html):
    return html.split('id="courses-heading"', 1)[1].split("</section>", 1)[0]


def _course_queries(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/")
    return response, sum('"training_coursepage"' in q["sql"] for q in ctx.captured_queries)


def test_the_row_is_computed_once_within_two_seconds(course, client):
    client.get("/")
    first, computed = _course_queries(client)
    assert "少儿古筝启蒙班" in _row(first.text) and ">报名中</span>" in _row(first.text)
    assert computed == 0  # the second home page within two seconds reuses the row


def test_a_filled_course_shows_full_after_the_live_seconds(course, client, settings):
    settings.PAGE_CACHE_LIVE_SECONDS = 1  # real time, so that Redis (make test) expires it too
    assert ">报名中</span>" in _row(client.get("/").text)
    enroll(course.pk, applicant(1), source="web")  # the only seat goes; no publish, no version bump
    time.sleep(1.1)
    row = _row(client.get("/").text)
    assert ">已满</span>" in row and ">报名中</span>" not in row


def test_a_page_using_the_kept_row_is_still_kept_seconds_only(course, client, settings):
    settings.PAGE_CACHE_ENABLED = True
    client.get("/enroll/lookup/")  # any request: the row is not involved
    client.get("/")  # renders and stores the row, and the page for two seconds
    client.cookies["hn_elder"] = "1"  # another page-cache entry, rendered with the kept row
    elder = client.get("/")
    assert elder[pagecache.HEADER] == "miss" and ">报名中</span>" in _row(elder.text)
    assert elder["Cache-Control"].endswith("s-maxage=1")
