"""How long one placement holds a course's seat row on PostgreSQL: the part of an opening rush that no number of
app servers can run in parallel.

    .venv/bin/python bench/seat_lock.py [--placements 200] [--rounds 3]
                                        [--database-url postgres://postgres@127.0.0.1:5432/haining_seatlock]

Creates a scratch database (dropped and re-created), one open course with room for everyone, and enrolls
--placements applicants one after another through `training.services.enrollment.enroll`, as the API does.
For each placement it times the seat row's hold: from the moment `SELECT … FOR UPDATE` on the seat row returns
to the moment the transaction's COMMIT returns (PostgreSQL releases the row then). Two modes, alternating in
each round so both see the same machine:

- asynchronous (what `enroll` does): the transaction commits with synchronous_commit off, and the log entry's
  synchronous commit after it makes the enrollment durable before `enroll` returns;
- synchronous (control): the same code with the transaction committing synchronously, so the row stays
  locked while the WAL is flushed to disk.

Prints the hold's p50/p90/p99 in ms for each mode and round, the whole call's median, and the ceiling this
puts on one course's placements per second (1000 / p50 hold), with the load average.
"""

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _common import make_home_site, recreate_postgres  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--placements", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/haining_seatlock")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "haining.settings.test"
    os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="haining-seatlock-"))
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    recreate_postgres(args.database_url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from training.demo import demo_id_number
    from training.models import CourseCategory, CourseIndexPage, CoursePage, Term
    from training.services import enrollment as service

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
        max_courses_per_participant=50,
        age_cutoff_date=datetime.date(2027, 7, 5),
    )
    category = CourseCategory.objects.create(name="职工技能", slug="skills")
    total = args.placements * args.rounds * 2 + 10
    course = CoursePage(title="电工上岗培训", slug="electrician", term=term, category=category, capacity=total)
    index.add_child(instance=course)

    marks = {}

    def watch(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if "FOR UPDATE" in sql and "training_courseseats" in sql:
            marks["locked"] = time.perf_counter()
        return result

    original_commit = connection._commit

    def timed_commit():
        original_commit()
        marks["committed"] = time.perf_counter()

    connection._commit = timed_commit
    original_lock_person = service._lock_person

    def synchronous_lock_person(person, *, asynchronous_commit=False):
        return original_lock_person(person, asynchronous_commit=False)

    applicant_number = [0]

    def place(mode: str) -> tuple[float, float]:
        applicant_number[0] += 1
        n = applicant_number[0]
        birth = datetime.date(1970 + n % 35, 1 + n % 12, 1 + n % 28)
        applicant = service.Applicant(
            applicant_name="张建国",
            phone=f"139{n:08d}",
            participant_name="张建国",
            id_number=demo_id_number(birth, n, bool(n % 2)),
            birth_date=birth,
            gender="M",
            consent=True,
            employer="海宁市某机械厂",
        )
        service._lock_person = synchronous_lock_person if mode == "synchronous" else original_lock_person
        marks.clear()
        start = time.perf_counter()
        with connection.execute_wrapper(watch):
            outcome = service.enroll(course.pk, applicant, source="api")
        call = time.perf_counter() - start
        assert outcome.created, "every applicant gets a place"
        return (marks["committed"] - marks["locked"]) * 1000, call * 1000

    for _ in range(5):  # warm up both paths
        place("asynchronous")
        place("synchronous")
    print(f"PostgreSQL {connection.pg_version}; {args.placements} placements per mode and round")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    summary = {"asynchronous": [], "synchronous": []}
    for round_number in range(1, args.rounds + 1):
        for mode in ("asynchronous", "synchronous"):
            holds, calls = zip(*(place(mode) for _ in range(args.placements)), strict=True)
            holds = sorted(holds)

            def pct(p, values=holds):
                return values[min(len(values) - 1, int(len(values) * p))]

            p50 = statistics.median(holds)
            summary[mode].append(p50)
            print(
                f"round {round_number} {mode:>12}: seat row held p50 {p50:.2f} p90 {pct(0.9):.2f} "
                f"p99 {pct(0.99):.2f} ms; whole enroll() median {statistics.median(calls):.2f} ms; "
                f"at most {1000 / p50:.0f} placements/s on one course"
            )
    service._lock_person = original_lock_person
    fast, slow = statistics.median(summary["asynchronous"]), statistics.median(summary["synchronous"])
    print(f"median of rounds: asynchronous {fast:.2f} ms, synchronous {slow:.2f} ms ({slow / fast:.1f}x)")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
