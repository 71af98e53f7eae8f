"""The opening rush's fast path: the seats service's "full"/"closed" flag, the middleware that refuses from it,
and the invalidation that keeps it from ever refusing someone while a place is free.

Each invalidation test has a control with the invalidation switched off (`forget_refusal` a no-op): the same
steps then refuse an applicant although the seats service says a place is free, so the tests would fail if
an invalidation went missing. The PostgreSQL test shows the ordering argument (the flag is written while the
refusal still holds the course's seat lock) with a control that writes the same flag from an unlocked read.
"""

import datetime
import json
import threading
import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from training.models import Enrollment, EnrollmentStatus
from training.services import enrollment as service
from training.services import seats
from training.tests.factories import OPEN, CourseIndexPageFactory, CoursePageFactory, TermFactory, applicant, id_number

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_path(settings):
    settings.TRAINING_FAST_REFUSAL = True  # the test process is the only one using its cache


@pytest.fixture
def course(site_root):
    index = CourseIndexPageFactory(parent=site_root)
    course = CoursePageFactory(parent=index, term=TermFactory(**OPEN), capacity=1, waitlist_size=1)
    cache.delete(seats.refusal_key(course.pk))
    return course


@pytest.fixture
def no_invalidation(monkeypatch):
    """Control: the flag is never dropped."""
    monkeypatch.setattr(seats, "forget_refusal", lambda course_ids: None)


def body(seq):
    return {
        "applicant_name": "张建国",
        "phone": f"1390000{seq:04d}",
        "participant_name": "张小明",
        "id_number": id_number(datetime.date(2018, 3, 1), seq),
        "consent": True,
    }


def post(client, course, seq):
    return client.post(
        f"/api/v1/courses/{course.pk}/enrollments/", json.dumps(body(seq)), content_type="application/json"
    )


def fill(client, course, first=1):
    """Confirm one, waitlist one, refuse the third (which sets the flag); returns the two enrollments."""
    assert post(client, course, first).status_code == 201
    assert post(client, course, first + 1).status_code == 201
    refused = post(client, course, first + 2)
    assert refused.status_code == 409 and refused.json()["code"] == "full"
    assert seats.cached_refusal(course.pk) == "full"
    return list(Enrollment.objects.filter(course=course).order_by("pk"))


def status_now(course):
    return seats.load_seat_state(course.pk)["seat_status"]


def test_a_full_course_is_refused_from_the_flag_without_a_query(client, course, django_assert_num_queries, settings):
    fill(client, course)
    with django_assert_num_queries(0):
        response = post(client, course, 10)
    assert response.status_code == 409
    assert response.json() == {"code": "full", "message": "名额和候补名额均已满，无法报名。"}
    assert Enrollment.objects.filter(course=course).count() == 2

    # Control: without the fast path the same refusal reads the database.
    settings.TRAINING_FAST_REFUSAL = False
    with CaptureQueriesContext(connection) as queries:
        assert post(client, course, 11).json()["code"] == "full"
    assert len(queries) > 0


def test_the_flag_is_the_seats_service_status_read_under_the_lock(client, course):
    """Nothing is flagged while places are left; the flag holds the seats service's own status."""
    assert post(client, course, 1).status_code == 201
    assert seats.cached_refusal(course.pk) is None  # waitlist room: no flag
    with service.locked_course(course.pk):
        assert seats.remember_refusal(course.pk) is None
    assert post(client, course, 2).status_code == 201
    with service.locked_course(course.pk):
        assert seats.remember_refusal(course.pk) == status_now(course) == "full"


@pytest.mark.parametrize("control", [False, True], ids=["invalidated", "control-no-invalidation"])
def test_a_cancellation_drops_the_flag(client, course, control, request, django_capture_on_commit_callbacks):
    if control:
        request.getfixturevalue("no_invalidation")
    confirmed, waitlisted = fill(client, course)
    with django_capture_on_commit_callbacks(execute=True):
        service.cancel(confirmed.pk, by="applicant")
    waitlisted.refresh_from_db()
    assert waitlisted.status == EnrollmentStatus.CONFIRMED  # promoted: the waitlist has room again
    assert status_now(course) == "waitlist"
    response = post(client, course, 20)
    if control:
        assert response.status_code == 409, "without invalidation the stale flag should refuse a free place"
    else:
        assert response.status_code == 201 and response.json()["status"] == "waitlisted"


@pytest.mark.parametrize("control", [False, True], ids=["invalidated", "control-no-invalidation"])
def test_a_capacity_increase_drops_the_flag(client, course, control, request, django_capture_on_commit_callbacks):
    if control:
        request.getfixturevalue("no_invalidation")
    fill(client, course)
    course.refresh_from_db()
    course.capacity = 3
    with django_capture_on_commit_callbacks(execute=True):
        course.save_revision().publish()  # the waitlisted one is promoted; one seat is left
    assert status_now(course) == "open"
    response = post(client, course, 30)
    if control:
        assert response.status_code == 409
    else:
        assert response.status_code == 201 and response.json()["status"] == "confirmed"


def test_a_larger_waitlist_drops_the_flag(client, course, django_capture_on_commit_callbacks):
    fill(client, course)
    course.refresh_from_db()
    course.waitlist_size = 2
    with django_capture_on_commit_callbacks(execute=True):
        course.save_revision().publish()
    assert post(client, course, 40).json()["status"] == "waitlisted"


