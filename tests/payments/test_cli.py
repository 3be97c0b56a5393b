"""The `minzheng payroll` and `minzheng allowances` commands."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from minzheng.payments.models import Payroll, PayrollLine

from .conftest import enroll

pytestmark = pytest.mark.django_db
JAN = dt.date(2026, 1, 1)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_generate_twice_prepare_approve_bankfile(hh: Any, meishan_officer: Any, approver: Any, meishan: Any,
                                                 tmp_path: Path) -> None:
    enroll(hh(), "dibao_urban", "812.37", JAN)
    enroll(hh(), "dibao_rural", "300", JAN)
    first = json.loads(run("payroll", "generate", "--month", "2026-01", "--json", "--as", meishan_officer.username))
    again = json.loads(run("payroll", "generate", "--month", "2026-01", "--json", "--as", meishan_officer.username))
    assert first["lines"] == again["lines"] == 2 and first["total"] == again["total"] == "1112.37"
    assert {(r["programme"], r["township"], r["total"]) for r in first["payrolls"]} == {
        ("dibao_urban", meishan.code, "812.37"), ("dibao_rural", meishan.code, "300.00")}
    assert PayrollLine.objects.count() == 2
    run("payroll", "prepare", "--month", "2026-01", "--as", meishan_officer.username)
    # the preparer cannot approve (a district approver who prepared would be refused the same way)
    with pytest.raises(CommandError):
        run("payroll", "approve", "--month", "2026-01", "--as", meishan_officer.username)
    out = json.loads(run("payroll", "approve", "--month", "2026-01", "--as", approver.username, "--json"))
    assert len(out["payrolls"]) == 2 and not out["refused"]
    run("payroll", "bankfile", "--month", "2026-01", "--programme", "dibao_urban", "--out", str(tmp_path))
    (f,) = tmp_path.iterdir()
    assert "812.37" in f.read_bytes().decode("gbk")
    assert set(Payroll.objects.values_list("status", flat=True)) == {"exported", "approved"}


def test_future_month_is_a_clear_error(meishan_officer: Any) -> None:
    with pytest.raises(CommandError, match="未来月份"):
        run("payroll", "generate", "--month", "2099-01")
    with pytest.raises(CommandError, match="格式不对"):
        run("payroll", "generate", "--month", "January")


def test_allowances_refresh_is_idempotent(hh: Any) -> None:
    hh(birth=dt.date(1930, 6, 1))
    first = json.loads(run("allowances", "refresh", "--month", "2026-01", "--json"))
    second = json.loads(run("allowances", "refresh", "--month", "2026-01", "--json"))
    assert (first["created"], second["created"], second["unchanged"]) == (1, 0, 1)
