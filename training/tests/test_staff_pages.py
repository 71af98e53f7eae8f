"""Counter/telephone enrollment, the enrollment page, the printed slip and the sign-in sheet."""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from wagtail.models import ModelLogEntry

from training.models import Enrollment
from training.services.enrollment import enroll
from training.tests.factories import OPEN, CourseIndexPageFactory, CoursePageFactory, TermFactory, applicant, id_number

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(site_root):
    index = CourseIndexPageFactory(parent=site_root)
    term = TermFactory(**OPEN, ends_on=datetime.date(2100, 1, 1))
    return CoursePageFactory(parent=index, title="少儿古筝启蒙班", term=term, capacity=1, waitlist_size=2)


@pytest.fixture
def office(client, django_user_model):
    user = django_user_model.objects.create_user("office", password="pw", first_name="李", last_name="老师")
    user.groups.add(Group.objects.get(name="报名管理员"))
    client.force_login(user)
    return user


def walk_in(course, **overrides):
    data = {
        "course": course.pk,
        "source": "counter",
        "applicant_name": "陈 奶奶",
        "phone": "１３９ ０００１ ２３４５",  # full-width digits and spaces, as typed on some keyboards
        "participant_name": "陈小雨",
        "id_number": id_number(datetime.date(2018, 6, 1), 7, female=True).lower(),
        "consent": "on",
    }
    data.update(overrides)
    return data


def test_counter_enrollment_goes_through_the_service_and_logs_who_entered_it(client, office, course):
    page = client.get("/admin/enrollments/new/", {"course": course.pk})
    assert page.status_code == 200 and "现场/电话报名" in page.text and "少儿古筝启蒙班" in page.text
    response = client.post("/admin/enrollments/new/", walk_in(course))
    enrollment = Enrollment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/admin/enrollments/inspect/{enrollment.pk}/"
    assert enrollment.source == "counter" and enrollment.status == "confirmed"
    assert enrollment.phone == "13900012345" and enrollment.gender == "F"
    assert enrollment.birth_date == datetime.date(2018, 6, 1)
    course.seats.refresh_from_db()
    assert course.seats.confirmed == 1
    entry = ModelLogEntry.objects.for_instance(enrollment).get(action="training.enroll")
    assert entry.user == office
    # A caller next: the course is full, so the waitlist, recorded as 电话.
    client.post(
        "/admin/enrollments/new/", walk_in(course, source="phone", id_number=id_number(datetime.date(2018, 6, 1), 8))
    )
    second = Enrollment.objects.exclude(pk=enrollment.pk).get()
    assert second.source == "phone" and second.status == "waitlisted" and second.waitlist_position == 1


def test_counter_form_shows_the_public_forms_errors_and_the_rules_refusals(client, office, course):
    response = client.post("/admin/enrollments/new/", walk_in(course, phone="12345", id_number="330481201806010000"))
    assert response.status_code == 400
    assert "请填写正确的 11 位手机号码" in response.text and "身份证号不正确" in response.text
    too_old = walk_in(course, id_number=id_number(datetime.date(1990, 1, 1), 3))
    response = client.post("/admin/enrollments/new/", too_old)
    assert response.status_code == 400 and "岁及以下学员" in response.text
    assert not Enrollment.objects.exists()
    # The same child twice: the existing enrollment, not a second one.
    client.post("/admin/enrollments/new/", walk_in(course))
    response = client.post("/admin/enrollments/new/", walk_in(course))
    assert Enrollment.objects.count() == 1 and response.status_code == 302


def test_counter_enrollment_needs_the_add_permission(client, django_user_model, course):
    user = django_user_model.objects.create_user("viewer", password="pw")
    user.user_permissions.add(*Permission.objects.filter(codename__in=["access_admin", "view_enrollment"]))
    client.force_login(user)
    assert client.get("/admin/enrollments/new/").status_code in (302, 403)
    assert client.post("/admin/enrollments/new/", walk_in(course)).status_code in (302, 403)
    assert not Enrollment.objects.exists()


