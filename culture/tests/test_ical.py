"""The .ics files are valid RFC 5545 that calendar clients expand to exactly our dates."""

import datetime

import pytest
from dateutil.rrule import rrulestr
from icalendar import Calendar

from culture.models import EventOccurrence
from culture.tests.factories import EventCategoryFactory, VenueFactory, make_event, weekly

pytestmark = pytest.mark.django_db
D = datetime.date
T = datetime.time


def parse(response) -> Calendar:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def client_dates(cal: Calendar) -> set:
    """What a calendar client shows: each VEVENT's RRULE expanded, minus EXDATEs, with RECURRENCE-ID overrides."""
    starts = set()
    overrides = {}
    for vevent in cal.walk("VEVENT"):
        if "RECURRENCE-ID" in vevent:
            overrides[(str(vevent["UID"]), vevent["RECURRENCE-ID"].dt)] = vevent["DTSTART"].dt
            continue
        if vevent.get("STATUS") == "CANCELLED":
            continue
        dtstart = vevent["DTSTART"].dt
        if "RRULE" in vevent:
            rule = rrulestr(vevent["RRULE"].to_ical().decode(), dtstart=dtstart)
            excluded = set()
            for exdate in (
                vevent.get("EXDATE", []) if isinstance(vevent.get("EXDATE"), list) else [vevent.get("EXDATE")]
            ):
                if exdate is not None:
                    excluded.update(d.dt for d in exdate.dts)
            starts.update((str(vevent["UID"]), s) for s in rule if s not in excluded)
        else:
            starts.add((str(vevent["UID"]), dtstart))
    result = set()
    for uid, start in starts:
        result.add(overrides.get((uid, start), start))
    return result


def test_event_ics_series_with_exdate_and_override_matches_the_site(client, calendar_page):
    venue = VenueFactory(name="工人文化宫", room="职工剧场")
    event = make_event(
        calendar_page,
        title="周末职工电影放映",
        venue=venue,
        summary="每周六晚免费放映",
        dates=[weekly(D(2026, 12, 5), D(2027, 1, 30), weekdays="5")],
        changes=[
            dict(date=D(2026, 12, 26), kind="cancelled", note="剧场检修"),
            dict(date=D(2027, 1, 9), kind="moved", new_date=D(2027, 1, 10), new_start_time=T(14, 0)),
            dict(date=D(2027, 1, 16), kind="skip"),
        ],
    )
    cal = parse(client.get(event.url + "ics/"))
    assert cal.walk("VTIMEZONE")[0]["TZID"] == "Asia/Shanghai"
    series = [v for v in cal.walk("VEVENT") if "RRULE" in v][0]
    assert series["SUMMARY"] == "周末职工电影放映"
    assert "职工剧场" in series["LOCATION"]
    raw = cal.to_ical().decode()
    assert "DTSTART;TZID=Asia/Shanghai:20261205T190000" in raw
    assert "RRULE:FREQ=WEEKLY;UNTIL=20270130T110000Z;BYDAY=SA" in raw

    site = {
        o.local_start.replace(tzinfo=None)
        for o in EventOccurrence.objects.filter(event=event).exclude(status__in=["cancelled", "moved"])
    }
    shown = {s.replace(tzinfo=None) for s in client_dates(cal)}
    assert shown == site
    assert datetime.datetime(2027, 1, 10, 14, 0) in shown and datetime.datetime(2027, 1, 9, 19, 0) not in shown


def test_uids_are_stable_across_republishing(client, calendar_page):
    event = make_event(calendar_page, dates=[weekly(D(2026, 12, 5), D(2026, 12, 26), weekdays="5")])
    first = {str(v["UID"]) for v in parse(client.get(event.url + "ics/")).walk("VEVENT")}
    event.title = "周末电影"
    event.save_revision().publish()
    second = {str(v["UID"]) for v in parse(client.get(event.url + "ics/")).walk("VEVENT")}
    assert first == second and len(first) == 1


def test_all_day_and_early_morning_values(client, calendar_page):
    exhibition = make_event(
        calendar_page, title="职工书画展", dates=[dict(start_date=D(2027, 1, 5), end_date=D(2027, 1, 25))]
    )
    walk = make_event(
        calendar_page, title="元旦健步走", dates=[dict(start_date=D(2027, 1, 1), start_time=T(6, 30), end_time=T(8, 0))]
    )
    vevent = parse(client.get(exhibition.url + "ics/")).walk("VEVENT")[0]
    assert vevent["DTSTART"].dt == D(2027, 1, 5) and vevent["DTEND"].dt == D(2027, 1, 26)  # DTEND is exclusive
    raw = client.get(walk.url + "ics/").content.decode()
    assert "DTSTART;TZID=Asia/Shanghai:20270101T063000" in raw


def test_feeds_whole_calendar_and_per_category(client, calendar_page):
    film = EventCategoryFactory(name="电影", slug="film")
    lecture = EventCategoryFactory(name="讲座", slug="lecture")
    make_event(
        calendar_page, title="周末电影", category=film, dates=[dict(start_date=D(2099, 1, 3), start_time=T(19, 0))]
    )
    make_event(
        calendar_page, title="茶是养心的", category=lecture, dates=[dict(start_date=D(2099, 1, 4), start_time=T(14, 0))]
    )
    make_event(
        calendar_page,
        title="多年前的讲座",
        category=lecture,
        dates=[dict(start_date=D(2001, 1, 4), start_time=T(14, 0))],
    )
    whole = parse(client.get(calendar_page.url + "ical/"))
    assert whole["X-WR-CALNAME"] == "海宁市工人文化宫 · 文化活动"
    assert sorted(str(v["SUMMARY"]) for v in whole.walk("VEVENT")) == sorted(["周末电影", "茶是养心的"])
    lectures = parse(client.get(calendar_page.url + "ical/lecture/"))
    assert [str(v["SUMMARY"]) for v in lectures.walk("VEVENT")] == ["茶是养心的"]
    assert client.get(calendar_page.url + "ical/opera/").status_code == 404


def test_cancelled_one_off_is_marked_cancelled(client, calendar_page):
    event = make_event(
        calendar_page,
        dates=[dict(start_date=D(2099, 3, 3), start_time=T(18, 30))],
        changes=[dict(date=D(2099, 3, 3), kind="cancelled")],
    )
    assert parse(client.get(event.url + "ics/")).walk("VEVENT")[0]["STATUS"] == "CANCELLED"
