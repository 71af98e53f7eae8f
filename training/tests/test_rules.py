"""Every enrollment rule, with an injected clock."""

import datetime

import pytest

from training.models import EnrollmentStatus
from training.services.enrollment import EnrollmentError, cancel, course_status, enroll, promote
from training.tests.factories import NOW, CourseIndexPageFactory, CoursePageFactory, TermFactory, applicant, seat_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(site_root):
    index = CourseIndexPageFactory(parent=site_root)
    return CoursePageFactory(parent=index)


def test_confirmed_until_full_then_waitlisted_in_order_then_refused(course):
    results = [enroll(course.pk, applicant(n), now=NOW).enrollment for n in range(1, 5)]
    assert [e.status for e in results] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert [e.waitlist_position for e in results] == [None, None, 1, 2]
    with pytest.raises(EnrollmentError) as error:
        enroll(course.pk, applicant(5), now=NOW)
    assert error.value.code == "full"
    assert seat_counts(course) == (2, 2)
    assert course_status(course, NOW) == "full"


def test_window_is_enforced_with_the_injected_clock(course):
    with pytest.raises(EnrollmentError) as early:
        enroll(course.pk, applicant(1), now=course.term.enrollment_opens_at - datetime.timedelta(seconds=1))
    assert early.value.code == "not_open" and "报名尚未开始" in early.value.message
    with pytest.raises(EnrollmentError) as late:
        enroll(course.pk, applicant(1), now=course.term.enrollment_closes_at)
    assert late.value.code == "closed"
    assert enroll(course.pk, applicant(1), now=course.term.enrollment_opens_at).created


def test_course_window_overrides_term_default(course):
    course.opens_at = NOW + datetime.timedelta(days=3)
    course.save()
    assert course_status(course, NOW) == "upcoming"
    with pytest.raises(EnrollmentError):
        enroll(course.pk, applicant(1), now=NOW)


@pytest.mark.parametrize(
    "birth, code",
    [
        (datetime.date(2021, 7, 6), "too_young"),  # turns 6 the day after the cut-off
        (datetime.date(2021, 7, 5), None),  # exactly 6 on the cut-off date
        (datetime.date(2014, 7, 5), "too_old"),  # 13 on the cut-off date
        (datetime.date(2014, 7, 6), None),  # still 12
    ],
)
def test_age_is_computed_at_the_terms_cutoff(course, birth, code):
    if code:
        with pytest.raises(EnrollmentError) as error:
            enroll(course.pk, applicant(1, birth=birth), now=NOW)
        assert error.value.code == code
    else:
        assert enroll(course.pk, applicant(1, birth=birth), now=NOW).created


def test_repeat_submission_returns_the_existing_enrollment(course):
    first = enroll(course.pk, applicant(1), now=NOW)
    again = enroll(course.pk, applicant(1, phone="13900009999"), now=NOW)
    assert first.created and not again.created
    assert again.enrollment.pk == first.enrollment.pk
    assert seat_counts(course)[0] == 1


def test_term_limit_per_participant(site_root):
    index = CourseIndexPageFactory(parent=site_root)
    term = TermFactory(max_courses_per_participant=2)
    courses = [CoursePageFactory(parent=index, term=term, capacity=5) for _ in range(3)]
    enroll(courses[0].pk, applicant(1), now=NOW)
    enroll(courses[1].pk, applicant(1), now=NOW)
    with pytest.raises(EnrollmentError) as error:
        enroll(courses[2].pk, applicant(1), now=NOW)
    assert error.value.code == "term_limit"
    # A cancelled enrollment no longer counts.
    first = courses[0].enrollments.get()
    cancel(first.pk, by="applicant", now=NOW)
    assert enroll(courses[2].pk, applicant(1), now=NOW).created


def test_workers_courses_need_an_employer_and_adults(site_root):
    index = CourseIndexPageFactory(parent=site_root)
    course = CoursePageFactory(parent=index, audience="adults", age_min=18, age_max=60, requires_employer=True)
    adult = datetime.date(1990, 1, 1)
    with pytest.raises(EnrollmentError) as error:
        enroll(course.pk, applicant(1, birth=adult), now=NOW)
    assert error.value.code == "employer_required"
    assert enroll(course.pk, applicant(1, birth=adult, employer="海宁某经编公司"), now=NOW).created


