"""Handing work to the Celery broker from a web request without ever waiting long for it.

`publish(task, args)` sends one message and answers True, or False when the broker cannot be reached.
The broker's socket timeouts (settings: CELERY_BROKER_TRANSPORT_OPTIONS, about one second) bound a
single try; after a failure this process stops trying for `RETRY_AFTER` seconds, so during an outage
each request pays nothing and only one request per interval pays the timeout. What was not sent is not
lost: notices stay pending in the outbox for the sweep; Wagtail's tasks run inline instead
(haining.tasks_backend).
"""

import logging
import threading
import time

from celery import current_app

logger = logging.getLogger(__name__)

RETRY_AFTER = 15.0  # seconds without broker attempts after a failure, per process

_lock = threading.Lock()
_down_until = 0.0


def eager() -> bool:
    """True when there is no broker and Celery runs tasks in the calling process (embedded default)."""
    return bool(current_app.conf.task_always_eager)


def broker_suspended() -> bool:
    return time.monotonic() < _down_until


def mark_down() -> None:
    global _down_until
    with _lock:
        _down_until = time.monotonic() + RETRY_AFTER


def reset() -> None:
    """Forget a recorded outage (tests; or after the operator fixed the broker)."""
    global _down_until
    with _lock:
        _down_until = 0.0


def publish(task, args=(), kwargs=None, **options) -> bool:
    """Send `task` to the broker; False (logged, never raised) when it cannot be reached now."""
    if broker_suspended():
        return False
    try:
        task.apply_async(args=args, kwargs=kwargs or {}, **options)
    except Exception as error:  # kombu/redis/amqp connection and timeout errors of every transport
        mark_down()
        logger.warning("Broker unreachable, not sending %s for %.0f s: %r", task.name, RETRY_AFTER, error)
        return False
    return True
