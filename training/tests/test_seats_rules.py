"""Seat rules that broke under everyday use (issue #11): one definition of taken/left/status, capacity
changes through the service, local dates, page validation, busy answers, reference collisions, drift."""

import datetime
import re
import sqlite3
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import connection

from training.models import CoursePage, CourseSeats, Enrollment, EnrollmentStatus
from training.services import enrollment as service
from training.services.enrollment import EnrollmentError, cancel, enroll
from training.tests import factories
from training.tests.factories import (
    NOW,
    CourseIndexPageFactory,
    CoursePageFactory,
    TermFactory,
    applicant,
    seat_counts,
)
from training.tests.test_seats_editorial import edit_form

pytestmark = pytest.mark.django_db

OPEN = dict(factories.OPEN, max_courses_per_participant=5)


@pytest.fixture
def index(site_root):
    return CourseIndexPageFactory(parent=site_root)


def make(index, **fields):
    fields.setdefault("term", TermFactory(**OPEN))
    return CoursePageFactory(parent=index, **fields)


def fill(course, numbers):
    return [enroll(course.pk, applicant(n)).enrollment for n in numbers]


def status_of(enrollment):
    enrollment.refresh_from_db()
    return enrollment.status, enrollment.waitlist_position


def chief(client, django_user_model):
    user = django_user_model.objects.create_superuser("chief", "chief@example.cn", "pw")
    client.force_login(user)
    return user


# --- one definition of seats taken / left / status ---------------------------------------------------


def test_every_surface_counts_a_held_offer_as_taken_even_after_the_offer_window_is_set_to_zero(
    client, index, django_user_model
):
    course = make(index, title="少儿围棋班", capacity=1, waitlist_size=3, offer_hours=24)
    first, second, third = fill(course, [1, 2, 3])
    cancel(first.pk, by="staff")
    assert status_of(second) == ("offered", None)
    # Staff set 递补确认时限 back to 0 while the offer is out: the held seat must stay held.
    course.offer_hours = 0
    course.save_revision().publish()

    newcomer = enroll(course.pk, applicant(9)).enrollment
    assert newcomer.status == "waitlisted"
    assert CourseSeats.objects.get(course_id=course.pk).taken == 1

    api = client.get(f"/api/v1/courses/{course.pk}/").json()
    assert (api["seats_left"], api["status"]) == (0, "waitlist")
    assert [c["id"] for c in client.get("/api/v1/courses/?status=open").json()["items"]] == []
    assert [c["id"] for c in client.get("/api/v1/courses/?status=waitlist").json()["items"]] == [course.pk]
    catalogue = client.get(index.url, {"status": "open"}).text
    assert "少儿围棋班" not in catalogue
    catalogue = client.get(index.url, {"status": "waitlist"}).text
    assert "少儿围棋班" in catalogue and "剩余 <strong>0</strong>" in catalogue
    page = client.get(course.url).text
    assert "剩余 <strong>0</strong> 人" in page and "已满可候补" in page
    home = client.get("/").text
    assert "少儿围棋班" in home and "剩余 <strong>0</strong>" in home

    user = django_user_model.objects.create_user("staff", password="pw")
    user.groups.add(Group.objects.get(name="报名管理员"))
    client.force_login(user)
    roster = client.get("/admin/enrollments/", {"course": course.pk}).text
    assert "data-roster-seats-left>0<" in roster


# --- capacity changes go through the service ---------------------------------------------------------


def test_more_seats_go_to_the_waitlist_in_order_before_any_newcomer(client, index, django_user_model):
    course = make(index, capacity=2, waitlist_size=5)
    made = fill(course, [1, 2, 3, 4, 5])
    assert [e.status for e in made] == ["confirmed", "confirmed", "waitlisted", "waitlisted", "waitlisted"]
    chief(client, django_user_model)
    data = edit_form(client, course)
    data["capacity"] = "4"
    response = client.post(f"/admin/pages/{course.pk}/edit/", data | {"action-publish": "publish"})
    assert response.status_code == 302
    assert [status_of(e) for e in made[2:]] == [("confirmed", None), ("confirmed", None), ("waitlisted", 1)]
    newcomer = enroll(course.pk, applicant(9)).enrollment
    assert (newcomer.status, newcomer.waitlist_position) == ("waitlisted", 2)
    assert seat_counts(course) == (4, 2)


