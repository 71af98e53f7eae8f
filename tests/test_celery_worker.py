"""The production path for background work: a real Celery worker on Redis runs Wagtail's search-index task
for a page published inside a transaction (enqueued after the commit by OnCommitCeleryBackend)."""

import time

import pytest
from django.db import transaction
from django.test import override_settings

CELERY_TASKS = {
    "default": {
        "BACKEND": "haining.tasks_backend.OnCommitCeleryBackend",
        "OPTIONS": {"CELERY_APP": "haining.celery.app"},
    }
}


@pytest.fixture
def celery_worker(settings):
    from celery.contrib.testing.worker import start_worker

    from haining.celery import app

    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager", "result_backend")}
    app.conf.update(broker_url=settings.REDIS_URL, task_always_eager=False, result_backend=None)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker
    app.conf.update(saved)


@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_indexes_a_page_published_in_a_transaction(celery_worker):
    from wagtail.search.models import IndexEntry

    from haining.testing import ensure_wagtail_base_rows
    from home.tests.factories import HomePageFactory, NewsIndexPageFactory, NewsPageFactory

    root = ensure_wagtail_base_rows()
    with override_settings(TASKS=CELERY_TASKS):
        with transaction.atomic():
            home = HomePageFactory(parent=root, slug="celery-home")
            index = NewsIndexPageFactory(parent=home)
            page = NewsPageFactory(parent=index, title="海宁市总工会举办元旦职工拔河比赛")
            # Inside the transaction nothing has been indexed: the task waits for the commit.
            assert not IndexEntry.objects.filter(object_id=str(page.pk)).exists()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if IndexEntry.objects.filter(object_id=str(page.pk)).exists():
                break
            time.sleep(0.2)
    entry = IndexEntry.objects.filter(object_id=str(page.pk)).first()
    assert entry is not None, "the Celery worker did not index the page"
    assert "拔河" in entry.title
