"""The calendar's query counts do not grow with the number of events (cold caches: the worst case)."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from culture.models import EventDate, EventPage
from culture.tests.factories import EventCategoryFactory, VenueFactory
from home import routing

BUDGET = 16
D = datetime.date


def add_events(index, count, category, venue):
    """`count` weekly events in December 2026, each with four dates (added without revisions, for speed)."""
    start = EventPage.objects.count()
    for n in range(start, start + count):
        event = EventPage(title=f"活动 {n}", slug=f"e-{n}", category=category, venue=venue, summary="简介")
        event.dates = [
            EventDate(
                start_date=D(2026, 12, 1 + n % 7),
                start_time=datetime.time(8 + n % 12, 0),
                end_time=datetime.time(8 + n % 12, 45),
                repeat="weekly",
                repeat_until=D(2026, 12, 28),
            )
        ]
        index.add_child(instance=event)


def cold_count(client, url):
    client.get(url)
    cache.clear()
    routing.clear()  # the per-process site and route memo too: nothing remembered
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


@pytest.mark.django_db
def test_calendar_views_cost_the_same_for_10_and_120_events(client, calendar_page):
    category = EventCategoryFactory(name="电影", slug="film")
    venue = VenueFactory()
    add_events(calendar_page, 10, category, venue)
    event_url = EventPage.objects.first().url
    urls = [
        "/activities/2026/12/",
        "/activities/2026/12/?category=film",
        "/activities/week/2026/12/7/",
        "/activities/2026/12/8/",
        "/activities/past/",
        "/activities/",
        "/activities/ical/",
        event_url,
        "/",
    ]
    small = {url: cold_count(client, url)[0] for url in urls}
    add_events(calendar_page, 110, category, venue)
    large = {}
    for url in urls:
        large[url], response = cold_count(client, url)
        if url == "/activities/2026/12/":
            assert "本月共 480 项活动" in response.content.decode()
    assert large == small
    assert max(large.values()) <= BUDGET, large
