"""Month-view render time and query count with 50 and 500 events in the month.

    .venv/bin/python bench/calendar_bench.py [--requests 30] [--sizes 50,500]

Builds a throwaway SQLite site (migrate only, no demo), a calendar page and, for each size, that many
one-off events spread over a month (times from 00:30 to 22:00, a tenth multi-day, a tenth cancelled),
then requests the month view through Django's test client. Reports, per size, the median and p95 of
cold renders (fragment cache cleared before each request: the grid is built from the database) and
warm renders (the grid fragment cached, as visitors get it between two publishes), with query counts.
Set DATABASE_URL to measure on PostgreSQL (the database named in the URL is used as is).
"""

import argparse
import datetime
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--sizes", default="50,500")
    args = parser.parse_args()

    from _common import make_home_site, setup_django

    setup_django("haining-calbench-")
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from culture.models import EventCategory, EventDate, EventDateChange, EventIndexPage, EventPage, Venue

    call_command("migrate", verbosity=0)

    home = make_home_site()
    index = EventIndexPage(title="文化活动", slug="activities")
    home.add_child(instance=index)
    categories = [EventCategory.objects.create(name=n, slug=s) for n, s in [("电影", "film"), ("讲座", "lecture")]]
    venues = [Venue.objects.create(name="工人文化宫", room=r) for r in ("职工剧场", "职工书屋", "底楼展厅")]

    client = Client()
    year, month = 2027, 3
    made = 0
    print(f"database: {connection.vendor}; month view /activities/{year}/{month}/; {args.requests} requests each")
    print(
        f"{'events':>7} {'cold ms p50':>12} {'cold p95':>9} {'cold q':>7} {'warm ms p50':>12} {'warm q':>7} {'KB':>6}"
    )
    for size in sorted(int(s) for s in args.sizes.split(",")):
        while made < size:
            n = made
            event = EventPage(
                title=f"职工文化活动 {n}",
                slug=f"e-{n}",
                category=categories[n % 2],
                venue=venues[n % 3],
                summary="简介",
            )
            day = datetime.date(year, month, 1 + n % 31)
            hour, minute = divmod(30 + (n * 37) % (22 * 60 - 30), 60)
            rule = dict(start_date=day, start_time=datetime.time(hour, minute))
            if n % 10 == 3:
                rule = dict(start_date=day, end_date=day + datetime.timedelta(days=2))
            event.dates = [EventDate(**rule)]
            if n % 10 == 7:
                event.date_changes = [EventDateChange(date=day, kind="cancelled")]
            index.add_child(instance=event)
            made += 1
        url = f"/activities/{year}/{month}/"
        for _ in range(2):
            client.get(url)

        def timed(clear: bool, url: str = url):
            times, queries, size_kb = [], 0, 0
            for _ in range(args.requests):
                if clear:
                    cache.clear()
                with CaptureQueriesContext(connection) as ctx:
                    start = time.perf_counter()
                    response = client.get(url)
                    times.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200
                queries, size_kb = len(ctx.captured_queries), len(response.content) / 1024
            times.sort()
            return statistics.median(times), times[int(len(times) * 0.95) - 1], queries, size_kb

        cold = timed(True)
        warm = timed(False)
        print(f"{size:>7} {cold[0]:>12.1f} {cold[1]:>9.1f} {cold[2]:>7} {warm[0]:>12.1f} {warm[2]:>7} {cold[3]:>6.0f}")


if __name__ == "__main__":
    main()
