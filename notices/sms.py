"""SMS providers behind one small interface, chosen by the `SMS_URL` setting.

    backend = sms_backend()
    provider_id = backend.send(SmsMessage(phone="13800000000", text="…", template="created:confirmed", params={…}))

`send` returns the provider's message id, or raises `SmsError` (`permanent=True` when trying again cannot
help: a wrong number, a template the provider does not know, bad credentials).

`SMS_URL` (environment):

- empty or ``log:`` — write the message to the log with the number masked (development default);
- ``aliyun://<AccessKeyId>:<AccessKeySecret>@dysmsapi.aliyuncs.com?sign=<签名名称>`` — Alibaba Cloud SMS,
  `SendSms` of Dysmsapi 2017-05-25 with the RPC signature (HMAC-SHA1, signature version 1.0);
- ``tencent://<SecretId>:<SecretKey>@sms.tencentcloudapi.com?sdk_app_id=<SmsSdkAppId>&sign=<签名内容>&region=ap-guangzhou``
  — Tencent Cloud SMS, `SendSms` of API 2021-01-11 with the TC3-HMAC-SHA256 signature.

Both providers send only pre-approved templates with parameters, not free text. `SMS_TEMPLATES` maps each
notice kind to the provider's template and the ordered names of its parameters, e.g.
``{"created:confirmed": {"id": "SMS_460735123", "params": ["participant", "course", "reference"]}}``
(Aliyun: the parameters become the TemplateParam JSON object; Tencent: TemplateParamSet in that order).
Add ``&scheme=http`` (or a ``:port``) to point a provider at a local test server.
"""

import base64
import collections
import datetime
import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from notices.masking import mask_recipient

logger = logging.getLogger("notices.sms")

TIMEOUT = 10  # seconds per provider request; a worker waits at most this long per attempt


class SmsError(Exception):
    """The provider did not accept the message. `permanent`: retrying the same request cannot succeed."""

    def __init__(self, message: str, *, permanent: bool = False, code: str = ""):
        super().__init__(message)
        self.permanent = permanent
        self.code = code


@dataclass(frozen=True)
class SmsMessage:
    phone: str  # mainland numbers as 11 digits; others in E.164 (+…)
    text: str  # the full text, for the log backend and staff
    template: str = ""  # the notice kind; providers look it up in SMS_TEMPLATES
    params: dict = field(default_factory=dict)


def e164(phone: str) -> str:
    return phone if phone.startswith("+") else f"+86{phone}"


class LogSmsBackend:
    """Writes each message to the log, number masked. `outbox` keeps the last 100 for the dev console and tests."""

    outbox: collections.deque = collections.deque(maxlen=100)

    def send(self, message: SmsMessage) -> str:
        logger.info("SMS to %s: %s", mask_recipient(message.phone), message.text)
        self.outbox.append(message)
        return f"log-{uuid.uuid4().hex[:12]}"


class _TemplateBackend:
    def __init__(self, templates: dict):
        self.templates = templates

    def template_for(self, message: SmsMessage) -> tuple[str, list[tuple[str, str]]]:
        config = self.templates.get(message.template)
        if not config:
            raise SmsError(f"没有为通知类型 {message.template} 配置短信模板（SMS_TEMPLATES）", permanent=True)
        names = config.get("params", [])
        return str(config["id"]), [(name, str(message.params.get(name, ""))) for name in names]


def _request(request: urllib.request.Request) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 (URL from settings)
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as error:
        raise SmsError(f"无法连接短信服务商：{getattr(error, 'reason', error)}") from error
    try:
        return status, json.loads(raw or b"{}")
    except ValueError as error:
        raise SmsError(f"短信服务商返回了无法解析的内容（HTTP {status}）") from error


def aliyun_percent(value: str) -> str:
    """RFC 3986 encoding used by Aliyun's RPC signature (space → %20, * → %2A, ~ kept)."""
    return quote(value, safe="~")


