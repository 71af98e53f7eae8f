"""The one path for Django tasks: Wagtail's own background work, run by our Celery workers.

Wagtail 8 and modelsearch enqueue their work (search index and reference index updates, image and
document file clean-up, focal points, front-end cache purges) through the `django_tasks` backport
(`from django_tasks import task`); `TASKS` in settings chooses the backend:

- no broker (embedded default): `django_tasks.backends.immediate.ImmediateBackend`, inline;
- broker configured: `OnCommitCeleryBackend` below, a backport backend.

`OnCommitCeleryBackend.enqueue` waits for the surrounding transaction to commit (Wagtail enqueues from
`post_save`, inside the transaction; a worker picking the task up earlier would find nothing), then
sends one generic Celery task, `haining.run_django_task(module_path, args, kwargs)`, which imports the
task by its path on the worker and runs it. Workers therefore need no list of Django tasks. When the
broker cannot be reached (notices.broker: about a second at most, then not tried for a while) the task
runs inline after the commit instead, so a broker outage never loses an index update.

Our own work does not go through here: notices are plain Celery tasks over the outbox (notices.tasks),
scheduled work is Celery beat (training.tasks).
"""

import logging
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.backends.base import BaseTaskBackend
from django_tasks.base import TaskContext, TaskResult, TaskResultStatus
from django_tasks.signals import task_enqueued
from django_tasks.utils import get_random_id

from notices import broker

logger = logging.getLogger(__name__)


class OnCommitCeleryBackend(BaseTaskBackend):
    supports_defer = True
    supports_async_task = True
    supports_priority = True

    def enqueue(self, task, args, kwargs):
        self.validate_task(task)
        result = TaskResult(
            task=task,
            id=get_random_id(),
            status=TaskResultStatus.READY,
            enqueued_at=timezone.now(),
            started_at=None,
            finished_at=None,
            last_attempted_at=None,
            args=list(args),
            kwargs=dict(kwargs),
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        transaction.on_commit(partial(self._send, task, list(args), dict(kwargs), result.id), robust=True)
        task_enqueued.send(type(self), task_result=result)
        return result

    def _send(self, task, args, kwargs, task_id):
        from haining.celery import run_django_task

        options = {"task_id": task_id}
        if task.queue_name != "default":
            options["queue"] = task.queue_name
        if task.run_after is not None:
            options["eta"] = task.run_after
        if not broker.publish(run_django_task, (task.module_path, args, kwargs), **options):
            logger.warning("Broker unreachable: running %s inline", task.module_path)
            run_task(task.module_path, args, kwargs)


def run_task(module_path: str, args: list, kwargs: dict) -> None:
    """Run the Django task at `module_path` here (on a worker, or inline when the broker is down).

    Errors are logged, not raised: Wagtail's tasks are repairable (`manage update_index`,
    `manage rebuild_references_index`) and must not fail the request that already committed.
    """
    try:
        task = import_string(module_path)
        if task.takes_context:
            now = timezone.now()
            result = TaskResult(
                task=task,
                id=get_random_id(),
                status=TaskResultStatus.RUNNING,
                enqueued_at=None,
                started_at=now,
                finished_at=None,
                last_attempted_at=now,
                args=args,
                kwargs=kwargs,
                backend="default",
                errors=[],
                worker_ids=[],
            )
            task.call(TaskContext(task_result=result), *args, **kwargs)
        else:
            task.call(*args, **kwargs)
    except Exception:
        logger.exception("Django task %s failed", module_path)
