"""Big ledgers are written by a second process while the first still reads them: one transaction, committed only
when the whole file checks out (atomic) or with the valid households (--skip-invalid), with the audit summary in
the same transaction. SQLite needs a real file (the test database lives in memory), so that case runs
`import_ledger` in a fresh interpreter on a temporary MINZHENG_HOME; PostgreSQL runs it in-process."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from minzheng.registry.idnumber import check_char

SCRIPT = r"""
import json, sys
import django
django.setup()
import io
from minzheng.core.setup import initialise
from minzheng.audit.context import Actor, acting
from minzheng.audit.services import verify
from minzheng.registry.ledger import import_ledger
initialise(io.StringIO(), verbosity=0)
from django.db import connection
with connection.cursor() as cur:
    cur.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name LIKE 'registry_%' ORDER BY name")
    indexes = cur.fetchall()
out = []
for path, skip in json.loads(sys.argv[1]):
    with acting(Actor("tester", "operator")):
        r = import_ledger(path, skip_invalid=skip)
    out.append({"writer": r.writer, "imported": r.imported, "households": r.stats.households,
                "errors": r.error_count, "written": r.written_households})
print(json.dumps({"runs": out, "audit_ok": verify().ok, "indexes": indexes}))
"""


def ledger_csv(path: Path, households: int, *, region: str = "350702", bad_at: int | None = None) -> Path:
    """A plain 农村低保 ledger of `households` two-person households in 夏道镇; `bad_at` spoils one ID number."""
    lines = ["序号,乡镇,村(居),姓名,身份证号码,与户主关系,保障人数,月保障金额(元),开户银行,银行账号"]
    for h in range(1, households + 1):
        for i, rel in enumerate(("户主", "配偶")):
            first17 = f"{region}{1940 + h % 50}{1 + h % 12:02d}{1 + h % 28:02d}{(h * 2 + i) % 1000:03d}"
            idn = first17 + check_char(first17)
            if bad_at == h and i == 1:
                idn = idn[:17] + ("0" if idn[17] != "0" else "1")
            name = "陈林黄张李王"[h % 6] + "志秀英明"[i + h % 3]
            lines.append(f"{h},夏道镇,夏道村,{name},{idn},{rel},2,900,延平区农村信用合作联社,6228480012345678"
                         if i == 0 else f",,,{name},{idn},{rel},,,,")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


@pytest.mark.engine_only
def test_sqlite_file_database_written_by_a_second_process(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    good = ledger_csv(tmp_path / "农村低保台账.csv", 600)
    bad = ledger_csv(tmp_path / "农村低保补录.csv", 300, region="350721", bad_at=150)   # other people, one bad ID
    # The first import goes the bulk way (indexes dropped, built while the writer waits and after the last row).
    env = {**os.environ, "MINZHENG_HOME": str(home), "DATABASE_URL": "", "MINZHENG_IMPORT_PROCESS_MIN_BYTES": "0",
           "MINZHENG_IMPORT_BULK_MIN_PERSONS": "1", "DJANGO_SETTINGS_MODULE": "minzheng.settings"}
    runs = [(str(good), False), (str(bad), False), (str(bad), True)]
    proc = subprocess.run([sys.executable, "-c", SCRIPT, json.dumps(runs)], env=env, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    got: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    first, atomic, skipping = got["runs"]
    assert first == {"writer": "process", "imported": True, "households": 600, "errors": 0, "written": 600}
    # Atomic: one bad ID, and the second process, which had started writing, rolls everything back.
    assert atomic == {"writer": "process", "imported": False, "households": 299, "errors": 1, "written": 0}
    # --skip-invalid: the 299 good households of the same file; the bad one is reported.
    assert skipping == {"writer": "process", "imported": True, "households": 299, "errors": 1, "written": 299}
    assert got["audit_ok"]

    db = sqlite3.connect(home / "minzheng.sqlite3")
    persons = db.execute("SELECT COUNT(*) FROM registry_person").fetchone()[0]
    headless = db.execute("SELECT COUNT(*) FROM registry_household WHERE head_id IS NULL").fetchone()[0]
    fk = db.execute("PRAGMA foreign_key_check").fetchall()
    indexes = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name LIKE 'registry_%' "
                         "ORDER BY name").fetchall()
    memberships = db.execute("SELECT COUNT(*) FROM registry_membership WHERE reason = '台账导入'").fetchone()[0]
    amounts = db.execute("SELECT COUNT(*) FROM registry_enrollmentamount a JOIN registry_enrollment e "
                         "ON e.id = a.enrollment_id AND e.monthly_amount = a.monthly_amount "
                         "AND e.start_month = a.from_month").fetchone()[0]
    db.close()
    assert persons == 1200 + 598 and headless == 0 and fk == []
    assert memberships == persons and amounts == 600 + 299
    # Every index dropped for the bulk load is back, exactly as the migrations made it.
    assert [tuple(r) for r in got["indexes"]] == indexes and len(indexes) > 20


@pytest.mark.django_db(transaction=True)
def test_postgresql_written_by_a_second_process(tmp_path: Path, settings: Any, county: Any) -> None:
    from django.db import connection

    from minzheng.audit.context import Actor, acting
    from minzheng.audit.models import AuditEntry
    from minzheng.audit.services import verify
    from minzheng.registry.ledger import import_ledger
    from minzheng.registry.models import Enrollment, Household, Person

    if connection.vendor != "postgresql":
        pytest.skip("the SQLite test database lives in memory; the test above covers SQLite with a file")
    settings.MINZHENG_IMPORT_PROCESS_MIN_BYTES = 0
    good = ledger_csv(tmp_path / "农村低保台账.csv", 300)
    bad = ledger_csv(tmp_path / "农村低保补录.csv", 100, region="350721", bad_at=50)
    with acting(Actor("tester", "operator")):
        first = import_ledger(good)
        failed = import_ledger(bad)
    assert (first.writer, first.imported, first.written_households) == ("process", True, 300), first.errors[:3]
    assert (failed.writer, failed.imported, failed.error_count) == ("process", False, 1)
    assert Person.objects.count() == 600 and Enrollment.objects.count() == 300
    assert not Household.objects.filter(head__isnull=True).exists()
    assert AuditEntry.objects.filter(action="registry.import").count() == 1
    assert AuditEntry.objects.filter(action="registry.import.failed").count() == 1
    assert verify().ok
