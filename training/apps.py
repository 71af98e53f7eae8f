from django.apps import AppConfig


class TrainingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "training"
    verbose_name = "培训课程"

    def ready(self):
        from training import receivers  # noqa: F401
