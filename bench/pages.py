"""Per-page query count and median render time over warm requests; with --served, throughput under load.

    .venv/bin/python bench/pages.py [--requests 50] [--extra-news 1000] [--keep]
    .venv/bin/python bench/pages.py --served [--duration 15] [--workers 2] [--port 8150]
    .venv/bin/python bench/pages.py --bakerydemo /work/bakerydemo [--duration 15] [--rounds 1] [--preload]

Builds a throwaway SQLite site with the demo content (`seed_demo`), optionally adds N more news items,
then requests each page through Django's test client: two warm-up requests, then --requests timed ones.
Set DATABASE_URL to measure on PostgreSQL instead (a database named in the URL is used as is).

--served starts gunicorn (sync workers, DEBUG off) on that site and runs `wrk -t2 -c16` (apt-get install
wrk) against each page three ways in one run: from the anonymous full-page cache (home.pagecache), rendered
(the request carries a session cookie, which bypasses the cache), and a trivial view of the same size behind
Django's own `cache_page` (bench/served_urls.py) — the yardstick the cached pages are held to (≥ 0.8×).
Set REDIS_URL to put both caches in Redis as production does; otherwise each worker has its own memory cache.

--bakerydemo PATH: this site against Wagtail's bakerydemo side by side in one run (issue #18). The checkout is
set up as bench/search_http.py describes (its own .venv with Wagtail 8, migrate + load_initial_data, settings
`bakerydemo.settings.bench` with DEBUG off and whitenoise, collectstatic). Both sites run on SQLite under
gunicorn (2 sync workers, on --port and --port + 1) with production settings and a local-memory cache; this
site's settings are bench/production_settings.py with the demo content (`seed_demo`) in a throwaway VAR_DIR.
Rendered pages are compared honestly: this site's anonymous full-page cache is switched OFF (PAGE_CACHE=0)
for that table, so every request renders, as every bakerydemo request does (it has no page cache); no cookie
is sent to either site. Pages: home, news index vs blog index, latest news page vs a blog page, search
(rotating through bench/search_http.py's queries). Each round runs wrk on this site then on bakerydemo for
each page, so a ratio compares figures taken moments apart. Then the worker memory of both servers after
the load (RSS and PSS per worker from /proc; --preload starts this site's gunicorn with --preload, as
deploy/systemd/haining-web.service does or does not: say which you measured). Finally this site is
restarted with the page cache on and the cached pages are measured against a trivial `cache_page` view
(bench/served_urls.py) in the same run (goal ≥ 0.8×).
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
    parser.add_argument("--bakerydemo", type=Path, help="side by side with this bakerydemo checkout")
    parser.add_argument("--bakerydemo-settings", default="bakerydemo.settings.bench")
    parser.add_argument("--rounds", type=int, default=1, help="rounds of the side-by-side table (--bakerydemo)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (--bakerydemo)")
    parser.add_argument("--preload", action="store_true", help="this site's gunicorn with --preload (--bakerydemo)")
    args = parser.parse_args()
    if args.bakerydemo:
        side_by_side(args)
        return

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


def side_by_side(args) -> None:
    import re
    import shutil
    import urllib.parse
    import urllib.request

    bench_dir = Path(__file__).resolve().parent
    sys.path.insert(0, str(bench_dir))
    import served
    from search_http import BAKERY_QUERIES, OUR_QUERIES, _paths

    if not shutil.which("wrk"):
        sys.exit("--bakerydemo needs wrk (apt-get install wrk)")
    root = bench_dir.parent
    bakery = args.bakerydemo.resolve()
    work = tempfile.mkdtemp(prefix="haining-pages-vs-bakery-")
    ours_env = served.production_env(
        work, DJANGO_SETTINGS_MODULE="production_settings", PYTHONPATH=str(bench_dir), PAGE_CACHE="0"
    )
    bakery_env = {**os.environ, "DJANGO_SETTINGS_MODULE": args.bakerydemo_settings}
    for name in ("DATABASE_URL", "REDIS_URL", "VAR_DIR", "PYTHONPATH", "MEDIA_ROOT"):
        bakery_env.pop(name, None)
    manage = str(root / ".venv" / "bin" / "manage")
    print("preparing this site (migrate, seed_demo, collectstatic) …", flush=True)
    for cmd in (["migrate", "--noinput"], ["seed_demo", "--force"], ["collectstatic", "--noinput"]):
        served.run([manage, *cmd], ours_env, root)
    latest = subprocess_output(
        [
            manage,
            "shell",
            "-c",
            "from home.models import NewsIndexPage as I, NewsPage as P; "
            "print('URLS', I.objects.get().url, P.objects.live().order_by('-date').first().url)",
        ],
        ours_env,
        root,
    )
    latest = next(line.split()[1:] for line in latest.splitlines() if line.startswith("URLS "))
    latest = [urllib.parse.urlsplit(url).path for url in latest]  # Page.url is absolute with several sites
    if not (bakery / "bakerydemo" / "collect_static" / "staticfiles.json").exists():
        served.run(
            [str(bakery / ".venv" / "bin" / "python"), "manage.py", "collectstatic", "--noinput"], bakery_env, bakery
        )

    ours_url, bakery_url = f"http://127.0.0.1:{args.port}", f"http://127.0.0.1:{args.port + 1}"
    servers = {
        "ours": served.gunicorn(
            root / ".venv" / "bin", "haining.wsgi", args.port, ours_env, root, preload=args.preload
        ),
        "bakery": served.gunicorn(bakery / ".venv" / "bin", "bakerydemo.wsgi", args.port + 1, bakery_env, bakery),
    }
    try:
        served.wait(ours_url + "/healthz")
        served.wait(bakery_url + "/")
        blog_index = urllib.request.urlopen(bakery_url + "/blog/", timeout=60).read().decode()
        blog_page = next(p for p in re.findall(r'href="(/blog/[^"/]+/)"', blog_index) if "/tags/" not in p)
        pages = [
            ("home", ["/"], ["/"]),
            ("news/blog index", [latest[0]], ["/blog/"]),
            ("news/blog page", [latest[1]], [blog_page]),
            ("search", _paths(OUR_QUERIES), _paths(BAKERY_QUERIES)),
        ]
        for _, ours_paths, bakery_paths in pages:  # warm: renditions, template caches; every page must answer 200
            for base, paths in ((ours_url, ours_paths), (bakery_url, bakery_paths)):
                for path in paths * 2:
                    print(f"warming {base}{path}", flush=True)
                    with urllib.request.urlopen(base + path, timeout=60) as response:
                        assert response.status == 200 and "X-Page-Cache: hit" not in str(response.headers), path
        print(
            f"rendered pages (this site's page cache off), gunicorn 2 sync workers"
            f"{' --preload (this site)' if args.preload else ''}, wrk -t2 -c{args.connections} -d{args.duration}s"
        )
        print(f"load average before: {served.load()}")
        print(f"{'round':<6}{'page':<17}{'ours req/s':>11}{'p50':>9}{'bakery req/s':>13}{'p50':>9}{'ratio':>8}")
        for n in range(1, args.rounds + 1):
            for name, ours_paths, bakery_paths in pages:
                ours = served.wrk(ours_url, ours_paths, args.duration, args.connections, work)
                theirs = served.wrk(bakery_url, bakery_paths, args.duration, args.connections, work)
                if ours[3] or theirs[3]:
                    sys.exit(f"{name}: non-2xx responses (ours {ours[3]}, bakerydemo {theirs[3]})")
                print(
                    f"{n:<6}{name:<17}{ours[0]:>11.1f}{ours[1]:>9}{theirs[0]:>13.1f}{theirs[1]:>9}"
                    f"{ours[0] / theirs[0]:>7.2f}×",
                    flush=True,
                )
            print(f"load average after round {n}: {served.load()}")
        print("worker memory after the load, MiB (RSS / PSS per worker; PSS splits pages shared with the master)")
        for label, key in (("this site", "ours"), ("bakerydemo", "bakery")):
            memory = served.workers_memory(servers[key].pid)
            each = ", ".join(f"{rss:.0f} / {pss:.0f}" for rss, pss in memory)
            total_rss, total_pss = sum(m[0] for m in memory), sum(m[1] for m in memory)
            print(f"{label:<11} {each}   total RSS {total_rss:.0f}, PSS {total_pss:.0f}")
        served.stop(servers.pop("ours"))

        servers["ours"] = served.gunicorn(
            root / ".venv" / "bin",
            "haining.wsgi",
            args.port,
            {**ours_env, "PAGE_CACHE": "1"},
            root,
            preload=args.preload,
        )
        served.wait(ours_url + "/healthz")
        size = len(urllib.request.urlopen(ours_url + "/", timeout=60).read())
        trivial = served.wrk(ours_url, [f"/bench/trivial-cached/?size={size}"], args.duration, args.connections, work)
        print(f"cached pages (page cache on, local memory) against a trivial cache_page view of {size} bytes:")
        print(f"{'trivial view':<17}{trivial[0]:>11.1f}{trivial[1]:>9}")
        for name, ours_paths, _ in pages[:3]:
            for _ in range(3):
                urllib.request.urlopen(ours_url + ours_paths[0], timeout=60).read()
            cached = served.wrk(ours_url, ours_paths, args.duration, args.connections, work)
            print(f"{name:<17}{cached[0]:>11.1f}{cached[1]:>9}{cached[0] / trivial[0]:>7.2f}× of the trivial view")
        print(f"load average after: {served.load()}")
    finally:
        for server in servers.values():
            served.stop(server)
        shutil.rmtree(work, ignore_errors=True)


def subprocess_output(cmd, env, cwd) -> str:
    import subprocess

    return subprocess.run(cmd, env=env, cwd=cwd, check=True, capture_output=True, text=True).stdout


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
