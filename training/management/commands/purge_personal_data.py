"""`manage purge_personal_data [--dry-run]`: anonymise enrollments past the retention period."""

from django.core.management.base import BaseCommand

from training.models import CoursePage
from training.services.retention import anonymise_expired, retention_days


class Command(BaseCommand):
    help = "清除过期报名的个人信息（学期结束超过保存期限的报名），保留统计所需数据"

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="只统计，不修改")

    def handle(self, *args, dry_run=False, **options):
        counts = anonymise_expired(dry_run=dry_run)
        titles = dict(CoursePage.objects.filter(pk__in=counts).values_list("pk", "title"))
        verb = "将清除" if dry_run else "已清除"
        for course_id, count in counts.items():
            self.stdout.write(f"{titles.get(course_id, course_id)}：{verb} {count} 条报名的个人信息")
        self.stdout.write(self.style.SUCCESS(f"保存期限 {retention_days()} 天；共{verb} {sum(counts.values())} 条。"))
