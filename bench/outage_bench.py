"""Enrollment and page latency while a service is down or hung, against gunicorn with production settings.

    .venv/bin/python bench/outage_bench.py [--requests 20] [--database-url postgres://…/haining_outage]

For each scenario — all up, broker stopped, broker hung (accepts, never answers), cache stopped, cache hung —
starts the services of its own (a private redis-server per role on a free port; FAULT_PORTS=a-b limits the
ports; a socket that never answers; or a closed port), starts gunicorn (2 sync workers, production
settings, rate limits on), warms it, then sends `--requests` enrollments one after another to the JSON API
and reads the course list as often. Prints p50 / max latency, status codes, and how many notices wait in
the outbox (no Celery worker runs here, so with the broker up they are queued, with it down they wait for
the sweep; either way none is lost). The database (default `haining_outage`) is dropped and re-created.
"""

import argparse
import http.client
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from enroll_rush import application, prepare, recreate_database  # noqa: E402


def request(port, method, path, body=None):
    start = time.perf_counter()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"X-Forwarded-Proto": "https", "Content-Type": "application/json"}
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status, time.perf_counter() - start
    except Exception:  # noqa: BLE001 - a benchmark records every failure
        return 0, time.perf_counter() - start


def run_scenario(name, env, course_id, first_applicant, count):
    port = int(os.environ.get("BENCH_PORT", "0")) or None
    from notices.tests.fakes import free_port

    port = port or free_port()
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "haining.wsgi",
            "--workers=2",
            f"--bind=127.0.0.1:{port}",
            "--log-level=error",
        ],
        env=env,
        cwd=ROOT,
        start_new_session=True,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 60
        while request(port, "GET", "/healthz")[0] != 200:
            if time.time() > deadline:
                raise SystemExit("gunicorn did not start")
            time.sleep(0.2)
        for _ in range(6):  # warm both workers (imports, stdnum's region table, first connections)
            request(port, "GET", f"/api/v1/courses/{course_id}/")
            request(port, "GET", "/api/v1/courses/")
        enroll, pages = [], []
        for n in range(first_applicant, first_applicant + count):
            enroll.append(
                request(port, "POST", f"/api/v1/courses/{course_id}/enrollments/", json.dumps(application(n)).encode())
            )
            pages.append(request(port, "GET", f"/api/v1/courses/?limit=20&n={n}"))
        ready = request(port, "GET", "/readyz")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    return enroll, pages, ready


def summary(results):
    times = sorted(t * 1000 for _, t in results)
    codes = {}
    for status, _ in results:
        codes[status] = codes.get(status, 0) + 1
    return f"p50 {statistics.median(times):6.0f} ms  max {times[-1]:6.0f} ms  {dict(sorted(codes.items()))}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/haining_outage")
    args = parser.parse_args()

    from notices.tests.fakes import HungServer, RedisServer, free_port

    base = dict(os.environ)
    base.update(
        DATABASE_URL=args.database_url,
        DJANGO_SETTINGS_MODULE="haining.settings.production",
        SECRET_KEY=secrets.token_urlsafe(48),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        LOG_LEVEL="ERROR",
        VAR_DIR=tempfile.mkdtemp(prefix="haining-outage-"),
    )
    for key in ("REDIS_URL", "CELERY_BROKER_URL"):
        base.pop(key, None)
    os.environ.update(base)
    recreate_database(args.database_url)
    course_id = prepare(seats=1000, waitlist=0)
    from django.db import connection

    from notices.models import Notice

    connection.close()

    cache = RedisServer().start()
    broker = RedisServer().start()
    hung = HungServer()
    closed = f"redis://127.0.0.1:{free_port()}/0"
    scenarios = [
        ("all services up", cache.url, broker.url),
        ("broker stopped", cache.url, closed),
        ("broker hung", cache.url, f"redis://127.0.0.1:{hung.port}/0"),
        ("cache stopped", closed, broker.url),
        ("cache hung", f"redis://127.0.0.1:{hung.port}/1", broker.url),
    ]
    print(f"{args.requests} enrollments + {args.requests} course-list reads per scenario, gunicorn 2 sync workers\n")
    try:
        for i, (name, cache_url, broker_url) in enumerate(scenarios):
            # A key prefix per scenario: rate-limit counters of one scenario do not carry into the next.
            env = {**base, "REDIS_URL": cache_url, "CELERY_BROKER_URL": broker_url, "CACHE_KEY_PREFIX": f"b{i}"}
            before = Notice.objects.filter(status="pending").count()
            enroll, pages, ready = run_scenario(name, env, course_id, 1 + i * args.requests, args.requests)
            waiting = Notice.objects.filter(status="pending").count() - before
            connection.close()
            print(f"{name:16}  enroll  {summary(enroll)}")
            print(f"{'':16}  list    {summary(pages)}")
            print(f"{'':16}  notices left pending: {waiting}   /readyz {ready[0]} in {ready[1] * 1000:.0f} ms\n")
    finally:
        hung.close()
        cache.stop()
        broker.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
