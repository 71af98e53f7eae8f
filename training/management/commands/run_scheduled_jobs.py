"""`manage run_scheduled_jobs`: the scheduled work, once, for installations without Celery beat (cron)."""

from django.core.management.base import BaseCommand

from home.publishing import publish_due
from notices.services import sweep
from training.services.enrollment import expire_offers
from training.services.payments import release_unpaid
from training.services.retention import anonymise_expired
from training.services.scheduled import send_lesson_reminders


class Command(BaseCommand):
    help = (
        "运行定时任务一次：定时发布与到期下线、补发未送达的通知、递补逾期处理、逾期未缴费名额释放、开课提醒、过期个人信息清除"
        "（无 Celery beat 时由 cron 调用）"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--only",
            choices=["publishing", "notices", "offers", "unpaid", "reminders", "retention"],
            help="只运行其中一项",
        )

    def handle(self, *args, only=None, **options):
        if only in (None, "publishing"):
            run = publish_due()
            self.stdout.write(
                f"定时发布：{run.published} 个，到期下线：{run.unpublished} 个，未能发布：{len(run.refused)} 个"
            )
            for title, reason in run.refused:
                self.stdout.write(f"  未能发布《{title}》：{reason}")
        if only in (None, "notices"):
            # Delivered here, not queued: cron runs this where there may be no broker at all.
            self.stdout.write(f"补发通知：{sweep(inline=True)} 条")
        if only in (None, "offers"):
            self.stdout.write(f"递补逾期：{expire_offers()} 条")
        if only in (None, "unpaid"):
            self.stdout.write(f"逾期未缴费：{release_unpaid()} 条")
        if only in (None, "reminders"):
            self.stdout.write(f"开课提醒：{send_lesson_reminders()} 条")
        if only in (None, "retention"):
            self.stdout.write(f"个人信息清除：{sum(anonymise_expired().values())} 条")
