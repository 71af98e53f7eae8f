"""Enrollment rush: N applicants submit at the same moment for one course, against a real server.

    .venv/bin/python bench/enroll_rush.py [--applicants 500] [--seats 30] [--waitlist 100] [--workers 4]
                                          [--threads 1] [--database-url postgres://…/haining_rush] [--keep]
                                          [--redis-url redis://…/14] [--port N]

Creates a fresh PostgreSQL database (dropped and re-created: default `haining_rush`), migrates it, adds one
open course, starts gunicorn (production settings, `--workers` processes; Redis for cache and Celery
broker when it answers, so notices are queued, not sent inline; rate limits off) and releases all
applicants at once from a thread barrier; each POSTs its own valid application to the JSON API.
Reports confirmed / waitlisted / refused / errors, throughput and latency p50/p90/p99, then checks the
database: exactly min(seats, N) confirmed, waitlist positions 1..k without gaps, every 201 stored, nobody
lost, no 5xx. Exit status 1 if any check fails.
"""

import argparse
import datetime
import http.client
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_answers(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname, parsed.port or 6379), timeout=0.5):
            return True
    except OSError:
        return False


def recreate_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def prepare(seats: int, waitlist: int) -> int:
    """Migrate and create one open course; returns its id (runs in this process, same database)."""
    import django

    django.setup()
    from django.core.management import call_command
    from wagtail.models import Page, Site

    from home.models import HomePage
    from training.models import CourseCategory, CourseIndexPage, CoursePage, Term

    call_command("migrate", verbosity=0)
    root = Page.get_first_root_node()
    home = HomePage(title="海宁市总工会", slug="rush-home")
    root.add_child(instance=home)
    Site.objects.all().delete()
    Site.objects.create(hostname="127.0.0.1", port=80, root_page=home, is_default_site=True)
    index = CourseIndexPage(title="培训课程", slug="courses")
    home.add_child(instance=index)
    now = datetime.datetime.now(datetime.UTC)
    term = Term.objects.create(
        name="2027 年暑期",
        starts_on=datetime.date(2027, 7, 5),
        ends_on=datetime.date(2027, 8, 20),
        enrollment_opens_at=now - datetime.timedelta(minutes=1),
        enrollment_closes_at=now + datetime.timedelta(days=1),
        max_courses_per_participant=2,
        age_cutoff_date=datetime.date(2027, 7, 5),
    )
    category = CourseCategory.objects.create(name="少儿兴趣", slug="art")
    course = CoursePage(
        title="少儿古筝启蒙班",
        slug="guzheng",
        term=term,
        category=category,
        capacity=seats,
        waitlist_size=waitlist,
        age_min=5,
        age_max=14,
    )
    index.add_child(instance=course)
    return course.pk


