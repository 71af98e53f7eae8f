"""Rate limits and lockouts in Django's cache (Redis in production, shared by every server process).

Two kinds, both configured as ``name: (count, seconds)`` in `LIMITS` and overridable per name with the
`TRAINING_RATE_LIMITS` setting:

- `hit(name, key)`: a fixed-window request limit (at most `count` requests per `seconds`).
- `fail(name, key)` / `locked(name, key)`: a lockout. Each failure is counted for `seconds`; the
  `count`-th one locks the key for `seconds` from then on, whatever is tried while it is locked.

Limits are keyed on what identifies an applicant (normalised phone, ID number, enrollment reference) as
well as on the client address (`haining.client_address`, which believes `X-Forwarded-For` only from the
site's own proxies). The per-address limits are set high on purpose: at opening time hundreds of parents
may share one office or carrier NAT address; the per-person limits are the tight ones.

Keys are stored as HMAC digests, so the cache never holds a phone or ID number. A cache outage must not
stop enrollment: every cache error is logged and the request is allowed (fail open).
"""

import hashlib
import hmac
import logging
import time

from django.conf import settings
from django.core.cache import cache

from haining.client_address import client_ip  # noqa: F401  (re-exported: the one definition of "client")

logger = logging.getLogger(__name__)

LIMITS = {
    # requests per window
    "enroll-ip": (300, 600),
    "enroll-phone": (6, 600),
    "enroll-id": (6, 600),
    "lookup-ip": (120, 600),
    "lookup-phone": (20, 600),
    "sms-send-phone": (3, 3600),
    "sms-send-ip": (30, 3600),
    # lockouts: failures before the lock, and how long failures are counted / the lock lasts
    "lookup-fail-reference": (5, 3600),
    "lookup-fail-client": (20, 3600),
    "sms-fail-phone": (5, 3600),
    "sms-fail-client": (20, 3600),
}


def _limit(name: str) -> tuple[int, int]:
    return {**LIMITS, **getattr(settings, "TRAINING_RATE_LIMITS", {})}[name]


def _enabled() -> bool:
    return getattr(settings, "RATE_LIMITS_ENABLED", True)


def _digest(key: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), str(key).encode(), hashlib.sha256).hexdigest()[:32]


def _count(bucket: str, window: int) -> int:
    return _count_many([(bucket, window)])[0]


def _count_many(buckets: list[tuple[str, int]]) -> list[int]:
    count_in_windows = getattr(cache, "count_in_windows", None)  # Redis (haining.cache): one round trip
    if count_in_windows is not None:
        return count_in_windows(buckets)
    return [_count_one(bucket, window) for bucket, window in buckets]


def _count_one(bucket: str, window: int) -> int:
    if cache.add(bucket, 1, window):
        return 1
    try:
        return cache.incr(bucket)
    except ValueError:  # expired between add and incr
        cache.set(bucket, 1, window)
        return 1


def hit(name: str, key: str) -> bool:
    """Count one request; False when the limit for this window is already reached."""
    return hit_all((name, key))


def hit_all(*checks: tuple[str, str]) -> bool:
    """Count one request against each (limit name, key), in one cache round trip; False when any of the
    limits for this window is already reached. Every limit is counted, whichever one refuses."""
    if not _enabled():
        return True
    limits = [(name, *_limit(name)) for name, _ in checks]
    buckets = [
        (f"rl:{name}:{_digest(key)}:{int(time.time() // window)}", window)
        for (name, _, window), (_, key) in zip(limits, checks, strict=True)
    ]
    try:
        counts = _count_many(buckets)
    except Exception:
        logger.warning("Rate limits %s not applied: the cache did not answer", [c[0] for c in checks], exc_info=True)
        return True
    return all(count <= limit for count, (_, limit, _) in zip(counts, limits, strict=True))


def applicant_allowed(applicant: dict) -> bool:
    """Count one valid enrollment submission (web form or API; `applicant`: the form's cleaned data) against
    its phone and its ID number, in one round trip. False when either limit is reached. The client address
    is counted before the form is read (`hit("enroll-ip", …)`), so a client over its limit costs nothing more."""
    return hit_all(("enroll-phone", applicant["phone"]), ("enroll-id", applicant["id_number"]))


def locked(name: str, key: str) -> bool:
    """True while `key` is locked out after too many failures."""
    if not _enabled():
        return False
    try:
        return bool(cache.get(f"lock:{name}:{_digest(key)}"))
    except Exception:
        logger.warning("Lockout %s not checked: the cache did not answer", name, exc_info=True)
        return False


def fail(name: str, key: str) -> bool:
    """Count one failure for `key`; True when the key is now locked (this failure reached the limit)."""
    if not _enabled():
        return False
    limit, seconds = _limit(name)
    digest = _digest(key)
    try:
        failures = _count(f"fail:{name}:{digest}", seconds)
        if failures >= limit:
            cache.set(f"lock:{name}:{digest}", 1, seconds)
            return True
    except Exception:
        logger.warning("Failure for %s not counted: the cache did not answer", name, exc_info=True)
    return False
