"""Fault injection with services of our own (never the shared ones): a private redis-server as broker and
cache, a socket that accepts and never answers, a fake SMTP server, a fake Aliyun SMS gateway that checks
signatures, a Celery worker. Each scenario breaks one service, enrolls through the JSON API, and asserts:

- every enrollment is saved and answered in under 2 s;
- once the service is back (and the sweep has run, as beat would), every notice is delivered exactly once.

Ports are picked free (FAULT_PORTS limits them to a range); everything started here is stopped here.
"""

import datetime
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import F
from django.test import override_settings
from django.utils import timezone
from stdnum.cn import ric

from haining.testing import SERVICES_REQUIRED
from notices import broker, services
from notices.models import Notice
from notices.tests.fakes import FakeAliyun, FakeSmtp, HungServer, RedisServer, free_port
from training.models import Enrollment
from training.tests.factories import CourseIndexPageFactory, CoursePageFactory, TermFactory, id_number

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BUDGET = 2.0  # seconds an enrollment may take, whatever is down
OPEN = dict(
    enrollment_opens_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC),
    enrollment_closes_at=datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC),
)
TEMPLATES = {
    "created:confirmed": {"id": "SMS_100001", "params": ["participant", "course", "reference"]},
    "created:waitlisted": {"id": "SMS_100002", "params": ["course", "participant", "position", "reference"]},
}

if not shutil.which("redis-server"):
    pytestmark = [
        pytestmark,
        pytest.mark.skipif(not SERVICES_REQUIRED, reason="needs redis-server (apt-get install redis-server)"),
    ]


@pytest.fixture
def course(site_root, client):
    index = CourseIndexPageFactory(parent=site_root)
    course = CoursePageFactory(parent=index, title="少儿书法班", term=TermFactory(**OPEN), capacity=20, waitlist_size=5)
    # A warm process: the timings below are of serving, not of first imports and data loads (stdnum's
    # region table takes seconds to load on a busy machine; a running server has loaded it already).
    client.get(f"/api/v1/courses/{course.pk}/")
    ric.validate(id_number(datetime.date(2018, 3, 1), 99))
    return course


@pytest.fixture
def gateway(settings):
    fake = FakeAliyun()
    settings.SMS_URL = fake.url
    settings.SMS_TEMPLATES = TEMPLATES
    yield fake
    fake.close()


@pytest.fixture
def smtp_port(settings):
    """A port for the mail server; nothing listens there until a test starts FakeSmtp on it."""
    port = free_port()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 2},
        }
    }
    return port


@pytest.fixture
def smtp(smtp_port):
    server = FakeSmtp(smtp_port)
    yield server
    server.close()


@contextmanager
def celery_broker(url):
    """Point the project's Celery app at `url` (no eager mode) and restore it afterwards."""
    from haining.celery import app

    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}

    def reset_pools():
        if app._pool is not None:
            app._pool.force_close_all()
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.update(broker_url=url, task_always_eager=False)
    reset_pools()
    broker.reset()
    with app.connection_for_write() as conn:
        conn.transport  # noqa: B018 - imports the transport once (a long-running server has done so already)
    try:
        with override_settings(BROKER_CONFIGURED=True):
            yield app
    finally:
        reset_pools()
        app.conf.update(saved)
        broker.reset()


@contextmanager
def worker(app):
    """A Celery worker in a thread of this process (solo pool); its database connections are closed after
    each task, so none outlives the test."""
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun
    from django.db import connections

    def close_connections(**kwargs):
        connections.close_all()

    task_postrun.connect(close_connections, weak=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10, loglevel="WARNING") as w:
            yield w
    finally:
        task_postrun.disconnect(close_connections)


@pytest.fixture
def redis():
    server = RedisServer()
    yield server
    server.stop()


def enroll_over_api(client, course, seq, **extra):
    data = {
        "applicant_name": "张建国",
        "phone": f"1390000{seq:04d}",
        "participant_name": "欧阳·小明",
        "id_number": id_number(datetime.date(2018, 3, 1), seq),
        "consent": True,
        **extra,
    }
    started = time.monotonic()
    response = client.post(
        f"/api/v1/courses/{course.pk}/enrollments/", json.dumps(data), content_type="application/json"
    )
    elapsed = time.monotonic() - started
    assert response.status_code == 201, response.content
    assert elapsed < BUDGET, f"enrollment took {elapsed:.2f} s"
    reference = response.json()["reference"]
    assert Enrollment.objects.filter(reference=reference).exists()
    return reference


