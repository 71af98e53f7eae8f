"""`manage rebuild_seats [--check] [--course ID …]`: recount every course's seat row from its enrollments.

Creates missing seat rows, compares each row with a count of the enrollments (one query for all
courses), and, unless `--check`, corrects the rows that drifted, each under its course lock so a
live enrollment cannot slip between the count and the fix. Prints one line per drifted course; with
`--check`, exits with status 1 when any drifted (for monitoring).
"""

from django.core.management.base import BaseCommand, CommandError

from training.models import CoursePage
from training.services.enrollment import rebuild_seats
from training.services.seats import drift_query, ensure_seats

LABELS = {"confirmed": "已录取", "offered": "递补待确认", "waitlisted": "候补", "submitted": "待摇号"}


class Command(BaseCommand):
    help = "按报名记录重新统计各课程名额（已录取/递补待确认/候补/待摇号），报告并修正偏差"

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="只报告偏差，不修正；有偏差时退出码为 1")
        parser.add_argument("--course", type=int, action="append", default=[], help="只处理这些课程 id")

    def handle(self, check=False, course=(), **options):
        courses = CoursePage.objects.all()
        if course:
            courses = courses.filter(pk__in=course)
        ensure_seats(courses.values_list("pk", flat=True))
        drifted = drift_query()
        if course:
            drifted = drifted.filter(course_id__in=course)
        found = 0
        for seats in drifted:
            found += 1
            if check:
                changes = {
                    name: (getattr(seats, name), getattr(seats, f"c_{name}"))
                    for name in LABELS
                    if getattr(seats, name) != getattr(seats, f"c_{name}")
                }
            else:
                changes = rebuild_seats(seats.course_id)
            detail = "，".join(f"{LABELS[name]} 记录 {old} / 实际 {new}" for name, (old, new) in changes.items())
            action = "偏差" if check else "已修正"
            self.stdout.write(f"课程 {seats.course_id}（{seats.course.title}）{action}：{detail or '已由并发操作更正'}")
        total = courses.count()
        if not found:
            self.stdout.write(self.style.SUCCESS(f"检查 {total} 门课程，名额统计与报名记录一致。"))
        elif check:
            raise CommandError(f"检查 {total} 门课程，{found} 门名额统计与报名记录不一致。运行 rebuild_seats 修正。")
        else:
            self.stdout.write(self.style.WARNING(f"检查 {total} 门课程，修正 {found} 门。"))
