"""Per-page query count and median render time over warm requests.

    .venv/bin/python bench/pages.py [--requests 50] [--extra-news 1000] [--keep]

Builds a throwaway SQLite site with the demo content (`seed_demo`), optionally adds N more news items,
then requests each page through Django's test client: two warm-up requests, then --requests timed ones.
Set DATABASE_URL to measure on PostgreSQL instead (a database named in the URL is used as is).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--extra-news", type=int, default=0, help="add this many news items before measuring")
    parser.add_argument("--keep", action="store_true", help="keep the temporary database directory")
    args = parser.parse_args()

    var_dir = tempfile.mkdtemp(prefix="haining-bench-")
    os.environ.setdefault("VAR_DIR", var_dir)
    # The test settings are production-like where it matters here (DEBUG off, so templates are cached)
    # without needing collected static files.
    os.environ["DJANGO_SETTINGS_MODULE"] = "haining.settings.test"
    os.environ.setdefault("LOG_LEVEL", "WARNING")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # Keep one connection across requests, as production does with CONN_MAX_AGE.
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections, connection
    from django.test import Client

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    assert not settings.DEBUG
    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", stdout=quiet)

    from home.models import NewsIndexPage, NewsPage

    index = NewsIndexPage.objects.get()
    if args.extra_news:
        sample = NewsPage.objects.live().first()
        for n in range(args.extra_news):
            index.add_child(
                instance=NewsPage(
                    title=f"基层工会动态 {n}",
                    slug=f"bench-{n}",
                    category=sample.category,
                    cover_image=sample.cover_image,
                    lead=sample.lead,
                )
            )

    article = NewsPage.objects.live().order_by("-date").first()
    urls = {"home": "/", "news index": index.url, "news page": article.url}
    extra = {"standard page": "/about/", "news filtered": f"{index.url}?category=wenhua"}
    urls.update(extra)
    client = Client()
    print(
        f"{'page':<15} {'status':>6} {'queries':>8} {'median ms':>10} {'p90 ms':>8}   ({args.requests} warm requests, {NewsPage.objects.count()} news)"
    )
    for name, url in urls.items():
        for _ in range(2):
            client.get(url)
        queries: list[str] = []

        def count(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            response = client.get(url)
        timings = []
        for _ in range(args.requests):
            start = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
        timings.sort()
        p90 = timings[int(len(timings) * 0.9) - 1]
        print(f"{name:<15} {response.status_code:>6} {len(queries):>8} {statistics.median(timings):>10.1f} {p90:>8.1f}")
    if not args.keep:
        import shutil

        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
