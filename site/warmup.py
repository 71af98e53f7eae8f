"""Work a web worker would otherwise do on its first request, done when the worker starts (haining.wsgi).

At an enrollment opening every worker's first request arrives in the same second, so whatever a first
request pays (importing the URL configuration with the search app's segmentation dictionary and the
admin, libphonenumber's metadata, Celery's broker transport, task bindings and result backend) is paid by
hundreds of applicants at once.
Only imports and in-memory tables: no database or broker connection is opened here, so it is also safe in
a master process that forks its workers (gunicorn --preload).

Then `freeze_startup_objects` moves what start-up built (over 200,000 objects: modules, classes, URL
patterns, templates, dictionaries) out of the garbage collector's reach. They live as long as the process,
yet a full collection walked all of them (and everything else the process holds): 100–300 ms measured here,
inside whichever request triggered it, at a random moment of the opening rush; 5 ms with the freeze.
Python's documentation of `gc.freeze` recommends it before forking, for the same pages to stay shared with
the workers (no collection writes to them).
"""

import gc
import logging
import time

logger = logging.getLogger(__name__)


def warm_up() -> float:
    """Load what the first request would; returns the seconds it took. Never raises."""
    start = time.perf_counter()
    try:
        from django.conf import settings
        from django.urls import get_resolver

        resolver = get_resolver()
        resolver.url_patterns  # noqa: B018 - imports the URL configuration and every view module
        resolver.reverse_dict  # noqa: B018 - builds the reverse lookup tables

        from training.services.identity import normalize_mobile, parse_id_number

        normalize_mobile("13900000000")  # libphonenumber loads its CN metadata on first use
        parse_id_number("11010519491231002X")
        if getattr(settings, "BROKER_CONFIGURED", False):
            from haining.celery import app

            app.loader.import_default_modules()
            app.finalize(auto=True)  # binds every task: about 45 ms of the first notice's publish
            app.amqp  # noqa: B018 - kombu's message and routing set-up
            app.backend  # noqa: B018 - imports the result backend (results are ignored): about 30 ms more
            transport = settings.CELERY_BROKER_URL.split("://", 1)[0]
            if transport in ("redis", "rediss"):
                import kombu.transport.redis  # noqa: F401
            elif transport in ("amqp", "pyamqp"):
                import kombu.transport.pyamqp  # noqa: F401
    except Exception:  # a cold first request is slower, not broken
        logger.exception("Warm-up at worker start failed")
    return time.perf_counter() - start


def freeze_startup_objects() -> int:
    """Collect start-up's garbage, then exclude every surviving object from later collections (`gc.freeze`).

    Returns how many objects are now frozen. Objects created by requests are collected as before; only the
    ones start-up left behind (which live as long as the process anyway) are no longer walked by each full
    collection.
    """
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
