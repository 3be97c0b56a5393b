"""Benchmark: the monthly return and the county overview read from the monthly facts, against computing the same
figures from the raw tables, over the demo population with 24 months of approved payroll history.

In a private MINZHENG_HOME (SQLite): the demo population at the requested scale (1.0 ≈ 504k persons), then 24
months of paid rosters generated set-based (one INSERT … SELECT per table over a months table: every enrollment in
force in a month gets its line, copying the payee's sealed account as the engine does), then each month's facts
computed and closed. Then, in the same run:
  - return: the county's 民政事业统计月报 for the last month (returns.compute), best of 3, against the same figures
    computed from enrollments, persons and payroll lines (this month, last month, cumulative since January);
  - overview: each query of the county pages and home panels (month at a glance, 24-month trend, townships
    compared, the 低保 综合统计表, open flags), 20 runs each, p95; against the raw way for the glance and the trend.
Goal: return ≤ 2 s, each overview query p95 ≤ 200 ms, ≥ 20× faster than the raw way.

    python bench/stats.py            # full scale (first run builds the population and history: many minutes)
    python bench/stats.py --quick    # reduced size, under a minute

Last line: stats: persons=… months=… return_s=… overview_p95_ms=… x_vs_raw=…
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

MONTHS = 24


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="reduced population (scale 0.03) instead of 504k persons")
    ap.add_argument("--scale", type=float, default=None, help="population scale (1.0 ≈ 504k persons)")
    ap.add_argument("--home", default=None, help="bench MINZHENG_HOME (kept between runs to reuse the data)")
    args = ap.parse_args()
    scale = args.scale if args.scale is not None else (0.03 if args.quick else 1.0)
    home = Path(args.home or Path(tempfile.gettempdir()) / f"minzheng-bench-stats-{scale:g}")
    os.environ["MINZHENG_HOME"] = str(home)
    os.environ.pop("DATABASE_URL", None)
    os.environ["MINZHENG_DEMO"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minzheng.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from minzheng.audit import context

    with context.acting(context.Actor("bench", "system")):
        build(scale)
        run()


def _months() -> list[dt.date]:
    from minzheng.core import dates

    last = dates.add_months(dates.current_month(), -1)
    return [dates.add_months(last, -i) for i in range(MONTHS - 1, -1, -1)]


def build(scale: float) -> None:
    from minzheng.core.setup import initialise
    from minzheng.registry import demo
    from minzheng.registry.models import Household
    from minzheng.stats.models import StatMonth

    t = time.monotonic()
    initialise(io.StringIO(), verbosity=0)
    if not Household.objects.filter(source=demo.SOURCE).exists():
        demo.load(sys.stdout, scale=scale)
        print(f"population built in {time.monotonic() - t:.0f} s", flush=True)
    months = _months()
    if not StatMonth.objects.filter(month=months[-1], closed_at__isnull=False).exists():
        t = time.monotonic()
        lines = history(months)
        print(f"payroll history: {MONTHS} months, {lines} lines in {time.monotonic() - t:.1f} s", flush=True)
        from minzheng.stats import closing

        t = time.monotonic()
        for m in months:
            if not StatMonth.objects.filter(month=m, closed_at__isnull=False).exists():
                closing.close_month(month=m)
        print(f"facts computed and closed: {MONTHS} months in {time.monotonic() - t:.1f} s "
              f"({(time.monotonic() - t) / MONTHS:.2f} s a month)", flush=True)
        from minzheng.stats import risk

        risk.detect(months[-1])


def history(months: list[dt.date]) -> int:
    """Paid rosters for every month: payrolls per programme × township × month, lines INSERT … SELECT from the
    enrollments in force (the engine's rule), totals updated in one statement. Set-based, no Python loop over rows."""
    from django.db import connection, transaction

    from minzheng.payments.models import Payroll, PayrollLine

    pl, pr = PayrollLine._meta.db_table, Payroll._meta.db_table
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_month")
        cur.execute("CREATE TEMPORARY TABLE bench_month (m DATE PRIMARY KEY)")
        cur.executemany("INSERT INTO bench_month (m) VALUES (%s)", [(str(m),) for m in months])
        cur.execute(f"""
            INSERT INTO {pr} (programme_id, township_id, month, status, line_count, total, snapshot, note, created_at,
                              held_count, held_total)
            SELECT p.id, t.id, bm.m, 'paid', 0, 0, '{{}}', '历史发放（基准测试生成）', CURRENT_TIMESTAMP, 0, 0
            FROM registry_programme p CROSS JOIN regions_division t CROSS JOIN bench_month bm
            WHERE t.level = 'township'
              AND NOT EXISTS (SELECT 1 FROM {pr} x WHERE x.programme_id = p.id AND x.township_id = t.id
                              AND x.month = bm.m AND x.supplement_of_id IS NULL)""")
        cur.execute(f"""
            INSERT INTO {pl} (payroll_id, paid_month, enrollment_id, household_id, person_id, village_id, payee_name,
                              id_number, bank_name, bank_account, bank_account_index, bank_account_last4, amount, kind,
                              period_month, status, covered_persons, bank_message, problem, hold_reason)
            SELECT pr.id, bm.m, e.id, e.household_id, e.person_id, h.division_id, py.name, py.id_number, py.bank_name,
                   py.bank_account, py.bank_account_index, py.bank_account_last4, e.monthly_amount, 'regular', bm.m,
                   'paid', e.covered_persons, '', '', ''
            FROM registry_enrollment e
            JOIN bench_month bm ON e.start_month <= bm.m AND (e.end_month IS NULL OR e.end_month > bm.m)
            JOIN registry_household h ON h.id = e.household_id
            JOIN regions_division d ON d.id = h.division_id
            JOIN registry_person py ON py.id = COALESCE(e.person_id, h.head_id)
            JOIN {pr} pr ON pr.programme_id = e.programme_id AND pr.township_id = d.parent_id AND pr.month = bm.m
                        AND pr.supplement_of_id IS NULL AND pr.status = 'paid' AND pr.note = '历史发放（基准测试生成）'
            WHERE e.status IN ('active', 'ended') AND e.monthly_amount > 0""")
        cur.execute(f"""
            UPDATE {pr} SET line_count = (SELECT COUNT(*) FROM {pl} l WHERE l.payroll_id = {pr}.id),
                            total = COALESCE((SELECT SUM(amount) FROM {pl} l WHERE l.payroll_id = {pr}.id), 0)
            WHERE note = '历史发放（基准测试生成）'""")
        cur.execute(f"DELETE FROM {pr} WHERE note = '历史发放（基准测试生成）' AND line_count = 0")
        cur.execute(f"SELECT COUNT(*) FROM {pl}")
        n = int(cur.fetchone()[0])
        cur.execute("ANALYZE")
    return n


def timed(fn: Callable[[], Any], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def p95(xs: list[float]) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(0.95 * (len(xs) - 1)))]


