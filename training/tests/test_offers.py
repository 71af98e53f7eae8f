"""Time-limited offers: a freed seat is held for the first on the waitlist, who must accept in time."""

import datetime

import pytest

from training.models import Enrollment
from training.notifications import LogSmsBackend
from training.services.enrollment import EnrollmentError, accept_offer, cancel, confirm, enroll, expire_offers
from training.tests.factories import NOW, CourseIndexPageFactory, CoursePageFactory, applicant, seat_counts

pytestmark = pytest.mark.django_db
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def course(site_root):
    index = CourseIndexPageFactory(parent=site_root)
    return CoursePageFactory(parent=index, capacity=1, waitlist_size=3, offer_hours=24)


def fill(course, count):
    return [enroll(course.pk, applicant(n), now=NOW).enrollment for n in range(1, count + 1)]


def state(enrollment):
    enrollment.refresh_from_db()
    return enrollment.status, enrollment.waitlist_position


def test_cancellation_offers_the_seat_which_then_counts_against_capacity(course, django_capture_on_commit_callbacks):
    first, second, third = fill(course, 3)
    LogSmsBackend.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        cancel(first.pk, by="applicant", now=NOW)
    assert state(second) == ("offered", None)
    second.refresh_from_db()
    assert second.offer_expires_at == NOW + 24 * HOUR
    assert state(third) == ("waitlisted", 1)
    # The held seat is not given to a newcomer, nor can staff confirm someone else into it.
    newcomer = enroll(course.pk, applicant(9), now=NOW).enrollment
    assert newcomer.status == "waitlisted"
    with pytest.raises(EnrollmentError) as info:
        confirm(third.pk)
    assert info.value.code == "full"
    sent = [text for _, text in LogSmsBackend.sent if second.reference in text]
    assert any("保留至" in text for text in sent)


def test_accept_within_the_deadline_confirms(course):
    first, second = fill(course, 2)
    cancel(first.pk, by="staff", now=NOW)
    accept_offer(second.pk, second.phone, now=NOW + 23 * HOUR)
    assert state(second) == ("confirmed", None)
    assert seat_counts(course)[0] == 1


def test_late_acceptance_is_refused_and_expiry_passes_the_seat_on(course):
    first, second, third = fill(course, 3)
    cancel(first.pk, by="applicant", now=NOW)
    with pytest.raises(EnrollmentError) as info:
        accept_offer(second.pk, second.phone, now=NOW + 25 * HOUR)
    assert info.value.code == "offer_expired" and "时限已过" in info.value.message
    assert expire_offers(now=NOW + 25 * HOUR) == 1
    second.refresh_from_db()
    assert (second.status, second.cancelled_by) == ("cancelled", "system")
    assert state(third) == ("offered", None)
    third.refresh_from_db()
    assert third.offer_expires_at == NOW + 49 * HOUR
    assert expire_offers(now=NOW + 25 * HOUR) == 0  # idempotent


def test_wrong_phone_cannot_accept(course):
    first, second = fill(course, 2)
    cancel(first.pk, by="applicant", now=NOW)
    with pytest.raises(EnrollmentError):
        accept_offer(second.pk, "13999999999", now=NOW)
    assert state(second) == ("offered", None)


def test_declining_an_offer_passes_it_on(course):
    first, second, third = fill(course, 3)
    cancel(first.pk, by="applicant", now=NOW)
    cancel(second.pk, by="applicant", now=NOW)
    assert state(third) == ("offered", None)


def test_without_offer_hours_promotion_stays_automatic(course):
    course.offer_hours = 0
    course.save()
    first, second = fill(course, 2)
    promoted = cancel(first.pk, by="applicant", now=NOW)
    assert promoted.pk == second.pk and state(second) == ("confirmed", None)


def test_accept_from_my_enrollments_page(client, course):
    first, second = fill(course, 2)
    cancel(first.pk, by="applicant", now=NOW)
    lookup = client.post("/enroll/lookup/", {"phone": second.phone, "reference": second.reference})
    assert "确认递补，正式报名" in lookup.content.decode()
    Enrollment.objects.filter(pk=second.pk).update(offer_expires_at=NOW.replace(year=2100))
    response = client.post("/enroll/accept/", {"phone": second.phone, "reference": second.reference}, follow=True)
    assert "已正式录取" in response.content.decode()
    assert state(second) == ("confirmed", None)