def application(n: int) -> dict:
    from training.demo import demo_id_number

    birth = datetime.date(2015 + n % 5, 1 + n % 12, 1 + n % 28)
    return {
        "applicant_name": "张建国",
        "phone": f"139{n:08d}",
        "participant_name": "张小明",
        "id_number": demo_id_number(birth, n, bool(n % 2)),
        "consent": True,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--applicants", type=int, default=500)
    parser.add_argument("--seats", type=int, default=30)
    parser.add_argument("--waitlist", type=int, default=100)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker (gthread when > 1)")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/haining_rush")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--keep", action="store_true", help="leave the database in place")
    parser.add_argument("--port", type=int, default=0, help="port for gunicorn (default: any free port)")
    parser.add_argument(
        "--ramp", type=float, default=0.0, help="spread the arrivals evenly over this many seconds (0: all at once)"
    )
    args = parser.parse_args()

    env = dict(os.environ)
    env.update(
        DATABASE_URL=args.database_url,
        DJANGO_SETTINGS_MODULE="haining.settings.production",
        SECRET_KEY=secrets.token_urlsafe(48),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        RATE_LIMITS="off",
        LOG_LEVEL="WARNING",
        VAR_DIR=tempfile.mkdtemp(prefix="haining-rush-"),
    )
    uses_redis = redis_answers(args.redis_url)
    if uses_redis:
        env["REDIS_URL"] = args.redis_url
    os.environ.update(env)

    recreate_database(args.database_url)
    course_id = prepare(args.seats, args.waitlist)
    from django.db import connection

    connection.close()
    applications = [application(n) for n in range(1, args.applicants + 1)]

    port = args.port or free_port()
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "haining.wsgi",
        f"--workers={args.workers}",
        f"--bind=127.0.0.1:{port}",
        "--backlog=2048",
        "--log-level=warning",
    ]
    if args.threads > 1:
        command += ["--worker-class=gthread", f"--threads={args.threads}"]
    server = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)
    try:
        deadline = time.time() + 30
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.time() > deadline:
                raise SystemExit("gunicorn did not start")
            time.sleep(0.2)
        # Warm every worker (imports, first connection) as a server that has been up a while would be.
        for _ in range(args.workers * 3):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", f"/api/v1/courses/{course_id}/", headers={"X-Forwarded-Proto": "https"})
            conn.getresponse().read()

        results = [None] * len(applications)
        barrier = threading.Barrier(len(applications) + 1)

        def applicant(i: int) -> None:
            body = json.dumps(applications[i]).encode()
            # Connect only when sending: gunicorn's sync workers (meant to sit behind a buffering proxy)
            # would otherwise each block on an idle pre-opened connection.
            barrier.wait()
            if args.ramp:
                time.sleep(args.ramp * i / len(applications))
            start = time.perf_counter()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                conn.request(
                    "POST",
                    f"/api/v1/courses/{course_id}/enrollments/",
                    body=body,
                    headers={"Content-Type": "application/json", "X-Forwarded-Proto": "https"},
                )
                response = conn.getresponse()
                payload = response.read()
                results[i] = (response.status, time.perf_counter() - start, payload)
            except Exception as exc:  # noqa: BLE001 - a benchmark records every failure
                results[i] = (0, time.perf_counter() - start, repr(exc).encode())

        threads = [threading.Thread(target=applicant, args=(i,)) for i in range(len(applications))]
        for thread in threads:
            thread.start()
        barrier.wait()
        wall_start = time.perf_counter()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - wall_start
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)

    statuses = {}
    for status, _, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
    latencies = sorted(r[1] * 1000 for r in results)

    def pct(p):
        return latencies[min(len(latencies) - 1, int(len(latencies) * p))]

    outcome = {"confirmed": 0, "waitlisted": 0}
    references = []
    codes = {}
    for status, _, payload in results:
        if status in (200, 201):
            data = json.loads(payload)
            outcome[data["status"]] = outcome.get(data["status"], 0) + 1
            references.append(data["reference"])
        elif status == 409:
            code = json.loads(payload)["code"]
            codes[code] = codes.get(code, 0) + 1

    import django

    django.setup()
    from training.models import CourseSeats, Enrollment

    seats = CourseSeats.objects.get(course_id=course_id)
    stored = Enrollment.objects.filter(course_id=course_id)
    confirmed = stored.filter(status="confirmed").count()
    positions = sorted(stored.filter(status="waitlisted").values_list("waitlist_position", flat=True))
    expected_confirmed = min(args.seats, args.applicants)
    expected_waitlisted = min(args.waitlist, max(args.applicants - args.seats, 0))

    print(
        f"{args.applicants} applicants, {args.seats} seats, waitlist {args.waitlist}; gunicorn {args.workers} workers"
        f"{f' x {args.threads} threads' if args.threads > 1 else ''}; PostgreSQL; "
        f"{'Redis broker' if uses_redis else 'no broker (notices inline)'}"
        f"{f'; arrivals spread over {args.ramp:g} s' if args.ramp else '; all released at once'}"
    )
    print(f"HTTP statuses: {dict(sorted(statuses.items()))}; refusals: {codes}")
    print(f"responses: confirmed {outcome['confirmed']}, waitlisted {outcome['waitlisted']}")
    print(
        f"wall {wall:.2f} s, throughput {len(results) / wall:.0f} req/s; latency ms p50 {statistics.median(latencies):.0f}"
        f" p90 {pct(0.90):.0f} p99 {pct(0.99):.0f} max {latencies[-1]:.0f}"
    )
    checks = {
        f"exactly {expected_confirmed} confirmed in the database": confirmed == expected_confirmed,
        "seat row matches the rows": (seats.confirmed, seats.offered, seats.waitlisted)
        == (confirmed, 0, len(positions)),
        f"waitlist positions 1..{expected_waitlisted} without gaps": positions
        == list(range(1, expected_waitlisted + 1)),
        "every success stored, nothing else stored": sorted(references)
        == sorted(stored.values_list("reference", flat=True)),
        "nobody lost: every applicant got an answer (201 or 409 full)": statuses.get(201, 0) + codes.get("full", 0)
        == args.applicants,
        "no 5xx and no connection errors": not any(s >= 500 or s == 0 for s in statuses),
    }
    for name, ok in checks.items():
        print(f"  [{'ok' if ok else 'FAIL'}] {name}")
    if not args.keep:
        from django.db import connections

        connections.close_all()
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
