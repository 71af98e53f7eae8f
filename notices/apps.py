from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = "通知记录"
    default_auto_field = "django.db.models.BigAutoField"
