"""The per-term course limit under simultaneous submissions on PostgreSQL, with a control case.

Each course's row lock serialises one course; the limit is about one person across courses. Five
people (limit 2 courses a term) are each sent to six open courses at the same instant, 30 threads with
their own connections, as a family's phones or a script would. With the service's transaction-level
advisory lock on (term, 身份证号), taken before the course lock, everybody ends with exactly two
courses. The control runs the same code without that lock (`person_lock=False`): each thread counts
the person's courses before the others commit, and people end with more than two.
"""

import threading

import pytest
from django.db import connection
from django.db.models import Count

from training.models import ACTIVE_STATUSES, Enrollment
from training.services import enrollment as service
from training.tests.factories import NOW, CoursePageFactory, TermFactory, applicant, course_index_on_new_site

PEOPLE = 5
COURSES = 6
LIMIT = 2

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def courses():
    index = course_index_on_new_site("limit-home")
    term = TermFactory(max_courses_per_participant=LIMIT)
    return [CoursePageFactory(parent=index, term=term, capacity=50, waitlist_size=0) for _ in range(COURSES)]


def rush(courses, person_lock):
    jobs = [(person, course.pk) for person in range(1, PEOPLE + 1) for course in courses]
    barrier = threading.Barrier(len(jobs))
    errors = []

    def submit(person, course_id):
        try:
            barrier.wait(timeout=20)
            service.enroll(course_id, applicant(person), now=NOW, person_lock=person_lock)
        except service.EnrollmentError as error:
            errors.append(error.code)
        except Exception as exc:  # collected, asserted below
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    held = dict(
        Enrollment.objects.filter(status__in=ACTIVE_STATUSES)
        .values_list("id_number")
        .annotate(n=Count("pk"))
        .values_list("id_number", "n")
    )
    return held, errors


def test_advisory_lock_keeps_everyone_within_the_term_limit(courses, slow_rules):
    held, errors = rush(courses, person_lock=True)
    assert sorted(held.values()) == [LIMIT] * PEOPLE
    assert sorted(errors) == ["term_limit"] * (PEOPLE * (COURSES - LIMIT))


def test_control_without_the_person_lock_overruns_the_limit(courses, slow_rules):
    held, _ = rush(courses, person_lock=False)
    print(f"control without the person lock: courses per person {sorted(held.values())} (limit {LIMIT})")
    assert max(held.values()) > LIMIT, "without the lock the race should overrun; if not, the test proves nothing"
