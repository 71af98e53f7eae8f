"""gunicorn runs with --preload (deploy/systemd/haining-web.service): importing the application in the master
must leave no connection open that the forked workers would then share, and must load what workers share."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import gc, json, sys
import haining.wsgi  # what gunicorn --preload imports in the master before forking
from django.db import connections
print(json.dumps({
    "open": [alias for alias in connections if connections[alias].connection is not None],
    "rjieba": "rjieba" in sys.modules,
    "frozen": gc.get_freeze_count(),
    "tracked_after_start": len(gc.get_objects()),
    "gc_enabled": gc.isenabled(),
}))
"""


def test_the_service_preloads_the_application():
    service = (ROOT / "deploy/systemd/haining-web.service").read_text()
    exec_start = service.split("ExecStart=", 1)[1].split("\nExec", 1)[0]
    assert "gunicorn haining.wsgi:application --preload" in exec_start


def test_the_worker_count_comes_from_the_env_file_with_a_fallback_in_the_unit():
    """One worker per core, set in the env file; an env file older than that setting keeps several workers
    (gunicorn alone would start one)."""
    unit = (ROOT / "deploy/systemd/haining-web.service").read_text()
    env = (ROOT / "deploy/haining.env.example").read_text()
    exec_start = unit.split("ExecStart=", 1)[1].split("\nExec", 1)[0]
    assert "--workers" not in exec_start and "-w " not in exec_start
    assert re.search(r"^WEB_CONCURRENCY=[1-9][0-9]*$", env, re.M)
    fallback = re.search(r"^Environment=WEB_CONCURRENCY=([0-9]+)$", unit, re.M)
    assert fallback and int(fallback.group(1)) >= 2
    assert "EnvironmentFile=/etc/haining/haining.env" in unit  # systemd: its values override Environment=


def test_importing_the_application_opens_no_database_connection(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")}
    env.update({"DJANGO_SETTINGS_MODULE": "haining.settings.test", "VAR_DIR": str(tmp_path)})
    result = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["open"] == []
    assert probe["rjieba"] is True  # the segmentation dictionary is loaded before the fork, so workers share it
    # Start-up's objects are frozen out of the collector's walk (a full collection of them took ~300 ms, inside
    # a request); the collector stays on for what requests create.
    assert probe["frozen"] > 100_000
    assert probe["tracked_after_start"] < probe["frozen"] / 10
    assert probe["gc_enabled"] is True


BROKER_PROBE = """
import json, socket
connects = []
real_connect = socket.socket.connect
def recording_connect(self, address):
    connects.append(str(address))
    return real_connect(self, address)
socket.socket.connect = recording_connect
import haining.wsgi
from haining.celery import app
print(json.dumps({
    "finalized": app.finalized,
    "deliver_notice_bound": "notices.tasks.deliver_notice" in app.tasks,
    "connects": connects,
}))
"""


def test_with_a_broker_configured_the_celery_app_is_ready_before_the_first_notice_without_connecting(tmp_path):
    """The first enrollment's notice used to pay for binding Celery's tasks and importing the result backend
    (about 75 ms); warm-up does both at start, and still opens no connection (the broker port here is closed)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "haining.settings.test",
            "VAR_DIR": str(tmp_path),
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{closed_port}/0",
        }
    )
    result = subprocess.run([sys.executable, "-c", BROKER_PROBE], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Warm-up at worker start failed" not in result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe == {"finalized": True, "deliver_notice_bound": True, "connects": []}
