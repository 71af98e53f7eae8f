"""`manage restore FOLDER [--database-url URL] [--no-media] [--yes]`: restore a backup made by `manage backup`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from home.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "从 manage backup 的备份目录恢复数据库与媒体文件（会覆盖目标数据库中的现有数据）"

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)
        parser.add_argument("--database-url", help="恢复到另一个数据库（例如演练用的新库），默认是当前配置的数据库")
        parser.add_argument("--no-media", action="store_true", help="只恢复数据库")
        parser.add_argument("--yes", action="store_true", help="不再确认")

    def handle(self, *args, folder, database_url=None, no_media=False, yes=False, **options):
        if not yes and options.get("interactive", True):
            answer = input(f"将用 {folder} 覆盖{'目标' if database_url else '当前'}数据库，输入 yes 继续：")
            if answer.strip().lower() != "yes":
                raise CommandError("已取消。")
        try:
            report = restore_backup(folder, database_url=database_url, media=not no_media)
        except BackupError as error:
            raise CommandError(str(error)) from error
        if report.mismatches:
            lines = "\n".join(f"  {t}: 备份 {a} 行，恢复后 {b} 行" for t, (a, b) in sorted(report.mismatches.items()))
            raise CommandError(f"恢复后行数与备份清单不符：\n{lines}")
        self.stdout.write(self.style.SUCCESS(f"恢复完成：{report.tables} 张表的行数与备份清单一致。"))
