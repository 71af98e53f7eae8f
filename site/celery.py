"""The Celery app, loaded with the project package.

It is made the *default* app, so `shared_task`s bind to it in every thread: Celery's "current app" is
thread-local and, in a thread that did not create the app (threaded runserver, gthread gunicorn, ASGI
executors), would otherwise be Celery's unconfigured fallback app, which sends nowhere.

Workers: `DJANGO_SETTINGS_MODULE=haining.settings.production celery -A haining worker -l info`
(`make worker` does this). The settings module is not defaulted here: the package is imported by
every entry point (manage, wsgi, asgi) before they choose their own default.
"""

from celery import Celery
from celery.signals import celeryd_init

app = Celery("haining")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.set_default()
app.autodiscover_tasks()

WORKER_SOCKET_TIMEOUT = 10.0


@celeryd_init.connect
def worker_broker_timeouts(sender=None, conf=None, **kwargs):
    """Workers block on the broker by design (BRPOP polls every second): give their sockets more time
    than the one second a web request may wait."""
    if conf is not None:
        conf.broker_transport_options = {**conf.broker_transport_options, "socket_timeout": WORKER_SOCKET_TIMEOUT}


@app.task(name="haining.run_django_task", ignore_result=True)
def run_django_task(module_path: str, args: list, kwargs: dict) -> None:
    """Run one Django task (Wagtail's search/reference index updates, file clean-up …) on a worker."""
    from haining.tasks_backend import run_task

    run_task(module_path, args, kwargs)
