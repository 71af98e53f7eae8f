"""Opening rush: N applicants apply for one course through nginx in front of two app servers sharing one
PostgreSQL, in the two arrival patterns of issue #18.

    .venv/bin/python bench/enroll_rush.py [--applicants 500] [--seats 30] [--waitlist 100] [--ramp 5]
                                          [--instances 2] [--workers 1] [--threads 1]
                                          [--database-url postgres://…/haining_rush] [--redis-url redis://…/3]
                                          [--port N] [--pattern both|spread|instant] [--keep]

Creates a fresh PostgreSQL database (dropped and re-created), migrates it and adds one open course per
arrival pattern. Starts `--instances` gunicorn servers (production settings, `--workers` processes of
`--threads` threads each, on ports N+1, N+2 …) and one Debian nginx on port N in front of them (a config
generated into var/rush-nginx/ from the repository's sample deploy/nginx/ when it is there, else a minimal
proxy; its upstream block lists every app server: scaling out is one more `server` line). Only this nginx is
stopped at the end. Redis (when it answers) is the shared cache (rate limits, the "full" flag of the fast path) and the
Celery broker, so notices are queued, not sent inline; no Celery worker runs during the bench.

Both patterns use their own course and their own applicants, each POSTing a valid application to the JSON
API through nginx:
- spread: the arrivals evenly over `--ramp` seconds (goal: p99 < 0.3 s);
- instant: all released at one instant (goal: no 5xx, nobody lost, p99 < 1 s).
One asyncio loop plays the applicants, each on a new connection; latency is measured from its scheduled arrival.

All applicants come from 127.0.0.1, as a whole office or a carrier NAT looks at an opening: the per-address
enrollment limit is raised for the bench (TRAINING_RATE_LIMITS, as an operator would for an opening morning),
the per-phone and per-ID limits stay as configured. For each pattern it reports statuses, latency p50/p90/p99,
and checks the database: exactly min(seats, N) confirmed, waitlist positions 1..k without gaps, every 201
stored, nobody lost, no 5xx. Prints the load average before and after, and where the CPU went during each
pattern (app servers, PostgreSQL, nginx, this client) with the wall time that much CPU needs on this machine's
cores (for the instant pattern, whose last answer comes after all of that work, a floor under its p99).
Exit status 1 if a check or a goal fails.
"""

import argparse
import asyncio
import datetime
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _common import make_home_site, recreate_postgres  # noqa: E402  (bench/ is on sys.path when run)

GOALS = {"spread": 300.0, "instant": 1000.0}  # p99 in ms (issue #18)
NGINX = "/usr/sbin/nginx"


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


def prepare(seats: int, waitlist: int, patterns) -> dict[str, int]:
    """Migrate and create one open course per pattern; returns {pattern: course id} (this process, same db)."""
    import django

    django.setup()
    from django.core.management import call_command

    from training.models import CourseCategory, CourseIndexPage, CoursePage, Term

    call_command("migrate", verbosity=0)
    home = make_home_site()
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
    courses = {}
    for n, pattern in enumerate(patterns):
        course = CoursePage(
            title=f"少儿古筝启蒙班（{n + 1}）",
            slug=f"guzheng-{pattern}",
            term=term,
            category=category,
            capacity=seats,
            waitlist_size=waitlist,
            age_min=5,
            age_max=14,
        )
        index.add_child(instance=course)
        courses[pattern] = course.pk
    return courses


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


def nginx_config(var: Path, listen: int, upstreams: list[int], sample: Path | None) -> str:
    """nginx in front of the app servers: the repository's sample (deploy/nginx/: its maps and its `location /`
    body, with the page cache kept under var/) when it is there, else a minimal reverse proxy."""
    servers = "\n".join(f"        server 127.0.0.1:{port} max_fails=0;" for port in upstreams)
    if sample is not None:
        http_extra = (
            f"    proxy_cache_path {var}/cache levels=1:2 keys_zone=haining_pages:20m max_size=100m use_temp_path=off;\n"
            f"    include {sample / 'haining-maps.conf'};"
        )
        location = f"            include {sample / 'haining-proxy.conf'};"
    else:
        http_extra = ""
        location = """            proxy_pass http://haining_app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;"""
    return f"""
worker_processes 1;
daemon off;
pid {var}/nginx.pid;
error_log {var}/error.log warn;
events {{ worker_connections 8192; }}
http {{
    access_log off;
    client_body_temp_path {var}/client_body;
    proxy_temp_path {var}/proxy;
    fastcgi_temp_path {var}/fastcgi;
    uwsgi_temp_path {var}/uwsgi;
    scgi_temp_path {var}/scgi;
{http_extra}
    upstream haining_app {{
{servers}
        keepalive 64;
    }}
    server {{
        listen 127.0.0.1:{listen} backlog=4096;
        client_max_body_size 1m;
        location / {{
{location}
        }}
    }}
}}
"""


