"""Who may see or change an enrollment from outside the admin: the phone AND the reference, or a phone
proven with a one-time SMS code. Used by 我的报名 (lookup, cancel, accept an offer) and the JSON API.

- The phone is compared in constant time (`hmac.compare_digest`), and an unknown reference costs the
  same comparison, so timing tells nothing about which references exist.
- Every failed pair is counted against the reference typed and against the client address; after
  `lookup-fail-reference` failures the reference is locked (even the right phone is refused) for the
  configured time, and after `lookup-fail-client` failures the client is (training.ratelimit).
- A locked reference and an unknown one are answered in words that do not say whether it exists.

SMS sign-in (`send_sign_in_code` / `verify_sign_in_code`): a 6-digit code, kept only as a keyed hash in
the cache for `SIGN_IN_CODE_SECONDS`, at most `sms-send-phone` codes per phone and `sms-send-ip` per
client an hour; failed codes lock the phone and the client like failed lookups.
"""

import hashlib
import hmac
import logging
import secrets

from django.conf import settings
from django.core.cache import cache

from notices.sms import LogSmsBackend, sms_backend
from training import notifications, ratelimit
from training.models import Enrollment
from training.services import identity, privacy

logger = logging.getLogger(__name__)

NOT_FOUND = "没有找到这条报名，请核对手机号码和报名编号。"
LOCKED = "查询失败次数过多，已暂时锁定，请 1 小时后再试。如有疑问请拨打 12351。"
TOO_MANY = "操作过于频繁，请稍后再试。如有疑问请拨打 12351。"
SMS_FAILED = "短信发送失败，请稍后再试，或用手机号码和报名编号查询。"
CODE_WRONG = "验证码不正确或已过期，请重新获取。"
ALREADY_ENROLLED = (
    "该学员已报名过本课程，无需重复提交。报名编号已在首次报名时以短信发送到报名手机号，"
    "请凭手机号码和报名编号在“我的报名”中查询或取消。"
)

SIGN_IN_CODE_SECONDS = 300
_DUMMY_PHONE = "00000000000"


class AccessDenied(Exception):
    """`code`: "not_found", "locked", "rate_limited" or "unavailable"; `message` in Chinese for people."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def normalise_reference(reference: str) -> str:
    """The reference as stored (training.services.identity), or "" when the text cannot be one."""
    return identity.normalize_reference((reference or "").replace("\x00", "")) or ""


def same_secret(a: str, b: str) -> bool:
    """Constant-time equality of two strings (phones, code hashes)."""
    return hmac.compare_digest(a.encode(), b.encode())


def find_own_enrollment(reference: str, phone: str, client: str) -> Enrollment:
    """The enrollment with this reference if `phone` (normalised) is the one it was made with.

    Raises AccessDenied("locked") while the reference or the client is locked out, and
    AccessDenied("not_found") for a wrong pair (counted as a failure).
    """
    reference = normalise_reference(reference)
    if ratelimit.locked("lookup-fail-reference", reference) or ratelimit.locked("lookup-fail-client", client):
        raise AccessDenied("locked", LOCKED)
    enrollment = Enrollment.objects.select_related("course").filter(reference=reference).first() if reference else None
    stored = enrollment.phone if enrollment is not None and enrollment.phone else _DUMMY_PHONE
    if same_secret(stored, phone or "") and enrollment is not None and phone:
        return enrollment
    locked_now = ratelimit.fail("lookup-fail-reference", reference)
    locked_now = ratelimit.fail("lookup-fail-client", client) or locked_now
    logger.info(
        "Enrollment lookup failed for reference %s from %s (phone %s)", reference, client, privacy.mask_phone(phone)
    )
    raise AccessDenied("locked", LOCKED) if locked_now else AccessDenied("not_found", NOT_FOUND)


def enrollments_for_phone(phone: str):
    """Everything made with this (verified) phone, newest first, for 我的报名 after SMS sign-in."""
    if not phone:
        return Enrollment.objects.none()
    return Enrollment.objects.select_related("course").filter(phone=phone).order_by("-created_at")[:50]


def sms_sign_in_available() -> bool:
    """SMS sign-in is offered only where a real SMS provider is configured (not the log backend)."""
    configured = getattr(settings, "TRAINING_SMS_SIGN_IN", None)
    if configured is not None:
        return bool(configured)
    return not isinstance(sms_backend(), LogSmsBackend)


def _code_key(phone: str) -> str:
    return "signin:" + hmac.new(settings.SECRET_KEY.encode(), phone.encode(), hashlib.sha256).hexdigest()[:32]


def _code_hash(phone: str, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def send_sign_in_code(phone: str, client: str) -> None:
    """Send a one-time code to `phone` (normalised). Raises AccessDenied when throttled or locked.

    The code is sent whether or not the phone has enrollments, so the answer tells nothing.
    """
    if ratelimit.locked("sms-fail-phone", phone) or ratelimit.locked("sms-fail-client", client):
        raise AccessDenied("locked", LOCKED)
    if not ratelimit.hit("sms-send-ip", client) or not ratelimit.hit("sms-send-phone", phone):
        raise AccessDenied("rate_limited", TOO_MANY)
    code = f"{secrets.randbelow(10**6):06d}"
    cache.set(_code_key(phone), _code_hash(phone, code), SIGN_IN_CODE_SECONDS)
    try:
        notifications.send_sign_in_code(phone, code, minutes=SIGN_IN_CODE_SECONDS // 60)
    except Exception:
        logger.exception("Sign-in code to %s not sent", privacy.mask_phone(phone))
        raise AccessDenied("unavailable", SMS_FAILED) from None


def verify_sign_in_code(phone: str, code: str, client: str) -> None:
    """Check a code sent by `send_sign_in_code`; it works once. Raises AccessDenied otherwise."""
    if ratelimit.locked("sms-fail-phone", phone) or ratelimit.locked("sms-fail-client", client):
        raise AccessDenied("locked", LOCKED)
    try:
        stored = cache.get(_code_key(phone)) or ""
    except Exception:
        logger.warning("Sign-in code not checked: the cache did not answer", exc_info=True)
        stored = ""
    if stored and same_secret(stored, _code_hash(phone, (code or "").strip())):
        cache.delete(_code_key(phone))
        return
    locked_now = ratelimit.fail("sms-fail-phone", phone)
    locked_now = ratelimit.fail("sms-fail-client", client) or locked_now
    if locked_now:
        cache.delete(_code_key(phone))
        raise AccessDenied("locked", LOCKED)
    raise AccessDenied("not_found", CODE_WRONG)