def test_enrollment_page_shows_every_field_history_and_actions(client, office, course):
    client.post("/admin/enrollments/new/", walk_in(course, email="chen@example.cn", employer="海宁皮革城"))
    enrollment = Enrollment.objects.get()
    html = client.get(f"/admin/enrollments/inspect/{enrollment.pk}/").text
    for text in (
        "陈小雨",
        "陈 奶奶",
        "13900012345",
        enrollment.id_number,
        "chen@example.cn",
        "海宁皮革城",
        "现场",
        "已录取",
    ):
        assert text in html
    assert "李老师" in html or "老师" in html  # who entered it, from the log
    assert f"/admin/enrollments/{enrollment.pk}/cancel/" in html
    assert f"/admin/enrollments/{enrollment.pk}/slip/" in html
    # Cancel from the page: the service runs, the history shows it.
    response = client.post(f"/admin/enrollments/{enrollment.pk}/cancel/")
    assert response["Location"] == f"/admin/enrollments/inspect/{enrollment.pk}/"
    enrollment.refresh_from_db()
    assert enrollment.status == "cancelled" and enrollment.cancelled_by == "staff"
    html = client.get(f"/admin/enrollments/inspect/{enrollment.pk}/").text
    assert "取消报名" in html and f"/admin/enrollments/{enrollment.pk}/cancel/" not in html


def test_enrollment_page_masks_without_the_permission(client, django_user_model, course):
    made = enroll(course.pk, applicant(1, participant_name="王小明")).enrollment
    user = django_user_model.objects.create_user("viewer", password="pw")
    user.user_permissions.add(*Permission.objects.filter(codename__in=["access_admin", "view_enrollment"]))
    client.force_login(user)
    html = client.get(f"/admin/enrollments/inspect/{made.pk}/").text
    assert "王*明" in html and "王小明" not in html
    assert made.phone not in html and made.id_number not in html
    assert f"/admin/enrollments/{made.pk}/cancel/" not in html  # no change permission, no actions


def test_superuser_sees_the_name_unmasked(client, django_user_model, course):
    made = enroll(course.pk, applicant(1, participant_name="王小明")).enrollment
    client.force_login(django_user_model.objects.create_superuser("boss", "b@example.cn", "pw"))
    html = client.get(f"/admin/enrollments/inspect/{made.pk}/").text
    assert "王小明" in html


def test_confirm_action_respects_capacity(client, office, course):
    first = enroll(course.pk, applicant(1)).enrollment
    waiting = enroll(course.pk, applicant(2)).enrollment
    client.post(f"/admin/enrollments/{waiting.pk}/confirm/")
    waiting.refresh_from_db()
    assert waiting.status == "waitlisted"  # full: 录取 never goes above capacity
    client.post(f"/admin/enrollments/{first.pk}/cancel/")
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"  # promoted by the service when the seat was freed


def test_slip_and_signin_sheet(client, office, course):
    made = [
        enroll(course.pk, applicant(n, participant_name=name)).enrollment
        for n, name in ((1, "欧阳·娜娜"), (2, "张小明"))
    ]
    slip = client.get(f"/admin/enrollments/{made[0].pk}/slip/").text
    assert made[0].reference in slip and "欧阳·娜娜" in slip and "少儿古筝启蒙班" in slip
    assert made[0].phone not in slip and made[0].phone[:3] + "****" in slip  # the slip leaves the building
    assert "<script>" not in slip and "style=" not in slip
    sheet = client.get(f"/admin/enrollments/signin/{course.pk}/").text
    assert "欧阳·娜娜" in sheet and "张小明" not in sheet  # confirmed only; the other is waitlisted
    assert made[0].phone in sheet  # this user may see personal data


def test_signin_sheet_masks_phones_without_the_permission(client, django_user_model, course):
    made = enroll(course.pk, applicant(1, participant_name="欧阳娜娜")).enrollment
    user = django_user_model.objects.create_user("teacher", password="pw")
    user.user_permissions.add(*Permission.objects.filter(codename__in=["access_admin", "view_enrollment"]))
    client.force_login(user)
    sheet = client.get(f"/admin/enrollments/signin/{course.pk}/").text
    assert made.phone not in sheet and made.phone[:3] + "****" + made.phone[-4:] in sheet
