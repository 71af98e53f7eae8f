"""`manage seed_demo`: build (or refresh) the demo site. Safe to run again."""

import importlib
import os

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from home import demo


class Command(BaseCommand):
    help = "创建或更新演示内容（可重复运行）"

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="在生产环境设置下仍然运行（须同时设置 DEMO_ADMIN_PASSWORD，不使用公开的演示密码）",
        )

    def handle(self, *args, **options):
        if getattr(settings, "PRODUCTION", False):
            if not options["force"]:
                raise CommandError(
                    "当前为生产环境设置（haining.settings.production）：seed_demo 会创建演示内容和演示账号，已拒绝运行。"
                    "确需运行请加 --force，并用环境变量 DEMO_ADMIN_PASSWORD 设置一个非公开的密码。"
                )
            if not os.environ.get("DEMO_ADMIN_PASSWORD"):
                raise CommandError("生产环境下使用 --force 时必须设置 DEMO_ADMIN_PASSWORD，不能使用公开的演示密码。")
        self.stdout.write("Seeding demo content …")
        home = demo.seed(self.stdout)
        # Each app contributes its own content through `<app>.demo.seed(home_page, stdout)`.
        for config in apps.get_app_configs():
            if config.name == "home" or config.name.split(".")[0] not in {"culture", "training", "search"}:
                continue
            try:
                module = importlib.import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            self.stdout.write(f"- {config.verbose_name}")
            module.seed(home, stdout=self.stdout)
        demo.build_navigation(home)
        self._accounts()

    def _accounts(self):
        User = get_user_model()
        password = os.environ.get("DEMO_ADMIN_PASSWORD", "haining-demo-2026")
        admin, created = User.objects.get_or_create(username="admin", defaults={"email": "admin@example.cn"})
        if created:
            admin.is_staff = admin.is_superuser = True
            admin.set_password(password)
            admin.save()
        # Full names in first_name (Wagtail shows "first last"; a Chinese name reads surname first, unspaced).
        # Real-looking names: a submitter called "编辑" read like a button in the reviewer's 任务提交者 column.
        for username, group_name, name, old_name in (
            ("bianji", "内容编辑", "王晓燕", "编辑"),
            ("shenhe", "内容审核", "陈建国", "审核员"),
            ("baoming", "报名管理员", "周敏", ""),
        ):
            user, made = User.objects.get_or_create(username=username, defaults={"first_name": name})
            if made:
                user.set_password(password)
                user.save()
            elif user.first_name in ("", old_name):
                user.first_name = name
                user.save(update_fields=["first_name"])
            group = Group.objects.filter(name=group_name).first()
            if group:
                user.groups.add(group)
        self.stdout.write(self.style.SUCCESS("Demo content ready."))
        self.stdout.write(
            f"Admin: http://127.0.0.1:{os.environ.get('PORT', '8000')}/admin/  "
            f"user 'admin' (superuser), 'bianji' (编辑), 'shenhe' (审核), 'baoming' (报名管理员) — password '{password}'"
            + ("" if created else " (unchanged if you changed it)")
        )
