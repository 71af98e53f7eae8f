"""Search requests per second, this site against Wagtail's bakerydemo, side by side (gunicorn, 2 workers, wrk).

    .venv/bin/python bench/search_http.py --bakerydemo /work/bakerydemo [--duration 15] [--rounds 2]

Needs Debian's `wrk` and a bakerydemo checkout OUTSIDE this repository with its own virtualenv
(Wagtail 8), database loaded (`manage.py migrate && manage.py load_initial_data`) and a settings module
with DEBUG off (`--bakerydemo-settings`, default `bakerydemo.settings.bench`); nothing of it is ours or
committed. Both sites run on SQLite with 2 sync gunicorn workers, on ports --port and --port + 1.

This site: a throwaway SQLite database in a temporary VAR_DIR with the demo content (`seed_demo`),
production settings (DEBUG off, whitenoise manifest, local-memory cache, no broker: tasks inline,
searches counted in batches), rate limits off. Each round runs wrk against this site, then against
bakerydemo, for --duration seconds each, rotating through realistic queries for each site (Chinese here,
English there); the ratio is taken within a round, so both sites saw the same machine load. Every URL is
fetched once first and must answer 200 with results. Prints req/s and latency per site and round, the
ratio, and the load average.
"""

import argparse
import os
import re
import shutil
import sys
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import served  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUR_QUERIES = ["文化宫", "职工 篮球", "培训", "工會", "拔河", "工会", "书屋", "海宁 职工", "古筝", "职工"]
BAKERY_QUERIES = ["bread", "sourdough", "baking", "recipe", "chocolate", "london", "rye", "cake", "pie", "yeast"]


def _paths(queries):
    return ["/search/?" + urllib.parse.urlencode({"q": q}) for q in queries]


def _check(base, paths, marker):
    for path in paths:
        with urllib.request.urlopen(base + path, timeout=30) as response:
            html = response.read().decode()
            if response.status != 200 or not re.search(marker, html):
                raise SystemExit(f"{base}{path}: status {response.status}, no results marker {marker!r}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--bakerydemo", required=True, type=Path, help="bakerydemo checkout with .venv and its database"
    )
    parser.add_argument("--bakerydemo-settings", default="bakerydemo.settings.bench")
    parser.add_argument("--port", type=int, default=8310)
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing (apt-get install wrk)")

    work = tempfile.mkdtemp(prefix="haining-search-http-")
    ours_env = served.production_env(work)
    manage = str(ROOT / ".venv" / "bin" / "manage")
    print("preparing this site (migrate, seed_demo, collectstatic) …", flush=True)
    for cmd in (["migrate", "--noinput"], ["seed_demo", "--force"], ["collectstatic", "--noinput"]):
        served.run([manage, *cmd], ours_env, ROOT)
    bakery = args.bakerydemo.resolve()
    bakery_env = {**os.environ, "DJANGO_SETTINGS_MODULE": args.bakerydemo_settings}
    for name in ("DATABASE_URL", "REDIS_URL", "VAR_DIR"):
        bakery_env.pop(name, None)
    if not (bakery / "bakerydemo" / "collect_static" / "staticfiles.json").exists():
        served.run(
            [str(bakery / ".venv" / "bin" / "python"), "manage.py", "collectstatic", "--noinput"], bakery_env, bakery
        )

    ours_url, bakery_url = f"http://127.0.0.1:{args.port}", f"http://127.0.0.1:{args.port + 1}"
    servers = [
        served.gunicorn(ROOT / ".venv" / "bin", "haining.wsgi", args.port, ours_env, ROOT),
        served.gunicorn(bakery / ".venv" / "bin", "bakerydemo.wsgi", args.port + 1, bakery_env, bakery),
    ]
    try:
        served.wait(ours_url + "/search/?q=%E5%B7%A5%E4%BC%9A")
        served.wait(bakery_url + "/search/?q=bread")
        ours_paths, bakery_paths = _paths(OUR_QUERIES), _paths(BAKERY_QUERIES)
        _check(ours_url, ours_paths, r"search-result__title")
        _check(bakery_url, bakery_paths, r'class="listing-card"')
        print(f"load average before: {os.getloadavg()[0]:.2f} (2 cores shared)")
        print(f"{'round':<6} {'site':<11} {'req/s':>8} {'p50':>9} {'p99':>9} {'non-2xx':>8}")
        ratios = []
        for n in range(1, args.rounds + 1):
            ours = served.wrk(ours_url, ours_paths, args.duration, args.connections, work)
            theirs = served.wrk(bakery_url, bakery_paths, args.duration, args.connections, work)
            for label, (rps, p50, p99, errors) in (("this site", ours), ("bakerydemo", theirs)):
                print(f"{n:<6} {label:<11} {rps:>8.1f} {p50:>9} {p99:>9} {errors:>8}")
            ratios.append(ours[0] / theirs[0])
            print(f"{n:<6} ratio {ratios[-1]:.2f}×   (load average {os.getloadavg()[0]:.2f})", flush=True)
        print(f"search req/s, this site / bakerydemo: {', '.join(f'{r:.2f}×' for r in ratios)}")
    finally:
        for server in servers:
            served.stop(server)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