def aliyun_signature(method: str, params: dict[str, str], secret: str) -> str:
    """Signature v1.0 of Alibaba Cloud RPC APIs: Base64(HMAC-SHA1(secret + "&", StringToSign)), where
    StringToSign = METHOD & %2F & percent(sorted, percent-encoded "k=v" pairs joined by "&")."""
    canonical = "&".join(f"{aliyun_percent(k)}={aliyun_percent(v)}" for k, v in sorted(params.items()))
    to_sign = f"{method}&{aliyun_percent('/')}&{aliyun_percent(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


# Aliyun error codes that retrying cannot fix (https://help.aliyun.com/zh/sms/developer-reference/api-error-codes).
ALIYUN_PERMANENT = {
    "isv.MOBILE_NUMBER_ILLEGAL",
    "isv.SMS_TEMPLATE_ILLEGAL",
    "isv.SMS_SIGNATURE_ILLEGAL",
    "isv.TEMPLATE_MISSING_PARAMETERS",
    "isv.INVALID_PARAMETERS",
    "isv.ACCOUNT_NOT_EXISTS",
    "isv.PARAM_LENGTH_LIMIT",
    "isv.BLACK_KEY_CONTROL_LIMIT",
    "isv.MOBILE_COUNT_OVER_LIMIT",
    "InvalidAccessKeyId.NotFound",
    "SignatureDoesNotMatch",
}