def test_more_seats_are_offered_in_order_where_the_course_uses_offers(index):
    course = make(index, capacity=1, waitlist_size=5, offer_hours=48)
    made = fill(course, [1, 2, 3, 4])
    course.capacity = 3
    course.save_revision().publish()
    assert [status_of(e) for e in made] == [
        ("confirmed", None),
        ("offered", None),
        ("offered", None),
        ("waitlisted", 1),
    ]
    assert enroll(course.pk, applicant(9)).enrollment.status == "waitlisted"


def test_a_capacity_raised_behind_the_services_back_still_serves_the_waitlist_first(index):
    course = make(index, capacity=1, waitlist_size=5)
    made = fill(course, [1, 2])
    CoursePage.objects.filter(pk=course.pk).update(capacity=2)  # e.g. a raw data fix
    newcomer = enroll(course.pk, applicant(9)).enrollment
    assert status_of(made[1]) == ("confirmed", None)
    assert (newcomer.status, newcomer.waitlist_position) == ("waitlisted", 1)


def test_fewer_seats_than_confirmed_is_refused_in_chinese_and_nothing_changes(client, index, django_user_model):
    course = make(index, capacity=3, waitlist_size=2)
    fill(course, [1, 2, 3])
    chief(client, django_user_model)
    data = edit_form(client, course)
    data["capacity"] = "2"
    response = client.post(f"/admin/pages/{course.pk}/edit/", data | {"action-publish": "publish"})
    assert response.status_code == 200
    assert "名额不能少于已录取（含递补待确认）的 3 人" in response.text
    assert CoursePage.objects.get(pk=course.pk).capacity == 3
    assert seat_counts(course) == (3, 0)
    # a revision made elsewhere (e.g. reverting to an older one) is refused when published, too
    course.capacity = 1
    with pytest.raises(Exception, match="名额不能少于"):
        course.save_revision().publish()
    assert CoursePage.objects.get(pk=course.pk).capacity == 3


def test_lottery_mode_cannot_be_switched_once_there_are_enrollments(index):
    course = make(index)
    fill(course, [1])
    course.allocation = "lottery"
    with pytest.raises(Exception, match="不能更改录取方式"):
        course.save_revision().publish()


# --- page validation in Chinese ----------------------------------------------------------------------


def test_course_page_validation_messages(client, index, django_user_model):
    course = make(index)
    chief(client, django_user_model)
    data = edit_form(client, course)
    data["age_min"], data["age_max"] = "12", "6"
    data["opens_at"], data["closes_at"] = "2027-06-10 09:00", "2027-06-01 09:00"
    response = client.post(f"/admin/pages/{course.pk}/edit/", data | {"action-publish": "publish"})
    assert response.status_code == 200
    assert "最大年龄不能小于最小年龄" in response.text
    assert "报名截止时间必须晚于报名开始时间" in response.text
    stored = CoursePage.objects.get(pk=course.pk)
    assert (stored.age_min, stored.age_max, stored.closes_at) == (6, 12, None)


def test_a_window_closing_before_the_terms_default_opening_is_refused(index):
    from django.core.exceptions import ValidationError

    course = make(index)
    course.closes_at = course.term.enrollment_opens_at - datetime.timedelta(hours=1)
    with pytest.raises(ValidationError) as error:
        course.full_clean()
    assert "closes_at" in error.value.message_dict


# --- local dates --------------------------------------------------------------------------------------


def test_self_cancel_deadline_is_the_local_date_of_the_first_lesson(index):
    course = make(index, first_lesson=datetime.date(2027, 7, 5))
    (made,) = fill(course, [1])
    # 2027-07-05 01:00 in Haining is still 07-04 in UTC: the course has started locally.
    one_am = datetime.datetime(2027, 7, 4, 17, 0, tzinfo=datetime.UTC)
    with pytest.raises(EnrollmentError) as error:
        cancel(made.pk, by="applicant", now=one_am)
    assert error.value.code == "started"
    cancel(made.pk, by="applicant", now=one_am - datetime.timedelta(hours=2))  # 07-04 23:00 locally
    assert status_of(made) == ("cancelled", None)


# --- reference collisions, busy, drift -----------------------------------------------------------------


def test_a_reference_collision_draws_another_code(index, monkeypatch):
    import training.models

    course = make(index, capacity=5)
    (first,) = fill(course, [1])
    codes = iter(list(first.reference) + list("ABCDEFGH"))
    choice = training.models.secrets.choice
    monkeypatch.setattr(
        training.models.secrets,
        "choice",
        lambda alphabet: next(codes) if alphabet == training.models.REFERENCE_ALPHABET else choice(alphabet),
    )
    second = enroll(course.pk, applicant(2)).enrollment
    assert second.reference == "ABCDEFGH" != first.reference
    assert seat_counts(course) == (2, 0)


