"""A new enrollment on PostgreSQL: committed asynchronously (the seat row is not held through the WAL flush),
made durable by a synchronous commit before anyone is told the result (training.services.enrollment).

These run against a real PostgreSQL server, each `enroll` in its own transaction as the web form and the
API call it. The control case shows why the second, synchronous write is needed: right after an
asynchronous commit returns, PostgreSQL has usually not flushed it yet.
"""

import datetime
import json

import pytest
from django.db import OperationalError, connection, transaction
from wagtail.models import ModelLogEntry

from training.models import CourseSeats, Enrollment, EnrollmentStatus
from training.services import enrollment as service
from training.tests.factories import (
    NOW,
    OPEN,
    CoursePageFactory,
    TermFactory,
    applicant,
    course_index_on_new_site,
    id_number,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def index():
    return course_index_on_new_site("durable-home")


def _lsn(function: str) -> int:
    """pg_current_wal_insert_lsn() / pg_current_wal_flush_lsn() as a byte position."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}() - '0/0'::pg_lsn")
        return int(cursor.fetchone()[0])


def _statements_during(function):
    statements = []

    def record(execute, sql, params, many, context):
        statements.append((sql, connection.in_atomic_block))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        result = function()
    return result, statements


def test_the_enrollment_commits_asynchronously_and_is_flushed_before_enroll_returns(index, monkeypatch):
    course = CoursePageFactory(parent=index, capacity=1, waitlist_size=1)
    written_after_commit = []
    original = service._write_synchronously

    def observe(entry):
        # Runs right after the asynchronous commit: the WAL written so far includes the enrollment's commit.
        written_after_commit.append(_lsn("pg_current_wal_insert_lsn"))
        original(entry)

    monkeypatch.setattr(service, "_write_synchronously", observe)
    outcome, statements = _statements_during(lambda: service.enroll(course.pk, applicant(1), now=NOW))

    assert outcome.created and outcome.enrollment.status == EnrollmentStatus.CONFIRMED
    in_transaction = [sql for sql, atomic in statements if atomic]
    assert any("synchronous_commit = off" in sql for sql in in_transaction)
    log_inserts = [atomic for sql, atomic in statements if 'INSERT INTO "wagtailcore_modellogentry"' in sql]
    assert log_inserts == [False], "the log entry is the synchronous write after the commit"
    assert len(written_after_commit) == 1
    assert _lsn("pg_current_wal_flush_lsn") >= written_after_commit[0], "enroll returned before the flush"
    entry = ModelLogEntry.objects.get(object_id=str(outcome.enrollment.pk))
    assert entry.action == "training.enroll" and entry.data == {"status": "confirmed"}


def test_control_an_asynchronous_commit_alone_returns_before_its_flush(index):
    """Without the synchronous write, the commit returns while its WAL is still unflushed (seen at least once
    in 20 tries; PostgreSQL's WAL writer flushes it some milliseconds later)."""
    course = CoursePageFactory(parent=index)
    unflushed = 0
    for n in range(20):
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
            CourseSeats.objects.filter(course_id=course.pk).update(submitted=n)  # a WAL-logged write
        committed = _lsn("pg_current_wal_insert_lsn")
        unflushed += _lsn("pg_current_wal_flush_lsn") < committed
    assert unflushed, "every asynchronous commit was already flushed: this control proves nothing here"


def test_a_failed_synchronous_write_says_unconfirmed_and_a_repeat_finds_the_kept_enrollment(index):
    course = CoursePageFactory(parent=index, capacity=1, waitlist_size=1)

    def database_gone_after_commit(execute, sql, params, many, context):
        if 'INSERT INTO "wagtailcore_modellogentry"' in sql and not connection.in_atomic_block:
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(database_gone_after_commit), pytest.raises(service.EnrollmentError) as refused:
        service.enroll(course.pk, applicant(1), now=NOW)
    assert refused.value.code == "unconfirmed" and "再次提交" in refused.value.message
    kept = Enrollment.objects.get(course=course)  # committed; only its confirmation failed
    assert kept.status == EnrollmentStatus.CONFIRMED

    again = service.enroll(course.pk, applicant(1), now=NOW)
    assert not again.created and again.enrollment.pk == kept.pk
    assert Enrollment.objects.filter(course=course).count() == 1


def test_the_api_answers_503_unconfirmed_with_retry_after(index, client):
    course = CoursePageFactory(parent=index, term=TermFactory(**OPEN), capacity=2, waitlist_size=0)
    data = {
        "applicant_name": "张建国",
        "phone": "13900000001",
        "participant_name": "欧阳·娜娜",
        "id_number": id_number(datetime.date(2018, 3, 1), 1),
        "consent": True,
    }

    def database_gone(execute, sql, params, many, context):
        if 'INSERT INTO "wagtailcore_modellogentry"' in sql and not connection.in_atomic_block:
            raise OperationalError("could not receive data from server")
        return execute(sql, params, many, context)

    url = f"/api/v1/courses/{course.pk}/enrollments/"
    with connection.execute_wrapper(database_gone):
        response = client.post(url, json.dumps(data), content_type="application/json")
    assert response.status_code == 503 and response["Retry-After"]
    assert response.json()["code"] == "unconfirmed"
    repeat = client.post(url, json.dumps(data), content_type="application/json")
    assert repeat.status_code == 409 and repeat.json()["code"] == "already_enrolled"
    assert Enrollment.objects.filter(course=course).count() == 1


def test_inside_a_callers_transaction_the_log_entry_is_part_of_it(index):
    """A caller's transaction (a staff action that enrolls several) keeps its own commit mode: nothing is
    committed in `enroll`, the log entry is written with the enrollment and rolled back with it."""
    course = CoursePageFactory(parent=index, capacity=2, waitlist_size=0)

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        outcome, statements = _statements_during(lambda: service.enroll(course.pk, applicant(1), now=NOW))
        assert not any("synchronous_commit" in sql for sql, _ in statements)
        assert ModelLogEntry.objects.filter(object_id=str(outcome.enrollment.pk)).exists()
        raise Undo
    assert not Enrollment.objects.filter(course=course).exists()
    assert not ModelLogEntry.objects.filter(action="training.enroll").exists()


def test_a_waitlisted_applicant_is_made_durable_the_same_way(index):
    course = CoursePageFactory(parent=index, capacity=1, waitlist_size=2)
    service.enroll(course.pk, applicant(1), now=NOW)
    before = _lsn("pg_current_wal_insert_lsn")
    outcome = service.enroll(course.pk, applicant(2), now=NOW)
    assert outcome.enrollment.status == EnrollmentStatus.WAITLISTED and outcome.enrollment.waitlist_position == 1
    assert _lsn("pg_current_wal_flush_lsn") > before
    assert ModelLogEntry.objects.filter(action="training.enroll").count() == 2
