"""JSON API v1: the same rules as the web form, documented by OpenAPI, errors in one Chinese shape."""

import datetime
import json

import pytest

from training.models import Enrollment
from training.tests.factories import OPEN, CourseIndexPageFactory, CoursePageFactory, TermFactory, id_number

pytestmark = pytest.mark.django_db


@pytest.fixture
def index(site_root):
    return CourseIndexPageFactory(parent=site_root)


@pytest.fixture
def course(index):
    return CoursePageFactory(
        parent=index, title="少儿古筝启蒙班", term=TermFactory(**OPEN), capacity=1, waitlist_size=1
    )


def body(seq=1, **overrides):
    data = {
        "applicant_name": "张建国",
        "phone": f"1390000{seq:04d}",
        "participant_name": "张小明",
        "id_number": id_number(datetime.date(2018, 3, 1), seq),
        "consent": True,
    }
    data.update(overrides)
    return data


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_course_list_and_detail_have_the_documented_fields(client, course, index):
    closed = CoursePageFactory(
        parent=index,
        title="已截止的课程",
        term=TermFactory(
            enrollment_opens_at=OPEN["enrollment_opens_at"],
            enrollment_closes_at=OPEN["enrollment_opens_at"] + datetime.timedelta(days=1),
        ),
    )
    data = client.get("/api/v1/courses/").json()
    assert data["count"] == 2
    item = next(i for i in data["items"] if i["id"] == course.pk)
    for key in [
        "id",
        "title",
        "url",
        "term",
        "category",
        "audience",
        "age_min",
        "age_max",
        "capacity",
        "seats_left",
        "waitlist_count",
        "status",
        "allocation",
        "opens_at",
        "closes_at",
    ]:
        assert key in item
    assert item["status"] == "open" and item["seats_left"] == 1 and item["allocation"] == "fcfs"
    assert [i["id"] for i in client.get("/api/v1/courses/?status=closed").json()["items"]] == [closed.pk]
    assert client.get(f"/api/v1/courses/?category={course.category.slug}&status=open").json()["count"] == 1
    assert client.get("/api/v1/courses/?audience=adults").json()["count"] == 0
    assert client.get(f"/api/v1/courses/{course.pk}/").json()["title"] == "少儿古筝启蒙班"
    missing = client.get("/api/v1/courses/999999/")
    assert missing.status_code == 404 and missing.json()["message"] == "没有这门课程。"


def test_enroll_repeat_waitlist_full_lookup_and_cancel(client, course):
    url = f"/api/v1/courses/{course.pk}/enrollments/"
    first = post(client, url, body(1))
    assert first.status_code == 201
    assert first.json()["status"] == "confirmed" and first.json()["waitlist_position"] is None
    again = post(client, url, body(1, phone="13900000009"))  # someone who knows the child's ID number
    assert again.status_code == 409 and again.json()["code"] == "already_enrolled"
    assert first.json()["reference"] not in again.text and "短信" in again.json()["message"]
    second = post(client, url, body(2))
    assert second.status_code == 201
    assert (second.json()["status"], second.json()["waitlist_position"]) == ("waitlisted", 1)
    third = post(client, url, body(3))
    assert third.status_code == 409 and third.json()["code"] == "full" and "已满" in third.json()["message"]
    assert Enrollment.objects.count() == 2

    ref = first.json()["reference"]
    lookup = "/api/v1/enrollments/lookup/"
    assert post(client, lookup, {"reference": ref, "phone": "13900000002"}).status_code == 404  # wrong phone
    found = post(client, lookup, {"reference": ref.lower(), "phone": "139 0000 0001"})
    assert found.status_code == 200 and found.json()["status"] == "confirmed"
    cancelled = post(client, f"/api/v1/enrollments/{ref}/cancel/", {"phone": "13900000001"})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    promoted = post(client, lookup, {"reference": second.json()["reference"], "phone": "13900000002"}).json()
    assert promoted["status"] == "confirmed"
    again = post(client, f"/api/v1/enrollments/{ref}/cancel/", {"phone": "13900000001"})
    assert again.status_code == 409 and again.json()["code"] == "not_active"


def test_invalid_input_is_422_with_chinese_field_errors_and_saves_nothing(client, course):
    url = f"/api/v1/courses/{course.pk}/enrollments/"
    response = post(client, url, body(1, id_number="330481201803010000", phone="12345"))
    assert response.status_code == 422
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert "身份证号不正确" in errors["id_number"] and "手机号码" in errors["phone"]
    response = post(client, url, {"phone": 123})
    assert response.status_code == 422 and response.json()["code"] == "invalid"
    assert {e["field"] for e in response.json()["errors"]} >= {"applicant_name", "consent"}
    bad_json = client.post(url, "{not json", content_type="application/json")
    assert bad_json.status_code in (400, 422)
    assert bad_json.json()["code"] == "invalid_json" and "JSON" in bad_json.json()["message"]
    lookup = client.post("/api/v1/enrollments/lookup/", "not json", content_type="application/json")
    assert lookup.status_code == 400 and lookup.json()["message"].startswith("提交的内容不是有效的 JSON")
    assert Enrollment.objects.count() == 0


