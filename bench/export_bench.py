"""Staff admin at a year's volume: export time and memory, and the roster list's speed, at 20,000 enrollments.

    .venv/bin/python bench/export_bench.py [--enrollments 20000] [--courses 200] [--requests 15]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/haining_i15 .venv/bin/python bench/export_bench.py

Builds a throwaway site (SQLite in a temporary folder by default; with DATABASE_URL the database named in
the URL is DROPPED and re-created, so point it at a scratch database): two terms, `--courses` courses,
and `--enrollments` enrollments spread over them (valid 身份证 numbers across area codes and birth
years, names with ·, statuses as a real term has them). Then, as a user of the 报名管理员 group, through
Django's test client (the full view, middleware and response):

- the XLSX and CSV export of everything, and of one term (one sheet per course): wall time, the peak of
  Python allocations during the export (tracemalloc, in a second run), rows and bytes;
- the roster list (/admin/enrollments/): first page, a deep page, filtered by course, by term and
  status, and a phone search: median and p95 ms over `--requests` requests, and queries per request.

Targets (issue #15): export of 20,000 rows < 10 s, memory flat; list < 200 ms per page on both databases.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "子涵欣怡梓轩浩然雨桐一诺宇轩思涵佳怡俊杰晨曦沐阳语嫣雅琪博文诗琪家豪"
# Zhejiang area codes (Haining first) so ID numbers are not all alike.
AREAS = ["330481", "330402", "330411", "330421", "330424", "330482", "330483", "330106", "330110", "310115"]


def id_number(rnd: random.Random, birth: datetime.date, seq: int) -> str:
    from stdnum.cn import ric

    body = f"{rnd.choice(AREAS)}{birth:%Y%m%d}{seq % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def build(enrollments: int, courses: int) -> dict:
    from _common import make_home_site
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.utils import timezone

    from training.models import (
        CourseCategory,
        CourseIndexPage,
        CoursePage,
        CourseSeats,
        Enrollment,
        EnrollmentStatus,
        Term,
    )
    from training.services.seats import count_enrollments

    User = get_user_model()

    call_command("migrate", verbosity=0)
    home = make_home_site()
    index = CourseIndexPage(title="培训课程", slug="courses")
    home.add_child(instance=index)
    category = CourseCategory.objects.create(name="器乐", slug="art")
    now = timezone.now()
    terms = [
        Term.objects.create(
            name=name,
            season=season,
            starts_on=start,
            ends_on=start + datetime.timedelta(days=60),
            enrollment_opens_at=now - datetime.timedelta(days=30),
            enrollment_closes_at=now + datetime.timedelta(days=30),
            age_cutoff_date=start,
            max_courses_per_participant=3,
        )
        for name, season, start in (
            ("2027 年春季", "spring", datetime.date(2027, 3, 1)),
            ("2027 年暑期", "summer", datetime.date(2027, 7, 5)),
        )
    ]
    rnd = random.Random(15)
    course_ids = []
    per_course = enrollments // courses
    started = time.perf_counter()
    for n in range(courses):
        course = CoursePage(
            title=f"{['少儿古筝', '少儿书法', '电焊工技能培训', '围棋入门', '少儿中国舞'][n % 5]}{n // 5 + 1}班",
            slug=f"c{n}",
            term=terms[n % 2],
            category=category,
            capacity=per_course * 6 // 10,
            waitlist_size=per_course,
        )
        index.add_child(instance=course)
        course_ids.append(course.pk)
    rows = []
    seq = 0
    for course_id in course_ids:
        capacity = per_course * 6 // 10
        waiting = 0
        for k in range(per_course):
            seq += 1
            birth = datetime.date(rnd.randint(1966, 2021), rnd.randint(1, 12), rnd.randint(1, 28))
            if k < capacity:
                status, position = EnrollmentStatus.CONFIRMED, None
            elif k < capacity + per_course // 4:
                waiting += 1
                status, position = EnrollmentStatus.WAITLISTED, waiting
            else:
                status, position = EnrollmentStatus.CANCELLED, None
            surname = rnd.choice(SURNAMES)
            given = rnd.choice(GIVEN) + rnd.choice(GIVEN)
            rows.append(
                Enrollment(
                    reference=f"B{seq:07d}",
                    course_id=course_id,
                    status=status,
                    waitlist_position=position,
                    applicant_name=surname + rnd.choice(GIVEN) + "国",
                    phone=f"13{rnd.randint(0, 9)}{rnd.randint(10_000_000, 99_999_999)}",
                    email=f"p{seq}@example.cn" if seq % 5 == 0 else "",
                    participant_name=("阿依古丽·" if seq % 97 == 0 else surname) + given,
                    id_number=id_number(rnd, birth, seq),
                    birth_date=birth,
                    gender="M" if seq % 2 else "F",
                    employer="海宁经编产业园区" if seq % 3 == 0 else "",
                    union_member=seq % 3 == 0,
                    consent_at=now,
                    source="web",
                )
            )
    Enrollment.objects.bulk_create(rows, batch_size=2000)
    for course_id in course_ids:  # the seat rows, counted from the enrollments
        CourseSeats.objects.update_or_create(course_id=course_id, defaults=count_enrollments(course_id))
    # Spread the submission times over the enrollment window.
    user = User.objects.create_user("office", password="pw")
    user.groups.add(Group.objects.get(name="报名管理员"))
    print(f"built {courses} courses, {len(rows)} enrollments in {time.perf_counter() - started:.1f} s")
    return {"user": user, "terms": terms, "courses": course_ids}


def timed(client, url, params, repeat):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, cpu = [], []
    queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(url, params)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200, (response.status_code, body[:300])
        queries = len(ctx.captured_queries)
    return times, queries, body, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--enrollments", type=int, default=20_000)
    parser.add_argument("--courses", type=int, default=200)
    parser.add_argument("--requests", type=int, default=15)
    args = parser.parse_args()

    from _common import recreate_postgres, setup_django

    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        recreate_postgres(os.environ["DATABASE_URL"])
    setup_django("haining-exportbench-")
    from django.db import connection
    from django.test import Client

    data = build(args.enrollments, args.courses)
    client = Client()
    client.force_login(data["user"])
    print(f"database: {connection.vendor}; {args.enrollments} enrollments")

    print("(wall time, and this process's CPU time: on a shared machine the wall time includes waiting for a core)")
    print(f"\n{'export':<26} {'s':>6} {'CPU s':>6} {'peak MB':>8} {'KB':>7} {'queries':>8}")
    for label, params in (
        ("xlsx, everything", {"export": "xlsx"}),
        ("csv, everything", {"export": "csv"}),
        ("xlsx, one term (sheets)", {"export": "xlsx", "term": data["terms"][1].pk}),
    ):
        times, queries, body, cpu = timed(client, "/admin/enrollments/", params, 1)
        tracemalloc.start()
        timed(client, "/admin/enrollments/", params, 1)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"{label:<26} {times[0] / 1000:>6.2f} {cpu[0] / 1000:>6.2f} {peak / 2**20:>8.1f} "
            f"{len(body) // 1024:>7} {queries:>8}"
        )

    print(f"\n{'roster list':<26} {'p50 ms':>7} {'p95 ms':>7} {'CPU p50':>8} {'queries':>8}")
    pages = args.enrollments // 50
    for label, params in (
        ("first page", {}),
        (f"page {pages // 2}", {"p": pages // 2}),
        ("one course", {"course": data["courses"][7]}),
        ("term + waitlisted", {"term": data["terms"][0].pk, "status": "waitlisted"}),
        ("search phone 1381234", {"q": "1381234"}),
        ("sorted by 提交时间", {"ordering": "-created_at"}),
    ):
        timed(client, "/admin/enrollments/", params, 1)  # warm
        times, queries, _, cpu = timed(client, "/admin/enrollments/", params, args.requests)
        times.sort()
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        print(f"{label:<26} {statistics.median(times):>7.0f} {p95:>7.0f} {statistics.median(cpu):>8.0f} {queries:>8}")


if __name__ == "__main__":
    main()