def sweep_until_delivered(expected: int, *, inline=False, timeout=30.0):
    """Let time pass and run the sweep as beat would, until `expected` notices are sent.

    Time passing is simulated by moving every pending row's due time five minutes back per round (the
    backoff after a failure is minutes long); the workers then see them due with the real clock.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if Notice.objects.filter(status="sent").count() >= expected:
            return
        Notice.objects.filter(status="pending").update(
            next_attempt_at=F("next_attempt_at") - datetime.timedelta(minutes=5)
        )
        services.sweep(inline=inline)
        time.sleep(0.5)
    states = list(Notice.objects.values_list("channel", "status", "attempts", "last_error"))
    raise AssertionError(f"not all notices delivered: {states}")


def assert_each_delivered_once(references, gateway, mails=None, emails=()):
    sent_phones = sorted(message["phone"] for message in gateway.accepted)
    expected_phones = sorted(Enrollment.objects.filter(reference__in=references).values_list("phone", flat=True))
    assert sent_phones == expected_phones  # each applicant got exactly one SMS
    for message in gateway.accepted:
        assert message["params"]["reference"] in references and message["sign"] == "海宁市工人文化宫"
    if mails is not None:
        assert len(mails) == len(emails)
        for address in emails:
            assert sum(f"To: {address}".encode() in mail for mail in mails) == 1
    assert set(Notice.objects.values_list("status", flat=True)) == {"sent"}
    # Running the sweep again finds nothing to send.
    assert services.sweep(now=timezone.now() + datetime.timedelta(days=1), inline=True) == 0


@pytest.mark.postgres  # a worker thread next to the test: SQLite's shared in-memory database locks
def test_broker_stopped(client, course, gateway, redis):
    with celery_broker(redis.url) as app:  # the broker's port is closed: redis-server is not running yet
        references = [enroll_over_api(client, course, n) for n in range(1, 4)]
        assert set(Notice.objects.values_list("status", flat=True)) == {"pending"}
        assert gateway.accepted == []

        redis.start()
        broker.reset()  # in production: RETRY_AFTER seconds later
        with worker(app):
            sweep_until_delivered(3)
    assert_each_delivered_once(references, gateway)


@pytest.mark.postgres  # a worker thread next to the test: SQLite's shared in-memory database locks
def test_broker_hung(client, course, gateway):
    hung = HungServer()
    try:
        with celery_broker(f"redis://127.0.0.1:{hung.port}/0") as app:
            references = [enroll_over_api(client, course, n) for n in range(1, 4)]
            assert set(Notice.objects.values_list("status", flat=True)) == {"pending"}
            hung.close()
            redis = RedisServer(hung.port).start()  # the broker comes back on the same address
            try:
                broker.reset()
                with worker(app):
                    sweep_until_delivered(3)
            finally:
                redis.stop()
    finally:
        hung.close()
    assert_each_delivered_once(references, gateway)


def test_cache_stopped(client, course, gateway, redis, site_root, settings):
    from haining.cache import breaker
    from training.ratelimit import LIMITS

    settings.CACHES = {
        "default": {
            "BACKEND": "haining.cache.FailSafeRedisCache",
            "LOCATION": redis.url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    settings.RATE_LIMITS_ENABLED = True
    settings.TRAINING_RATE_LIMITS = {"enroll-ip": (2, 600)}
    breaker.reset()
    try:
        for url in [site_root.url, course.get_parent().url, course.url, "/search/?q=书法", "/api/v1/courses/"]:
            started = time.monotonic()
            assert client.get(url).status_code == 200, url
            assert time.monotonic() - started < BUDGET
        # Rate limits fail open while the cache is down: a third enrollment from one address is allowed.
        references = [enroll_over_api(client, course, n) for n in range(1, 4)]
        assert "enroll-ip" in LIMITS
        sweep_until_delivered(3, inline=True)
        assert_each_delivered_once(references, gateway)

        redis.start()
        breaker.reset()  # in production: RETRY_AFTER seconds later
        statuses = [enroll_status(client, course, n) for n in range(4, 7)]
        assert statuses == [201, 201, 429]  # the cache is back, and so is the limit
    finally:
        breaker.reset()


def enroll_status(client, course, seq):
    data = {
        "applicant_name": "张建国",
        "phone": f"1390001{seq:04d}",
        "participant_name": "张小明",
        "id_number": id_number(datetime.date(2018, 3, 1), seq),
        "consent": True,
    }
    return client.post(
        f"/api/v1/courses/{course.pk}/enrollments/", json.dumps(data), content_type="application/json"
    ).status_code


@pytest.mark.postgres  # a worker thread next to the test: SQLite's shared in-memory database locks
def test_smtp_port_closed(client, course, gateway, redis, smtp_port):
    redis.start()
    emails = [f"parent{n}@example.cn" for n in range(1, 4)]
    with celery_broker(redis.url) as app, worker(app):
        references = [enroll_over_api(client, course, n, email=emails[n - 1]) for n in range(1, 4)]
        deadline = time.monotonic() + 20
        while Notice.objects.filter(channel="email", attempts__gte=1).count() < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        mail_rows = Notice.objects.filter(channel="email")
        assert {(n.status, "Connection refused" in n.last_error) for n in mail_rows} == {("pending", True)}
        assert len(gateway.accepted) == 3  # the SMS went out regardless, once each

        smtp = FakeSmtp(smtp_port)  # the mail server comes back
        try:
            sweep_until_delivered(6)
            assert_each_delivered_once(references, gateway, smtp.messages, emails)
        finally:
            smtp.close()


@pytest.mark.postgres  # a worker thread next to the test: SQLite's shared in-memory database locks
def test_sms_gateway_failing(client, course, gateway, redis, smtp):
    redis.start()
    gateway.script = ["unavailable", "system", "limit"] * 3  # HTTP 503, isp.SYSTEM_ERROR, flow control
    emails = [f"parent{n}@example.cn" for n in range(1, 4)]
    with celery_broker(redis.url) as app, worker(app):
        references = [enroll_over_api(client, course, n, email=emails[n - 1]) for n in range(1, 4)]
        deadline = time.monotonic() + 20
        while Notice.objects.filter(status="sent").count() < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(smtp.messages) == 3 and gateway.accepted == []  # mail went; SMS is retrying on its own
        assert all(n.last_error for n in Notice.objects.filter(channel="sms"))
        sweep_until_delivered(6)
    assert_each_delivered_once(references, gateway, smtp.messages, emails)


@pytest.mark.postgres
def test_worker_killed_mid_task(client, course, gateway, redis, tmp_path):
    """SIGKILL of the worker process while it waits for the SMS gateway: the message goes back to the queue
    (acks_late + reject_on_worker_lost), the redelivered task takes over its own claim, the SMS is sent once."""
    redis.start()
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "haining.settings.test",
        "TEST_CELERY_BROKER": "1",
        "CELERY_BROKER_URL": redis.url,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "SMS_URL": gateway.url,
        "SMS_TEMPLATES": json.dumps(TEMPLATES),
        "REDIS_URL": "",
    }
    if db.get("PASSWORD"):
        env["DATABASE_URL"] = env["DATABASE_URL"].replace(f"{db['USER']}@", f"{db['USER']}:{db['PASSWORD']}@")
    celery = Path(sys.executable).with_name("celery")
    process = subprocess.Popen(
        [str(celery), "-A", "haining", "worker", "--pool", "prefork", "--concurrency", "1", "-l", "WARNING"],
        env=env,
        stdout=(tmp_path / "worker.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        gateway.hang.set()  # the first SMS request hangs inside the gateway
        with celery_broker(redis.url):
            reference = enroll_over_api(client, course, 1)
            assert gateway.hanging.wait(60), (tmp_path / "worker.log").read_text()
            child = worker_children(process.pid)
            assert len(child) == 1
            os.kill(child[0], signal.SIGKILL)  # mid-task: the request to the gateway is in flight
            gateway.release.set()
            deadline = time.monotonic() + 60
            while not Notice.objects.filter(status="sent").exists() and time.monotonic() < deadline:
                time.sleep(0.3)
        notice = Notice.objects.get()
        assert (notice.status, notice.attempts) == ("sent", 2), (tmp_path / "worker.log").read_text()
        assert gateway.requests == 2
        assert_each_delivered_once([reference], gateway)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def worker_children(pid: int) -> list[int]:
    children = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children += [int(child) for child in (task / "children").read_text().split()]
    return children
