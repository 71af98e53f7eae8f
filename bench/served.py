"""Helpers shared by the benchmarks that serve a site with gunicorn and load it with wrk
(bench/pages.py --bakerydemo, bench/search_http.py)."""

import os
import re
import secrets
import subprocess
import time
import urllib.request
from pathlib import Path

LUA = """
local paths = {%s}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1])
end
"""


def run(cmd, env, cwd):
    subprocess.run(cmd, env=env, cwd=cwd, check=True, stdout=subprocess.DEVNULL)


def wait(url, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=5).read()
            return
        except Exception:
            time.sleep(0.3)
    raise SystemExit(f"no answer from {url}")


def wrk(base, paths, duration, connections, workdir):
    """wrk -t2 against base, rotating through paths; returns (req/s, p50, p99, non-2xx count)."""
    script = Path(workdir) / f"paths-{abs(hash((base, *paths)))}.lua"
    script.write_text(LUA % ", ".join(f'"{p}"' for p in paths))
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "-s", str(script), base],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = re.search(r"50%\s+([\d.]+\w+)", out).group(1)
    p99 = re.search(r"99%\s+([\d.]+\w+)", out).group(1)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, p50, p99, int(errors.group(1)) if errors else 0


def gunicorn(python_bin_dir, app, port, env, cwd, workers=2, preload=False):
    """gunicorn with sync workers in its own session (stop it with stop())."""
    return subprocess.Popen(
        [
            str(Path(python_bin_dir) / "gunicorn"),
            "-w",
            str(workers),
            *(["--preload"] if preload else []),
            "-b",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "-",
            "--error-logfile",
            "-",
            "--log-level",
            "warning",
            app,
        ],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )


def stop(server):
    import signal

    try:
        os.killpg(server.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    server.wait(timeout=30)


def workers_memory(master_pid):
    """(RSS, PSS) in MiB of each worker forked by a gunicorn master, from /proc. PSS shares the pages a
    worker has in common with its master and siblings (what --preload saves shows there, not in RSS)."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    result = []
    for pid in children:
        fields = {}
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
            name, value = line.split(":", 1)
            fields[name] = int(value.split()[0])
        result.append((fields["Rss"] / 1024, fields["Pss"] / 1024))
    return result


def load():
    return " ".join(f"{value:.2f}" for value in os.getloadavg()) + f" ({os.cpu_count()} cores)"


def production_env(work: str, **extra: str) -> dict:
    """Environment for this site under production settings on loopback: DEBUG off, a throwaway VAR_DIR,
    rate limits off, no shared services (each bench adds what it measures, e.g. PAGE_CACHE)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "haining.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "RATE_LIMITS": "off",
        "VAR_DIR": work,
        "LOG_LEVEL": "WARNING",
        "DEMO_ADMIN_PASSWORD": secrets.token_urlsafe(16),  # seed_demo refuses production settings without it
        **extra,
    }
    for name in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "SEARCH_URL", "MEDIA_ROOT"):
        if name not in extra:
            env.pop(name, None)
    return env
