from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = "培训课程"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from training import receivers  # noqa: F401
