"""Lesson dates from rules: weekdays, holidays and 调休 from the calendar library, staff changes, .ics, notices."""

import datetime

import pytest
from icalendar import Calendar

from training.models import Lesson, LessonChange
from training.notifications import LogSmsBackend
from training.services.enrollment import enroll
from training.services.lessons import (
    LessonChangeError,
    change_lesson,
    china_calendar,
    parse_weekdays,
    planned_dates,
    schedule_summary,
)
from training.tests.factories import NOW, CourseIndexPageFactory, CoursePageFactory, applicant

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def index(site_root):
    return CourseIndexPageFactory(parent=site_root)


def make_course(index, **fields):
    defaults = dict(
        weekdays="6",
        start_time=datetime.time(9, 0),
        end_time=datetime.time(10, 30),
        first_lesson=D(2026, 9, 1),
        lessons=8,
        last_lesson=None,
        capacity=5,
    )
    defaults.update(fields)
    course = CoursePageFactory(parent=index, **defaults)
    course.save_revision().publish()
    return course


def held_dates(course):
    return [lesson.date for lesson in Lesson.objects.filter(course=course) if lesson.is_held]


def test_the_official_2026_holiday_runs_come_from_the_library():
    days_off, workdays = china_calendar(2026)
    # 国务院办公厅 2026 arrangement: 国庆 10月1日至7日 (7 days), 9月20日 and 10月10日 worked.
    assert [d for d in days_off if days_off[d] == "国庆节"] == [D(2026, 10, day) for day in range(1, 8)]
    assert days_off[D(2026, 2, 15)] == days_off[D(2026, 2, 23)] == "春节"
    assert {D(2026, 9, 20), D(2026, 10, 10)} <= workdays
    # 2027 is covered too (statutory days at least).
    assert china_calendar(2027)[0][D(2027, 10, 1)] == "国庆节"


def test_saturday_course_skips_national_day_and_keeps_count(index):
    course = make_course(index)
    dates = held_dates(course)
    assert len(dates) == 8
    assert D(2026, 9, 26) not in dates and D(2026, 10, 3) not in dates  # 中秋 and 国庆 Saturdays skipped …
    assert dates[-1] == D(2026, 11, 7)  # … and the eighth lesson is two weeks later.
    assert all(d.weekday() == 5 for d in dates)
    holiday = Lesson.objects.get(course=course, date=D(2026, 10, 3))
    assert (holiday.status, holiday.number, holiday.note) == ("holiday", None, "国庆节停课")


def test_sunday_inside_the_holiday_run_is_skipped_too(index):
    course = make_course(index, weekdays="7", first_lesson=D(2026, 9, 13), lessons=3)
    # 9月27日 is inside 中秋 (9月25日至27日), 10月4日 inside 国庆 (10月1日至7日), though neither is a statutory day.
    assert held_dates(course) == [D(2026, 9, 13), D(2026, 9, 20), D(2026, 10, 11)]


def test_makeup_workday_rules(index):
    # Children's weekend class: a 调休 Sunday (9月20日) is a school day, so no class.
    weekend = make_course(index, weekdays="7", first_lesson=D(2026, 9, 13), lessons=2, makeup_workdays="skip")
    assert held_dates(weekend) == [D(2026, 9, 13), D(2026, 10, 11)]
    # Evening class on working days: it also meets on the Saturday 10月10日 worked as a weekday.
    evening = make_course(
        index,
        weekdays="1,3,5",
        first_lesson=D(2026, 10, 8),
        last_lesson=D(2026, 10, 14),
        lessons=None,
        makeup_workdays="add",
    )
    assert held_dates(evening) == [D(2026, 10, 9), D(2026, 10, 10), D(2026, 10, 12), D(2026, 10, 14)]
    assert Lesson.objects.get(course=evening, date=D(2026, 10, 10)).note == "调休上班日加课"
    # As usual: the weekday rule alone.
    plain = make_course(index, weekdays="7", first_lesson=D(2026, 9, 13), lessons=2, makeup_workdays="weekday")
    assert held_dates(plain) == [D(2026, 9, 13), D(2026, 9, 20)]


def test_end_date_bounds_the_series_and_summary_is_generated(index):
    course = make_course(index, weekdays="2,4", first_lesson=D(2027, 7, 6), last_lesson=D(2027, 8, 17), lessons=None)
    dates = held_dates(course)
    assert dates[0] == D(2027, 7, 6) and dates[-1] == D(2027, 8, 17) and len(dates) == 13
    text = schedule_summary(course, list(Lesson.objects.filter(course=course)))
    assert text == "每周二、四 09:00–10:30，2027年7月6日至8月17日，共 13 次课"


def test_no_weekday_or_no_end_gives_no_dates_instead_of_a_wrong_schedule(index):
    assert held_dates(make_course(index, weekdays="")) == []
    assert held_dates(make_course(index, lessons=None, last_lesson=None)) == []
    assert parse_weekdays("６，７、1, 9, x") == [0, 5, 6]


def test_draft_does_not_rebuild_the_live_dates(index):
    course = make_course(index)
    course.lessons = 2
    course.save_revision()  # a draft
    assert len(held_dates(course)) == 8
    course.get_latest_revision().publish()
    assert len(held_dates(course)) == 2


