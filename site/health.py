"""Readiness: may this process take traffic, and which of its services answer?

`/healthz` is liveness (the process answers and reaches its database). `/readyz` reports each service
separately, each check bounded to about a second:

    {"status": "ok" | "degraded" | "unavailable",
     "database": "ok" | "error: …", "cache": "ok" | "error: …", "broker": "ok" | "not configured" | "error: …"}

HTTP 503 only when the database fails (nothing works without it). A cache or broker outage answers 200
with "degraded": pages are still served and enrollments still taken (the cache fails open, notices wait
in the outbox), so a load balancer must keep routing to the process while monitoring raises an alarm.
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


def _error(exc) -> str:
    return f"error: {type(exc).__name__}: {exc}"[:200]


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:
        return _error(exc)
    return "ok"


def check_cache() -> str:
    try:
        ping = getattr(cache, "ping", None)
        if ping is not None:
            ping()
        else:
            cache.set("readyz", time.time(), 10)
    except Exception as exc:
        return _error(exc)
    return "ok"


def check_broker() -> str:
    if not getattr(settings, "BROKER_CONFIGURED", False):
        return "not configured"
    from haining.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=1)
            conn.default_channel  # noqa: B018 - opens a channel: Redis answers a PING here
    except Exception as exc:
        return _error(exc)
    return "ok"


@never_cache
def readyz(request):
    report = {"database": check_database(), "cache": check_cache(), "broker": check_broker()}
    if report["database"] != "ok":
        status = "unavailable"
    elif all(value in ("ok", "not configured") for value in report.values()):
        status = "ok"
    else:
        status = "degraded"
    return JsonResponse({"status": status, **report}, status=503 if status == "unavailable" else 200)
