"""A draft that lowers 名额 and is published after more people enrolled (issue #11's last path).

The edit form refuses such a draft at once; but a draft saved while it was valid can be published later
by the reviewer's 批准并发布 or by the scheduler, after parents have taken the seats it would remove.
Then publishing must be refused in Chinese, nobody loses a seat, the draft and the workflow stay as they
were, and (for the scheduler) every other page due at that time still goes live.
"""

import datetime
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import PageLogEntry, Revision, WorkflowState

from home.publishing import REFUSED_ACTION
from home.tests.factories import NewsPageFactory
from training.models import CoursePage
from training.services.enrollment import enroll
from training.tests import factories
from training.tests.factories import CourseIndexPageFactory, CoursePageFactory, TermFactory, applicant, seat_counts
from training.tests.test_seats_editorial import edit_form, post_edit

pytestmark = pytest.mark.django_db

OPEN = dict(factories.OPEN, max_courses_per_participant=5)


@pytest.fixture
def course(site_root):
    index = CourseIndexPageFactory(parent=site_root)
    return CoursePageFactory(parent=index, term=TermFactory(**OPEN), capacity=4, waitlist_size=5, summary="原介绍")


def enroll_many(course, numbers):
    for n in numbers:
        enroll(course.pk, applicant(n, phone=f"1390000{n:04d}"))


def test_reviewer_approving_a_draft_that_no_longer_fits_gets_the_reason_and_nothing_changes(
    client, course, django_user_model
):
    users = django_user_model.objects
    editor = users.create_user("bianji", password="pw")
    editor.groups.add(Group.objects.get(name="内容编辑"))
    reviewer = users.create_user("shenhe", password="pw")
    reviewer.groups.add(Group.objects.get(name="内容审核"))
    enroll_many(course, [1])

    client.force_login(editor)
    data = edit_form(client, course)
    data["capacity"], data["summary"] = "2", "送审：减为两个名额"
    post_edit(client, course, data, **{"action-submit": "submit"})  # valid now: one seat taken
    state = WorkflowState.objects.get(object_id=str(course.pk), status=WorkflowState.STATUS_IN_PROGRESS)
    enroll_many(course, [2, 3])  # meanwhile parents take three seats in all

    client.force_login(reviewer)
    url = f"/admin/pages/workflow/action/{course.pk}/approve/{state.current_task_state.pk}/"
    edit_url = f"http://testserver/admin/pages/{course.pk}/edit/"
    response = client.post(
        url, {"comment": "同意"}, headers={"x-requested-with": "XMLHttpRequest", "referer": edit_url}
    )
    assert response.status_code == 200
    assert response.json()["step"] == "success" and response.json()["redirect"] == edit_url
    banner = client.get(edit_url).text
    assert "未能发布：名额不能少于已录取（含递补待确认）的 3 人" in banner

    page = CoursePage.objects.get(pk=course.pk)
    assert (page.capacity, page.summary) == (4, "原介绍")
    assert seat_counts(course) == (3, 0)
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_IN_PROGRESS  # the reviewer can ask the editor to fix it
    assert page.get_latest_revision().as_object().capacity == 2  # the draft is kept

    # Without the modal (a plain form post) the answer is a redirect back with the same banner.
    response = client.post(url, {"comment": "同意"}, headers={"referer": edit_url})
    assert response.status_code == 302 and response.url == edit_url


