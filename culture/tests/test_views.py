"""What visitors see in each calendar view, and that bad input gives a clear page, never a 500."""

import datetime
import json
import re

import pytest
from django.utils import timezone

from culture.tests.factories import EventCategoryFactory, VenueFactory, make_event, weekly

pytestmark = pytest.mark.django_db
D = datetime.date
T = datetime.time


@pytest.fixture
def season(calendar_page):
    film = EventCategoryFactory(name="电影", slug="film")
    lecture = EventCategoryFactory(name="讲座", slug="lecture")
    theatre = VenueFactory(room="职工剧场")
    library = VenueFactory(room="职工书屋")
    films = make_event(
        calendar_page,
        title="周末职工电影放映",
        slug="films",
        category=film,
        venue=theatre,
        dates=[weekly(D(2026, 12, 5), D(2027, 1, 30), weekdays="5")],
        changes=[dict(date=D(2026, 12, 26), kind="cancelled", note="剧场检修")],
    )
    tea = make_event(
        calendar_page,
        title="公益讲座：茶是养心的",
        slug="tea",
        category=lecture,
        venue=library,
        dates=[dict(start_date=D(2026, 12, 12), start_time=T(14, 0), end_time=T(16, 0))],
    )
    return dict(film=film, lecture=lecture, theatre=theatre, library=library, films=films, tea=tea)


def test_month_view_is_a_table_with_headings_and_the_events(client, calendar_page, season):
    response = client.get("/activities/2026/12/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<table class="cal-month"' in html and html.count('<th scope="col">') == 7
    assert "2026年12月" in html
    assert html.count("周末职工电影放映") >= 4 and "茶是养心的" in html
    assert "剧场检修" not in html  # notes are for the lists; the grid shows the status badge
    assert "已取消" in html
    # Navigation: stable URLs for the neighbours.
    assert 'href="/activities/2026/11/"' in html and 'href="/activities/2027/1/"' in html


def test_filters_apply_and_survive_month_navigation(client, calendar_page, season):
    html = client.get("/activities/2026/12/?category=lecture").content.decode()
    assert "茶是养心的" in html and "周末职工电影放映" not in html
    assert 'href="/activities/2027/1/?category=lecture"' in html
    assert 'href="/activities/2026/11/?category=lecture"' in html
    html = client.get(f"/activities/2026/12/?venue={season['theatre'].pk}").content.decode()
    assert "周末职工电影放映" in html and "茶是养心的" not in html
    assert f'href="/activities/2027/1/?venue={season["theatre"].pk}"' in html


def test_week_and_day_agendas(client, calendar_page, season):
    response = client.get("/activities/week/2026/12/9/")
    assert response.status_code == 302 and response["Location"] == "/activities/week/2026/12/7/"
    html = client.get("/activities/week/2026/12/7/").content.decode()
    assert "茶是养心的" in html and "周末职工电影放映" in html
    assert 'href="/activities/week/2026/11/30/"' in html and 'href="/activities/week/2026/12/14/"' in html
    html = client.get("/activities/2026/12/26/").content.decode()
    assert "周末职工电影放映" in html and "剧场检修" in html and "已取消" in html


def test_upcoming_is_the_default_and_past_archive_paginates(client, calendar_page, season):
    today = timezone.localdate()
    make_event(
        calendar_page,
        title="明天的活动",
        dates=[dict(start_date=today + datetime.timedelta(days=1), start_time=T(9, 0))],
    )
    for n in range(14):
        make_event(calendar_page, title=f"往期活动{n}", dates=[dict(start_date=D(2020, 1, 1 + n), start_time=T(9, 0))])
    html = client.get("/activities/").content.decode()
    assert "明天的活动" in html and "往期活动" not in html
    first = client.get("/activities/past/").content.decode()
    second = client.get("/activities/past/?page=2").content.decode()
    assert "共 14 项往期活动" in first
    assert "往期活动13" in first and "往期活动0<" not in first  # newest first
    assert "往期活动0<" in second


@pytest.mark.parametrize(
    "url, status",
    [
        ("/activities/2026/13/", 404),
        ("/activities/1900/1/", 404),
        ("/activities/2026/2/30/", 404),
        ("/activities/week/2026/2/30/", 404),
        ("/activities/2026/12/?category=nope&venue=xy", 200),
        ("/activities/2026/12/?category=nope&venue=x%00y", 400),  # NUL: haining.input_guard
        ("/activities/?page=999999", 200),
        ("/activities/past/?page=abc", 200),
        ("/activities/ical/nope/", 404),
    ],
)
def test_bad_input_gives_a_page_not_an_error(client, calendar_page, season, url, status):
    response = client.get(url)
    assert response.status_code == status
    if status == 200 and "category=nope" in url:
        assert "部分筛选条件已失效" in response.content.decode()


def test_today_link_goes_to_this_month(client, calendar_page):
    today = timezone.localdate()
    response = client.get("/activities/today/?category=film")
    assert response.status_code == 302
    assert response["Location"] == f"/activities/{today.year}/{today.month}/?category=film"


def test_event_page_lists_dates_ahead_with_status_and_json_ld(client, calendar_page):
    today = timezone.localdate()
    venue = VenueFactory(room="职工剧场", address="海宁市工人路 1 号")
    event = make_event(
        calendar_page,
        title="钢琴音乐沙龙",
        venue=venue,
        price="30元",
        dates=[weekly(today + datetime.timedelta(days=1), today + datetime.timedelta(days=30), weekdays="")],
        changes=[dict(date=today + datetime.timedelta(days=8), kind="cancelled", note="演员生病")],
    )
    html = client.get(event.url).content.decode()
    assert "场次安排" in html and "演员生病" in html and "添加到日历" in html
    assert f'href="{event.url}ics/"' in html
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert isinstance(data, list) and len(data) >= 4
    assert data[0]["@type"] == "Event" and data[0]["name"] == "钢琴音乐沙龙"
    assert data[0]["location"]["address"] == "海宁市工人路 1 号"
    assert data[0]["startDate"].endswith("+08:00")
    assert data[0]["offers"]["price"] == "30"
    assert data[1]["eventStatus"] == "https://schema.org/EventCancelled"


def test_home_page_shows_the_next_events(client, calendar_page):
    today = timezone.localdate()
    make_event(
        calendar_page,
        title="下周的讲座",
        dates=[dict(start_date=today + datetime.timedelta(days=7), start_time=T(14, 0))],
    )
    make_event(
        calendar_page,
        title="明天的电影",
        dates=[dict(start_date=today + datetime.timedelta(days=1), start_time=T(19, 0))],
    )
    make_event(calendar_page, title="去年的比赛", dates=[dict(start_date=today - datetime.timedelta(days=300))])
    html = client.get("/").content.decode()
    assert "近期活动" in html
    assert html.index("明天的电影") < html.index("下周的讲座")
    assert "去年的比赛" not in html
