"""Capacity under simultaneous submissions on PostgreSQL, with a control case that shows the race.

Twenty threads, each with its own database connection (as separate server processes would have),
submit at the same instant for a course with five seats. With the service's row lock exactly five are
confirmed. The control runs the very same code with the lock switched off (`lock=False`): the threads
all read "0 of 5 taken" before any of them writes, and the course is oversold.
"""

import threading

import pytest
from django.db import connection

from training.models import Enrollment, EnrollmentStatus
from training.services import enrollment as service
from training.tests.factories import NOW, CoursePageFactory, applicant, course_index_on_new_site, seat_counts

THREADS = 20
CAPACITY = 5

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def course():
    index = course_index_on_new_site("rush-home")
    return CoursePageFactory(parent=index, capacity=CAPACITY, waitlist_size=THREADS)


def rush(course_id, lock):
    barrier = threading.Barrier(THREADS)
    errors = []

    def submit(n):
        try:
            barrier.wait(timeout=10)
            service.enroll(course_id, applicant(n + 1), now=NOW, lock=lock)
        except Exception as exc:  # collected, asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def test_row_lock_confirms_exactly_capacity(course, slow_rules):
    errors = rush(course.pk, lock=True)
    assert errors == []
    confirmed = Enrollment.objects.filter(course=course, status=EnrollmentStatus.CONFIRMED).count()
    waitlisted = Enrollment.objects.filter(course=course, status=EnrollmentStatus.WAITLISTED)
    assert confirmed == CAPACITY
    assert waitlisted.count() == THREADS - CAPACITY  # nobody lost
    assert sorted(waitlisted.values_list("waitlist_position", flat=True)) == list(range(1, THREADS - CAPACITY + 1))
    assert seat_counts(course) == (CAPACITY, THREADS - CAPACITY)


def test_control_without_the_lock_oversells(course, slow_rules):
    rush(course.pk, lock=False)
    confirmed = Enrollment.objects.filter(course=course, status=EnrollmentStatus.CONFIRMED).count()
    print(f"control without lock: {confirmed} confirmed for {CAPACITY} seats")
    assert confirmed > CAPACITY, "without the lock the race should oversell; if not, the test proves nothing"