@pytest.fixture
def held_lock(db):
    """Another connection holding the course's lock: SQLite's write lock, or PostgreSQL's row lock."""

    def hold(course):
        if connection.vendor == "sqlite":
            name = connection.settings_dict["NAME"]
            other = sqlite3.connect(name, uri=name.startswith("file:"), timeout=0, isolation_level=None)
            other.execute("BEGIN IMMEDIATE")  # the write lock every enrollment transaction begins with
        else:
            import psycopg

            settings = connection.settings_dict
            other = psycopg.connect(
                dbname=settings["NAME"], user=settings["USER"], host=settings["HOST"], port=settings["PORT"] or 5432
            )
            other.execute("SELECT 1 FROM training_courseseats WHERE course_id = %s FOR UPDATE", [course.pk])
        holders.append(other)

    holders = []
    yield hold
    for other in holders:
        other.rollback()
        other.close()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_busy_course_says_busy_on_the_web_and_503_with_retry_after_in_the_api(
    client, site_root, held_lock, monkeypatch
):
    monkeypatch.setattr(service, "LOCK_TIMEOUT", "200ms")
    if connection.vendor == "sqlite":
        connection.close()
        monkeypatch.setitem(connection.settings_dict["OPTIONS"], "timeout", 0.2)
    course = CoursePageFactory(parent=CourseIndexPageFactory(parent=site_root), term=TermFactory(**OPEN))
    assert client.get(course.url).status_code == 200  # the site's settings rows exist before the rush
    held_lock(course)

    with pytest.raises(EnrollmentError) as error:
        enroll(course.pk, applicant(1))
    assert error.value.code == "busy" and "系统繁忙" in error.value.message

    form = {
        "applicant_name": "张建国",
        "phone": "13900000001",
        "participant_name": "张小明",
        "id_number": applicant(1).id_number,
        "consent": "on",
        "website": "",
    }
    response = client.post(course.url, form)
    assert response.status_code == 400 and "系统繁忙" in response.text

    response = client.post(
        f"/api/v1/courses/{course.pk}/enrollments/", form | {"consent": True}, content_type="application/json"
    )
    assert response.status_code == 503
    assert response["Retry-After"] == "5" and response.json()["code"] == "busy"
    assert not Enrollment.objects.exists()


def test_rebuild_seats_reports_and_fixes_drift(index):
    course = make(index, title="少儿书法班", capacity=2, waitlist_size=2)
    fill(course, [1, 2, 3])
    untouched = make(index, capacity=2)
    fill(untouched, [11])
    CourseSeats.objects.filter(course_id=course.pk).update(confirmed=7, waitlisted=0)
    CourseSeats.objects.filter(course_id=untouched.pk).delete()  # a row lost altogether

    out = StringIO()
    with pytest.raises(CommandError, match="1 门名额统计与报名记录不一致"):
        call_command("rebuild_seats", "--check", stdout=out)
    assert "少儿书法班" in out.getvalue() and "已录取 记录 7 / 实际 2" in out.getvalue()
    assert seat_counts(course) == (7, 0)  # --check changes nothing

    out = StringIO()
    call_command("rebuild_seats", stdout=out)
    assert "已修正" in out.getvalue()
    assert seat_counts(course) == (2, 1) and seat_counts(untouched) == (1, 0)
    out = StringIO()
    call_command("rebuild_seats", "--check", stdout=out)
    assert "一致" in out.getvalue()


def test_the_term_limit_query_has_an_index():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Enrollment._meta.db_table)
    index = constraints["enrollment_active_person"]
    assert index["index"] and index["columns"][0] == "id_number"


def test_seat_rows_are_created_with_the_course_and_never_copied(index):
    course = make(index, capacity=3)
    fill(course, [1, 2])
    assert seat_counts(course) == (2, 0)
    revision = course.save_revision()
    assert not re.search(r"confirmed|waitlist_count|seats", str(revision.content.keys()))
    copy = course.copy(update_attrs={"slug": "copied", "title": "复制的课程"})
    assert seat_counts(copy) == (0, 0)
    assert EnrollmentStatus.CONFIRMED in Enrollment.objects.filter(course=course).values_list("status", flat=True)
    assert seat_counts(course) == (2, 0)


def test_now_is_injectable_for_seat_status(index):
    course = make(index, term=TermFactory(enrollment_opens_at=NOW, enrollment_closes_at=NOW + datetime.timedelta(1)))
    assert course.status(NOW - datetime.timedelta(seconds=1)) == "upcoming"
    assert course.status(NOW) == "open"
    assert course.status(NOW + datetime.timedelta(days=1)) == "closed"