def test_the_scheduler_refuses_that_draft_and_still_publishes_the_rest(client, course, site_root, admin_user):
    enroll_many(course, [1])
    course.capacity, course.summary = 2, "定时：减为两个名额"
    soon = timezone.now() + datetime.timedelta(minutes=5)
    course.save_revision(approved_go_live_at=soon)
    news = NewsPageFactory(parent=site_root, title="原标题")
    news.title = "定时发布的新闻"
    news.save_revision(approved_go_live_at=soon + datetime.timedelta(minutes=1))
    enroll_many(course, [2, 3])

    later = timezone.now() + datetime.timedelta(hours=1)
    out = StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: later)
        call_command("run_scheduled_jobs", only="publishing", stdout=out)

    assert "定时发布：1 个" in out.getvalue() and "未能发布：1 个" in out.getvalue()
    assert "名额不能少于已录取（含递补待确认）的 3 人" in out.getvalue()
    assert news.__class__.objects.get(pk=news.pk).title == "定时发布的新闻"
    page = CoursePage.objects.get(pk=course.pk)
    assert (page.capacity, page.summary) == (4, "原介绍")
    assert seat_counts(course) == (3, 0)
    # Taken off the schedule (not retried every minute), the draft kept, the reason in the page history.
    assert not Revision.page_revisions.filter(object_id=str(course.pk), approved_go_live_at__isnull=False).exists()
    assert page.get_latest_revision().as_object().capacity == 2
    entry = PageLogEntry.objects.get(page=course, action=REFUSED_ACTION)
    client.force_login(admin_user)
    assert "定时发布未执行：名额不能少于已录取" in client.get(f"/admin/pages/{course.pk}/history/").text
    assert entry.message.startswith("定时发布未执行：名额不能少于已录取")


def test_bulk_publish_from_the_page_listing_refuses_that_draft_with_the_reason(client, course, admin_user):
    enroll_many(course, [1])
    course.capacity = 2
    course.save_revision()
    enroll_many(course, [2, 3])
    client.force_login(admin_user)
    listing = f"http://testserver/admin/pages/{course.get_parent().pk}/"
    response = client.post(
        f"/admin/bulk/wagtailcore/page/publish/?id={course.pk}&next={listing}", {}, headers={"referer": listing}
    )
    assert response.status_code == 302 and response.url == listing
    assert "未能发布：名额不能少于已录取（含递补待确认）的 3 人" in client.get(listing).text
    assert CoursePage.objects.get(pk=course.pk).capacity == 4
    assert seat_counts(course) == (3, 0)


def test_an_overlapping_scheduler_run_does_not_publish_a_revision_over_newer_content(site_root, monkeypatch):
    """Two runs read the same due list (a slow run and the next tick, or cron beside beat). The other run
    publishes the revision first and an editor then publishes newer content: this run must skip it."""
    import contextlib

    from django.db import transaction

    from home import publishing
    from home.tests.factories import NewsPageFactory

    news = NewsPageFactory(parent=site_root, title="旧标题")
    news.title = "定时标题"
    news.save_revision(approved_go_live_at=timezone.now() + datetime.timedelta(minutes=1))
    later = timezone.now() + datetime.timedelta(minutes=5)
    real_atomic, overlapped = transaction.atomic, []

    @contextlib.contextmanager
    def atomic_after_the_other_run(*args, **kwargs):
        if not overlapped:  # between this run's read of the due list and its claim
            overlapped.append(True)
            with real_atomic():
                Revision.objects.get(approved_go_live_at__isnull=False).publish()
            page = news.__class__.objects.get(pk=news.pk)
            page.title = "编辑后来的标题"
            page.save_revision().publish()
        with real_atomic(*args, **kwargs):
            yield

    monkeypatch.setattr(timezone, "now", lambda: later)
    monkeypatch.setattr(publishing.transaction, "atomic", atomic_after_the_other_run)
    run = publishing.publish_due()
    assert overlapped and run.published == 0
    assert news.__class__.objects.get(pk=news.pk).title == "编辑后来的标题"


def test_another_admin_action_refused_by_the_same_rule_is_not_called_publishing(client, course, admin_user):
    """锁定 saves the page too: on a course left over its 名额 (a data fix) the reason shows as 操作未完成."""
    from training.models import CourseSeats

    CoursePage.objects.filter(pk=course.pk).update(capacity=2)
    CourseSeats.objects.filter(course_id=course.pk).update(confirmed=3)
    client.force_login(admin_user)
    listing = f"http://testserver/admin/pages/{course.get_parent().pk}/"
    response = client.post(f"/admin/pages/{course.pk}/lock/", headers={"referer": listing})
    assert response.status_code == 302 and response.url == listing
    banner = client.get(listing).text
    assert "操作未完成：名额不能少于已录取" in banner and "未能发布" not in banner
