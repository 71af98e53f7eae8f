"""The roster list (报名管理) stays cheap at a year's volume: bounded queries, no page instances per row."""

import datetime

import pytest
from django.contrib.auth.models import Group

from training.models import Enrollment
from training.services.enrollment import enroll
from training.tests.factories import OPEN, CourseIndexPageFactory, CoursePageFactory, TermFactory, applicant

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(client, django_user_model):
    user = django_user_model.objects.create_user("office", password="pw")
    user.groups.add(Group.objects.get(name="报名管理员"))
    client.force_login(user)
    return user


@pytest.fixture
def courses(site_root):
    index = CourseIndexPageFactory(parent=site_root)
    term = TermFactory(**OPEN, max_courses_per_participant=5)
    return [
        CoursePageFactory(parent=index, title=f"少儿古筝{n}班", term=term, capacity=2, waitlist_size=50)
        for n in range(4)
    ]


def test_list_queries_do_not_grow_with_rows_or_courses(client, office, courses, django_assert_max_num_queries):
    enroll(courses[0].pk, applicant(1))
    client.get("/admin/enrollments/")
    with django_assert_max_num_queries(50) as few:
        client.get("/admin/enrollments/")
    for n in range(2, 40):
        enroll(courses[n % 4].pk, applicant(n))
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get("/admin/enrollments/").text
    assert html.count('class="bulk-action-checkbox"') == 39
    with django_assert_max_num_queries(len(few.captured_queries) + 3):
        client.get("/admin/enrollments/", {"course": courses[1].pk})


def test_a_course_roster_reads_confirmed_then_waitlist_in_order(client, office, courses):
    made = [enroll(courses[0].pk, applicant(n)).enrollment for n in range(1, 6)]
    html = client.get("/admin/enrollments/", {"course": courses[0].pk}).text
    positions = [html.index(e.reference) for e in made]
    assert positions == sorted(positions)  # 2 confirmed by time, then waitlist 1, 2, 3
    assert html.count("已录取") >= 2 and html.count("候补中") >= 3
    # The reference opens the enrollment's own page.
    assert f'href="/admin/enrollments/inspect/{made[0].pk}/"' in html


def test_newest_first_without_a_course_filter(client, office, courses):
    first = enroll(courses[0].pk, applicant(1)).enrollment
    second = enroll(courses[1].pk, applicant(2)).enrollment
    Enrollment.objects.filter(pk=first.pk).update(created_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    html = client.get("/admin/enrollments/").text
    assert html.index(second.reference) < html.index(first.reference)
    assert "2026-01-01 08:00" in html  # Beijing time


def test_course_filter_pill_names_the_course(client, office, courses):
    """Wagtail's active-filter pill shows the course's name (it showed the id: "课程：41")."""
    enroll(courses[2].pk, applicant(1))
    html = client.get("/admin/enrollments/", {"course": courses[2].pk}).text
    pill = html[html.index("w-pill") :][:2000]
    assert "少儿古筝2班" in pill and f">{courses[2].pk}<" not in pill.replace(" ", "").replace("\n", "")
    assert "共 1 条结果" in html or "个符合" not in html
