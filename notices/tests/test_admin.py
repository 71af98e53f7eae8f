"""通知记录 in the admin: state, attempts and last error per notice, masked recipients, resend for staff."""

import pytest
from django.contrib.auth.models import Group

from notices.models import Notice
from training.services.enrollment import enroll
from training.tests.factories import NOW, CourseIndexPageFactory, CoursePageFactory, applicant

pytestmark = pytest.mark.django_db


@pytest.fixture
def notice(site_root, django_capture_on_commit_callbacks):
    course = CoursePageFactory(parent=CourseIndexPageFactory(parent=site_root), capacity=5)
    with django_capture_on_commit_callbacks(execute=True):
        enrollment = enroll(course.pk, applicant(1), now=NOW).enrollment
    Notice.objects.update(status="failed", attempts=8, last_error="SmsError: 阿里云短信：isp.SYSTEM_ERROR")
    return Notice.objects.get(reference=enrollment.reference)


def staff(client, django_user_model):
    user = django_user_model.objects.create_user("staff", password="pw")
    user.groups.add(Group.objects.get(name="报名管理员"))
    client.force_login(user)
    return user


def test_staff_see_state_attempts_and_error_with_the_number_masked(client, django_user_model, notice):
    staff(client, django_user_model)
    html = client.get("/admin/notices/").text
    assert notice.reference in html and "发送失败" in html and "isp.SYSTEM_ERROR" in html
    assert notice.recipient not in html and f"{notice.recipient[:3]}****{notice.recipient[-4:]}" in html
    assert client.get(f"/admin/notices/inspect/{notice.pk}/").status_code == 200


def test_staff_resend_a_failed_notice(client, django_user_model, notice, django_capture_on_commit_callbacks):
    user = staff(client, django_user_model)
    assert "确认重发" in client.get(f"/admin/notices/{notice.pk}/resend/").text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/notices/{notice.pk}/resend/", {"next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/admin/notices/"
    copy = Notice.objects.get(resend_of=notice)
    assert (copy.status, copy.created_by, copy.body) == ("sent", user, notice.body)


def test_notices_are_never_added_edited_or_deleted_by_hand(client, admin_user, notice):
    client.force_login(admin_user)
    for url in ["/admin/notices/new/", f"/admin/notices/edit/{notice.pk}/", f"/admin/notices/delete/{notice.pk}/"]:
        assert client.get(url).status_code in (302, 403, 404), url
    assert Notice.objects.filter(pk=notice.pk).exists()


def test_users_without_the_permission_cannot_resend(client, django_user_model, notice):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("editor", password="pw")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    assert client.post(f"/admin/notices/{notice.pk}/resend/").status_code in (302, 403)
    assert not Notice.objects.filter(resend_of=notice).exists()


def test_the_table_other_screens_include(rf, notice, admin_user):
    from django.template.loader import render_to_string

    from notices.services import notices_for

    request = rf.get("/admin/enrollments/inspect/1/")
    request.user = admin_user
    html = render_to_string(
        "notices/includes/notice_table.html",
        {"notices": notices_for(notice.about), "can_resend": True, "request": request},
    )
    assert "发送失败" in html and notice.masked_recipient in html and notice.recipient not in html
    assert f"/admin/notices/{notice.pk}/resend/?next=/admin/enrollments/inspect/1/" in html