def raw_return(county: Any, month: dt.date) -> dict[str, Any]:
    """The return's figures straight from the registry and the payroll lines (what the facts save)."""
    from django.db.models import Sum

    from minzheng.core import dates
    from minzheng.stats import facts

    prev = dates.add_months(month, -1)
    now_rows = facts._collect(month)
    prev_rows = facts._collect(prev)
    year = [dt.date(month.year, m, 1) for m in range(1, month.month + 1)]
    cum = dict(facts.paid_lines(year).values("payroll__programme_id").annotate(t=Sum("amount"))
               .values_list("payroll__programme_id", "t"))
    return {"now": len(now_rows), "prev": len(prev_rows), "cum": cum}


def raw_series(months: list[dt.date]) -> list[Any]:
    """The 24-month trend's figures (households, persons as counted, amounts) from the raw tables, month by month."""
    from minzheng.stats import facts

    return [facts._collect(m) for m in months]


def run() -> None:
    from minzheng.regions.models import Division, Level
    from minzheng.registry.models import Person
    from minzheng.stats import panels, returns, trends
    from minzheng.stats.models import RiskFlag

    months = _months()
    month = months[-1]
    county = Division.objects.get(level=Level.COUNTY)
    towns = list(Division.objects.filter(level=Level.TOWNSHIP).order_by("code"))

    class Head:   # the 局领导 as the panels see them
        division = county
        is_active = is_authenticated = True
        username, role = "bench", "bureau_head"

        def has_cap(self, cap: str) -> bool:
            return True

    head = Head()
    ret = timed(lambda: returns.compute(county, month), 3)
    r = returns.compute(county, month)
    assert r.reconciled, "the return does not reconcile to the payroll"
    raw_ret = timed(lambda: raw_return(county, month), 2)
    overview: dict[str, Callable[[], Any]] = {
        "glance": lambda: panels.glance(head),
        "trend_24": lambda: trends.series(county, "dibao", month),
        "townships": lambda: trends.parts(county, "dibao", month),
        "township_villages": lambda: trends.parts(towns[len(towns) // 2], "dibao", month),
        "dibao_table": lambda: returns.dibao_table(county, month),
        "flags": lambda: list(RiskFlag.objects.filter(status="open").order_by("-month", "-score")[:5]),
        "overdue": lambda: panels.overdue_work(head),
    }
    p95s = {}
    for name, fn in overview.items():
        p95s[name] = p95(timed(fn, 20))
        print(f"  {name}: p95 {p95s[name] * 1000:.1f} ms", flush=True)
    raw_trend = min(timed(lambda: raw_series(months), 2))
    raw_glance = min(timed(lambda: _raw_glance(month), 2))
    best_ret = min(ret)
    ratios = {"return": min(raw_ret) / best_ret, "trend_24": raw_trend / max(p95s["trend_24"], 1e-6),
              "glance": raw_glance / max(p95s["glance"], 1e-6)}
    for k, v in ratios.items():
        print(f"  raw vs facts, {k}: {v:.0f}×", flush=True)
    persons = Person.objects.count()
    print(f"persons={persons}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; "
          f"return median {statistics.median(ret):.3f} s, raw {min(raw_ret):.2f} s")
    print(f"stats: persons={persons} months={len(months)} return_s={best_ret:.3f} "
          f"overview_p95_ms={max(p95s.values()) * 1000:.1f} x_vs_raw={min(ratios.values()):.0f}")


def _raw_glance(month: dt.date) -> Any:
    """The month at a glance from the raw tables: the same per-village, per-programme counting as the facts."""
    from minzheng.stats import facts

    return facts._collect(month)


if __name__ == "__main__":
    main()
