"""Reminders the day before the first lesson, the beat schedule, and the cron command."""

import datetime
from io import StringIO

import pytest
from celery import current_app
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from notices.sms import LogSmsBackend
from training.services.enrollment import enroll
from training.services.scheduled import send_lesson_reminders
from training.tests.factories import NOW, CourseIndexPageFactory, CoursePageFactory, applicant

pytestmark = pytest.mark.django_db


@pytest.fixture
def courses(site_root):
    index = CourseIndexPageFactory(parent=site_root)
    tomorrow = CoursePageFactory(parent=index, title="明天开课", capacity=5, first_lesson=datetime.date(2027, 7, 5))
    later = CoursePageFactory(parent=index, title="下周开课", capacity=5, first_lesson=datetime.date(2027, 7, 12))
    for n, course in enumerate([tomorrow, tomorrow, later], start=1):
        enroll(course.pk, applicant(n), now=NOW)
    return tomorrow, later


def test_reminders_go_to_tomorrows_courses_once(courses, django_capture_on_commit_callbacks):
    evening = timezone.make_aware(datetime.datetime(2027, 7, 4, 18, 0))
    LogSmsBackend.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_lesson_reminders(now=evening) == 2
    texts = [m.text for m in LogSmsBackend.outbox]
    assert len(texts) == 2 and all("明天（7月5日）开课" in t and "明天开课" in t for t in texts)
    assert send_lesson_reminders(now=evening + datetime.timedelta(minutes=5)) == 0


def test_reminder_day_is_the_local_day(courses):
    # 23:30 UTC on 3 July is 07:30 on 4 July in Haining: tomorrow is 5 July.
    early = datetime.datetime(2027, 7, 3, 23, 30, tzinfo=datetime.UTC)
    assert send_lesson_reminders(now=early) == 2


def test_beat_schedule_names_registered_tasks():
    import home.tasks  # noqa: F401 - registers the tasks
    import notices.tasks  # noqa: F401
    import training.tasks  # noqa: F401

    schedule = settings.CELERY_BEAT_SCHEDULE
    assert {entry["task"] for entry in schedule.values()} == {
        "home.tasks.publish_scheduled",
        "notices.tasks.sweep_notices",
        "training.tasks.expire_offers",
        "training.tasks.release_unpaid",
        "training.tasks.send_lesson_reminders",
        "training.tasks.purge_personal_data",
    }
    for entry in schedule.values():
        assert entry["task"] in current_app.tasks
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"


def test_run_scheduled_jobs_command(courses):
    out = StringIO()
    call_command("run_scheduled_jobs", stdout=out)
    assert "递补逾期" in out.getvalue() and "开课提醒" in out.getvalue() and "个人信息清除" in out.getvalue()