@pytest.mark.parametrize(
    "change, code",
    [
        (dict(enrollment_opens_at=datetime.datetime(2099, 1, 1, tzinfo=datetime.UTC)), "not_open"),
        (dict(enrollment_closes_at=datetime.datetime(2021, 1, 1, tzinfo=datetime.UTC)), "closed"),
    ],
)
def test_window_rules_are_409_with_a_reason(client, index, change, code):
    course = CoursePageFactory(parent=index, term=TermFactory(**(OPEN | change)))
    response = post(client, f"/api/v1/courses/{course.pk}/enrollments/", body(1))
    assert response.status_code == 409 and response.json()["code"] == code


def test_ineligible_and_term_limit_are_409(client, index):
    term = TermFactory(**OPEN, max_courses_per_participant=1)
    a, b = CoursePageFactory(parent=index, term=term), CoursePageFactory(parent=index, term=term)
    too_young = body(1, id_number=id_number(datetime.date(2024, 3, 1), 1))
    response = post(client, f"/api/v1/courses/{a.pk}/enrollments/", too_young)
    assert response.status_code == 409 and response.json()["code"] == "too_young"
    assert post(client, f"/api/v1/courses/{a.pk}/enrollments/", body(2)).status_code == 201
    response = post(client, f"/api/v1/courses/{b.pk}/enrollments/", body(2))
    assert response.status_code == 409 and response.json()["code"] == "term_limit"


def test_rate_limits_apply_and_can_be_configured(client, course, settings):
    settings.RATE_LIMITS_ENABLED = True
    settings.TRAINING_RATE_LIMITS = {"enroll-ip": (2, 600)}
    url = f"/api/v1/courses/{course.pk}/enrollments/"
    codes = [post(client, url, body(n)).status_code for n in range(1, 4)]
    assert codes[:2] != [429, 429] and codes[2] == 429
    settings.RATE_LIMITS_ENABLED = False
    assert post(client, url, body(4)).status_code != 429


def test_a_client_over_its_address_limit_costs_no_query_and_cannot_churn_the_course_memo(client, course, settings):
    """Review finding: the address is counted before the course is looked up. A flood or a prober of course
    ids that is already refused runs no query, and cannot empty the per-process course memo (about 1,000 ids)
    that the opening rush reads instead of the database."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from training.services import enrollment

    settings.RATE_LIMITS_ENABLED = True
    settings.TRAINING_RATE_LIMITS = {"enroll-ip": (3, 600)}
    enrollment.forget_rule_courses()
    prober = "198.51.100.7"
    assert post(client, f"/api/v1/courses/{course.pk}/enrollments/", body(1)).status_code == 201
    assert course.pk in enrollment._rule_courses
    for n in range(3):
        client.post(
            f"/api/v1/courses/{999_999}/enrollments/",
            json.dumps(body(n)),
            content_type="application/json",
            REMOTE_ADDR=prober,
        )
    with CaptureQueriesContext(connection) as queries:
        codes = {
            client.post(
                f"/api/v1/courses/{3_000_000 + n}/enrollments/",
                json.dumps(body(n)),
                content_type="application/json",
                REMOTE_ADDR=prober,
            ).status_code
            for n in range(1002)
        }
    assert codes == {429}
    assert len(queries) == 0, [q["sql"][:80] for q in queries]
    assert course.pk in enrollment._rule_courses


def test_bodies_the_schema_refuses_count_against_the_address_too(client, course, settings):
    """Review finding: a body refused by the schema (a field missing, not JSON) never reached the view and was
    never counted; the address is now counted before the body is read."""
    settings.RATE_LIMITS_ENABLED = True
    settings.TRAINING_RATE_LIMITS = {"enroll-ip": (3, 600)}
    url = f"/api/v1/courses/{course.pk}/enrollments/"
    missing_consent = {key: value for key, value in body(1).items() if key != "consent"}
    codes = [post(client, url, missing_consent).status_code for _ in range(2)]
    codes.append(client.post(url, "{not json", content_type="application/json").status_code)
    codes.append(post(client, url, body(2)).status_code)
    assert codes == [422, 422, 400, 429]
    assert response_is_chinese(post(client, url, body(3)))
    assert not Enrollment.objects.exists()


def response_is_chinese(response) -> bool:
    return response.status_code == 429 and response.json() == {
        "code": "rate_limited",
        "message": "操作过于频繁，请 10 分钟后再试。如有疑问请拨打 12351。",
    }


def test_openapi_schema_and_docs(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["version"] == "1"
    paths = schema["paths"]
    assert {
        "/api/v1/courses/",
        "/api/v1/courses/{course_id}/",
        "/api/v1/courses/{course_id}/enrollments/",
        "/api/v1/enrollments/lookup/",
        "/api/v1/enrollments/{reference}/cancel/",
    } <= set(paths)
    assert set(paths["/api/v1/courses/{course_id}/enrollments/"]["post"]["responses"]) >= {"201", "409", "415", "422"}
    assert client.get("/api/v1/docs/").status_code == 200


@pytest.mark.parametrize(
    "url",
    ["/api/v1/courses/?term=99999999999999999999", "/api/v1/courses/99999999999999999999/", "/api/v1/courses/-1/"],
)
def test_out_of_range_ids_are_client_errors(client, course, url):
    # Found by the fuzz run: SQLite cannot bind integers beyond 64 bits.
    assert client.get(url).status_code in (404, 422)


def test_nul_characters_in_query_text_are_not_errors(client, course):
    # Found by the fuzz run on PostgreSQL, which rejects NUL in text.
    assert client.get("/api/v1/courses/?category=a%00b").status_code == 200
    assert (
        post(client, "/api/v1/enrollments/lookup/", {"reference": "AB\x00CD", "phone": "139\x0000"}).status_code == 404
    )
