"""Benchmark: one month's payroll for 1,000,000 active enrollments (province scale), engine vs bare SQL floor.

For each database (SQLite, PostgreSQL) in its own process:
  1. a fresh private database, `minzheng init`, then 1,000,000 households / payees / enrollments / amount versions
     generated set-based (recursive CTE on SQLite, generate_series on PostgreSQL), a fifth with a later amount version;
  2. the floor: a bare `INSERT … SELECT` producing the month's lines (with the amount-version lookup) into the real
     payroll-line table;
  3. minzheng's engine: payments.services.generate(month=…) for every programme and township;
  4. both must produce identical rows (count, total, and a checksum over enrollment/amount/version).
Best of two runs each. Last line: `payroll: enrollments=N floor_ratio_sqlite=R floor_ratio_postgres=R`.

    python bench/payroll.py [--quick] [--n N] [--pg-url postgres://postgres@127.0.0.1:5432/mz_bench_payroll]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from minzheng.core import dates

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/mz_bench_payroll"


def _lit(value: Any, vendor: str, field: Any) -> str:
    """An SQL literal for a field default (bench data generation only; values are our own constants)."""
    from django.db import models

    if value is None:
        return "NULL"
    if isinstance(field, models.JSONField):
        text = json.dumps(value).replace("'", "''")
        return f"CAST('{text}' AS jsonb)" if vendor == "postgresql" else f"'{text}'"
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE") if vendor == "postgresql" else str(int(value))
    if isinstance(value, int | float):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def _insert(model: Any, given: dict[str, str], source: str, vendor: str) -> str:
    """INSERT INTO model (all concrete columns) SELECT given expressions, defaults for the rest, FROM source."""
    from django.db import models

    cols, exprs = [], []
    for f in model._meta.concrete_fields:
        col = f.column
        if col in given:
            cols.append(col)
            exprs.append(given[col])
        elif isinstance(f, models.AutoField | models.BigAutoField):
            continue
        elif isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add):
            cols.append(col)
            exprs.append("CURRENT_TIMESTAMP")
        elif f.has_default():
            cols.append(col)
            exprs.append(_lit(f.get_default(), vendor, f))
        elif f.null:
            cols.append(col)
            exprs.append("NULL")
        else:
            cols.append(col)
            exprs.append("''")
    return f"INSERT INTO {model._meta.db_table} ({', '.join(cols)}) SELECT {', '.join(exprs)} FROM {source}"


def _card_sql(n: str, vendor: str) -> str:
    """A 19-digit UnionPay card number for row n with a valid Luhn check digit, as the engine's pre-flight checks
    every account: realistic data takes the check-digit path on every line."""
    payload = f"'6228' || LPAD({n}::text, 14, '0')" if vendor == "postgresql" else \
        f"'6228' || SUBSTR('00000000000000' || {n}, -14, 14)"
    code = "ascii" if vendor == "postgresql" else "unicode"
    terms = []
    for pos in range(1, 19):   # payload digits; the check digit will be the 19th, so pos 18 is doubled
        d = f"({code}(SUBSTR({payload}, {pos}, 1)) - 48)"
        terms.append(f"(2 * {d} - CASE WHEN {d} >= 5 THEN 9 ELSE 0 END)" if (18 - pos) % 2 == 0 else d)
    return f"{payload} || CAST((10 - ({' + '.join(terms)}) % 10) % 10 AS TEXT)"


def _seq_source(n: int, vendor: str) -> tuple[str, str]:
    """(WITH prefix, FROM clause) yielding column n = 1..N."""
    if vendor == "postgresql":
        return "", f"generate_series(1, {n}) AS s(n)"
    return (f"WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {n}) ", "s")


def generate_data(n: int, month: dt.date) -> dict[str, Any]:
    from django.db import connection, transaction

    from minzheng.regions.models import Division, Level
    from minzheng.registry.models import Enrollment, EnrollmentAmount, Household, Person, Programme

    vendor = connection.vendor
    villages = list(Division.objects.filter(level=Level.VILLAGE).order_by("code").values_list("id", flat=True))
    progs = list(Programme.objects.order_by("order").values_list("id", "per_person"))
    d = (lambda x: f"DATE '{x}'") if vendor == "postgresql" else (lambda x: f"'{x}'")
    start = d(month.replace(year=month.year - 1))
    later = d(month.replace(month=1) if month.month > 1 else month)
    t0 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("CREATE TEMPORARY TABLE bench_village (idx INTEGER PRIMARY KEY, id INTEGER)")
        cur.execute("INSERT INTO bench_village (idx, id) VALUES " + ", ".join(f"({i}, {v})" for i, v in enumerate(villages)))
        cur.execute("CREATE TEMPORARY TABLE bench_prog (idx INTEGER PRIMARY KEY, id INTEGER, per_person INTEGER)")
        cur.execute("INSERT INTO bench_prog (idx, id, per_person) VALUES "
                    + ", ".join(f"({i}, {p}, {int(pp)})" for i, (p, pp) in enumerate(progs)))
        nv, npg = len(villages), len(progs)
        w, src = _seq_source(n, vendor)
        # Households 1..N (ids = n), one payee each (ids = n), head set afterwards.
        cur.execute(w + _insert(Household, {
            "id": "n", "division_id": f"(SELECT id FROM bench_village WHERE idx = n % {nv})", "head_id": "NULL",
            "hukou_type": "'rural'"}, src, vendor))
        cur.execute(w + _insert(Person, {
            "id": "n", "household_id": "n", "name": "'受益人' || n",
            "id_number": "'B' || SUBSTR('00000000000000000' || n, -17, 17)" if vendor != "postgresql"
            else "'B' || LPAD(n::text, 17, '0')",
            "birth_date": d("1950-06-01"), "sex": "'1'", "relation": "'02'", "bank_name": "'南平农商行'",
            "bank_account": _card_sql("n", vendor), "is_deceased": "FALSE" if vendor == "postgresql" else "0"},
                           src, vendor))
        cur.execute(f"UPDATE {Household._meta.db_table} SET head_id = id")
        amount = "(100 + (n % 997) + (n % 100) / 100.0)"
        cur.execute(w + _insert(Enrollment, {
            "id": "n", "programme_id": f"(SELECT id FROM bench_prog WHERE idx = n % {npg})", "household_id": "n",
            "person_id": f"CASE WHEN (SELECT per_person FROM bench_prog WHERE idx = n % {npg}) = 1 THEN n END",
            "status": "'active'", "covered_persons": "1 + n % 4", "monthly_amount": amount, "start_month": start,
            "end_month": "NULL", "source": "'bench'"}, src, vendor))
        cur.execute(w + _insert(EnrollmentAmount, {
            "enrollment_id": "n", "from_month": start, "monthly_amount": amount, "covered_persons": "1 + n % 4",
            "reason": "'初次核定'"}, src, vendor))
        # A fifth get a raise from January: the lookup must pick the version in force.
        cur.execute(w + _insert(EnrollmentAmount, {
            "enrollment_id": "n", "from_month": later, "monthly_amount": f"({amount} + 37.5)",
            "covered_persons": "1 + n % 4", "reason": "'提标'"}, src + " WHERE n % 5 = 0", vendor))
        if vendor == "postgresql":
            for model in (Household, Person, Enrollment):
                t = model._meta.db_table
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT MAX(id) FROM {t}))")
    # Accounts are sealed at rest: the same pass `minzheng init` runs on plaintext left from before (data time).
    from minzheng.core import sealing

    sealing.reseal_all(batch=20_000)
    if vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    else:
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    return {"generate_s": round(time.perf_counter() - t0, 1), "villages": nv}


FLOOR_SQL = """
INSERT INTO payments_payrollline (payroll_id, paid_month, enrollment_id, household_id, person_id, village_id,
  payee_name, id_number, bank_name, bank_account, bank_account_index, bank_account_last4, amount, kind, period_month,
  status, amount_version_id, covered_persons, due_amount, previously_paid, bank_message)
