"""Staff run enrollments in the Wagtail admin: list, filters, masked personal data, export, actions."""

import pytest
from django.contrib.auth.models import Group

from training.services.enrollment import enroll
from training.tests.factories import OPEN, CourseIndexPageFactory, CoursePageFactory, TermFactory, applicant

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrollments(site_root):
    index = CourseIndexPageFactory(parent=site_root)
    course = CoursePageFactory(
        parent=index, title="少儿古筝启蒙班", term=TermFactory(**OPEN), capacity=1, waitlist_size=2
    )
    made = [enroll(course.pk, applicant(n, participant_name="王小明")).enrollment for n in (1, 2)]
    return course, made


def login(client, django_user_model, group=None, superuser=False):
    if superuser:
        user = django_user_model.objects.create_superuser("boss", "b@example.cn", "pw")
    else:
        user = django_user_model.objects.create_user("staff", password="pw")
        user.groups.add(Group.objects.get(name=group))
    client.force_login(user)
    return user


def test_enrollment_staff_group_sees_full_data_and_exports(client, django_user_model, enrollments):
    course, made = enrollments
    login(client, django_user_model, group="报名管理员")
    html = client.get("/admin/enrollments/", {"status": "waitlisted"}).text
    assert made[1].reference in html and made[0].reference not in html
    assert made[1].phone in html  # this group may see personal data
    export = client.get("/admin/enrollments/", {"export": "csv", "course": course.pk})
    assert export.status_code == 200
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "报名编号" in text and made[0].id_number in text


def test_editors_cannot_see_enrollments(client, django_user_model, enrollments):
    login(client, django_user_model, group="内容编辑")
    assert client.get("/admin/enrollments/").status_code in (302, 403)


def test_personal_data_is_masked_without_the_permission(client, django_user_model, enrollments):
    from django.contrib.auth.models import Permission

    course, made = enrollments
    user = django_user_model.objects.create_user("viewer", password="pw")
    user.user_permissions.add(*Permission.objects.filter(codename__in=["access_admin", "view_enrollment"]))
    client.force_login(user)
    html = client.get("/admin/enrollments/").text
    assert made[0].reference in html
    assert made[0].phone not in html and "139****0001" in html
    assert "王*明" in html and "王小明" not in html
    text = b"".join(client.get("/admin/enrollments/", {"export": "csv"}).streaming_content).decode("utf-8-sig")
    assert made[0].id_number not in text and made[0].id_number[:2] + "*" * 14 + made[0].id_number[-2:] in text


def test_staff_cancel_promotes_and_is_logged(client, django_user_model, enrollments):
    course, made = enrollments
    login(client, django_user_model, superuser=True)
    response = client.post(f"/admin/enrollments/{made[0].pk}/cancel/")
    assert response.status_code == 302
    made[1].refresh_from_db()
    assert made[1].status == "confirmed"
    history = client.get(f"/admin/enrollments/history/{made[0].pk}/")
    assert history.status_code == 200 and "取消报名" in history.text


def test_promote_has_a_confirmation_page(client, django_user_model, enrollments):
    course, made = enrollments
    login(client, django_user_model, superuser=True)
    confirm = client.get(f"/admin/enrollments/{made[1].pk}/promote/")
    assert confirm.status_code == 200 and "确认递补为正式录取" in confirm.text
    made[1].refresh_from_db()
    assert made[1].status == "waitlisted"  # nothing happens on GET
    client.post(f"/admin/enrollments/{made[1].pk}/promote/")
    made[1].refresh_from_db()
    assert made[1].status == "confirmed"


def test_every_enrollment_log_entry_is_a_registered_action_with_its_user(client, django_user_model, enrollments):
    """training.services.enrollment writes its audit entries with one INSERT, without Wagtail's validation:
    every action it writes must be registered (else the history cannot label it), and the staff member
    who acted is recorded."""
    import re
    from pathlib import Path

    from wagtail.log_actions import registry
    from wagtail.models import ModelLogEntry

    import training.services.enrollment as service

    written = set(re.findall(r'_log\(\s*\w+,\s*"([\w.]+)"', Path(service.__file__).read_text()))
    assert {"training.enroll", "training.cancel", "training.promote"} <= written
    assert all(registry.action_exists(action) for action in written)

    course, made = enrollments
    login(client, django_user_model, superuser=True)
    client.post(f"/admin/enrollments/{made[0].pk}/cancel/")
    entries = {e.action: e for e in ModelLogEntry.objects.filter(object_id=str(made[0].pk))}
    assert entries["training.enroll"].user is None and entries["training.enroll"].data == {"status": "confirmed"}
    assert entries["training.cancel"].user.username and entries["training.cancel"].label == str(made[0])
    history = client.get(f"/admin/enrollments/history/{made[0].pk}/").text
    assert "提交报名" in history and "取消报名" in history
