from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = "通知记录"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from notices import checks  # noqa: F401 - registers the system checks