SELECT pr.id, {m}, e.id, e.household_id, e.person_id, h.division_id, py.name, py.id_number, py.bank_name,
  py.bank_account, py.bank_account_index, py.bank_account_last4, COALESCE(v.monthly_amount, e.monthly_amount), 'regular', {m}, 'pending', v.id,
  COALESCE(v.covered_persons, e.covered_persons), COALESCE(v.monthly_amount, e.monthly_amount), 0, ''
FROM registry_enrollment e
JOIN registry_household h ON h.id = e.household_id
JOIN regions_division d ON d.id = h.division_id
JOIN registry_person py ON py.id = COALESCE(e.person_id, h.head_id)
JOIN payments_payroll pr ON pr.programme_id = e.programme_id AND pr.township_id = d.parent_id AND pr.month = {m}
LEFT JOIN registry_enrollmentamount v ON v.id = (SELECT v2.id FROM registry_enrollmentamount v2
  WHERE v2.enrollment_id = e.id AND v2.from_month <= {m} ORDER BY v2.from_month DESC, v2.id DESC LIMIT 1)
WHERE e.status = 'active' AND e.start_month <= {m} AND (e.end_month IS NULL OR e.end_month > {m})
  AND py.death_date IS NULL AND NOT py.is_deceased AND COALESCE(v.monthly_amount, e.monthly_amount) > 0
