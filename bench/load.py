"""Benchmark: 50 concurrent users on mixed role journeys for 2 minutes against the real server, SQLite and PostgreSQL.

For each database, in a fresh MINZHENG_HOME:
  1. `minzheng demo --no-serve --scale S` builds the demo (real 延平区 divisions, demo accounts);
  2. `minzheng serve` (waitress, the production server) listens on a free loopback port;
  3. Locust, headless, runs the journeys in bench/load_journeys.py (township assistants, village coordinators,
     district approvers, the bureau head, the public reading 公示) with think time, bounded in users and time;
  4. the aggregated request count, failures (any non-2xx/3xx or connection error) and p95 latency are read from
     Locust's CSV output.
The public rate limit is raised for the run (all simulated users share one address). Goal on a 2-core machine:
0 errors and p95 ≤ 500 ms. Last line:
`load: users=50 requests=N errors=E p95_ms=P db=sqlite+postgresql p95_ms_sqlite=… p95_ms_postgresql=…`.

    python bench/load.py [--quick] [--users 50] [--seconds 120] [--scale 0.1] [--db sqlite,postgresql]
                         [--pg-url postgres://postgres@127.0.0.1:5432/mz_bench_load]
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/mz_bench_load"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _fresh_pg(url: str) -> None:
    import psycopg

    u = urlsplit(url)
    name = u.path.lstrip("/")
    with psycopg.connect(host=u.hostname, port=u.port or 5432, user=u.username or "postgres", dbname="postgres",
                         autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _wait_up(url: str, proc: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("server did not answer /healthz in time")


def _aggregate(prefix: Path) -> dict[str, float]:
    with open(f"{prefix}_stats.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    agg = next(r for r in rows if r["Name"] == "Aggregated")
    # the slowest pages by p95, so a regression names itself
    pages = sorted((r for r in rows if r["Name"] != "Aggregated"), key=lambda r: -float(r["95%"] or 0))[:4]
    for r in pages:
        print(f"  {r['Type']} {r['Name']}: {r['Request Count']} requests, p50 {r['50%']} ms, p95 {r['95%']} ms",
              flush=True)
    return {"requests": int(agg["Request Count"]), "errors": int(agg["Failure Count"]),
            "p95_ms": float(agg["95%"] or 0), "rps": float(agg["Requests/s"] or 0)}


def prepare(db: str, args: argparse.Namespace) -> tuple[dict[str, str], subprocess.Popen[bytes]]:
    """Start building a fresh demo for one database; the two builds run side by side (not measured)."""
    home = Path(tempfile.mkdtemp(prefix=f"mz-load-{db}-"))
    env = dict(os.environ, MINZHENG_HOME=str(home), MINZHENG_DEMO="1",
               MINZHENG_PUBLIC_RATE="1000000/60", PYTHONPATH=str(ROOT / "src"))
    if db == "postgresql":
        _fresh_pg(args.pg_url)
        env["DATABASE_URL"] = args.pg_url
    else:
        env["DATABASE_URL"] = ""
    build = subprocess.Popen([sys.executable, "-m", "minzheng", "demo", "--no-serve", "--scale", str(args.scale)],
                             env=env, stdout=subprocess.DEVNULL)
    return env, build


def measure(db: str, env: dict[str, str], args: argparse.Namespace) -> dict[str, float]:
    """Serve the prepared demo and drive it with Locust; one database at a time, so runs don't share the CPU (except
    in the --quick smoke run)."""
    home = Path(env["MINZHENG_HOME"])
    py = sys.executable
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    # --quick starts 2 web processes, not 4: each warms up before it serves, and 4 cost the smoke run ~8 s
    serve = [py, "-m", "minzheng", "serve", "--port", str(port), *(["--processes", "2"] if args.quick else [])]
    server = subprocess.Popen(serve, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_up(url, server)
        prefix = home / "locust"
        spawn = max(1, args.users // 5)
        subprocess.run([py, "-m", "locust", "-f", str(ROOT / "bench" / "load_journeys.py"), "--headless",
                        "-u", str(args.users), "-r", str(spawn), "-t", f"{args.seconds}s", "--host", url,
                        "--csv", str(prefix), "--only-summary", "--stop-timeout", str(args.stop_timeout),
                        "--loglevel", "WARNING",
                        "--exit-code-on-error", "0"],
                       env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        result = _aggregate(prefix)
        failures = Path(f"{prefix}_failures.csv")
        if result["errors"] and failures.exists():
            print(failures.read_text(encoding="utf-8"), file=sys.stderr)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(home, ignore_errors=True)
    print(f"{db}: requests={result['requests']:.0f} errors={result['errors']:.0f} "
          f"rps={result['rps']:.1f} p95_ms={result['p95_ms']:.0f}", flush=True)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smoke run under a minute: 10 users for 6 s, small demo, both databases at once")
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--seconds", type=int, default=120)
    ap.add_argument("--scale", type=float, default=0.1)
    ap.add_argument("--db", default="sqlite,postgresql")
    ap.add_argument("--pg-url", default=os.environ.get("MINZHENG_BENCH_PG_URL", DEFAULT_PG))
    args = ap.parse_args()
    args.stop_timeout = 10
    if args.quick:   # a smoke run under a minute: the two small demo builds take about 35 s of it
        args.users, args.seconds, args.scale, args.stop_timeout = 10, 6, 0.005, 2
    dbs = [d.strip() for d in args.db.split(",") if d.strip()]
    t0 = time.monotonic()
    prepared = {db: prepare(db, args) for db in dbs}
    for db, (_env, build) in prepared.items():
        if build.wait() != 0:
            raise SystemExit(f"demo build failed on {db}")
    print(f"demo built (scale {args.scale}) in {time.monotonic() - t0:.0f} s", flush=True)
    if args.quick:
        # a smoke run: both databases at once, so it stays under a minute (their figures share the CPU)
        with ThreadPoolExecutor(len(prepared)) as pool:
            futures = {db: pool.submit(measure, db, env, args) for db, (env, _build) in prepared.items()}
            results = {db: f.result() for db, f in futures.items()}
    else:
        results = {db: measure(db, env, args) for db, (env, _build) in prepared.items()}
    total = sum(r["requests"] for r in results.values())
    errors = sum(r["errors"] for r in results.values())
    p95 = max(r["p95_ms"] for r in results.values())
    per_db = " ".join(f"p95_ms_{db}={r['p95_ms']:.0f}" for db, r in results.items())
    print(f"load: users={args.users} requests={total:.0f} errors={errors:.0f} p95_ms={p95:.0f} "
          f"db={'+'.join(dbs)} {per_db}")


if __name__ == "__main__":
    main()
