"""Seats survive editing: every editorial path, during an open window, through the real admin (issue #11).

The seat counts once lived on CoursePage, so Wagtail wrote a revision's stale counts back on publish,
approval, scheduled publish and revert, and a copy started with the original's counts. Here each path
is replayed as editors use it (the edit form, the 内容审核 workflow with its real groups, the scheduler
command, the revisions screen, copy, move, unpublish) while parents keep enrolling, and after every
step the seats taken must equal the active enrollments counted from the database, and the public
numbers (API, course page) must follow. Runs on SQLite and, in CI's second pass, on PostgreSQL.
"""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone
from wagtail.fields import StreamField
from wagtail.models import Revision, WorkflowState
from wagtail.test.utils.form_data import querydict_from_html

from training.models import CoursePage, CourseSeats, Enrollment, EnrollmentStatus
from training.services.enrollment import enroll
from training.tests import factories
from training.tests.factories import CourseIndexPageFactory, CoursePageFactory, TermFactory, applicant

pytestmark = pytest.mark.django_db

OPEN = dict(factories.OPEN, max_courses_per_participant=5)
CAPACITY = 10


class Parents:
    """Applicants arriving one by one, each a different child."""

    def __init__(self):
        self.seq = 0

    def enroll(self, course, count=1):
        for _ in range(count):
            self.seq += 1
            enroll(course.pk, applicant(self.seq, phone=f"1390000{self.seq:04d}"))


def assert_seats_match_enrollments(client, course):
    """Seats taken (and every count) equal the enrollments in the database; the public numbers follow."""
    rows = Enrollment.objects.filter(course_id=course.pk)
    seats = CourseSeats.objects.get(course_id=course.pk)
    taken = rows.filter(status__in=[EnrollmentStatus.CONFIRMED, EnrollmentStatus.OFFERED]).count()
    assert seats.taken == taken
    assert seats.confirmed == rows.filter(status=EnrollmentStatus.CONFIRMED).count()
    assert seats.waitlisted == rows.filter(status=EnrollmentStatus.WAITLISTED).count()
    capacity = CoursePage.objects.get(pk=course.pk).capacity
    assert taken <= capacity
    if CoursePage.objects.get(pk=course.pk).live:
        data = client.get(f"/api/v1/courses/{course.pk}/").json()
        assert data["seats_left"] == max(capacity - taken, 0)
        assert data["waitlist_count"] == seats.waitlisted
    return taken


def edit_form(client, course, url=None):
    """The edit form as the browser would submit it (every field the admin rendered, with its value)."""
    html = client.get(url or f"/admin/pages/{course.pk}/edit/").text
    data = querydict_from_html(html, form_id="page-edit-form")
    # StreamFields are drawn by JavaScript; these courses have empty bodies, submitted as such.
    for field in CoursePage._meta.get_fields():
        if isinstance(field, StreamField):
            data.setdefault(f"{field.name}-count", "0")
    return data


def post_edit(client, course, data, **actions):
    data = data.copy()
    for name, value in actions.items():
        data[name] = value
    response = client.post(f"/admin/pages/{course.pk}/edit/", data)
    assert response.status_code == 302, response.text[:3000]
    return response


@pytest.fixture
def people(django_user_model):
    chief = django_user_model.objects.create_superuser("chief", "chief@example.cn", "pw")
    editor = django_user_model.objects.create_user("bianji", password="pw")
    editor.groups.add(Group.objects.get(name="内容编辑"))
    reviewer = django_user_model.objects.create_user("shenhe", password="pw")
    reviewer.groups.add(Group.objects.get(name="内容审核"))
    return chief, editor, reviewer