@pytest.mark.parametrize("control", [False, True], ids=["invalidated", "control-no-invalidation"])
def test_closed_is_flagged_and_a_longer_term_window_drops_it(
    client, course, control, request, django_assert_num_queries, django_capture_on_commit_callbacks
):
    if control:
        request.getfixturevalue("no_invalidation")
    term = course.term
    term.enrollment_closes_at = timezone.now() - datetime.timedelta(minutes=1)
    term.save()
    refused = post(client, course, 1)
    assert refused.status_code == 409 and refused.json()["code"] == "closed"
    assert seats.cached_refusal(course.pk) == "closed"
    with django_assert_num_queries(0):
        assert post(client, course, 2).json() == {"code": "closed", "message": "报名已截止。"}

    term.enrollment_closes_at = timezone.now() + datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        term.save()
    response = post(client, course, 3)
    assert response.status_code == (409 if control else 201)


def test_the_flag_expires_before_a_waitlist_offer_falls_due(course, monkeypatch):
    """An expiring offer frees a place with nobody taking the lock then: the flag must be gone by then."""
    now = timezone.now()
    course.offer_hours = 24
    course.save()
    holder = service.enroll(course.pk, applicant(1), now=now).enrollment
    service.enroll(course.pk, applicant(2), now=now)
    Enrollment.objects.filter(pk=holder.pk).update(
        status=EnrollmentStatus.OFFERED, offer_expires_at=now + datetime.timedelta(seconds=3)
    )
    service.rebuild_seats(course.pk)
    stored = {}
    monkeypatch.setattr(seats.cache, "set", lambda key, value, timeout: stored.update({key: (value, timeout)}))
    with service.locked_course(course.pk):
        assert seats.remember_refusal(course.pk, now) == "full"
    assert stored[seats.refusal_key(course.pk)] == ("full", 3)  # gone when the offer falls due, not after 5 s
    Enrollment.objects.filter(pk=holder.pk).update(offer_expires_at=now + datetime.timedelta(milliseconds=500))
    stored.clear()
    with service.locked_course(course.pk):
        assert seats.remember_refusal(course.pk, now) is None  # due too soon to flag at all
    assert stored == {}


def test_the_web_form_is_refused_from_the_flag_before_the_lock(client, course, monkeypatch):
    fill(client, course)

    def no_lock(*args, **kwargs):
        raise AssertionError("the enrollment service (and its lock) should not be reached")

    monkeypatch.setattr("training.views.enroll", no_lock)
    form = {
        "applicant_name": "张建国",
        "phone": "13900000050",
        "participant_name": "张小明",
        "id_number": id_number(datetime.date(2018, 3, 1), 50),
        "consent": "on",
        "website": "",
    }
    response = client.post(course.url, form)
    assert response.status_code == 400
    assert "名额和候补均已满" in response.text  # the course page says why; no form is offered


def test_without_a_shared_cache_there_is_no_flag(client, course, settings):
    settings.TRAINING_FAST_REFUSAL = False
    assert post(client, course, 1).status_code == 201
    assert post(client, course, 2).status_code == 201
    assert post(client, course, 3).status_code == 409
    assert cache.get(seats.refusal_key(course.pk)) is None


# --- PostgreSQL: the ordering that keeps a flag from outliving a cancellation ------------------------------


@pytest.fixture
def slow_flag_write(monkeypatch):
    """Widen the gap between reading the status and writing the flag, as a busy server would."""
    original = seats.load_seat_state

    def slow(*args, **kwargs):
        state = original(*args, **kwargs)
        time.sleep(0.5)
        return state

    monkeypatch.setattr(seats, "load_seat_state", slow)


def race_cancellation(course, holder, write_flag):
    """`write_flag` runs in one thread; 0.15 s later another cancels `holder` (a place becomes free)."""
    errors = []

    def run(function):
        try:
            function()
        except Exception as exc:  # collected, asserted below
            errors.append(exc)
        finally:
            connection.close()

    writer = threading.Thread(target=run, args=(write_flag,))
    writer.start()
    time.sleep(0.15)
    canceller = threading.Thread(target=run, args=(lambda: service.cancel(holder.pk, by="applicant"),))
    canceller.start()
    writer.join(timeout=30)
    canceller.join(timeout=30)
    return errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_flag_written_under_the_lock_never_outlives_a_concurrent_cancellation(course, slow_flag_write):
    now = timezone.now()
    holder = service.enroll(course.pk, applicant(1), now=now).enrollment
    service.enroll(course.pk, applicant(2), now=now)

    def refused_applicant():
        with pytest.raises(service.EnrollmentError, match="名额"):
            service.enroll(course.pk, applicant(3), now=now)

    assert race_cancellation(course, holder, refused_applicant) == []
    holder.refresh_from_db()
    assert holder.status == EnrollmentStatus.CANCELLED
    assert status_now(course) == "waitlist"
    assert seats.cached_refusal(course.pk) is None
    assert service.fast_refusal(course.pk) is None
    assert service.enroll(course.pk, applicant(4), now=now).enrollment.status == EnrollmentStatus.WAITLISTED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_control_a_flag_written_from_an_unlocked_read_outlives_the_cancellation(course, slow_flag_write):
    now = timezone.now()
    holder = service.enroll(course.pk, applicant(1), now=now).enrollment
    service.enroll(course.pk, applicant(2), now=now)

    def unlocked_writer():
        seats.remember_refusal(course.pk, now)  # the same write, without holding the course's lock

    assert race_cancellation(course, holder, unlocked_writer) == []
    assert status_now(course) == "waitlist"  # a place is free …
    assert seats.cached_refusal(course.pk) == "full", "the control should leave a stale flag; else it proves nothing"
