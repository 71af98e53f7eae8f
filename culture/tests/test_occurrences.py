"""Series, exceptions and time zones: what the stored occurrences say about each date."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from culture.models import EventDate, EventDateChange, EventOccurrence
from culture.services.calendar import month_grid, read_filters
from culture.tests.factories import make_event, weekly

pytestmark = pytest.mark.django_db
D = datetime.date
T = datetime.time


def dates_of(event, status=None):
    qs = EventOccurrence.objects.filter(event=event).order_by("start")
    if status:
        qs = qs.filter(status=status)
    return [o.date for o in qs]


def test_weekly_series_across_a_month_boundary_with_cancelled_skipped_and_moved_dates(calendar_page):
    event = make_event(
        calendar_page,
        dates=[weekly(D(2026, 12, 5), D(2027, 1, 16), weekdays="5")],
        changes=[
            dict(date=D(2026, 12, 26), kind="cancelled", note="剧场检修"),
            dict(date=D(2027, 1, 2), kind="skip"),
            dict(date=D(2027, 1, 9), kind="moved", new_date=D(2027, 1, 10), new_start_time=T(14, 0), note="改到周日"),
        ],
    )
    assert dates_of(event) == [
        D(2026, 12, 5),
        D(2026, 12, 12),
        D(2026, 12, 19),
        D(2026, 12, 26),
        D(2027, 1, 9),
        D(2027, 1, 10),
        D(2027, 1, 16),
    ]
    assert dates_of(event, "cancelled") == [D(2026, 12, 26)]
    assert dates_of(event, "moved") == [D(2027, 1, 9)]
    moved = EventOccurrence.objects.get(event=event, date=D(2027, 1, 10))
    assert moved.status == "scheduled" and moved.note == "改到周日"
    assert timezone.localtime(moved.start).time() == T(14, 0)
    assert timezone.localtime(moved.original_start) == timezone.make_aware(datetime.datetime(2027, 1, 9, 19, 0))

    # The month grid on both sides of the boundary.
    december = month_grid(2026, 12, read_filters({}))
    days = {day.date: day for week in december["weeks"] for day in week}
    assert [o.event_id for o in days[D(2026, 12, 19)].occurrences] == [event.pk]
    assert days[D(2026, 12, 26)].occurrences[0].is_cancelled
    january = month_grid(2027, 1, read_filters({}))
    days = {day.date: day for week in january["weeks"] for day in week}
    assert days[D(2027, 1, 2)].occurrences == []  # skipped
    assert days[D(2027, 1, 10)].occurrences[0].original_start is not None


def test_selected_weekdays_every_other_week(calendar_page):
    event = make_event(
        calendar_page,
        dates=[dict(weekly(D(2026, 12, 1), D(2026, 12, 31), weekdays="13"), interval=2)],
    )
    # Tuesday 1 Dec starts the series; Tuesdays and Thursdays of every second week.
    assert dates_of(event) == [
        D(2026, 12, 1),
        D(2026, 12, 3),
        D(2026, 12, 15),
        D(2026, 12, 17),
        D(2026, 12, 29),
        D(2026, 12, 31),
    ]


def test_early_morning_events_stay_on_their_local_day(calendar_page):
    event = make_event(
        calendar_page,
        dates=[
            dict(start_date=D(2027, 1, 1), start_time=T(0, 30), end_time=T(2, 0)),
            dict(start_date=D(2027, 1, 2), start_time=T(6, 30), end_time=T(7, 59)),
        ],
    )
    occurrences = list(EventOccurrence.objects.filter(event=event).order_by("start"))
    # In UTC both start the previous day; stored local days and the month view must not shift.
    assert [o.start.astimezone(datetime.UTC).date() for o in occurrences] == [D(2026, 12, 31), D(2027, 1, 1)]
    assert [o.date for o in occurrences] == [D(2027, 1, 1), D(2027, 1, 2)]
    january = month_grid(2027, 1, read_filters({}))
    days = {day.date: day for week in january["weeks"] for day in week}
    assert [o.local_start.time() for o in days[D(2027, 1, 1)].occurrences] == [T(0, 30)]
    assert [o.local_start.time() for o in days[D(2027, 1, 2)].occurrences] == [T(6, 30)]
    december = month_grid(2026, 12, read_filters({}))
    days = {day.date: day for week in december["weeks"] for day in week}
    assert days[D(2026, 12, 31)].occurrences == []


def test_all_day_multi_day_run_covers_each_day_and_ends_at_midnight(calendar_page):
    event = make_event(calendar_page, dates=[dict(start_date=D(2027, 1, 30), end_date=D(2027, 2, 2))])
    occurrence = EventOccurrence.objects.get(event=event)
    assert occurrence.all_day and (occurrence.date, occurrence.end_date) == (D(2027, 1, 30), D(2027, 2, 2))
    assert timezone.localtime(occurrence.end) == timezone.make_aware(datetime.datetime(2027, 2, 3))
    feb = month_grid(2027, 2, read_filters({}))
    days = {day.date: day for week in feb["weeks"] for day in week}
    assert all(days[D(2027, 2, d)].occurrences for d in (1, 2))
    assert not days[D(2027, 2, 3)].occurrences


def test_monthly_series_skips_months_without_the_day(calendar_page):
    event = make_event(
        calendar_page,
        dates=[dict(start_date=D(2027, 1, 31), start_time=T(10, 0), repeat="monthly", repeat_until=D(2027, 5, 31))],
    )
    assert dates_of(event) == [D(2027, 1, 31), D(2027, 3, 31), D(2027, 5, 31)]


def test_event_status_overrides_each_date(calendar_page):
    event = make_event(
        calendar_page,
        dates=[weekly(D(2026, 12, 5), D(2026, 12, 19), weekdays="5")],
        status="cancelled",
        status_note="因寒潮取消",
    )
    occurrences = list(EventOccurrence.objects.filter(event=event).select_related("event"))
    assert {o.effective_status for o in occurrences} == {"cancelled"}
    assert all(o.is_cancelled for o in occurrences)


def test_draft_changes_leave_the_live_dates_until_published(calendar_page):
    event = make_event(calendar_page, dates=[dict(start_date=D(2026, 12, 5), start_time=T(19, 0))])
    event.dates = [EventDate(start_date=D(2026, 12, 12), start_time=T(19, 0))]
    revision = event.save_revision()  # a draft: the live site keeps 5 December
    assert dates_of(event) == [D(2026, 12, 5)]
    revision.publish()
    assert dates_of(event) == [D(2026, 12, 12)]


def test_unpublished_events_leave_the_calendar(calendar_page):
    event = make_event(calendar_page, dates=[dict(start_date=D(2026, 12, 5), start_time=T(19, 0))])
    grid = month_grid(2026, 12, read_filters({}))
    assert grid["count"] == 1
    event.unpublish()
    assert month_grid(2026, 12, read_filters({}))["count"] == 0


@pytest.mark.parametrize(
    "fields, field",
    [
        (dict(start_date=D(2026, 12, 5), repeat="weekly"), "repeat_until"),
        (dict(start_date=D(2026, 12, 5), repeat="weekly", repeat_until=D(2026, 12, 1)), "repeat_until"),
        (dict(start_date=D(2026, 12, 5), repeat="daily", repeat_until=D(2030, 1, 1)), "repeat_until"),
        (dict(start_date=D(2026, 12, 5), end_date=D(2026, 12, 1)), "end_date"),
        (dict(start_date=D(2026, 12, 5), start_time=T(20, 0), end_time=T(19, 0)), "end_time"),
        (dict(start_date=D(2026, 12, 5), end_time=T(19, 0)), "start_time"),
        (dict(start_date=D(2026, 12, 5), weekdays="5"), "weekdays"),
    ],
)
def test_invalid_rules_are_refused_in_chinese(fields, field):
    with pytest.raises(ValidationError) as info:
        EventDate(**fields).clean()
    message = info.value.message_dict[field][0]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message)


def test_moved_change_needs_a_new_date():
    with pytest.raises(ValidationError) as info:
        EventDateChange(date=D(2026, 12, 5), kind="moved").clean()
    assert "new_date" in info.value.message_dict
