"""Celery backend for Django tasks that enqueues only after the surrounding transaction commits.

Wagtail and modelsearch enqueue their work (search index, reference index) from ``post_save``, inside
the transaction. Sent at once, a worker can pick the task up before the commit and find nothing.
This backend hands the message to Celery in ``transaction.on_commit`` instead; outside a transaction
``on_commit`` runs the callback immediately. A broker outage is logged, never raised into the request
that already committed its data.
"""

import logging
import uuid
from datetime import UTC, datetime
from functools import partial

from django.db import transaction
from django.tasks.base import TaskResult, TaskResultStatus
from django.tasks.signals import task_enqueued
from django_tasks_celery import CeleryBackend
from django_tasks_celery.register import ensure_celery_task

logger = logging.getLogger(__name__)


class OnCommitCeleryBackend(CeleryBackend):
    def enqueue(self, task, args, kwargs):
        self.validate_task(task)
        app = self._get_celery_app()
        ensure_celery_task(task, app, self)
        task_id = str(uuid.uuid4())
        send = partial(self._send, app, task, list(args), dict(kwargs), task_id)
        transaction.on_commit(send, using=None, robust=True)
        result = TaskResult(
            task=task,
            id=task_id,
            status=TaskResultStatus.READY,
            enqueued_at=datetime.now(UTC),
            started_at=None,
            finished_at=None,
            last_attempted_at=None,
            args=list(args),
            kwargs=dict(kwargs),
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        task_enqueued.send(sender=type(self), task_result=result)
        return result

    def _send(self, app, task, args, kwargs, task_id):
        try:
            app.tasks[task.module_path].apply_async(
                args=args, kwargs=kwargs, task_id=task_id, **self._build_send_options(task)
            )
        except Exception:  # broker down: the data is committed; the work can be redone (update_index)
            logger.exception("Could not send task %s to the broker", task.module_path)


# Modules whose Django tasks a worker must know before it consumes anything: Wagtail's own work
# (search index, reference index, file clean-up, image focal points, front-end cache purge) and ours.
TASK_MODULES = [
    "modelsearch.tasks",
    "wagtail.tasks",
    "wagtail.images.tasks",
    "wagtail.documents.tasks",
    "wagtail.contrib.frontend_cache.tasks",
    "home.tasks",
]


def register_django_tasks(app, modules=TASK_MODULES) -> list[str]:
    """Register every Django task in `modules` with the Celery app; returns the task names.

    The Celery backend registers a task when it is first validated or enqueued, but a worker builds its
    routing table when it starts: a task registered only later arrives as "unregistered". Workers call
    this from the `worker_init` signal (see haining.celery).
    """
    import importlib

    from django_tasks import task_backends
    from django_tasks.base import Task

    names = []
    for module_name in modules:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        for value in vars(module).values():
            if isinstance(value, Task):
                ensure_celery_task(value, app, task_backends[value.backend])
                names.append(value.module_path)
    return names
