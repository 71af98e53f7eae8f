"""Fees: staff mark 已缴费; unpaid seats past the deadline go to the first on the waitlist, with notices."""

import datetime

import pytest

from training.models import Enrollment
from training.notifications import LogSmsBackend
from training.services.enrollment import EnrollmentError, enroll
from training.services.payments import PAYMENT_GRACE, mark_paid, release_unpaid
from training.tests.factories import NOW, CourseIndexPageFactory, CoursePageFactory, applicant, seat_counts

pytestmark = pytest.mark.django_db
DEADLINE = NOW + datetime.timedelta(days=30)


@pytest.fixture
def course(site_root):
    index = CourseIndexPageFactory(parent=site_root)
    return CoursePageFactory(parent=index, capacity=2, waitlist_size=3, fee=480, payment_deadline=DEADLINE)


def status(enrollment):
    enrollment.refresh_from_db()
    return enrollment.status


def test_unpaid_seat_past_the_deadline_is_offered_to_the_first_waiting(course, django_capture_on_commit_callbacks):
    paid, unpaid, first_waiting, second_waiting = (
        enroll(course.pk, applicant(n), now=NOW).enrollment for n in range(1, 5)
    )
    assert [status(e) for e in (paid, unpaid, first_waiting)] == ["confirmed", "confirmed", "waitlisted"]
    unpaid.refresh_from_db()
    assert unpaid.payment_due_at == DEADLINE  # stamped when confirmed
    mark_paid(paid.pk)

    LogSmsBackend.sent.clear()
    assert release_unpaid(now=DEADLINE - datetime.timedelta(minutes=1)) == 0  # not yet
    with django_capture_on_commit_callbacks(execute=True):
        assert release_unpaid(now=DEADLINE + datetime.timedelta(minutes=1)) == 1

    unpaid.refresh_from_db()
    assert (unpaid.status, unpaid.cancelled_by) == ("cancelled", "unpaid")
    assert status(paid) == "confirmed"
    assert status(first_waiting) == "confirmed"
    first_waiting.refresh_from_db()
    # Promoted after the deadline: the grace period runs from the promotion.
    assert first_waiting.payment_due_at == DEADLINE + datetime.timedelta(minutes=1) + PAYMENT_GRACE
    second_waiting.refresh_from_db()
    assert (second_waiting.status, second_waiting.waitlist_position) == ("waitlisted", 1)
    assert seat_counts(course) == (2, 1)
    texts = {phone: text for phone, text in LogSmsBackend.sent}
    assert "未在缴费截止前缴费" in texts[unpaid.phone]
    assert "递补为正式录取" in texts[first_waiting.phone]
    # Running again changes nothing.
    assert release_unpaid(now=DEADLINE + datetime.timedelta(minutes=2)) == 0


def test_with_offers_the_freed_seat_is_offered_first(course):
    course.offer_hours = 24
    course.save_revision().publish()
    unpaid, _, waiting = (enroll(course.pk, applicant(n), now=NOW).enrollment for n in range(1, 4))
    release_unpaid(now=DEADLINE + datetime.timedelta(hours=1))
    assert status(unpaid) == "cancelled"
    assert status(waiting) == "offered"


def test_free_course_and_no_deadline_never_release(site_root):
    index = CourseIndexPageFactory(parent=site_root)
    free = CoursePageFactory(parent=index, fee=0, payment_deadline=DEADLINE)
    no_deadline = CoursePageFactory(parent=index, fee=600, payment_deadline=None)
    for n, course in enumerate((free, no_deadline), start=1):
        enrollment = enroll(course.pk, applicant(n), now=NOW).enrollment
        enrollment.refresh_from_db()
        assert enrollment.payment_due_at is None
    assert release_unpaid(now=DEADLINE + datetime.timedelta(days=365)) == 0
    assert Enrollment.objects.filter(status="confirmed").count() == 2


def test_mark_paid_only_for_confirmed(course):
    _, _, waiting = (enroll(course.pk, applicant(n), now=NOW).enrollment for n in range(1, 4))
    with pytest.raises(EnrollmentError, match="只有已录取"):
        mark_paid(waiting.pk)


def test_confirmed_after_the_deadline_gets_the_grace_period(course):
    from django.utils import timezone

    course.payment_deadline = timezone.now() - datetime.timedelta(days=1)  # deadline already past
    course.save_revision().publish()
    before = timezone.now()
    late = enroll(course.pk, applicant(1), now=NOW).enrollment
    late.refresh_from_db()
    assert before + PAYMENT_GRACE <= late.payment_due_at <= timezone.now() + PAYMENT_GRACE
