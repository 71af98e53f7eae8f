"""The Celery app, loaded with the project package so `shared_task`s bind to it.

Workers: `DJANGO_SETTINGS_MODULE=haining.settings.production celery -A haining worker -l info`
(`make worker` does this). The settings module is not defaulted here: the package is imported by
every entry point (manage, wsgi, asgi) before they choose their own default.
"""

from celery import Celery
from celery.signals import worker_init

app = Celery("haining")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def register_wagtail_tasks(sender=None, **kwargs):
    """Make Wagtail's Django tasks known to this worker before it consumes (see tasks_backend)."""
    import django

    django.setup()
    from haining.tasks_backend import register_django_tasks

    register_django_tasks(app)
