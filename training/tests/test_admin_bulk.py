"""Bulk actions on the enrollment list (录取 / 取消报名 / 递补录取) and the per-course roster header."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from wagtail.models import ModelLogEntry

from training.models import CoursePage, Enrollment, EnrollmentStatus
from training.services.enrollment import EnrollmentError, confirm, enroll
from training.tests.factories import (
    OPEN,
    CourseIndexPageFactory,
    CoursePageFactory,
    TermFactory,
    applicant,
    seat_counts,
)

pytestmark = pytest.mark.django_db

BULK = "/admin/bulk/training/enrollment/{}/"


@pytest.fixture
def index(site_root):
    return CourseIndexPageFactory(parent=site_root)


@pytest.fixture
def full_course(index):
    """Capacity 1, waitlist 3: one confirmed and three waitlisted (in order)."""
    course = CoursePageFactory(parent=index, title="少儿书法班", term=TermFactory(**OPEN), capacity=1, waitlist_size=3)
    made = [enroll(course.pk, applicant(n)).enrollment for n in (1, 2, 3, 4)]
    assert [e.status for e in made] == ["confirmed", "waitlisted", "waitlisted", "waitlisted"]
    return course, made


@pytest.fixture
def other_course(index):
    course = CoursePageFactory(parent=index, title="少儿国画班", term=TermFactory(**OPEN), capacity=2, waitlist_size=0)
    made = [enroll(course.pk, applicant(n)).enrollment for n in (11, 12)]
    return course, made


def staff_login(client, django_user_model, username="staff"):
    user = django_user_model.objects.create_user(username, password="pw")
    user.groups.add(Group.objects.get(name="报名管理员"))
    client.force_login(user)
    return user


def viewer_login(client, django_user_model):
    """May open the enrollment list, may not change enrollments."""
    user = django_user_model.objects.create_user("viewer", password="pw")
    user.user_permissions.add(*Permission.objects.filter(codename__in=["access_admin", "view_enrollment"]))
    client.force_login(user)
    return user


def bulk_url(action, enrollments, **extra):
    query = "&".join([f"id={e.pk}" for e in enrollments] + [f"{k}={v}" for k, v in extra.items()])
    return BULK.format(action) + "?" + query + "&next=/admin/enrollments/"


def statuses(enrollments):
    return [Enrollment.objects.get(pk=e.pk).status for e in enrollments]


def error_messages(response):
    return [str(m).strip() for m in get_messages(response.wsgi_request) if m.level_tag == "error"]


def success_messages(response):
    return [str(m).strip() for m in get_messages(response.wsgi_request) if m.level_tag == "success"]


def test_list_offers_checkboxes_and_bulk_actions_to_enrollment_staff(client, django_user_model, full_course):
    course, made = full_course
    staff_login(client, django_user_model)
    html = client.get("/admin/enrollments/").text
    assert html.count("data-bulk-action-checkbox") == len(made)
    assert f'data-object-id="{made[0].pk}"' in html
    assert f'id="enrollment_{made[0].pk}_title"' in html
    for action in ("confirm", "cancel", "promote"):
        assert BULK.format(action) in html
    assert "bulk-actions.js" in html


def test_viewers_get_no_checkboxes(client, django_user_model, full_course):
    viewer_login(client, django_user_model)
    html = client.get("/admin/enrollments/").text
    assert full_course[1][0].reference in html
    assert "data-bulk-action-checkbox" not in html and BULK.format("confirm") not in html


def test_confirmation_page_lists_the_chosen_enrollments_and_changes_nothing(client, django_user_model, full_course):
    course, made = full_course
    staff_login(client, django_user_model)
    response = client.get(bulk_url("confirm", made))
    assert response.status_code == 200
    html = response.text
    for enrollment in made:
        assert enrollment.reference in html
    assert "确认录取" in html
    assert "（不适用，将跳过）" in html  # the already confirmed one
    assert "4 条，其中 3 条可录取" in html
    assert "名额 1，已录取 1，候补 3，剩余名额 0；本次选择 3 条" in html
    assert made[1].participant_name not in html  # names are masked on this page
    assert statuses(made) == ["confirmed", "waitlisted", "waitlisted", "waitlisted"]


def test_bulk_confirm_fills_free_seats_and_refuses_the_rest_per_row(client, django_user_model, full_course):
    course, made = full_course
    CoursePage.objects.filter(pk=course.pk).update(capacity=3)  # two more seats approved
    user = staff_login(client, django_user_model)
    # chosen out of order: the earlier waitlisted ones still get the seats first
    response = client.post(bulk_url("confirm", [made[3], made[1], made[2]]))
    assert response.status_code == 302 and response["Location"] == "/admin/enrollments/"

    assert statuses(made) == ["confirmed", "confirmed", "confirmed", "waitlisted"]
    assert seat_counts(course) == (3, 1)
    assert Enrollment.objects.get(pk=made[3].pk).waitlist_position == 1

    errors = error_messages(response)
    assert len(errors) == 1
    assert made[3].reference in errors[0] and "名额已满" in errors[0]
    assert success_messages(response) == ["已录取 2 条报名。"]

    logged = ModelLogEntry.objects.filter(action="training.confirm")
    assert sorted(int(e.object_id) for e in logged) == sorted([made[1].pk, made[2].pk])
    assert all(e.user_id == user.pk for e in logged)
    for enrollment in (made[1], made[2]):  # each row's entry shows in that enrollment's history
        history = client.get(f"/admin/enrollments/history/{enrollment.pk}/")
        assert history.status_code == 200 and "工作人员确认录取" in history.text


def test_bulk_confirm_of_a_full_course_changes_nothing(client, django_user_model, full_course):
    course, made = full_course
    staff_login(client, django_user_model)
    response = client.post(bulk_url("confirm", made[1:]))
    assert statuses(made) == ["confirmed", "waitlisted", "waitlisted", "waitlisted"]
    assert [Enrollment.objects.get(pk=e.pk).waitlist_position for e in made[1:]] == [1, 2, 3]
    assert len(error_messages(response)) == 3 and not success_messages(response)
    assert not ModelLogEntry.objects.filter(action="training.confirm").exists()


def test_bulk_cancel_frees_seats_promotes_the_waitlist_and_logs(client, django_user_model, full_course, other_course):
    course, made = full_course
    other, other_made = other_course
    staff_login(client, django_user_model)
    chosen = [made[0], made[2], other_made[0]]
    assert client.get(bulk_url("cancel", chosen)).status_code == 200
    response = client.post(bulk_url("cancel", chosen))
    assert response.status_code == 302
    assert statuses(made) == ["cancelled", "confirmed", "cancelled", "waitlisted"]
    assert statuses(other_made) == ["cancelled", "confirmed"]
    assert seat_counts(course) == (1, 1)
    assert Enrollment.objects.get(pk=made[3].pk).waitlist_position == 1
    assert seat_counts(other) == (1, 0)
    assert "已取消 3 条报名。" in success_messages(response)
    assert ModelLogEntry.objects.filter(action="training.cancel").count() == 3
    assert ModelLogEntry.objects.filter(action="training.promote", object_id=str(made[1].pk)).exists()
    for enrollment in chosen:
        assert "取消报名" in client.get(f"/admin/enrollments/history/{enrollment.pk}/").text


def test_bulk_promote_goes_above_capacity_and_skips_others(client, django_user_model, full_course):
    course, made = full_course
    staff_login(client, django_user_model)
    response = client.post(bulk_url("promote", [made[0], made[1], made[2]]))
    assert statuses(made) == ["confirmed", "confirmed", "confirmed", "waitlisted"]
    assert seat_counts(course) == (3, 1)
    errors = error_messages(response)
    assert len(errors) == 1 and made[0].reference in errors[0] and "不适用" in errors[0]
    assert ModelLogEntry.objects.filter(action="training.promote").count() == 2


def test_select_all_in_listing_keeps_the_listing_filters(client, django_user_model, full_course, other_course):
    course, made = full_course
    other, other_made = other_course
    staff_login(client, django_user_model)
    url = BULK.format("cancel") + f"?course={other.pk}&id=all&next=/admin/enrollments/"
    html = client.get(url).text
    assert all(e.reference in html for e in other_made)
    assert not any(e.reference in html for e in made)
    client.post(url)
    assert statuses(other_made) == ["cancelled", "cancelled"]
    assert statuses(made) == ["confirmed", "waitlisted", "waitlisted", "waitlisted"]


def test_bulk_actions_are_refused_without_the_change_permission(client, django_user_model, full_course):
    course, made = full_course
    viewer_login(client, django_user_model)
    for action in ("confirm", "cancel", "promote"):
        for method in (client.get, client.post):
            response = method(bulk_url(action, made))
            # Wagtail turns PermissionDenied into a redirect to the dashboard with a message
            assert response.status_code == 403 or (response.status_code == 302 and response["Location"] == "/admin/")
    assert statuses(made) == ["confirmed", "waitlisted", "waitlisted", "waitlisted"]

    client.logout()
    editor = django_user_model.objects.create_user("editor", password="pw")
    editor.groups.add(Group.objects.get(name="内容编辑"))
    client.force_login(editor)
    assert client.post(bulk_url("cancel", made)).status_code in (302, 403)

    client.logout()
    response = client.post(bulk_url("cancel", made))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert statuses(made) == ["confirmed", "waitlisted", "waitlisted", "waitlisted"]
    assert not ModelLogEntry.objects.filter(action__in=["training.cancel", "training.confirm"]).exists()


def test_roster_header_shows_the_course_counts(client, django_user_model, full_course, other_course):
    course, made = full_course
    other, _ = other_course
    CoursePage.objects.filter(pk=course.pk).update(capacity=2)
    confirm(made[1].pk)  # 2 confirmed of 2, 2 waitlisted
    staff_login(client, django_user_model)

    html = client.get("/admin/enrollments/", {"course": course.pk}).text
    assert "少儿书法班" in html and "名单" in html
    assert "data-roster-capacity>2<" in html
    assert "data-roster-confirmed>2<" in html
    assert "data-roster-waitlisted>2<" in html
    assert "data-roster-seats-left>0<" in html

    html = client.get("/admin/enrollments/", {"course": other.pk}).text
    assert "data-roster-capacity>2<" in html and "data-roster-seats-left>0<" in html
    assert "data-roster-waitlisted>0<" in html

    # the results-only view (filters applied without reloading the page) shows it as well
    results = client.get("/admin/enrollments/results/", {"course": course.pk}).text
    assert "data-roster-confirmed>2<" in results and "data-roster-waitlisted>2<" in results

    assert "data-roster" not in client.get("/admin/enrollments/").text


def test_roster_header_follows_changes(client, django_user_model, full_course):
    course, made = full_course
    staff_login(client, django_user_model)
    client.post(bulk_url("cancel", [made[0], made[1]]))  # made[2] promoted, one waitlisted left
    html = client.get("/admin/enrollments/", {"course": course.pk}).text
    assert "data-roster-confirmed>1<" in html and "data-roster-waitlisted>1<" in html
    assert "data-roster-seats-left>0<" in html


def test_lottery_entries_cannot_be_confirmed_by_hand_before_the_draw(index, client, django_user_model):
    """Staff once could confirm chosen entrants of a lottery course before the draw (issue #11)."""
    course = CoursePageFactory(parent=index, term=TermFactory(**OPEN), capacity=1, allocation="lottery")
    first, second = (enroll(course.pk, applicant(n)).enrollment for n in (1, 2))
    assert first.status == second.status == EnrollmentStatus.SUBMITTED
    with pytest.raises(EnrollmentError) as refused:
        confirm(first.pk)
    assert refused.value.code == "lottery_pending" and "摇号" in refused.value.message
    staff_login(client, django_user_model)
    response = client.post(bulk_url("confirm", [first, second]))
    assert statuses([first, second]) == ["submitted", "submitted"]
    assert seat_counts(course) == (0, 0)
    assert not success_messages(response)
    assert not ModelLogEntry.objects.filter(action="training.confirm").exists()


def test_confirm_service_refusals(index):
    course = CoursePageFactory(parent=index, term=TermFactory(**OPEN), capacity=1, waitlist_size=3)
    first, second = (enroll(course.pk, applicant(n)).enrollment for n in (1, 2))
    assert (first.status, second.status) == (EnrollmentStatus.CONFIRMED, EnrollmentStatus.WAITLISTED)
    with pytest.raises(EnrollmentError) as refused:
        confirm(second.pk)
    assert refused.value.code == "full"
    with pytest.raises(EnrollmentError) as again:
        confirm(first.pk)
    assert again.value.code == "already_confirmed"
    Enrollment.objects.filter(pk=second.pk).update(status=EnrollmentStatus.REJECTED)
    with pytest.raises(EnrollmentError) as rejected:
        confirm(second.pk)
    assert rejected.value.code == "not_active"
    assert not ModelLogEntry.objects.filter(action="training.confirm").exists()
