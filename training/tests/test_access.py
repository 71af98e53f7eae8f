"""Nobody reads or cancels another family's enrollment, nobody games the limits (issue #14).

Lookup, cancel and accept need the phone AND the reference; wrong pairs are counted per reference and per
client and lock the reference; a repeated submission does not reveal the reference; the limits are keyed
on the applicant as well as the address, and a NAT'd office at opening time is not blocked.
"""

import datetime
import json
import time

import pytest

from notices.sms import LogSmsBackend
from training.models import Enrollment
from training.tests.factories import OPEN, CourseIndexPageFactory, CoursePageFactory, TermFactory, id_number

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def limits_on(settings):
    settings.RATE_LIMITS_ENABLED = True


@pytest.fixture
def course(site_root):
    index = CourseIndexPageFactory(parent=site_root)
    return CoursePageFactory(parent=index, term=TermFactory(**OPEN), capacity=200, waitlist_size=5)


def form_data(seq=1, **overrides):
    data = {
        "applicant_name": "张建国",
        "phone": f"139{seq:08d}",
        "participant_name": "张小明",
        "id_number": id_number(datetime.date(2018, 3, 1), seq),
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def enrolled(client, course):
    assert client.post(course.url, form_data(1)).status_code == 302
    return Enrollment.objects.get()


def test_cancel_with_wrong_phones_is_locked_out_then_the_right_phone_too_until_the_lock_expires(
    client, enrolled, settings
):
    settings.TRAINING_RATE_LIMITS = {"lookup-fail-reference": (5, 2)}
    attacker = type(client)(REMOTE_ADDR="203.0.113.7")
    for guess in range(5):
        attacker.post("/enroll/cancel/", {"reference": enrolled.reference, "phone": f"1370000{guess:04d}"})
    # The owner, from another address, with the right phone: refused while the reference is locked.
    owner = type(client)(REMOTE_ADDR="198.51.100.20")
    response = owner.post("/enroll/cancel/", {"reference": enrolled.reference, "phone": enrolled.phone}, follow=True)
    enrolled.refresh_from_db()
    assert enrolled.status == "confirmed"
    assert "已暂时锁定" in response.text
    lookup = owner.post("/enroll/lookup/", {"phone": enrolled.phone, "reference": enrolled.reference})
    assert lookup.status_code == 429 and "已暂时锁定" in lookup.text
    time.sleep(2.1)  # the lock expires
    owner.post("/enroll/cancel/", {"reference": enrolled.reference, "phone": enrolled.phone})
    enrolled.refresh_from_db()
    assert enrolled.status == "cancelled"


def test_control_without_failures_the_right_phone_cancels_at_once(client, enrolled):
    client.post("/enroll/cancel/", {"reference": enrolled.reference, "phone": enrolled.phone})
    enrolled.refresh_from_db()
    assert enrolled.status == "cancelled"


def test_api_cancel_and_lookup_share_the_lockout(client, enrolled):
    def api(path, data):
        return client.post(path, json.dumps(data), content_type="application/json")

    for guess in range(5):
        response = api(f"/api/v1/enrollments/{enrolled.reference}/cancel/", {"phone": f"1380000{guess:04d}"})
    assert response.status_code == 429 and response.json()["code"] == "locked"
    response = api("/api/v1/enrollments/lookup/", {"reference": enrolled.reference, "phone": enrolled.phone})
    assert response.status_code == 429
    enrolled.refresh_from_db()
    assert enrolled.status == "confirmed"


def test_failures_are_counted_per_client_across_references(client, course, settings):
    settings.TRAINING_RATE_LIMITS = {"lookup-fail-client": (4, 600)}
    client.post(course.url, form_data(1))
    real = Enrollment.objects.get()
    for n in range(4):  # four different made-up references: none reaches its own limit
        client.post("/enroll/lookup/", {"phone": "13900000001", "reference": f"ZZZZZZ{n:02d}"})
    response = client.post("/enroll/lookup/", {"phone": real.phone, "reference": real.reference})
    assert response.status_code == 429
    other = type(client)(REMOTE_ADDR="198.51.100.99")  # the same pair from elsewhere works
    assert other.post("/enroll/lookup/", {"phone": real.phone, "reference": real.reference}).status_code == 200


def test_an_unknown_and_a_known_reference_get_the_same_answer(client, enrolled):
    wrong_phone = client.post("/enroll/lookup/", {"phone": "13900009999", "reference": enrolled.reference})
    unknown = client.post("/enroll/lookup/", {"phone": "13900009999", "reference": "ABCDEFGH"})
    assert wrong_phone.status_code == unknown.status_code == 404
    assert "没有找到这条报名" in wrong_phone.text and "没有找到这条报名" in unknown.text


def test_a_repeated_submission_says_already_enrolled_without_the_reference(client, course, enrolled):
    # Someone who knows the child's ID number, with another phone: no reference, no redirect to it.
    stranger = type(client)()
    response = stranger.post(course.url, form_data(1, phone="13700000000"), follow=True)
    assert response.redirect_chain[-1][0] == "/enroll/lookup/"
    assert "已报名过本课程" in response.text and "短信" in response.text
    assert enrolled.reference not in response.text
    assert Enrollment.objects.count() == 1


def test_cancel_button_posts_only_the_reference_after_a_lookup(client, enrolled):
    page = client.post("/enroll/lookup/", {"phone": enrolled.phone, "reference": enrolled.reference}).text
    assert enrolled.phone not in page  # the page carries no phone number
    client.post("/enroll/cancel/", {"reference": enrolled.reference})
    enrolled.refresh_from_db()
    assert enrolled.status == "cancelled"


def test_the_reference_alone_cancels_nothing(client, enrolled):
    stranger = type(client)()
    stranger.post("/enroll/cancel/", {"reference": enrolled.reference})
    stranger.post("/enroll/accept/", {"reference": enrolled.reference})
    enrolled.refresh_from_db()
    assert enrolled.status == "confirmed"


def test_a_natd_office_at_opening_time_is_not_blocked(client, course):
    """60 parents behind one address (the old limit blocked the 21st); each parent's own limit still holds."""
    office = type(client)(REMOTE_ADDR="203.0.113.50")
    codes = [office.post(course.url, form_data(n)).status_code for n in range(1, 61)]
    assert codes.count(302) == 60
    assert Enrollment.objects.count() == 60


def test_one_phone_cannot_submit_endlessly_from_many_addresses(client, course, settings):
    settings.TRAINING_RATE_LIMITS = {"enroll-phone": (3, 600)}
    codes = []
    for n in range(1, 6):
        visitor = type(client)(REMOTE_ADDR=f"198.51.100.{n}")
        codes.append(visitor.post(course.url, form_data(n, phone="13900000077")).status_code)
    assert codes[:3] == [302, 302, 302] and codes[3:] == [429, 429]


def test_one_id_number_cannot_be_probed_endlessly_with_different_phones(client, course, settings):
    settings.TRAINING_RATE_LIMITS = {"enroll-id": (3, 600)}
    codes = [
        type(client)(REMOTE_ADDR=f"198.51.100.{n}").post(course.url, form_data(1, phone=f"1370000{n:04d}")).status_code
        for n in range(1, 6)
    ]
    assert codes[-1] == 429 and 429 not in codes[:3]


def test_limits_and_lockouts_tolerate_a_cache_outage(client, course, monkeypatch):
    from training import ratelimit

    class DownCache:
        def __getattr__(self, name):
            def broken(*args, **kwargs):
                raise ConnectionError("cache down")

            return broken

    monkeypatch.setattr(ratelimit, "cache", DownCache())
    assert client.post(course.url, form_data(1)).status_code == 302
    made = Enrollment.objects.get()
    assert client.post("/enroll/lookup/", {"phone": made.phone, "reference": made.reference}).status_code == 200


# --- SMS sign-in --------------------------------------------------------------------------------------


@pytest.fixture
def sms(settings):
    settings.TRAINING_SMS_SIGN_IN = True
    LogSmsBackend.outbox.clear()
    yield LogSmsBackend.outbox
    LogSmsBackend.outbox.clear()


def _code_for(sent, phone):
    import re

    texts = [message.text for message in sent if message.phone == phone]
    return re.search(r"验证码为 (\d{6})", texts[-1]).group(1)


def test_sms_sign_in_shows_every_enrollment_of_the_phone(client, site_root, sms):
    index = CourseIndexPageFactory(parent=site_root)
    term = TermFactory(**OPEN)
    a = CoursePageFactory(parent=index, term=term, title="少儿古筝班")
    b = CoursePageFactory(parent=index, term=term, title="少儿书法班")
    client.post(a.url, form_data(1, phone="13912345678"))
    client.post(b.url, form_data(2, phone="13912345678"))
    client.post(b.url, form_data(3, phone="13800000000"))  # another family
    parent = type(client)()
    page = parent.get("/enroll/lookup/").text
    assert "短信验证码" in page
    assert parent.post("/enroll/lookup/", {"action": "send_code", "sms-phone": "139 1234 5678"}).status_code == 200
    code = _code_for(sms, "13912345678")
    response = parent.post(
        "/enroll/lookup/", {"action": "verify_code", "code-phone": "13912345678", "code-code": code}, follow=True
    )
    assert "少儿古筝班" in response.text and "少儿书法班" in response.text
    mine = Enrollment.objects.filter(phone="13912345678")
    assert all(e.reference in response.text for e in mine)
    assert Enrollment.objects.get(phone="13800000000").reference not in response.text
    # The session may now cancel its own enrollment by reference, not someone else's.
    other = Enrollment.objects.get(phone="13800000000")
    parent.post("/enroll/cancel/", {"reference": other.reference})
    other.refresh_from_db()
    assert other.status != "cancelled"
    parent.post("/enroll/cancel/", {"reference": mine[0].reference})
    assert Enrollment.objects.get(pk=mine[0].pk).status == "cancelled"


def test_a_code_works_once_and_wrong_codes_lock_the_phone(client, site_root, sms, settings):
    settings.TRAINING_RATE_LIMITS = {"sms-fail-phone": (3, 600)}
    client.post("/enroll/lookup/", {"action": "send_code", "sms-phone": "13912345678"})
    code = _code_for(sms, "13912345678")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(3):
        client.post("/enroll/lookup/", {"action": "verify_code", "code-phone": "13912345678", "code-code": wrong})
    response = client.post("/enroll/lookup/", {"action": "verify_code", "code-phone": "13912345678", "code-code": code})
    assert response.status_code == 429 and "已暂时锁定" in response.text
    assert "training_phone" not in client.session


def test_codes_are_throttled_per_phone_and_per_client(client, site_root, sms, settings):
    settings.TRAINING_RATE_LIMITS = {"sms-send-phone": (2, 3600), "sms-send-ip": (4, 3600)}
    codes = [
        client.post("/enroll/lookup/", {"action": "send_code", "sms-phone": "13912345678"}).status_code
        for _ in range(3)
    ]
    assert codes == [200, 200, 429] and len(sms) == 2
    client.post("/enroll/lookup/", {"action": "send_code", "sms-phone": "13912345679"})  # 4th request from here
    response = client.post("/enroll/lookup/", {"action": "send_code", "sms-phone": "13912345670"})
    assert response.status_code == 429 and len(sms) == 3


def test_without_an_sms_provider_there_is_no_sms_sign_in(client, site_root, settings):
    settings.TRAINING_SMS_SIGN_IN = None  # decided by the backend: the log backend is not a provider
    assert "短信验证码" not in client.get("/enroll/lookup/").text
    client.post("/enroll/lookup/", {"action": "send_code", "sms-phone": "13912345678"})
    assert not any(message.phone == "13912345678" for message in LogSmsBackend.outbox)


def test_cache_holds_no_phone_numbers(client, enrolled):
    client.post("/enroll/lookup/", {"phone": "13900009999", "reference": enrolled.reference})
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    backend = caches["default"]
    if isinstance(backend, LocMemCache):
        keys = list(backend._cache.keys())
    else:  # Redis
        keys = [key.decode() for key in backend._cache.get_client().keys("*")]
    assert keys and not any("13900009999" in key or enrolled.phone in key for key in keys)
