"""The event's headline date: never a dropped, cancelled or moved one; a moved date says where it went."""

import datetime

import pytest
from django.utils import timezone

from culture.models import EventPage
from culture.tests.factories import make_event, weekly

pytestmark = pytest.mark.django_db


def test_moved_date_is_not_the_headline(calendar_page, client):
    today = timezone.localdate()
    first = today + datetime.timedelta(days=3)
    moved_to = first + datetime.timedelta(days=14)
    event = make_event(
        calendar_page,
        dates=[weekly(first, first + datetime.timedelta(days=7))],
        changes=[dict(date=first, kind="moved", new_date=moved_to, note="场地维修")],
    )
    html = client.get(event.url).content.decode()
    facts = html.split('<dl class="course-facts event-facts">')[1].split("</dl>")[0]
    second = first + datetime.timedelta(days=7)
    # The headline is the next date that takes place (the second weekly date), not the moved one …
    assert f"{second.year}年{second.month}月{second.day}日" in facts
    # … and the moved one says where it went, struck through.
    assert (
        f"<del>{first.month}月{first.day}日</del> 的场次已改期至 <strong>{moved_to.month}月{moved_to.day}日</strong>"
        in facts
    )
    assert "之后还有 1 场" in facts  # the moved-to date; the original slot is not counted
    # Listings (search results, cards) use the same rule: the next start is a held date.
    annotated = EventPage.serve_queryset().get(pk=event.pk)
    assert timezone.localtime(annotated.next_start).date() == second


def test_all_upcoming_cancelled_says_so(calendar_page, client):
    day = timezone.localdate() + datetime.timedelta(days=2)
    event = make_event(
        calendar_page,
        dates=[dict(start_date=day, start_time=datetime.time(19, 0), end_time=datetime.time(21, 0))],
        changes=[dict(date=day, kind="cancelled", note="天气原因")],
    )
    html = client.get(event.url).content.decode()
    assert "近期场次已取消或延期" in html
    assert "本活动已结束" not in html
