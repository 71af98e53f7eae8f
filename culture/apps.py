from django.apps import AppConfig


class CultureConfig(AppConfig):
    name = "culture"
    verbose_name = "文化活动"
    default_auto_field = "django.db.models.BigAutoField"
