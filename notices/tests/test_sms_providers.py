"""Aliyun and Tencent SMS against local fake gateways that verify each request's signature and answer with
the providers' documented success and error bodies; the log backend masks numbers and keeps little."""

import logging

import pytest

from notices.sms import (
    AliyunSmsBackend,
    LogSmsBackend,
    SmsError,
    SmsMessage,
    TencentSmsBackend,
    backend_from_url,
)
from notices.tests.fakes import FakeAliyun, FakeTencent

TEMPLATES = {
    "created:confirmed": {"id": "SMS_460735123", "params": ["participant", "course", "reference"]},
}
MESSAGE = SmsMessage(
    phone="13912345678",
    text="【海宁市工人文化宫】张*明已成功报名“少儿书法班”，报名编号 HN7K2Q9A。请按时上课。",
    template="created:confirmed",
    params={"participant": "张*明", "course": "少儿书法班 & 国画 100%", "reference": "HN7K2Q9A"},
)


@pytest.fixture
def aliyun():
    gateway = FakeAliyun()
    yield gateway
    gateway.close()


@pytest.fixture
def tencent():
    gateway = FakeTencent()
    yield gateway
    gateway.close()


def test_aliyun_sends_a_signed_template_message(aliyun):
    backend = backend_from_url(aliyun.url, TEMPLATES)
    assert isinstance(backend, AliyunSmsBackend)
    biz_id = backend.send(MESSAGE)
    assert biz_id.endswith("^0") and aliyun.rejected_signatures == 0
    assert aliyun.accepted == [
        {
            "phone": "13912345678",
            "sign": "海宁市工人文化宫",
            "template": "SMS_460735123",
            "params": {"participant": "张*明", "course": "少儿书法班 & 国画 100%", "reference": "HN7K2Q9A"},
        }
    ]


def test_aliyun_wrong_secret_is_refused_by_the_signature_check(aliyun):
    backend = backend_from_url(aliyun.url.replace("test-secret-aliyun", "wrong-secret"), TEMPLATES)
    with pytest.raises(SmsError) as error:
        backend.send(MESSAGE)
    assert error.value.code == "SignatureDoesNotMatch" and error.value.permanent
    assert aliyun.rejected_signatures == 1 and aliyun.accepted == []


@pytest.mark.parametrize(
    ("answer", "code", "permanent"),
    [
        ("limit", "isv.BUSINESS_LIMIT_CONTROL", False),
        ("system", "isp.SYSTEM_ERROR", False),
        ("unavailable", "ServiceUnavailable", False),
        ("illegal", "isv.MOBILE_NUMBER_ILLEGAL", True),
    ],
)
def test_aliyun_errors_are_classified(aliyun, answer, code, permanent):
    aliyun.script = [answer]
    with pytest.raises(SmsError) as error:
        backend_from_url(aliyun.url, TEMPLATES).send(MESSAGE)
    assert (error.value.code, error.value.permanent) == (code, permanent)


def test_tencent_sends_a_signed_template_message(tencent):
    backend = backend_from_url(tencent.url, TEMPLATES)
    assert isinstance(backend, TencentSmsBackend)
    serial = backend.send(MESSAGE)
    assert serial.startswith("5000:") and tencent.rejected_signatures == 0
    assert tencent.accepted == [
        {
            "phone": "+8613912345678",
            "sign": "海宁市工人文化宫",
            "template": "SMS_460735123",
            "params": ["张*明", "少儿书法班 & 国画 100%", "HN7K2Q9A"],
            "app": "1400006666",
            "region": "ap-shanghai",
        }
    ]


def test_tencent_wrong_key_is_refused_by_the_signature_check(tencent):
    backend = backend_from_url(tencent.url.replace("test-secret-tencent", "wrong"), TEMPLATES)
    with pytest.raises(SmsError) as error:
        backend.send(MESSAGE)
    assert error.value.code == "AuthFailure.SignatureFailure" and error.value.permanent
    assert tencent.rejected_signatures == 1


@pytest.mark.parametrize(
    ("answer", "code", "permanent"),
    [
        ("internal", "InternalError.Timeout", False),
        ("limit", "LimitExceeded.PhoneNumberThirtySecondLimit", False),
        ("illegal", "InvalidParameterValue.IncorrectPhoneNumber", True),
    ],
)
def test_tencent_errors_are_classified(tencent, answer, code, permanent):
    tencent.script = [answer]
    with pytest.raises(SmsError) as error:
        backend_from_url(tencent.url, TEMPLATES).send(MESSAGE)
    assert (error.value.code, error.value.permanent) == (code, permanent)


def test_a_kind_without_a_template_fails_permanently(tencent):
    message = SmsMessage(phone="13912345678", text="…", template="reminder:confirmed", params={})
    with pytest.raises(SmsError) as error:
        backend_from_url(tencent.url, TEMPLATES).send(message)
    assert error.value.permanent and "SMS_TEMPLATES" in str(error.value)
    assert tencent.requests == 0


def test_an_unreachable_gateway_is_a_temporary_error():
    from notices.tests.fakes import free_port

    backend = backend_from_url(f"aliyun://id:secret@127.0.0.1:{free_port()}?sign=x&scheme=http", TEMPLATES)
    with pytest.raises(SmsError) as error:
        backend.send(MESSAGE)
    assert not error.value.permanent


def test_log_backend_masks_the_number_and_keeps_a_bounded_outbox(caplog):
    backend = backend_from_url("", {})
    assert isinstance(backend, LogSmsBackend)
    with caplog.at_level(logging.INFO, logger="notices.sms"):
        for _ in range(250):
            backend.send(MESSAGE)
    assert "139****5678" in caplog.text and "13912345678" not in caplog.text
    assert len(LogSmsBackend.outbox) == LogSmsBackend.outbox.maxlen == 100


def test_unknown_scheme_is_a_configuration_error():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        backend_from_url("twilio://x:y@api", {})