def test_move_and_cancel_a_lesson_notify_the_enrolled(index, django_capture_on_commit_callbacks):
    course = make_course(
        index, first_lesson=D(2027, 7, 10), term__enrollment_opens_at=NOW, term__age_cutoff_date=D(2027, 7, 5)
    )
    confirmed = enroll(course.pk, applicant(1), now=NOW).enrollment
    LogSmsBackend.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        change_lesson(course.pk, D(2027, 7, 17), kind="move", new_date=D(2027, 7, 18), note="教师外出比赛")
    moved = Lesson.objects.get(course=course, original_date=D(2027, 7, 17))
    assert (moved.date, moved.status, moved.number) == (D(2027, 7, 18), "moved", 2)
    texts = [text for phone, text in LogSmsBackend.sent if phone == confirmed.phone]
    assert texts == [
        f"【海宁市工人文化宫】调课通知：“{course.title}”原7月17日（周六） 09:00的课改到 7月18日（周日） 09:00（教师外出比赛），地点：见课程页面。"
    ]
    with django_capture_on_commit_callbacks(execute=True):
        change_lesson(course.pk, D(2027, 7, 24), kind="cancel")
    cancelled = Lesson.objects.get(course=course, original_date=D(2027, 7, 24))
    assert cancelled.status == "cancelled" and cancelled.number is None
    assert any("停课通知" in text for _, text in LogSmsBackend.sent)
    # A later publish keeps the staff's changes.
    course.save_revision().publish()
    assert Lesson.objects.get(course=course, original_date=D(2027, 7, 17)).date == D(2027, 7, 18)
    assert LessonChange.objects.filter(course=course).count() == 2


def test_changes_refused_for_dates_the_rules_do_not_give(index):
    course = make_course(index)
    with pytest.raises(LessonChangeError, match="不是本课程的上课日期"):
        change_lesson(course.pk, D(2026, 10, 3), kind="cancel")  # a skipped holiday
    with pytest.raises(LessonChangeError, match="不是本课程的上课日期"):
        change_lesson(course.pk, D(2026, 9, 6), kind="cancel")  # a Sunday
    with pytest.raises(LessonChangeError, match="已有一次课"):
        change_lesson(course.pk, D(2026, 9, 5), kind="move", new_date=D(2026, 9, 12))
    assert not LessonChange.objects.exists()


def test_course_page_lists_dates_and_serves_ics(index, client):
    course = make_course(index)
    change_lesson(course.pk, D(2026, 9, 12), kind="move", new_date=D(2026, 9, 13))
    page = client.get(course.url).content.decode()
    assert "每周六 09:00–10:30，2026年9月5日至11月7日，共 8 次课（节假日停课 2 次）" in page
    assert "国庆节停课" in page and "由 9月12日 调课" in page
    response = client.get(f"/enroll/course/{course.pk}/lessons.ics")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert len(events) == 8
    starts = sorted(e.decoded("dtstart") for e in events)
    assert starts[1].date() == D(2026, 9, 13) and str(starts[1].tzinfo) == "Asia/Shanghai"
    assert all(e.decoded("dtstart").date() != D(2026, 10, 3) for e in events)


def test_planned_dates_is_bounded():
    from types import SimpleNamespace

    rules = SimpleNamespace(
        weekdays="1,2,3,4,5,6,7",
        first_lesson=D(2026, 1, 1),
        last_lesson=None,
        lessons=10_000,
        makeup_workdays="weekday",
        skip_holidays=True,
    )
    assert sum(1 for p in planned_dates(rules) if not p.holiday) == 200


def test_staff_move_a_lesson_in_the_admin(index, client, django_user_model, django_capture_on_commit_callbacks):
    course = make_course(index)
    client.force_login(django_user_model.objects.create_superuser("boss", "b@example.cn", "pw"))
    url = "/admin/lesson_changes/new/"
    assert client.get(url).status_code == 200
    # A date the rules do not give is refused on the form, in Chinese, and nothing is saved.
    bad = client.post(url, {"course": course.pk, "original_date": "2026-10-03", "kind": "cancel"})
    assert bad.status_code == 200 and "不是本课程的上课日期" in bad.content.decode()
    assert not LessonChange.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "course": course.pk,
                "original_date": "2026-09-12",
                "kind": "move",
                "new_date": "2026-09-13",
                "note": "停电",
            },
        )
    assert response.status_code == 302
    change = LessonChange.objects.get()
    assert change.created_by.username == "boss"
    assert Lesson.objects.get(course=course, original_date=D(2026, 9, 12)).date == D(2026, 9, 13)


def test_staff_mark_paid_from_the_enrollment_list(index, client, django_user_model):

    course = make_course(index, fee=480, term__enrollment_opens_at=NOW, term__age_cutoff_date=D(2027, 7, 5))
    enrollment = enroll(course.pk, applicant(1), now=NOW).enrollment
    client.force_login(django_user_model.objects.create_superuser("boss", "b@example.cn", "pw"))
    url = f"/admin/bulk/training/enrollment/mark_paid/?next=/admin/&id={enrollment.pk}"
    assert "标记已缴费" in client.get(url).content.decode()
    client.post(url)
    enrollment.refresh_from_db()
    assert enrollment.paid_at is not None
