"""Per-page query count and median render time over warm requests; with --served, throughput under load.

    .venv/bin/python bench/pages.py [--requests 50] [--extra-news 1000] [--keep]
    .venv/bin/python bench/pages.py --served [--duration 15] [--workers 2] [--port 8150]

Builds a throwaway SQLite site with the demo content (`seed_demo`), optionally adds N more news items,
then requests each page through Django's test client: two warm-up requests, then --requests timed ones.
Set DATABASE_URL to measure on PostgreSQL instead (a database named in the URL is used as is).

--served starts gunicorn (sync workers, DEBUG off) on that site and runs `wrk -t2 -c16` (apt-get install
wrk) against each page three ways in one run: from the anonymous full-page cache (home.pagecache), rendered
(the request carries a session cookie, which bypasses the cache), and a trivial view of the same size behind
Django's own `cache_page` (bench/served_urls.py) — the yardstick the cached pages are held to (≥ 0.8×).
Set REDIS_URL to put both caches in Redis as production does; otherwise each worker has its own memory cache.
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
    parser.add_argument("--served", action="store_true", help="gunicorn + wrk: cached pages against cache_page")
    parser.add_argument("--duration", type=int, default=15, help="seconds of wrk per page (--served)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (--served)")
    parser.add_argument("--port", type=int, default=8150, help="gunicorn port (--served)")
    parser.add_argument("--nginx", action="store_true", help="also through nginx with deploy/nginx/ (ports +1, +2)")
    args = parser.parse_args()

    var_dir = tempfile.mkdtemp(prefix="haining-bench-")
    os.environ.setdefault("VAR_DIR", var_dir)
    # The test settings are production-like where it matters here (DEBUG off, so templates are cached)
    # without needing collected static files.
    os.environ["DJANGO_SETTINGS_MODULE"] = "haining.settings.test"
    if args.served:  # the same settings as the gunicorn workers (media in VAR_DIR, the bench URLs)
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        os.environ["DJANGO_SETTINGS_MODULE"] = "served_settings"
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
    if args.served:
        from django.db import connections

        connections.close_all()
        served(args, var_dir, urls)
        if not args.keep:
            import shutil

            shutil.rmtree(var_dir, ignore_errors=True)
        return
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


def served(args, var_dir: str, urls: dict) -> None:
    import shutil
    import subprocess
    import urllib.request

    if not shutil.which("wrk"):
        sys.exit("--served needs wrk (apt-get install wrk)")
    base = f"http://127.0.0.1:{args.port}"
    env = {
        **os.environ,
        "VAR_DIR": var_dir,
        "DJANGO_SETTINGS_MODULE": "served_settings",
        "PYTHONPATH": str(Path(__file__).resolve().parent),
        "RATE_LIMITS": "off",
        "LOG_LEVEL": "WARNING",
    }
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    command = [gunicorn, "haining.wsgi:application", "-b", f"127.0.0.1:{args.port}", "-w", str(args.workers)]
    server = subprocess.Popen([*command, "--log-level", "warning"], env=env)
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        size = len(urllib.request.urlopen(base + "/").read())
        pages = {name: urls[name] for name in ("home", "news index", "news page")}
        print(f"gunicorn {args.workers} sync workers, wrk -t2 -c16 -d{args.duration}s, load before: {load()}")
        trivial = rps(base + f"/bench/trivial-cached/?size={size}", args.duration)
        print(f"{'trivial cache_page view':<26} {trivial:>9.0f} req/s   ({size} bytes)")
        print(f"{'page':<14} {'cached req/s':>13} {'rendered req/s':>15} {'cached/trivial':>15}")
        for name, url in pages.items():
            for _ in range(3):
                urllib.request.urlopen(base + url).read()
            cached = rps(base + url, args.duration)
            rendered = rps(base + url, args.duration, cookie="sessionid=bench-no-session")
            print(f"{name:<14} {cached:>13.0f} {rendered:>15.0f} {cached / trivial:>14.2f}×")
        if args.nginx:
            with nginx_in_front(args.port, var_dir) as front:
                print(f"through nginx (proxy_cache, deploy/nginx/), {front}:")
                for name, url in pages.items():
                    for _ in range(2):
                        urllib.request.urlopen(front + url).read()
                    print(f"{name:<14} {rps(front + url, args.duration):>13.0f} req/s")
        print(f"load after: {load()}")
    finally:
        server.terminate()
        server.wait(timeout=30)


def nginx_in_front(app_port: int, var_dir: str):
    import contextlib
    import signal
    import subprocess

    repo = Path(__file__).resolve().parent.parent
    folder = Path(var_dir) / "nginx"
    folder.mkdir(exist_ok=True)
    config = (
        (repo / "deploy/nginx/local.conf.in")
        .read_text()
        .format(
            module="/usr/lib/nginx/modules/ngx_http_cache_purge_module.so",
            user="user root;" if os.geteuid() == 0 else "",
            tmp=folder,
            repo=repo,
            upstream=f"127.0.0.1:{app_port}",
            port=app_port + 1,
            purge_port=app_port + 2,
        )
    )
    (folder / "nginx.conf").write_text(config)

    @contextlib.contextmanager
    def running():
        process = subprocess.Popen(["/usr/sbin/nginx", "-c", str(folder / "nginx.conf"), "-g", "daemon off;"])
        time.sleep(1)
        try:
            yield f"http://127.0.0.1:{app_port + 1}"
        finally:
            process.send_signal(signal.SIGQUIT)
            process.wait(timeout=10)

    return running()


def rps(url: str, duration: int, cookie: str = "") -> float:
    import re
    import subprocess

    command = ["wrk", "-t2", "-c16", f"-d{duration}s"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    if re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        sys.exit(f"errors from {url}:\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg()) + f" ({os.cpu_count()} cores)"


if __name__ == "__main__":
    main()
