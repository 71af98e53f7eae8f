"""The enrollment panel on the admin home page: seats per course, applications per hour, lotteries to draw."""

import datetime

import pytest
from django.contrib.auth.models import Group

from training.dashboard import course_seats, hourly_applications, lottery_waiting
from training.models import Enrollment
from training.services.enrollment import enroll
from training.tests.factories import CourseIndexPageFactory, CoursePageFactory, TermFactory, applicant

pytestmark = pytest.mark.django_db

OPENS = datetime.datetime(2026, 6, 1, 1, 0, tzinfo=datetime.UTC)  # 09:00 in Beijing


@pytest.fixture
def term_with_courses(site_root):
    index = CourseIndexPageFactory(parent=site_root)
    term = TermFactory(
        name="2026 年暑期",
        enrollment_opens_at=OPENS,
        enrollment_closes_at=datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC),
        max_courses_per_participant=5,
    )
    fcfs = CoursePageFactory(parent=index, title="少儿古筝启蒙班", term=term, capacity=2, waitlist_size=3)
    lottery = CoursePageFactory(
        parent=index,
        title="机器人编程",
        term=term,
        capacity=1,
        allocation="lottery",
        closes_at=datetime.datetime(2026, 6, 2, tzinfo=datetime.UTC),
    )
    made = [enroll(fcfs.pk, applicant(n), now=OPENS + datetime.timedelta(minutes=n)).enrollment for n in range(1, 5)]
    lottery_entries = [
        enroll(lottery.pk, applicant(n), now=OPENS + datetime.timedelta(minutes=n)).enrollment for n in range(10, 13)
    ]
    # Submission times: three in the opening hour (09:xx Beijing), one at 11:xx, one the day before.
    times = [OPENS + datetime.timedelta(minutes=5), OPENS + datetime.timedelta(minutes=30), OPENS]
    times += [OPENS + datetime.timedelta(hours=2, minutes=10), OPENS - datetime.timedelta(days=1)]
    for enrollment, when in zip(made + lottery_entries, times, strict=False):
        Enrollment.objects.filter(pk=enrollment.pk).update(created_at=when)
    return term, fcfs, lottery, made


def test_course_seats_and_hourly_counts(term_with_courses):
    term, fcfs, lottery, made = term_with_courses
    rows = {row.title: row for row in course_seats(term)}
    assert (rows["少儿古筝启蒙班"].confirmed, rows["少儿古筝启蒙班"].waitlisted) == (2, 2)
    assert rows["机器人编程"].submitted == 3 and rows["机器人编程"].lottery
    hourly = hourly_applications(term)
    by_hour = {bar["hour"].strftime("%H"): bar["value"] for bar in hourly["bars"]}
    assert by_hour["08"] == 0 and by_hour["09"] == 3 and by_hour["11"] == 1
    # the day before and the other entries fall outside the opening day's window or in later hours
    assert hourly["total"] == sum(by_hour.values())
    assert [bar["is_opening"] for bar in hourly["bars"]].index(True) == 1


def test_lottery_waiting_lists_closed_undrawn_courses(term_with_courses):
    term, fcfs, lottery, made = term_with_courses
    waiting = lottery_waiting(datetime.datetime(2026, 6, 3, tzinfo=datetime.UTC))
    assert [(item["course"].pk, item["entrants"]) for item in waiting] == [(lottery.pk, 3)]
    assert lottery_waiting(datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC)) == []  # still open


def test_panel_on_the_admin_home_with_table_fallback(client, django_user_model, term_with_courses):
    term, fcfs, lottery, made = term_with_courses
    user = django_user_model.objects.create_user("office", password="pw")
    user.groups.add(Group.objects.get(name="报名管理员"))
    client.force_login(user)
    html = client.get("/admin/", {"term": term.pk}).text
    assert "报名概况 · 2026 年暑期" in html
    assert '<svg class="chart chart--seats"' in html and 'aria-hidden="true"' in html
    assert '<table class="w-sr-only">' in html and "<caption>2026 年暑期各课程名额</caption>" in html
    assert "等待摇号的课程" in html and "机器人编程" in html
    assert "<script" not in html.split("enrollment-dashboard-heading")[1].split("</section>")[0]


def test_panel_queries_do_not_grow_with_courses(
    client, django_user_model, term_with_courses, django_assert_max_num_queries
):
    term, fcfs, lottery, made = term_with_courses
    client.force_login(django_user_model.objects.create_superuser("boss", "b@example.cn", "pw"))
    client.get("/admin/")
    with django_assert_max_num_queries(200) as before:
        client.get("/admin/", {"term": term.pk})
    index = fcfs.get_parent()
    for n in range(6):
        course = CoursePageFactory(parent=index, title=f"围棋{n}班", term=term, capacity=5)
        enroll(course.pk, applicant(20 + n), now=OPENS)
    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get("/admin/", {"term": term.pk})


def test_editors_do_not_see_the_panel(client, django_user_model, term_with_courses):
    user = django_user_model.objects.create_user("editor", password="pw")
    user.groups.add(Group.objects.get(name="内容编辑"))
    client.force_login(user)
    html = client.get("/admin/").text
    assert "报名概况" not in html
