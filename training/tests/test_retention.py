"""Retention: personal data of long-past terms is anonymised; counts survive; recent terms untouched."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count
from wagtail.models import PageLogEntry

from training.models import Enrollment
from training.services.enrollment import enroll
from training.services.retention import anonymise_expired
from training.tests.factories import NOW, CourseIndexPageFactory, CoursePageFactory, TermFactory, applicant

pytestmark = pytest.mark.django_db
LATER = NOW + datetime.timedelta(days=500)  # the 2027 summer term ended on 20 August 2027


@pytest.fixture
def enrollments(site_root):
    index = CourseIndexPageFactory(parent=site_root)
    old = CoursePageFactory(parent=index, title="去年的古筝班", capacity=2, waitlist_size=2)
    recent_term = TermFactory(starts_on=datetime.date(2028, 9, 1), ends_on=datetime.date(2028, 12, 20))
    recent = CoursePageFactory(parent=index, title="今年的书法班", term=recent_term, capacity=2)
    made = [enroll(old.pk, applicant(n), now=NOW).enrollment for n in range(1, 5)]
    made.append(enroll(recent.pk, applicant(9), now=NOW).enrollment)
    return old, recent, made


def counts(course):
    return dict(Enrollment.objects.filter(course=course).values_list("status").annotate(n=Count("pk")))


def test_old_terms_are_anonymised_and_counts_stay(enrollments):
    old, recent, made = enrollments
    before = counts(old)
    assert anonymise_expired(now=LATER) == {old.pk: 4}
    assert counts(old) == before
    first = Enrollment.objects.get(pk=made[0].pk)
    assert first.phone == "" and first.email == "" and first.id_number == f"purged-{first.pk}"
    assert first.participant_name == "张*明" or "*" in first.participant_name
    assert first.birth_date == datetime.date(2018, 1, 1) and first.gender == "M" and first.anonymised_at == LATER
    untouched = Enrollment.objects.get(pk=made[-1].pk)
    assert untouched.anonymised_at is None and untouched.phone == made[-1].phone
    assert PageLogEntry.objects.get(page=old, action="training.purge").data == {"enrollments": 4}
    assert anonymise_expired(now=LATER) == {}  # idempotent


def test_the_notices_sent_to_them_forget_the_number_too(enrollments):
    from notices.services import notices_for

    old, recent, made = enrollments
    anonymise_expired(now=LATER)
    assert {n.recipient for n in notices_for(made[0])} == {""}
    assert {n.recipient for n in notices_for(made[-1])} == {made[-1].phone}


def test_dry_run_changes_nothing(enrollments):
    old, _, made = enrollments
    assert anonymise_expired(now=LATER, dry_run=True) == {old.pk: 4}
    assert Enrollment.objects.get(pk=made[0].pk).phone == made[0].phone


def test_purged_data_can_no_longer_be_looked_up(client, enrollments):
    _, _, made = enrollments
    anonymise_expired(now=LATER)
    response = client.post("/enroll/lookup/", {"phone": made[0].phone, "reference": made[0].reference})
    assert response.status_code == 404


def test_command_reports_in_chinese(enrollments, settings):
    settings.TRAINING_RETENTION_DAYS = 0
    out = StringIO()
    call_command("purge_personal_data", "--dry-run", stdout=out)
    assert "将清除" in out.getvalue()
    assert Enrollment.objects.filter(anonymised_at__isnull=False).count() == 0
