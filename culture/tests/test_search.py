"""Events are found in Chinese by words of their title, text, venue and category; results show the next date."""

import datetime

import pytest
from django.utils import timezone

from culture.tests.factories import EventCategoryFactory, VenueFactory, make_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(calendar_page):
    soon = timezone.localdate() + datetime.timedelta(days=3)
    lecture = EventCategoryFactory(name="讲座", slug="lecture")
    library = VenueFactory(name="工人文化宫", room="一楼职工书屋")
    tea = make_event(
        calendar_page,
        title="公益讲座：茶是养心的",
        category=lecture,
        venue=library,
        summary="茶艺老师讲解绿茶、红茶的冲泡与品鉴。",
        dates=[dict(start_date=soon, start_time=datetime.time(14, 0))],
    )
    tug = make_event(
        calendar_page,
        title="元旦职工拔河比赛",
        summary="各镇（街道）工会组队参赛。",
        dates=[dict(start_date=datetime.date(2020, 1, 1), start_time=datetime.time(9, 0))],
    )
    return {"tea": tea, "tug": tug, "soon": soon}


@pytest.mark.parametrize("query, key", [("拔河", "tug"), ("茶艺", "tea"), ("红茶", "tea"), ("职工书屋 讲座", "tea")])
def test_events_are_found_by_chinese_words(client, events, query, key):
    html = client.get("/search/", {"q": query, "type": "event"}).content.decode()
    assert f'href="{events[key].url}"' in html  # titles are highlighted, so look for the link


def test_event_results_show_the_next_date_or_that_it_is_over(client, events):
    soon = events["soon"]
    html = client.get("/search/", {"q": "茶是养心的"}).content.decode()
    assert f"下一场：{soon.year}年{soon.month}月{soon.day}日" in html and "14:00" in html
    html = client.get("/search/", {"q": "拔河"}).content.decode()
    assert "已结束" in html
