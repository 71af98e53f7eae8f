from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "haining.users"
    label = "users"
    verbose_name = "用户"
    default_auto_field = "django.db.models.BigAutoField"