def test_every_editorial_path_keeps_seats_equal_to_enrollments(client, site_root, people, monkeypatch):
    chief, editor, reviewer = people
    index = CourseIndexPageFactory(parent=site_root)
    course = CoursePageFactory(
        parent=index, term=TermFactory(**OPEN), capacity=CAPACITY, waitlist_size=5, summary="第一版介绍"
    )
    client.force_login(chief)
    post_edit(client, course, edit_form(client, course), **{"action-publish": "publish"})
    first_revision = course.revisions.order_by("created_at", "pk").last()
    parents = Parents()
    parents.enroll(course, 2)
    assert assert_seats_match_enrollments(client, course) == 2

    # 1. An editor saves a draft; parents enroll; the draft is published.
    data = edit_form(client, course)
    data["summary"] = "草稿：暑期加开周六班"
    post_edit(client, course, data)  # no action: save draft
    assert assert_seats_match_enrollments(client, course) == 2
    parents.enroll(course, 4)
    post_edit(client, course, edit_form(client, course), **{"action-publish": "publish"})
    assert CoursePage.objects.get(pk=course.pk).summary == "草稿：暑期加开周六班"
    assert assert_seats_match_enrollments(client, course) == 6

    # 2. The 内容审核 workflow: the editor submits, parents enroll, the reviewer approves (and publishes).
    client.force_login(editor)
    data = edit_form(client, course)
    data["summary"] = "送审：增加教材说明"
    post_edit(client, course, data, **{"action-submit": "submit"})
    state = WorkflowState.objects.get(object_id=str(course.pk), status=WorkflowState.STATUS_IN_PROGRESS)
    parents.enroll(course, 1)
    client.force_login(reviewer)
    response = client.post(
        f"/admin/pages/workflow/action/{course.pk}/approve/{state.current_task_state.pk}/", {"comment": "同意"}
    )
    assert response.status_code in (200, 302)
    assert CoursePage.objects.get(pk=course.pk).summary == "送审：增加教材说明"
    assert assert_seats_match_enrollments(client, course) == 7

    # 3. Scheduled publish: set to go live later; parents enroll; the scheduler publishes it.
    client.force_login(chief)
    data = edit_form(client, course)
    data["summary"] = "定时发布：开课时间调整"
    data["go_live_at"] = (timezone.localtime() + datetime.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M")
    post_edit(client, course, data, **{"action-publish": "publish"})
    scheduled = Revision.page_revisions.filter(object_id=str(course.pk), approved_go_live_at__isnull=False)
    assert scheduled.count() == 1
    parents.enroll(course, 1)
    later = timezone.now() + datetime.timedelta(hours=2)
    monkeypatch.setattr(timezone, "now", lambda: later)  # the scheduler runs two hours later
    call_command("publish_scheduled", verbosity=0)
    monkeypatch.undo()
    assert CoursePage.objects.get(pk=course.pk).summary == "定时发布：开课时间调整"
    assert assert_seats_match_enrollments(client, course) == 8

    # 4. Revert to the first revision (made before anyone enrolled) and publish it.
    data = edit_form(client, course, url=f"/admin/pages/{course.pk}/revisions/{first_revision.pk}/revert/")
    assert data["summary"] == "第一版介绍"
    data["go_live_at"] = ""
    post_edit(client, course, data, **{"action-publish": "publish"})
    assert CoursePage.objects.get(pk=course.pk).summary == "第一版介绍"
    assert assert_seats_match_enrollments(client, course) == 8

    # 5. Copy the course (next term's course is made this way): the copy starts empty, the original keeps its seats.
    response = client.post(
        f"/admin/pages/{course.pk}/copy/",
        {
            "new_title": "下学期的课程",
            "new_slug": "next-term",
            "new_parent_page": str(index.pk),
            "publish_copies": "on",
        },
    )
    assert response.status_code == 302
    copy = CoursePage.objects.get(slug="next-term")
    assert CourseSeats.objects.filter(course_id=copy.pk).values_list("confirmed", "waitlisted", "taken").get() == (
        0,
        0,
        0,
    )
    assert assert_seats_match_enrollments(client, copy) == 0
    assert assert_seats_match_enrollments(client, course) == 8

    # 6. Move the course to another catalogue page.
    other_index = CourseIndexPageFactory(parent=site_root, slug="courses-2", title="培训课程（二）")
    response = client.post(f"/admin/pages/{course.pk}/move/{other_index.pk}/confirm/")
    assert response.status_code == 302
    assert CoursePage.objects.get(pk=course.pk).get_parent().pk == other_index.pk
    parents.enroll(course, 1)
    assert assert_seats_match_enrollments(client, course) == 9

    # 7. Unpublish, then publish again.
    response = client.post(f"/admin/pages/{course.pk}/unpublish/")
    assert response.status_code == 302 and not CoursePage.objects.get(pk=course.pk).live
    assert assert_seats_match_enrollments(client, course) == 9
    post_edit(client, course, edit_form(client, course), **{"action-publish": "publish"})
    assert CoursePage.objects.get(pk=course.pk).live
    assert assert_seats_match_enrollments(client, course) == 9

    # Afterwards the course still fills to exactly its capacity, then waitlists.
    parents.enroll(course, 3)
    assert assert_seats_match_enrollments(client, course) == CAPACITY
    assert CourseSeats.objects.get(course_id=course.pk).waitlisted == 2
