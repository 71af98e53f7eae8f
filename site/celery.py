"""The Celery app, loaded with the project package so `shared_task`s bind to it.

Workers: `DJANGO_SETTINGS_MODULE=haining.settings.production celery -A haining worker -l info`
(`make worker` does this). The settings module is not defaulted here: the package is imported by
every entry point (manage, wsgi, asgi) before they choose their own default.
"""

from celery import Celery

app = Celery("haining")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