def test_consent_is_required(course):
    with pytest.raises(EnrollmentError) as error:
        enroll(course.pk, applicant(1, consent=False), now=NOW)
    assert error.value.code == "consent"


def test_cancellation_promotes_the_first_waitlisted_and_renumbers(course, django_capture_on_commit_callbacks):
    from training.notifications import LogSmsBackend

    LogSmsBackend.sent.clear()
    made = [enroll(course.pk, applicant(n), now=NOW).enrollment for n in range(1, 5)]
    with django_capture_on_commit_callbacks(execute=True):
        promoted = cancel(made[0].pk, by="applicant", now=NOW)
    assert promoted.pk == made[2].pk and promoted.status == EnrollmentStatus.CONFIRMED
    made[3].refresh_from_db()
    assert made[3].waitlist_position == 1
    assert seat_counts(course) == (2, 1)
    # The promoted applicant is told by SMS (the task ran after the commit).
    assert any(phone == made[2].phone and "递补" in text for phone, text in LogSmsBackend.sent)


def test_cancelling_a_waitlisted_place_closes_the_gap(course):
    made = [enroll(course.pk, applicant(n), now=NOW).enrollment for n in range(1, 5)]
    cancel(made[2].pk, by="applicant", now=NOW)
    made[3].refresh_from_db()
    assert made[3].waitlist_position == 1


def test_applicants_cannot_cancel_after_the_course_starts(course):
    enrollment = enroll(course.pk, applicant(1), now=NOW).enrollment
    with pytest.raises(EnrollmentError) as error:
        cancel(enrollment.pk, by="applicant", now=NOW.replace(year=2027, month=7, day=6))
    assert error.value.code == "started"
    assert cancel(enrollment.pk, by="staff", now=NOW.replace(month=7, day=6)) is None


def test_staff_promotion_and_cancelled_cannot_be_cancelled_again(course):
    made = [enroll(course.pk, applicant(n), now=NOW).enrollment for n in range(1, 4)]
    promote(made[2].pk)
    assert seat_counts(course)[0] == 3  # staff may go above capacity, deliberately
    cancel(made[0].pk, by="staff", now=NOW)
    with pytest.raises(EnrollmentError):
        cancel(made[0].pk, by="staff", now=NOW)


def test_every_change_is_in_wagtails_log(course):
    from wagtail.models import ModelLogEntry

    enrollment = enroll(course.pk, applicant(1), now=NOW).enrollment
    cancel(enrollment.pk, by="applicant", now=NOW)
    actions = list(ModelLogEntry.objects.filter(object_id=str(enrollment.pk)).values_list("action", flat=True))
    assert sorted(actions) == ["training.cancel", "training.enroll"]


def test_broker_outage_never_loses_an_enrollment(course, monkeypatch, django_capture_on_commit_callbacks):
    from training import tasks

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.send_enrollment_notice, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = enroll(course.pk, applicant(1), now=NOW)
    outcome.enrollment.refresh_from_db()
    assert outcome.enrollment.status == "confirmed"


def test_demo_id_numbers_pass_the_checksum():
    from stdnum.cn import ric

    from training.demo import demo_id_number

    number = demo_id_number(datetime.date(2018, 3, 1), 3, female=False)
    assert ric.validate(number) == number and number.startswith("330481")
    assert ric.get_birth_date(number) == datetime.date(2018, 3, 1)


def test_notices_go_by_sms_and_email_after_commit(course, mailoutbox, django_capture_on_commit_callbacks):
    from training.notifications import LogSmsBackend

    LogSmsBackend.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        enrollment = enroll(course.pk, applicant(1, email="parent@example.cn"), now=NOW).enrollment
    assert (
        LogSmsBackend.sent == [(enrollment.phone, LogSmsBackend.sent[0][1])]
        and enrollment.reference in LogSmsBackend.sent[0][1]
    )
    assert (
        len(mailoutbox) == 1
        and mailoutbox[0].to == ["parent@example.cn"]
        and enrollment.reference in mailoutbox[0].body
    )