"""

PAYROLLS_SQL = """
INSERT INTO payments_payroll (programme_id, township_id, month, status, line_count, total, snapshot, note, created_at)
SELECT p.id, t.id, {m}, 'draft', 0, 0, {empty}, '', CURRENT_TIMESTAMP
FROM registry_programme p CROSS JOIN regions_division t WHERE t.level = 'township'
"""


def _fingerprint() -> tuple[int, str, int]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*), SUM(amount), SUM((enrollment_id % 1000) * ROUND(amount * 100) "
                    "+ COALESCE(amount_version_id, 0) % 7919) FROM payments_payrollline")
        count, total, check = cur.fetchone()
    from decimal import Decimal

    return int(count), str(Decimal(str(total)).quantize(Decimal("0.01"))), int(check)


def _clear() -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM payments_payrollline")
        cur.execute("DELETE FROM payments_payroll")


def _light_init() -> None:
    """What the payroll needs of `minzheng init`: schema, divisions, programmes, bank layouts, parameters."""
    import io

    from django.core.management import call_command

    from minzheng.audit import context
    from minzheng.payments.seeds import seed as seed_payments
    from minzheng.policy.services import seed_parameters
    from minzheng.regions.models import Division
    from minzheng.regions.services import load_bundled
    from minzheng.registry.seeds import seed as seed_registry

    call_command("migrate", interactive=False, verbosity=0)
    with context.acting(context.Actor("bench", "system")):
        if not Division.objects.exists():
            load_bundled()
        seed_registry(io.StringIO())
        seed_payments(io.StringIO())
        seed_parameters()


CACHE = Path(tempfile.gettempdir()) / "mz-bench-payroll-cache"


def schema_key() -> str:
    """Changes whenever any app's migrations change: the cached empty database is then rebuilt."""
    import hashlib

    import minzheng

    h = hashlib.sha256()
    for f in sorted(Path(minzheng.__file__).parent.glob("*/migrations/*.py")):
        h.update(f.name.encode() + f.read_bytes())
    return h.hexdigest()[:12]


def _save_template() -> None:
    """Keep the migrated, seeded, still-empty database so the next run skips `migrate` (set-up, not measured)."""
    import shutil

    from django.conf import settings
    from django.db import connection

    key = os.environ.get("BENCH_TEMPLATE", "")
    if not key:
        return
    # The template's audit entries are keyed: keep the key with it, or the next run cannot extend the chain.
    audit_key = CACHE / f"{key}-{connection.vendor}.audit_key"
    if not audit_key.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(settings.MINZHENG_AUDIT_KEY_FILE, audit_key)
    if connection.vendor == "sqlite":
        target = CACHE / f"{key}.sqlite3"
        if not target.exists():
            CACHE.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(".part")
            tmp.unlink(missing_ok=True)
            with connection.cursor() as cur:
                cur.execute("VACUUM INTO %s", [str(tmp)])
            tmp.rename(target)
        return
    import psycopg

    url = os.environ["DATABASE_URL"]
    base, _, name = url.rpartition("/")
    connection.close()
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [key]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{key}" TEMPLATE "{name}"')


