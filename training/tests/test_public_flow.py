"""The public journey through views: enroll on the course page, confirmation, lookup, cancel; bad input."""

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from training.models import Enrollment
from training.tests.factories import OPEN, CourseIndexPageFactory, CoursePageFactory, TermFactory, id_number

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(site_root):
    index = CourseIndexPageFactory(parent=site_root)
    return CoursePageFactory(parent=index, term=TermFactory(**OPEN), capacity=1, waitlist_size=1)


def form_data(seq=1, **overrides):
    data = {
        "applicant_name": "张建国",
        "phone": f"139 0000 {seq:04d}",
        "participant_name": "张小明",
        "id_number": id_number(datetime.date(2018, 3, 1), seq).lower(),
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return data


def test_enroll_confirm_lookup_cancel_and_promotion(client, course):
    response = client.post(course.url, form_data(1))
    assert response.status_code == 302
    first = Enrollment.objects.get()
    page = client.get(response["Location"]).text
    assert "报名成功，已录取" in page and first.reference in page
    assert "张*明" in page and "139****0001" in page and "张小明" not in page  # masked

    client.post(course.url, form_data(2))
    second = Enrollment.objects.exclude(pk=first.pk).get()
    assert second.status == "waitlisted" and second.waitlist_position == 1
    assert "候补中" in client.post("/enroll/lookup/", {"phone": "13900000002", "reference": second.reference}).text

    client.post("/enroll/cancel/", {"reference": first.reference, "phone": first.phone})
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == "cancelled" and second.status == "confirmed"


def test_form_errors_are_inline_in_chinese_and_nothing_is_saved(client, course):
    response = client.post(course.url, form_data(1, phone="12345", id_number="330481201803010011", consent=""))
    assert response.status_code == 400
    html = response.text
    assert "报名未成功" in html
    assert "请填写正确的 11 位手机号码" in html
    assert "身份证号不正确" in html
    assert "请阅读并同意个人信息保护告知" in html
    assert not Enrollment.objects.exists()


def test_rule_violations_come_back_as_messages(client, course):
    too_young = id_number(datetime.date(2023, 1, 1), 3)
    html = client.post(course.url, form_data(3, id_number=too_young)).text
    assert "本课程招收 6 岁及以上学员" in html
    assert not Enrollment.objects.exists()


def test_honeypot_rejects_bots(client, course):
    response = client.post(course.url, form_data(1, website="http://spam.example"))
    assert response.status_code == 400 and not Enrollment.objects.exists()


def test_rate_limit_per_phone(client, course, settings):
    settings.RATE_LIMITS_ENABLED = True
    from training import ratelimit

    limit = ratelimit.LIMITS["enroll-phone"][0]
    for _ in range(limit):
        client.post(course.url, form_data(1))
    response = client.post(course.url, form_data(1))
    assert response.status_code == 429 and "操作过于频繁" in response.text


def test_lookup_with_wrong_details_reveals_nothing(client, course):
    client.post(course.url, form_data(1))
    enrollment = Enrollment.objects.get()
    response = client.post("/enroll/lookup/", {"phone": "13900009999", "reference": enrollment.reference})
    assert response.status_code == 404 and "没有找到这条报名" in response.text


def test_catalogue_filters_and_bad_parameters(client, course):
    index = course.get_parent()
    assert course.title in client.get(index.url, {"audience": "children", "status": "open", "age": "8"}).text
    assert course.title not in client.get(index.url, {"age": "30"}).text
    for params in ({"age": "abc"}, {"term": "x"}, {"page": "-1"}, {"status": "zzz"}, {"weekday": "9"}):
        assert client.get(index.url, params).status_code == 200


text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    applicant_name=text,
    phone=text,
    participant_name=text,
    id_number_value=text,
    employer=text,
    consent=st.sampled_from(["", "on", "1", "x" * 40]),
)
def test_random_input_never_errors_or_saves_a_partial_record(
    client, course, applicant_name, phone, participant_name, id_number_value, employer, consent
):
    before = Enrollment.objects.count()
    data = {
        "applicant_name": applicant_name,
        "phone": phone,
        "participant_name": participant_name,
        "id_number": id_number_value,
        "employer": employer,
        "consent": consent,
    }
    response = client.post(course.url, data)  # NUL included: refused with 400
    assert response.status_code in (302, 400, 429)
    after = Enrollment.objects.count()
    if response.status_code != 302:
        assert after == before
    else:
        saved = Enrollment.objects.latest("pk")
        assert saved.id_number and saved.phone and saved.participant_name and saved.consent_at
