"""Wagtail's Django tasks reach Celery only after the surrounding transaction commits, as one generic task;
with the broker unreachable they run inline instead of being lost."""

import pytest
from celery.app.task import Task as CeleryTask
from django.db import transaction

from haining.tasks_backend import OnCommitCeleryBackend
from notices import broker


@pytest.fixture(autouse=True)
def _fresh_breaker():
    broker.reset()
    yield
    broker.reset()


@pytest.fixture
def sent(monkeypatch):
    calls = []

    def fake_apply_async(self, args=None, kwargs=None, **options):
        calls.append((self.name, args, kwargs, options))

    monkeypatch.setattr(CeleryTask, "apply_async", fake_apply_async)
    return calls


@pytest.fixture
def backend():
    return OnCommitCeleryBackend(alias="default", params={})


@pytest.mark.django_db
def test_enqueue_inside_a_transaction_waits_for_commit(backend, sent, django_capture_on_commit_callbacks):
    from modelsearch.tasks import insert_or_update_object_task

    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        result = backend.enqueue(insert_or_update_object_task, ["home", "newspage", "1"], {})
        assert sent == []  # nothing reaches the broker before the commit
    assert len(callbacks) == 1
    assert len(sent) == 1
    name, args, kwargs, options = sent[0]
    assert name == "haining.run_django_task"
    assert args == ("modelsearch.tasks.insert_or_update_object_task", ["home", "newspage", "1"], {})
    assert options["task_id"] == result.id


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
def test_broker_outage_runs_the_task_inline(backend, monkeypatch, site_root, django_capture_on_commit_callbacks):
    """The page is indexed even though the broker refused the message; later tasks skip the broker."""
    from modelsearch.tasks import insert_or_update_object_task
    from wagtail.search.models import IndexEntry

    attempts = []

    def broken(self, *args, **kwargs):
        attempts.append(self.name)
        raise ConnectionError("broker down")

    monkeypatch.setattr(CeleryTask, "apply_async", broken)
    IndexEntry.objects.all().delete()
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            backend.enqueue(insert_or_update_object_task, ["home", "homepage", str(site_root.pk)], {})
    assert IndexEntry.objects.filter(object_id=str(site_root.pk)).count() == 1
    assert attempts == ["haining.run_django_task"]  # the second task did not wait for the broker again
    assert broker.broker_suspended()


@pytest.mark.django_db
def test_run_task_runs_a_wagtail_task_by_its_path(site_root):
    from wagtail.search.models import IndexEntry

    from haining.tasks_backend import run_task

    IndexEntry.objects.all().delete()
    run_task("modelsearch.tasks.insert_or_update_object_task", ["home", "homepage", str(site_root.pk)], {})
    assert IndexEntry.objects.filter(object_id=str(site_root.pk)).exists()


def test_one_generic_celery_task_runs_every_django_task():
    from haining.celery import app

    assert "haining.run_django_task" in app.tasks
