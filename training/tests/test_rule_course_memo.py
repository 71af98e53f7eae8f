"""The enrollment API's per-process memo of a course's rule fields (`recent_rule_course`) never decides a rule:
`enroll` reads them again with the seat row under the course's lock, so an editor's committed change applies
to the next submission even when the memo still holds the old row."""

import datetime
import json
import threading

import pytest
from django.db import connection, transaction

from training.models import CoursePage, Enrollment, Term
from training.services import enrollment as service
from training.tests.factories import (
    OPEN,
    CourseIndexPageFactory,
    CoursePageFactory,
    TermFactory,
    course_index_on_new_site,
    id_number,
)

URL = "/api/v1/courses/{}/enrollments/"


def _body(seq=1, birth=datetime.date(2018, 3, 1)):
    return {
        "applicant_name": "张建国",
        "phone": f"1390000{seq:04d}",
        "participant_name": "欧阳·娜娜",
        "id_number": id_number(birth, seq),
        "consent": True,
    }


def _post(client, course, data):
    return client.post(URL.format(course.pk), json.dumps(data), content_type="application/json")


@pytest.fixture
def course(site_root):
    index = CourseIndexPageFactory(parent=site_root)
    return CoursePageFactory(parent=index, term=TermFactory(**OPEN), capacity=5, waitlist_size=0, age_min=5)


@pytest.mark.django_db
def test_the_memo_answers_without_a_query_until_the_content_version_changes(course, django_assert_num_queries):
    service.recent_rule_course(course.pk)
    with django_assert_num_queries(0):
        assert service.recent_rule_course(course.pk).title == course.title
    course.title = "少儿古筝提高班"
    course.save_revision().publish()  # bumps the content version
    with django_assert_num_queries(1):
        assert service.recent_rule_course(course.pk).title == "少儿古筝提高班"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"live": False}, "not_found"),  # unpublished
        ({"closes_at": OPEN["enrollment_opens_at"] + datetime.timedelta(minutes=1)}, "closed"),  # window closed
        ({"age_min": 12}, "too_young"),
    ],
)
def test_a_change_the_memo_has_not_seen_still_decides(client, course, change, code):
    """The row changes without any signal (so the memo keeps the old copy): the rules under the lock see it."""
    assert _post(client, course, _body(1)).status_code == 201  # the memo now holds the course
    CoursePage.objects.filter(pk=course.pk).update(**change)
    response = _post(client, course, _body(2))
    assert response.status_code == 409 and response.json()["code"] == code
    assert Enrollment.objects.filter(course=course).count() == 1


@pytest.mark.django_db
def test_a_term_change_the_memo_has_not_seen_still_decides(client, course):
    assert _post(client, course, _body(1)).status_code == 201
    Term.objects.filter(pk=course.term_id).update(age_cutoff_date=datetime.date(2019, 1, 1))  # 学员 0 岁
    response = _post(client, course, _body(2))
    assert response.status_code == 409 and response.json()["code"] == "too_young"


@pytest.mark.django_db
def test_the_copy_may_be_changed_without_changing_the_memo(course):
    mine = service.recent_rule_course(course.pk)
    mine.term.max_courses_per_participant = 99
    mine.capacity = 1000
    theirs = service.recent_rule_course(course.pk)
    assert theirs.term is not mine.term
    assert theirs.term.max_courses_per_participant == course.term.max_courses_per_participant
    assert theirs.capacity == 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_api_does_not_enroll_into_a_course_unpublished_and_committed(client):
    """A request during the editor's transaction memoises the old row under the version already bumped by the
    unpublish signal; after the editor's COMMIT and before its on_commit bump, the next POST gets that copy."""
    index = course_index_on_new_site("memo-home")
    course = CoursePageFactory(parent=index, term=TermFactory(**OPEN), capacity=5, waitlist_size=0)
    in_transaction, may_commit, committed, may_bump = (threading.Event() for _ in range(4))
    failure = []

    def hold_after_commit():  # stands for the on_commit work that runs before the version bump
        committed.set()
        may_bump.wait(20)

    def editor():
        try:
            with transaction.atomic():
                transaction.on_commit(hold_after_commit)
                CoursePage.objects.get(pk=course.pk).specific.unpublish()
                in_transaction.set()
                may_commit.wait(20)
        except Exception as exc:  # reported below
            failure.append(exc)
            in_transaction.set()
            committed.set()
        finally:
            connection.close()

    thread = threading.Thread(target=editor)
    thread.start()
    try:
        assert in_transaction.wait(20)
        service.recent_rule_course(course.pk)  # another applicant's request during the editor's transaction
        may_commit.set()
        assert committed.wait(20) and not failure, failure
        assert CoursePage.objects.filter(pk=course.pk, live=False).exists(), "the unpublish is committed"
        response = _post(client, course, _body(1))
    finally:
        may_bump.set()
        thread.join(20)
    assert response.status_code == 409 and response.json()["code"] == "not_found", response.json()
    assert not Enrollment.objects.filter(course=course).exists()


@pytest.mark.django_db
def test_the_locked_seat_query_reads_one_row_by_key_from_a_query_built_once(client, course):
    """The seat row is read by its key under the lock, with no ORDER BY/LIMIT (`.first()` resolved its ordering
    through the page relation on every call), from a query compiled once per process."""
    compiled = service._LOCKED_COUNTS[True]
    compiled.forget()
    compilations = compiled.compilations
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert _post(client, course, _body(1)).status_code == 201
    seat_reads = [q["sql"] for q in queries.captured_queries if 'AS "capacity_now"' in q["sql"]]
    assert len(seat_reads) == 1
    assert "ORDER BY" not in seat_reads[0]
    assert seat_reads[0].count("JOIN") == 3  # course, its page row (live), its term: the rules' fields

    # The query is built once per process; the next applicant's read is the same statement for the same course.
    with CaptureQueriesContext(connection) as again:
        assert _post(client, course, _body(2)).status_code == 201
    assert [q["sql"] for q in again.captured_queries if 'AS "capacity_now"' in q["sql"]] == seat_reads
    assert compiled.compilations == compilations + 1  # compiled once, reused by the second applicant


@pytest.mark.django_db
def test_a_course_without_its_seat_row_gets_one_counted_from_its_enrollments(client, course):
    """A course saved without the signal (raw fixtures) has no seat row: the locked read creates it from the
    enrollments, then places the applicant against those counts."""
    from training.models import CourseSeats

    assert _post(client, course, _body(1)).status_code == 201
    CourseSeats.objects.filter(course=course).delete()
    assert _post(client, course, _body(2)).status_code == 201
    seats = CourseSeats.objects.get(course=course)
    assert (seats.confirmed, seats.waitlisted) == (2, 0)
    assert Enrollment.objects.filter(course=course, status="confirmed").count() == 2
