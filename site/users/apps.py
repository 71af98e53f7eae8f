from django.apps import AppConfig
from django.db.models.signals import post_migrate


class UsersConfig(AppConfig):
    name = "haining.users"
    label = "users"
    verbose_name = "用户"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from .permissions import rename_permissions

        post_migrate.connect(rename_permissions, dispatch_uid="haining.users.rename_permissions")