def child(n: int, runs: int) -> None:
    import django

    django.setup()

    from django.db import connection, transaction

    from minzheng.audit import context
    from minzheng.payments import services

    t0 = time.perf_counter()
    _light_init()
    _save_template()
    vendor = connection.vendor
    month = dates.add_months(dates.today().replace(day=1), -1)
    info = generate_data(n, month)
    info["init_s"] = round(time.perf_counter() - t0 - info["generate_s"], 1)
    m = f"DATE '{month}'" if vendor == "postgresql" else f"'{month}'"
    empty = "CAST('{}' AS jsonb)" if vendor == "postgresql" else "'{}'"
    floor_times, engine_times = [], []
    fp_floor = fp_engine = None
    with context.acting(context.Actor("cli:bench", "operator")):
        for _ in range(runs):
            _clear()
            t = time.perf_counter()
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute(PAYROLLS_SQL.format(m=m, empty=empty))
                if vendor == "postgresql":
                    cur.execute("ANALYZE payments_payroll")
                cur.execute(FLOOR_SQL.format(m=m))
            floor_times.append(time.perf_counter() - t)
            fp_floor = _fingerprint()
            _clear()
            t = time.perf_counter()
            services.generate(month=month)
            engine_times.append(time.perf_counter() - t)
            fp_engine = _fingerprint()
    same = fp_floor == fp_engine
    out = {"vendor": vendor, "n": n, "floor_s": round(min(floor_times), 2), "engine_s": round(min(engine_times), 2),
           "ratio": round(min(engine_times) / min(floor_times), 2), "rows": fp_engine[0] if fp_engine else 0,
           "total": fp_engine[1] if fp_engine else "0", "identical": same, "floor_fp": fp_floor,
           "engine_fp": fp_engine, **info}
    print("RESULT " + json.dumps(out), flush=True)


def _pg_recreate(url: str, template: str) -> None:
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        else:
            conn.execute(f'CREATE DATABASE "{name}"')


def start_engine(name: str, n: int, runs: int, pg_url: str) -> subprocess.Popen[str] | None:
    import shutil

    home = tempfile.mkdtemp(prefix=f"mz-bench-payroll-{name}-")
    key = f"mz_bench_payroll_tpl_{schema_key()}"
    env = {**os.environ, "MINZHENG_HOME": home, "DJANGO_SETTINGS_MODULE": "minzheng.settings", "BENCH_TEMPLATE": key}
    env.pop("DATABASE_URL", None)
    if name == "sqlite" and (CACHE / f"{key}.sqlite3").exists():
        shutil.copyfile(CACHE / f"{key}.sqlite3", Path(home) / "minzheng.sqlite3")
    vendor = "sqlite" if name == "sqlite" else "postgresql"
    if (CACHE / f"{key}-{vendor}.audit_key").exists():
        shutil.copyfile(CACHE / f"{key}-{vendor}.audit_key", Path(home) / "audit_key")
    if name == "postgres":
        try:
            _pg_recreate(pg_url, key)
        except Exception as exc:  # no server: say so, do not pretend
            print(f"[{name}] skipped: {exc}", flush=True)
            return None
        env["DATABASE_URL"] = pg_url
    return subprocess.Popen([sys.executable, __file__, "--child", "--n", str(n), "--runs", str(runs)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)


def finish_engine(name: str, proc: subprocess.Popen[str] | None) -> dict[str, Any] | None:
    if proc is None:
        return None
    stdout, stderr = proc.communicate()
    for line in stdout.splitlines():
        if line.startswith("RESULT "):
            res = json.loads(line[7:])
            print(f"[{name}] enrollments={res['n']} rows={res['rows']} total={res['total']} "
                  f"floor={res['floor_s']}s engine={res['engine_s']}s ratio={res['ratio']} "
                  f"identical={res['identical']} (init {res['init_s']}s, data {res['generate_s']}s)", flush=True)
            return res
    print(f"[{name}] failed:\n{stdout[-3000:]}\n{stderr[-5000:]}", flush=True)
    return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="≈50k enrollments, under a minute")
    ap.add_argument("--n", type=int, default=None)
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", DEFAULT_PG))
    ap.add_argument("--only", choices=["sqlite", "postgres"], default=None)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    n = args.n or (50_000 if args.quick else 1_000_000)
    if args.quick:
        args.runs = 1
    if args.child:
        child(n, args.runs)
        return
    results: dict[str, dict[str, Any] | None] = {}
    names = [x for x in ("sqlite", "postgres") if not args.only or args.only == x]
    for x in names:
        results[x] = finish_engine(x, start_engine(x, n, args.runs, args.pg_url))
    parts = [f"enrollments={n}"]
    for name in ("sqlite", "postgres"):
        r = results.get(name)
        parts.append(f"floor_ratio_{name}={r['ratio'] if r else 'NA'}")
        if r and not r["identical"]:
            parts.append(f"MISMATCH_{name}")
    print("payroll: " + " ".join(parts))


if __name__ == "__main__":
    main()