def wait_for(port: int, path: str, deadline: float, what: str) -> None:
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        if time.time() > deadline:
            raise SystemExit(f"{what} did not start")
        time.sleep(0.2)


def release(port: int, course_id: int, applications: list[dict], ramp: float) -> tuple[list, float]:
    """Every applicant POSTs once over a new connection; all at one instant, or spread evenly over `ramp` s.

    One asyncio loop plays every applicant (500 OS threads contending for Python's lock delayed both their
    sending and their reading of answers, which added up to hundreds of ms to what was measured). Each
    latency runs from the applicant's scheduled arrival (the release instant, or its slot in the ramp) to
    the last byte of the answer, so a request the client itself was slow to send counts against the server.
    Returns [(status, latency s, body, seconds after the release)], wall seconds.
    """
    return asyncio.run(_release(port, course_id, applications, ramp))


async def _release(port, course_id, applications, ramp):
    path = f"/api/v1/courses/{course_id}/enrollments/"
    requests = []
    for data in applications:
        body = json.dumps(data).encode()
        head = (
            # HTTP/1.0: the answer ends when the connection closes, never chunked, so reading to EOF is the body.
            f"POST {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        requests.append(head.encode() + body)
    loop = asyncio.get_running_loop()
    release_at = loop.time() + 0.2  # every coroutine is waiting before the instant

    async def applicant(i: int):
        due = release_at + (ramp * i / len(applications) if ramp else 0.0)
        await asyncio.sleep(max(due - loop.time(), 0))
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(requests[i])
            await writer.drain()
            answer = await asyncio.wait_for(reader.read(), timeout=60)
            writer.close()
            end = loop.time()
            head, _, payload = answer.partition(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            return status, end - due, payload, end - release_at
        except Exception as exc:  # noqa: BLE001 - a benchmark records every failure
            end = loop.time()
            return 0, end - due, repr(exc).encode(), end - release_at

    results = await asyncio.gather(*(applicant(i) for i in range(len(applications))))
    return list(results), loop.time() - release_at


def report(pattern: str, course_id: int, results: list, wall: float, args, cpu: str = "") -> bool:
    from training.models import CourseSeats, Enrollment

    statuses, codes, outcome, references = {}, {}, {"confirmed": 0, "waitlisted": 0}, []
    for status, _, payload, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
        if status in (200, 201):
            data = json.loads(payload)
            outcome[data["status"]] = outcome.get(data["status"], 0) + 1
            references.append(data["reference"])
        elif status in (409, 429, 503):
            code = json.loads(payload).get("code", "?")
            codes[code] = codes.get(code, 0) + 1
    latencies = sorted(r[1] * 1000 for r in results)

    def pct(p):
        return latencies[min(len(latencies) - 1, int(len(latencies) * p))]

    seats = CourseSeats.objects.get(course_id=course_id)
    stored = Enrollment.objects.filter(course_id=course_id)
    confirmed = stored.filter(status="confirmed").count()
    positions = sorted(stored.filter(status="waitlisted").values_list("waitlist_position", flat=True))
    expected_confirmed = min(args.seats, args.applicants)
    expected_waitlisted = min(args.waitlist, max(args.applicants - args.seats, 0))
    errors_5xx = sum(n for s, n in statuses.items() if s >= 500 or s == 0)
    answered = statuses.get(201, 0) + codes.get("full", 0)
    lost = args.applicants - answered
    p99 = pct(0.99)
    arrival = f"spread over {args.ramp:g} s" if pattern == "spread" else "all at one instant"
    print(f"\n== {pattern}: {args.applicants} applicants {arrival}; {args.seats} seats, waitlist {args.waitlist}")
    print(f"HTTP statuses: {dict(sorted(statuses.items()))}; refusals by code: {codes}")
    print(f"responses: confirmed {outcome['confirmed']}, waitlisted {outcome['waitlisted']}; 5xx/errors {errors_5xx}")
    placed = [r[3] for r in results if r[0] == 201]
    refused = sorted(r[1] * 1000 for r in results if r[0] == 409)
    if placed and refused:
        print(
            f"last place given {max(placed):.2f} s after the release; refusals: p50 {statistics.median(refused):.0f} ms,"
            f" p99 {refused[min(len(refused) - 1, int(len(refused) * 0.99))]:.0f} ms"
        )
    print(
        f"wall {wall:.2f} s, {len(results) / wall:.0f} req/s; latency ms p50 {statistics.median(latencies):.0f}"
        f" p90 {pct(0.90):.0f} p99 {p99:.0f} max {latencies[-1]:.0f} (goal p99 < {GOALS[pattern]:.0f})"
    )
    if cpu:
        print(cpu)
    checks = {
        f"exactly {expected_confirmed} confirmed in the database (confirmed == free seats)": confirmed
        == expected_confirmed,
        "seat row matches the rows": (seats.confirmed, seats.offered, seats.waitlisted)
        == (confirmed, 0, len(positions)),
        f"waitlist positions 1..{expected_waitlisted} without gaps": positions
        == list(range(1, expected_waitlisted + 1)),
        "every success stored, nothing else stored": sorted(references)
        == sorted(stored.values_list("reference", flat=True)),
        f"nobody lost: every applicant got 201 or 409 full (lost: {lost})": lost == 0,
        "no 5xx and no connection errors": errors_5xx == 0,
        f"p99 {p99:.0f} ms < {GOALS[pattern]:.0f} ms": p99 < GOALS[pattern],
    }
    for name, ok in checks.items():
        print(f"  [{'ok' if ok else 'FAIL'}] {name}")
    return all(checks.values())


def _processes() -> dict[int, tuple[int, str, float]]:
    """Every process on the machine: {pid: (parent pid, command name, CPU seconds used so far)} from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:  # gone meanwhile
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        table[int(entry)] = (int(fields[1]), name, (int(fields[11]) + int(fields[12])) / tick)
    return table


def cpu_by_part(app_pids: list[int], nginx_pid: int) -> dict[str, float]:
    """CPU seconds used so far by the app servers (each gunicorn master and its workers), nginx (master and
    workers), every PostgreSQL process on the machine, and this process (the applicants' client)."""
    table = _processes()

    def tree(roots) -> float:
        members, frontier = set(roots), set(roots)
        while frontier:
            frontier = {pid for pid, (parent, _, _) in table.items() if parent in frontier} - members
            members |= frontier
        return sum(table[pid][2] for pid in members if pid in table)

    return {
        "app servers": tree(app_pids),
        "PostgreSQL": sum(cpu for _, name, cpu in table.values() if name == "postgres"),
        "nginx": tree([nginx_pid]),
        "client": sum(os.times()[:2]),
    }


def cpu_report(before: dict[str, float], after: dict[str, float], requests: int, wall: float) -> str:
    """Where the CPU went during one pattern, and the wall time that much CPU needs on this machine's cores."""
    used = {part: after[part] - before[part] for part in before}
    cores = os.cpu_count() or 1
    parts = ", ".join(f"{part} {seconds:.2f} s" for part, seconds in used.items())
    return (
        f"CPU during the pattern: {parts}; app servers {used['app servers'] / requests * 1000:.1f} ms per request;"
        f" all {sum(used.values()):.2f} s on {cores} cores = at least {sum(used.values()) / cores:.2f} s of wall"
        f" (measured {wall:.2f} s)"
    )


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--applicants", type=int, default=500)
    parser.add_argument("--seats", type=int, default=30)
    parser.add_argument("--waitlist", type=int, default=100)
    parser.add_argument("--ramp", type=float, default=5.0, help="seconds the spread pattern's arrivals take")
    parser.add_argument("--pattern", choices=("both", "spread", "instant"), default="both")
    parser.add_argument("--instances", type=int, default=2, help="gunicorn servers behind nginx")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="sync processes per gunicorn server (1: two servers on this 2-core machine, one per core; measured"
        " 3 → 2 → 1 per server: instant p99 1.46 → 1.37 → 1.07 s, more processes only contend for the cores and"
        " for the course's row lock)",
    )
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per process (gthread when > 1; measured slower here)"
    )
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/haining_rush")
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14"))
    parser.add_argument("--keep", action="store_true", help="leave the database and var/rush-nginx in place")
    parser.add_argument("--port", type=int, default=0, help="nginx's port; app servers on the next ones")
    parser.add_argument(
        "--nginx-sample",
        default=str(ROOT / "deploy" / "nginx"),
        help="folder with the sample config's haining-maps.conf and haining-proxy.conf (used when present)",
    )
    args = parser.parse_args()
    if not Path(NGINX).exists():
        raise SystemExit(f"{NGINX} is missing: `make system-deps` installs Debian's nginx")
    patterns = ["spread", "instant"] if args.pattern == "both" else [args.pattern]

    env = dict(os.environ)
    env.update(
        DATABASE_URL=args.database_url,
        DJANGO_SETTINGS_MODULE="haining.settings.production",
        SECRET_KEY=secrets.token_urlsafe(48),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",  # plain HTTP on loopback (nginx passes X-Forwarded-Proto: http)
        # Everyone arrives from one address (nginx on loopback), as behind an office or carrier NAT.
        TRAINING_RATE_LIMITS=json.dumps({"enroll-ip": [100_000, 600]}),
        LOG_LEVEL="WARNING",
        CACHE_KEY_PREFIX=f"rush-{secrets.token_hex(4)}",
        VAR_DIR=tempfile.mkdtemp(prefix="haining-rush-"),
    )
    uses_redis = redis_answers(args.redis_url)
    if uses_redis:
        env["REDIS_URL"] = args.redis_url
    os.environ.update(env)

    recreate_postgres(args.database_url)
    courses = prepare(args.seats, args.waitlist, patterns)
    from django.db import connection

    connection.close()

    port = args.port or free_port()
    app_ports = (
        [port + 1 + n for n in range(args.instances)] if args.port else [free_port() for _ in range(args.instances)]
    )
    var = ROOT / "var" / "rush-nginx"
    shutil.rmtree(var, ignore_errors=True)
    var.mkdir(parents=True)
    sample = Path(args.nginx_sample)
    sample = sample if (sample / "haining-proxy.conf").exists() and (sample / "haining-maps.conf").exists() else None
    (var / "nginx.conf").write_text(nginx_config(var, port, app_ports, sample))
    processes = []
    try:
        for app_port in app_ports:
            command = [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "haining.wsgi",
                f"--workers={args.workers}",
                f"--bind=127.0.0.1:{app_port}",
                "--backlog=2048",
                "--log-level=warning",
            ]
            if args.threads > 1:
                command += ["--worker-class=gthread", f"--threads={args.threads}"]
            processes.append(subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True))
        processes.append(
            subprocess.Popen(
                [NGINX, "-p", str(var), "-e", str(var / "error.log"), "-c", str(var / "nginx.conf")],
                cwd=var,
                start_new_session=True,
            )
        )
        deadline = time.time() + 120  # a shared, busy machine can take a while to boot the workers
        for app_port in app_ports:
            wait_for(app_port, "/healthz", deadline, f"gunicorn on {app_port}")
        wait_for(port, "/healthz", deadline, "nginx")
        # Every worker has its database connection, as on a server that has been up a while.
        for course_id in courses.values():
            for _ in range(args.instances * args.workers * max(args.threads, 1) * 2):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                conn.request("GET", f"/api/v1/courses/{course_id}/")
                conn.getresponse().read()

        print(
            f"nginx :{port} -> {args.instances} gunicorn servers {app_ports}, each {args.workers} workers"
            f"{f' x {args.threads} threads' if args.threads > 1 else ''}; one PostgreSQL database; "
            f"{'Redis cache + broker' if uses_redis else 'NO Redis: local-memory cache, no fast path, notices inline'}"
        )
        print(
            f"nginx config: {'derived from ' + str(sample) if sample else 'minimal upstream proxy (no deploy/nginx/ sample)'}"
        )
        results, cpu = {}, {}
        for n, pattern in enumerate(patterns):
            applications = [application(n * 100_000 + i) for i in range(1, args.applicants + 1)]
            print(f"load average before {pattern}: {load()}", flush=True)
            cpu_before = cpu_by_part([process.pid for process in processes[:-1]], processes[-1].pid)
            results[pattern] = release(port, courses[pattern], applications, args.ramp if pattern == "spread" else 0)
            cpu[pattern] = cpu_report(
                cpu_before,
                cpu_by_part([process.pid for process in processes[:-1]], processes[-1].pid),
                len(applications),
                results[pattern][1],
            )
            time.sleep(1)
    finally:
        for process in reversed(processes):
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)
    print(f"load average after: {load()}")

    import django

    django.setup()
    ok = all([report(pattern, courses[pattern], *results[pattern], args, cpu[pattern]) for pattern in patterns])
    if not args.keep:
        from django.db import connections

        connections.close_all()
        shutil.rmtree(var, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
