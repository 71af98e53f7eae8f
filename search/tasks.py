"""Background work of the search app: counting searches without a database write per search.

Every first-page search is counted for editors (Wagtail's 搜索词 report, promotions, the suggestions).
Writing the count in the request (`Query.get(q).add_hit()`: a get-or-create and an update, two or three
statements and a write lock on SQLite) made it the only write on the hottest public page. Instead
`count_search_hit` adds the hit to a per-process buffer and, at most every `SEARCH_HITS_FLUSH_SECONDS`
(default 30; or when `MAX_PENDING` different queries are waiting), enqueues ONE task with all the
buffered counts through the project's task backend (Celery when a broker is configured, else inline:
one batch of writes every half minute instead of one per search). Counts are added, never sampled:
editors see the same numbers, at most half a minute later. A process that exits normally (gunicorn
restarts, deploys) flushes its buffer on the way out; a killed process loses at most the last interval.
`SEARCH_HITS_FLUSH_SECONDS = 0` records every hit at once (the test settings do, so tests read counts
right after a request).
"""

import atexit
import logging
import threading
import time
from collections import Counter

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)

MAX_PENDING = 500  # different (day, query) pairs waiting in one process

_lock = threading.Lock()
_pending: Counter = Counter()
_last_flush = time.monotonic()


@task()
def record_search_hits(hits: list) -> None:
    """Add counted searches: `[[ISO date, query, count], …]` (one get-or-create and one UPDATE each)."""
    from wagtail.contrib.search_promotions.models import Query, QueryDailyHits

    for day, query, count in hits:
        daily, _created = QueryDailyHits.objects.get_or_create(query=Query.get(query), date=day)
        QueryDailyHits.objects.filter(pk=daily.pk).update(hits=F("hits") + int(count))


@task()
def record_search_query(query: str) -> None:
    """Count one search now (kept for tasks already queued under this name)."""
    record_search_hits.call([[timezone.localdate().isoformat(), query, 1]])


def count_search_hit(query: str) -> None:
    """Count a search: buffered in this process, flushed in batches (see the module docstring)."""
    global _last_flush
    interval = getattr(settings, "SEARCH_HITS_FLUSH_SECONDS", 30)
    with _lock:
        _pending[(timezone.localdate().isoformat(), query)] += 1
        if interval > 0 and len(_pending) < MAX_PENDING and time.monotonic() - _last_flush < interval:
            return
    flush_search_hits()


def flush_search_hits() -> int:
    """Enqueue the buffered counts as one task; returns how many (day, query) pairs were sent."""
    global _last_flush
    with _lock:
        batch = [[day, query, count] for (day, query), count in _pending.items()]
        _pending.clear()
        _last_flush = time.monotonic()
    if batch:
        try:
            record_search_hits.enqueue(batch)
        except Exception:  # counting searches must never break searching
            logger.exception("Could not record %d search counts", len(batch))
    return len(batch)


def pending_search_hits() -> dict[tuple[str, str], int]:
    with _lock:
        return dict(_pending)


def discard_pending_search_hits() -> None:
    with _lock:
        _pending.clear()


def _flush_at_exit() -> None:
    try:
        flush_search_hits()
    except Exception:  # the interpreter is going away; nothing to report to
        logger.warning("Search counts lost at exit", exc_info=True)


atexit.register(_flush_at_exit)
