"""`manage backup [--output DIR] [--no-media]`: back up the database and media (see home/backup.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from home.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "备份数据库与媒体文件（SQLite 在线备份或 pg_dump；媒体打包；清单含 SHA-256 与各表行数）"

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="备份目录（默认 VAR_DIR/backups/<时间>）")
        parser.add_argument("--no-media", action="store_true", help="只备份数据库")

    def handle(self, *args, output=None, no_media=False, **options):
        try:
            folder = create_backup(output, media=not no_media)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"备份完成：{folder}"))
