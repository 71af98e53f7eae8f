"""The outbox: rows written with the change, delivered once per channel, retried per channel, resendable."""

import datetime
import threading

import pytest
from django.db import transaction
from django.utils import timezone

from notices import broker, services
from notices.models import Notice
from notices.sms import LogSmsBackend, SmsError
from training.services.enrollment import enroll
from training.tests.factories import NOW, CourseIndexPageFactory, CoursePageFactory, applicant


@pytest.fixture(autouse=True)
def _clean():
    LogSmsBackend.outbox.clear()
    broker.reset()
    yield
    broker.reset()


@pytest.fixture
def course(site_root):
    index = CourseIndexPageFactory(parent=site_root)
    return CoursePageFactory(parent=index, capacity=2, waitlist_size=2)


def later(minutes):
    return timezone.now() + datetime.timedelta(minutes=minutes)


@pytest.mark.django_db
def test_notices_are_written_in_the_transaction_and_vanish_with_a_rollback(course):
    with pytest.raises(RuntimeError), transaction.atomic():
        enroll(course.pk, applicant(1, email="a@example.cn"), now=NOW)
        assert Notice.objects.count() == 2  # one per channel, inside the transaction
        raise RuntimeError("rollback")
    assert Notice.objects.count() == 0


@pytest.mark.django_db
def test_each_channel_is_one_row_delivered_after_commit(course, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        enrollment = enroll(course.pk, applicant(1, email="a@example.cn"), now=NOW).enrollment
    rows = services.notices_for(enrollment)
    assert sorted((n.channel, n.status, n.attempts) for n in rows) == [("email", "sent", 1), ("sms", "sent", 1)]
    assert all(n.kind == "created:confirmed" and n.reference == enrollment.reference for n in rows)
    sms = next(n for n in rows if n.channel == "sms")
    assert sms.params == {
        "participant": enrollment.masked_participant,
        "course": course.title,
        "reference": enrollment.reference,
    }
    assert len(LogSmsBackend.outbox) == 1 and len(mailoutbox) == 1


@pytest.mark.django_db
def test_mail_outage_retries_the_mail_alone_and_never_repeats_the_sms(
    course, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    """Formerly one task sent both and retried both: 9 identical SMS per enrollment while mail was down."""
    from django.core.mail.backends.locmem import EmailBackend

    real_send = EmailBackend.send_messages

    def down(self, messages):
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr(EmailBackend, "send_messages", down)
    with django_capture_on_commit_callbacks(execute=True):
        enrollment = enroll(course.pk, applicant(1, email="a@example.cn"), now=NOW).enrollment
    email = Notice.objects.get(channel="email")
    assert (email.status, email.attempts) == ("pending", 1) and "SMTP down" in email.last_error
    assert email.next_attempt_at > timezone.now()  # backoff
    for minutes in (0, 3, 10):  # sweeps while the mail server is still down
        services.sweep(now=later(minutes), inline=True)
    email.refresh_from_db()
    assert email.attempts == 3 and email.status == "pending"
    assert services.sweep(now=later(11), inline=True) == 0  # not due again yet (backoff 4 min after the 3rd)

    monkeypatch.setattr(EmailBackend, "send_messages", real_send)
    services.sweep(now=later(30), inline=True)
    services.sweep(now=later(300), inline=True)
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == ("sent", 4, "")
    assert len(mailoutbox) == 1 and enrollment.reference in mailoutbox[0].body
    assert len(LogSmsBackend.outbox) == 1  # the SMS went once, at the start


@pytest.mark.django_db
def test_a_permanent_provider_error_fails_at_once_and_staff_can_resend(
    course, monkeypatch, admin_user, django_capture_on_commit_callbacks
):
    def rejected(self, message):
        raise SmsError("isv.MOBILE_NUMBER_ILLEGAL 号码格式错误", permanent=True)

    monkeypatch.setattr(LogSmsBackend, "send", rejected)
    with django_capture_on_commit_callbacks(execute=True):
        enrollment = enroll(course.pk, applicant(1), now=NOW).enrollment
    notice = Notice.objects.get()
    assert (notice.status, notice.attempts) == ("failed", 1) and "MOBILE_NUMBER_ILLEGAL" in notice.last_error
    assert services.sweep(now=later(600), inline=True) == 0  # failed rows wait for staff

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        copy = services.resend(notice, admin_user)
    copy.refresh_from_db()
    assert (copy.status, copy.resend_of, copy.created_by) == ("sent", notice, admin_user)
    assert [n.pk for n in services.notices_for(enrollment)] == [copy.pk, notice.pk]
    assert [m.phone for m in LogSmsBackend.outbox] == [enrollment.phone]


@pytest.mark.django_db
def test_giving_up_after_max_attempts(course, monkeypatch, django_capture_on_commit_callbacks):
    def flaky(self, message):
        raise SmsError("isp.SYSTEM_ERROR")

    monkeypatch.setattr(LogSmsBackend, "send", flaky)
    with django_capture_on_commit_callbacks(execute=True):
        enroll(course.pk, applicant(1), now=NOW)
    for hour in range(1, 20):
        services.sweep(now=later(60 * hour), inline=True)
    notice = Notice.objects.get()
    assert (notice.status, notice.attempts) == ("failed", services.MAX_ATTEMPTS)


@pytest.mark.django_db
def test_a_claimed_row_is_sent_by_one_delivery_only(course):
    with transaction.atomic():
        enroll(course.pk, applicant(1), now=NOW)  # no on-commit run: the row stays pending
    notice = Notice.objects.get()
    assert services.deliver(notice.pk, token="a") == "sent"
    assert services.deliver(notice.pk, token="a") == "skipped"  # the same message again
    assert services.deliver(notice.pk, token="b") == "skipped"  # the sweep, a second worker
    assert services.sweep(now=later(60), inline=True) == 0
    assert len(LogSmsBackend.outbox) == 1


@pytest.mark.django_db
def test_a_claim_whose_worker_died_is_taken_over(course):
    with transaction.atomic():
        enroll(course.pk, applicant(1), now=NOW)
    notice = Notice.objects.get()
    Notice.objects.filter(pk=notice.pk).update(status="sending", claim_token="dead", claimed_at=timezone.now())
    assert services.deliver(notice.pk, token="other") == "skipped"  # someone is sending it
    assert services.sweep(now=later(5), inline=True) == 0  # within the lease
    # The same Celery message redelivered after its worker was killed takes over its own claim at once.
    assert services.deliver(notice.pk, token="dead") == "sent"
    Notice.objects.filter(pk=notice.pk).update(status="sending", claim_token="gone", claimed_at=timezone.now())
    assert services.sweep(now=later(11), inline=True) == 1  # after the lease, the sweep takes it over
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == ("sent", 2)


@pytest.mark.django_db
def test_unreachable_broker_leaves_rows_pending_for_the_sweep(course, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(broker, "eager", lambda: False)
    published = []
    monkeypatch.setattr(broker, "publish", lambda task, args, **kw: published.append(args) or False)
    with django_capture_on_commit_callbacks(execute=True):
        enroll(course.pk, applicant(1, email="a@example.cn"), now=NOW)
    assert len(published) == 1  # the first refusal stops the rest of the batch
    assert set(Notice.objects.values_list("status", flat=True)) == {"pending"}
    assert sorted(services.due_ids(now=later(1))) == sorted(Notice.objects.values_list("pk", flat=True))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_enrolling_from_a_second_thread_sends_the_notice(course):
    """Threaded servers: the notice task must bind to the project's Celery app, not Celery's default app."""
    outcome = {}

    def in_thread():
        try:
            outcome["enrollment"] = enroll(course.pk, applicant(1), now=NOW).enrollment
        finally:
            from django.db import connection

            connection.close()

    thread = threading.Thread(target=in_thread)
    thread.start()
    thread.join(30)
    enrollment = outcome["enrollment"]
    notice = Notice.objects.get(reference=enrollment.reference)
    assert (notice.status, notice.attempts) == ("sent", 1)
    assert [m.phone for m in LogSmsBackend.outbox] == [enrollment.phone]


def test_the_project_app_is_celerys_default_in_every_thread():
    from celery import current_app

    from haining.celery import app

    seen = []
    thread = threading.Thread(target=lambda: seen.append(current_app._get_current_object()))
    thread.start()
    thread.join()
    assert seen == [app]


def test_backoff_grows_to_an_hour():
    assert [services.backoff(n).total_seconds() / 60 for n in (1, 2, 3, 4, 7, 8, 20)] == [1, 2, 4, 8, 60, 60, 60]
