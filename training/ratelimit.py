"""Fixed-window rate limits in Django's cache (Redis in production, shared by every server process)."""

import time

from django.conf import settings
from django.core.cache import cache

LIMITS = {
    # name: (requests, seconds)
    "enroll-ip": (20, 600),
    "enroll-phone": (6, 600),
    "lookup-ip": (30, 600),
    "lookup-phone": (10, 600),
}


def client_ip(request) -> str:
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    # Behind the site's own proxy the first address is the visitor's.
    return (forwarded.split(",")[0].strip() if forwarded else request.META.get("REMOTE_ADDR", "")) or "unknown"


def hit(name: str, key: str) -> bool:
    """Count one request; False when the limit for this window is already reached."""
    if not getattr(settings, "RATE_LIMITS_ENABLED", True):
        return True
    limit, window = {**LIMITS, **getattr(settings, "TRAINING_RATE_LIMITS", {})}[name]
    bucket = f"rl:{name}:{key}:{int(time.time() // window)}"
    if cache.add(bucket, 1, window):
        return True
    try:
        count = cache.incr(bucket)
    except ValueError:
        cache.set(bucket, 1, window)
        count = 1
    return count <= limit
