"""Benchmark: `minzheng verify amounts` over the district's demo population (504k persons), on SQLite.

Builds (once, cached in the bench home) the demo population at the requested scale in a private MINZHENG_HOME —
the registry's households and recipients, their 存量 cases decided by the rules, and the allowances of the month —
then times the verification: every live enrollment recomputed by the rules (set-based fact gathering, one
parameter table) and compared with the amount in force. Best of two runs. The target: ≤ 60 s at 504k persons.

    python bench/verify.py            # 504k persons (first run builds the population: several minutes)
    python bench/verify.py --quick    # 50k persons

Last line: verify: enrollments=… seconds=… per_1k_ms=…
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="50k persons instead of 504k")
    ap.add_argument("--scale", type=float, default=None, help="population scale (1.0 ≈ 504k persons)")
    ap.add_argument("--home", default=None, help="bench MINZHENG_HOME (kept between runs to reuse the population)")
    ap.add_argument("--runs", type=int, default=2, help="timed runs (best is reported)")
    args = ap.parse_args()
    scale = args.scale if args.scale is not None else (0.1 if args.quick else 1.0)
    home = Path(args.home or Path(tempfile.gettempdir()) / f"minzheng-bench-verify-{scale:g}")
    os.environ["MINZHENG_HOME"] = str(home)
    os.environ.pop("DATABASE_URL", None)  # the target is embedded SQLite
    os.environ["MINZHENG_DEMO"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minzheng.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    build(scale)
    run(args.runs)


def build(scale: float) -> None:
    from minzheng.assistance.demo_cases import backfill
    from minzheng.audit import context
    from minzheng.core import dates
    from minzheng.core.setup import initialise
    from minzheng.payments import allowances, demo_facts
    from minzheng.registry import demo
    from minzheng.registry.models import Household

    t = time.monotonic()
    initialise(io.StringIO(), verbosity=0)
    if Household.objects.filter(source=demo.SOURCE).exists():
        return
    with context.acting(context.Actor("bench", "system")):
        demo.load(sys.stdout, scale=scale)
        backfill(sys.stdout)
        demo_facts.load(sys.stdout)
        allowances.refresh(month=dates.month_start(dates.today()))
    print(f"population built in {time.monotonic() - t:.0f} s", flush=True)


def run(runs: int) -> None:
    from minzheng.assistance.amount_check import verify
    from minzheng.registry.models import Person

    persons = Person.objects.count()
    best = None
    for i in range(runs):
        t = time.perf_counter()
        report = verify()
        seconds = time.perf_counter() - t
        print(f"run {i + 1}: enrollments={report.enrollments} disagreements={len(report.disagreements)} "
              f"seconds={seconds:.2f}", flush=True)
        best = seconds if best is None else min(best, seconds)
    assert best is not None
    print(f"persons={persons}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    n = report.enrollments
    print(f"verify: enrollments={n} seconds={best:.2f} per_1k_ms={best * 1e6 / max(n, 1):.1f}")


if __name__ == "__main__":
    main()
