from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = "网站框架"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signals  # noqa: F401
        from .uploads import register_mime_types

        register_mime_types()

        from django.core.signals import request_started

        from .paste_import import reset_publishing

        request_started.connect(reset_publishing, dispatch_uid="home-reset-publishing")
