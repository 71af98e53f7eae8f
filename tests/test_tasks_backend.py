"""Background work is handed to Celery only after the surrounding transaction commits."""

import pytest
from celery.app.task import Task as CeleryTask
from django.db import transaction

from haining.tasks_backend import OnCommitCeleryBackend


@pytest.fixture
def sent(monkeypatch):
    calls = []

    def fake_apply_async(self, args=None, kwargs=None, **options):
        calls.append((self.name, args, kwargs, options))

    monkeypatch.setattr(CeleryTask, "apply_async", fake_apply_async)
    return calls


@pytest.fixture
def backend():
    return OnCommitCeleryBackend(alias="default", params={"OPTIONS": {"CELERY_APP": "haining.celery.app"}})


@pytest.mark.django_db
def test_enqueue_inside_a_transaction_waits_for_commit(backend, sent, django_capture_on_commit_callbacks):
    from modelsearch.tasks import insert_or_update_object_task

    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        result = backend.enqueue(insert_or_update_object_task, ["home", "newspage", "1"], {})
        assert sent == []  # nothing reaches the broker before the commit
    assert len(callbacks) == 1
    assert len(sent) == 1
    name, args, kwargs, options = sent[0]
    assert name == insert_or_update_object_task.module_path
    assert args == ["home", "newspage", "1"] and options["task_id"] == result.id


@pytest.mark.django_db
def test_rolled_back_work_is_never_sent(backend, sent, django_capture_on_commit_callbacks):
    from modelsearch.tasks import insert_or_update_object_task

    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                backend.enqueue(insert_or_update_object_task, ["home", "newspage", "1"], {})
                raise RuntimeError("rollback")
        except RuntimeError:
            pass
    assert sent == []


@pytest.mark.django_db
def test_broker_outage_is_logged_not_raised(backend, monkeypatch, caplog, django_capture_on_commit_callbacks):
    from modelsearch.tasks import insert_or_update_object_task

    def broken(self, *args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(CeleryTask, "apply_async", broken)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        backend.enqueue(insert_or_update_object_task, ["home", "newspage", "1"], {})
    assert "Could not send task" in caplog.text


def test_workers_register_wagtails_tasks_before_consuming():
    """A worker started before any task was enqueued would reject them as "unregistered" otherwise."""
    from celery.signals import worker_init

    from haining.celery import app, register_wagtail_tasks
    from haining.tasks_backend import register_django_tasks

    assert register_wagtail_tasks in [ref() for _, ref in worker_init.receivers]
    names = register_django_tasks(app)
    for name in ("modelsearch.tasks.insert_or_update_object_task", "wagtail.tasks.update_reference_index_task"):
        assert name in names and name in app.tasks