class AliyunSmsBackend(_TemplateBackend):
    """Alibaba Cloud SMS (Dysmsapi 2017-05-25 SendSms), RPC style with signature v1.0."""

    def __init__(self, *, key_id, secret, sign_name, endpoint="https://dysmsapi.aliyuncs.com", templates=None):
        super().__init__(templates or {})
        self.key_id, self.secret, self.sign_name, self.endpoint = key_id, secret, sign_name, endpoint.rstrip("/")

    def send(self, message: SmsMessage) -> str:
        template_id, params = self.template_for(message)
        query = {
            "AccessKeyId": self.key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "PhoneNumbers": message.phone.removeprefix("+86"),
            "SignName": self.sign_name,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "TemplateCode": template_id,
            "TemplateParam": json.dumps(dict(params), ensure_ascii=False),
            "Timestamp": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
        }
        query["Signature"] = aliyun_signature("POST", query, self.secret)
        body = urlencode(query, quote_via=quote).encode()
        request = urllib.request.Request(
            f"{self.endpoint}/",
            data=body,
            method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        status, data = _request(request)
        code = data.get("Code", "")
        if status == 200 and code == "OK":
            return data.get("BizId", "")
        message_text = data.get("Message", "") or f"HTTP {status}"
        raise SmsError(
            f"阿里云短信：{code or status} {message_text}",
            permanent=code in ALIYUN_PERMANENT or (400 <= status < 500 and status != 429 and not code),
            code=code,
        )


def tencent_authorization(
    *, secret_id, secret_key, service, host, payload: bytes, timestamp: int, content_type: str
) -> str:
    """TC3-HMAC-SHA256 of Tencent Cloud API 3.0 for a POST with the signed headers content-type and host."""
    date = datetime.datetime.fromtimestamp(timestamp, datetime.UTC).strftime("%Y-%m-%d")
    canonical_request = "\n".join(
        [
            "POST",
            "/",
            "",
            f"content-type:{content_type}\nhost:{host}\n",
            "content-type;host",
            hashlib.sha256(payload).hexdigest(),
        ]
    )
    scope = f"{date}/{service}/tc3_request"
    to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{hashlib.sha256(canonical_request.encode()).hexdigest()}"

    def _hmac(key: bytes, msg: str) -> bytes:
        return hmac.new(key, msg.encode(), hashlib.sha256).digest()

    signing_key = _hmac(_hmac(_hmac(f"TC3{secret_key}".encode(), date), service), "tc3_request")
    signature = hmac.new(signing_key, to_sign.encode(), hashlib.sha256).hexdigest()
    return f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders=content-type;host, Signature={signature}"


# Tencent error codes that retrying cannot fix (https://cloud.tencent.com/document/product/382/52075).
TENCENT_RETRYABLE_PREFIXES = ("InternalError", "RequestLimitExceeded", "LimitExceeded", "FailedOperation.Frequency")


class TencentSmsBackend(_TemplateBackend):
    """Tencent Cloud SMS (SendSms, API 2021-01-11), signed with TC3-HMAC-SHA256."""

    CONTENT_TYPE = "application/json; charset=utf-8"

    def __init__(
        self,
        *,
        secret_id,
        secret_key,
        sdk_app_id,
        sign_name,
        region="ap-guangzhou",
        endpoint="https://sms.tencentcloudapi.com",
        templates=None,
    ):
        super().__init__(templates or {})
        self.secret_id, self.secret_key = secret_id, secret_key
        self.sdk_app_id, self.sign_name, self.region = sdk_app_id, sign_name, region
        self.endpoint = endpoint.rstrip("/")

    def send(self, message: SmsMessage) -> str:
        template_id, params = self.template_for(message)
        payload = json.dumps(
            {
                "PhoneNumberSet": [e164(message.phone)],
                "SmsSdkAppId": self.sdk_app_id,
                "SignName": self.sign_name,
                "TemplateId": template_id,
                "TemplateParamSet": [value for _, value in params],
            },
            ensure_ascii=False,
        ).encode()
        host = urlsplit(self.endpoint).netloc
        timestamp = int(time.time())
        headers = {
            "Authorization": tencent_authorization(
                secret_id=self.secret_id,
                secret_key=self.secret_key,
                service="sms",
                host=host,
                payload=payload,
                timestamp=timestamp,
                content_type=self.CONTENT_TYPE,
            ),
            "Content-Type": self.CONTENT_TYPE,
            "Host": host,
            "X-TC-Action": "SendSms",
            "X-TC-Timestamp": str(timestamp),
            "X-TC-Version": "2021-01-11",
            "X-TC-Region": self.region,
        }
        request = urllib.request.Request(f"{self.endpoint}/", data=payload, method="POST", headers=headers)
        status, data = _request(request)
        response = data.get("Response", {})
        error = response.get("Error")
        if error:
            code = error.get("Code", "")
            raise SmsError(
                f"腾讯云短信：{code} {error.get('Message', '')}",
                permanent=not code.startswith(TENCENT_RETRYABLE_PREFIXES),
                code=code,
            )
        statuses = response.get("SendStatusSet") or []
        if status == 200 and statuses and statuses[0].get("Code") == "Ok":
            return statuses[0].get("SerialNo", "")
        code = statuses[0].get("Code", "") if statuses else f"HTTP {status}"
        text = statuses[0].get("Message", "") if statuses else ""
        raise SmsError(
            f"腾讯云短信：{code} {text}".strip(),
            permanent=bool(statuses) and not code.startswith(TENCENT_RETRYABLE_PREFIXES),
            code=code,
        )


def backend_from_url(url: str, templates: dict | None = None):
    """Build the SMS backend an `SMS_URL` names (see the module docstring)."""
    if not url or url in {"log:", "log://", "console:"}:
        return LogSmsBackend()
    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    web_scheme = query.get("scheme", "https")
    user, password = unquote(parts.username or ""), unquote(parts.password or "")
    if parts.scheme == "aliyun":
        host = parts.netloc.rsplit("@", 1)[-1] or "dysmsapi.aliyuncs.com"
        return AliyunSmsBackend(
            key_id=user,
            secret=password,
            sign_name=query.get("sign", ""),
            endpoint=f"{web_scheme}://{host}",
            templates=templates,
        )
    if parts.scheme == "tencent":
        host = parts.netloc.rsplit("@", 1)[-1] or "sms.tencentcloudapi.com"
        return TencentSmsBackend(
            secret_id=user,
            secret_key=password,
            sdk_app_id=query.get("sdk_app_id", ""),
            sign_name=query.get("sign", ""),
            region=query.get("region", "ap-guangzhou"),
            endpoint=f"{web_scheme}://{host}",
            templates=templates,
        )
    raise ImproperlyConfigured(f"SMS_URL: unknown scheme {parts.scheme!r} (log:, aliyun://, tencent://)")


def sms_backend():
    """The configured backend (settings.SMS_URL, settings.SMS_TEMPLATES)."""
    return backend_from_url(getattr(settings, "SMS_URL", ""), getattr(settings, "SMS_TEMPLATES", {}))
