"""`minzheng demo` from nothing: every app's demo loads over the real divisions, a second run adds nothing, and
the audit chain it wrote verifies. Runs the real command in a fresh MINZHENG_HOME."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.engine_only, pytest.mark.slow]


def test_demo_loads_everything_twice_without_duplicates(tmp_path: Path) -> None:
    env = {**os.environ, "MINZHENG_HOME": str(tmp_path), "DATABASE_URL": ""}
    cmd = [sys.executable, "-m", "minzheng", "demo", "--no-serve", "--scale", "0.02"]
    first = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
    assert first.returncode == 0, first.stderr[-3000:]
    out = first.stdout
    for role_login in ("qu_admin", "meishan", "zhongshan", "sysadmin", "secadmin", "auditadmin"):
        assert role_login in out
    assert "Minzheng@2026" in out and "http://127.0.0.1:8000/" in out
    for marker in ("行政区划", "演示人口", "社会救助演示案件", "花名册", "疑点", "灾情", "队伍建设"):
        assert marker in out, marker
    second = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
    assert second.returncode == 0, second.stderr[-3000:]
    assert "跳过" in second.stdout or "已存在" in second.stdout
    verify = subprocess.run([sys.executable, "-m", "minzheng", "audit", "verify"], env=env, capture_output=True,
                            text=True, timeout=300)
    assert verify.returncode == 0, verify.stderr
    # no account or phone number in plaintext: the raw tables hold sealed values only (core/sealed.py)
    import sqlite3

    with sqlite3.connect(tmp_path / "minzheng.sqlite3") as db:
        for table, col in (("registry_person", "phone"), ("registry_person", "bank_account"),
                           ("registry_household", "phone"), ("payments_payrollline", "bank_account"),
                           ("payments_guardianship", "bank_account"), ("workforce_staffmember", "phone"),
                           ("workforce_needreport", "reporter_phone")):
            total, sealed_n = db.execute(f"SELECT COUNT(*), COALESCE(SUM({col} LIKE 'e1:%'), 0) FROM {table} "
                                         f"WHERE {col} <> ''").fetchone()
            assert total == sealed_n, (table, col, total, sealed_n)
            if table in ("registry_person", "payments_payrollline"):
                assert total > 0, (table, col)
    keys = subprocess.run([sys.executable, "-m", "minzheng", "keys", "show"], env=env, capture_output=True,
                          text=True, timeout=300)
    assert keys.returncode == 0 and "未加密 plaintext rows: 0" in keys.stdout, keys.stdout + keys.stderr
    # and every recipient's amount is what the rules say (each has a decision behind it)
    check = subprocess.run([sys.executable, "-m", "minzheng", "verify", "amounts", "--json"], env=env,
                           capture_output=True, text=True, timeout=300)
    assert check.returncode == 0, check.stdout[-3000:] + check.stderr[-3000:]
    assert '"disagreement_count": 0' in check.stdout
    # and a 提标 of 50 元 back-dated to the first paid month pays 50 × covered persons × months as 补发
    raised = subprocess.run([sys.executable, "-m", "minzheng", "shell", "-c", RAISE_SCRIPT], env=env,
                            capture_output=True, text=True, timeout=600)
    assert raised.returncode == 0, raised.stdout[-3000:] + raised.stderr[-3000:]
    assert "RAISE OK" in raised.stdout, raised.stdout[-3000:]


RAISE_SCRIPT = """
from decimal import Decimal
from minzheng.accounts.models import User
from minzheng.core import dates
from minzheng.payments import services
from minzheng.payments.models import COMMITTED, Payroll, PayrollLine
from minzheng.policy import raises, services as policy
from minzheng.registry.models import EnrollmentAmount

this = dates.month_start(dates.today())
paid_months = sorted(set(Payroll.objects.filter(status__in=COMMITTED).values_list("month", flat=True)))
eff = paid_months[0]
std = {k: policy.decimal(f"dibao.standard.{k}", on=eff) for k in ("urban", "rural")}
r = raises.prepare(actor=User.objects.get(username="qu_admin"), effective_from=eff, source_document="演示提标",
                   changes=[{"key": f"dibao.standard.{k}", "value": str(v + 50)} for k, v in std.items()])
r = raises.approve(r, actor=User.objects.get(username="qu_shenpi"))
services.generate(month=this)
checked = plain = 0
for v in EnrollmentAmount.objects.filter(reason__startswith=f"提标（第 {r.pk} 号").select_related("enrollment__programme"):
    e = v.enrollment
    before = e.amounts.filter(from_month__lte=v.from_month).exclude(pk=v.pk).order_by("-from_month", "-id").first()
    delta = v.monthly_amount - before.monthly_amount
    old = PayrollLine.objects.filter(enrollment=e, payroll__status__in=COMMITTED, period_month__gte=v.from_month)
    if old.exclude(kind="regular").exists() or old.exclude(status__in=["pending", "paid"]).exists():
        continue  # a held, failed or reissued month is settled by its own 补发 first
    months = old.filter(kind="regular").count()
    arrears = PayrollLine.objects.filter(enrollment=e, paid_month=this, kind="arrears")
    got = sum((x.amount for x in arrears), Decimal(0))
    assert got == delta * months, (e.pk, got, delta, months)
    if e.programme.family == "dibao" and "分类施保" not in v.decided_under["explanation"]:
        assert delta == 50 * v.covered_persons, (e.pk, delta, v.covered_persons)
        plain += 1
    checked += 1
assert checked > 20 and plain > 5, (checked, plain)
print("RAISE OK", checked, plain)
"""
