"""Marking 已缴费 and the deadline job at the same moment, on PostgreSQL: one wins, never both.

The staff member's transaction holds the enrollment row (mark_paid locks it) while the job tries to
release the seat. The job waits for the lock, then sees the payment and releases nothing. The control
runs the job first while the staff member waits: the seat is released, and marking it paid is refused.
"""

import datetime
import threading
import time

import pytest
from django.db import connection, transaction

from training.models import Enrollment
from training.services.enrollment import EnrollmentError, enroll
from training.services.payments import mark_paid, release_unpaid
from training.tests.factories import NOW, CoursePageFactory, applicant, course_index_on_new_site

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
DEADLINE = NOW + datetime.timedelta(days=30)
LATE = DEADLINE + datetime.timedelta(hours=1)


@pytest.fixture
def unpaid():
    index = course_index_on_new_site("pay-home")
    course = CoursePageFactory(parent=index, capacity=1, waitlist_size=2, fee=480, payment_deadline=DEADLINE)
    first = enroll(course.pk, applicant(1), now=NOW).enrollment
    waiting = enroll(course.pk, applicant(2), now=NOW).enrollment
    return first, waiting


def in_thread(target):
    result = {}

    def run():
        try:
            result["value"] = target()
        except Exception as exc:  # inspected by the test
            result["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


def test_payment_marked_while_the_job_runs_keeps_the_seat(unpaid):
    first, waiting = unpaid
    marked = threading.Event()

    def staff():
        with transaction.atomic():
            mark_paid(first.pk, now=LATE)
            marked.set()
            time.sleep(0.5)  # the job arrives while this transaction is still open
        return True

    staff_thread, _ = in_thread(staff)
    assert marked.wait(10)
    job_thread, job = in_thread(lambda: release_unpaid(now=LATE))
    staff_thread.join(10)
    job_thread.join(10)
    assert job == {"value": 0}
    assert Enrollment.objects.get(pk=first.pk).status == "confirmed"
    assert Enrollment.objects.get(pk=waiting.pk).status == "waitlisted"


def test_control_job_first_releases_and_payment_is_refused(unpaid):
    first, waiting = unpaid
    assert release_unpaid(now=LATE) == 1
    with pytest.raises(EnrollmentError, match="只有已录取"):
        mark_paid(first.pk, now=LATE)
    assert Enrollment.objects.get(pk=waiting.pk).status == "confirmed"
