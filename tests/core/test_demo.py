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
