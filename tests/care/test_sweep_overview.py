"""Overdue visits escalate to the township, then the county; the overview counts risk, due, done, overdue and open
referrals per group and division, and exports as xlsx."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from django.core.management import call_command
from django.test import Client

from minzheng.care import selectors
from minzheng.care.models import CareFile, Group
from minzheng.care.services import files, sweep, visits
from minzheng.core import dates

from .conftest import ELDER_ANSWERS

pytestmark = pytest.mark.django_db


def _elder(family: Any, officer: Any, due_days_ago: int) -> CareFile:
    f = files.open_file(actor=officer, person=family().members.get(), group=Group.ELDER)
    CareFile.objects.filter(pk=f.pk).update(next_due=dates.today() - dt.timedelta(days=due_days_ago))
    f.refresh_from_db()
    return f


def test_overdue_visits_escalate_to_township_then_county_once(family: Any, meishan_officer: Any,
                                                              coordinator: Any) -> None:
    # given: one file a day overdue, one 20 days overdue (county after care.escalate.county_days = 15), one on time
    a = _elder(family, meishan_officer, 1)
    b = _elder(family, meishan_officer, 20)
    c = _elder(family, meishan_officer, -3)
    # when
    counts = sweep.escalate_overdue()
    # then
    assert counts == {"township": 1, "county": 1}
    assert [CareFile.objects.get(pk=x.pk).escalation for x in (a, b, c)] == [1, 2, 0]
    assert sweep.escalate_overdue() == {"township": 0, "county": 0}
    # a visit ends the escalation
    visits.record_visit(coordinator, b, {"answers": ELDER_ANSWERS})
    assert CareFile.objects.get(pk=b.pk).escalation == 0


def test_the_daily_worker_task_and_the_cli_run_the_sweep(family: Any, meishan_officer: Any) -> None:
    from minzheng.care.jobs import sweep_task
    from minzheng.core.worker.kinds import KINDS

    assert KINDS["care.sweep"].daily
    _elder(family, meishan_officer, 2)
    assert sweep_task(None, day=dates.today().isoformat())["township"] == 1
    out = io.StringIO()
    call_command("care", "sweep", stdout=out)
    assert "乡镇 0 件" in out.getvalue()


def test_the_county_overview_counts_risk_overdue_and_referrals(family: Any, meishan_officer: Any,
                                                                coordinator: Any, district_admin: Any) -> None:
    f = _elder(family, meishan_officer, 5)
    files.set_risk(actor=meishan_officer, file=f, risk="high", reasons=["独居高龄"])
    g = _elder(family, meishan_officer, -10)
    visits.record_visit(coordinator, g, {"answers": ELDER_ANSWERS,
                                         "referral": {"to": "health", "reason": "需要上门体检"}})
    rows = [r for r in selectors.overview(district_admin) if r["group"] == Group.ELDER]
    assert len(rows) == 1 and rows[0]["division"] == "梅山街道"
    r = rows[0]
    assert (r["total"], r["high"], r["overdue"], r["done"], r["referrals_open"]) == (2, 1, 1, 1, 1)
    # the export carries the same figures
    c = Client()
    c.force_login(district_admin)
    resp = c.get("/care/overview/?export=xlsx")
    assert resp.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(resp.content)).active
    values = [[cell.value for cell in row] for row in ws.iter_rows()]
    assert any(row[:3] == ["特殊困难老年人", "梅山街道", 2] for row in values)
    # and the CLI
    out = io.StringIO()
    call_command("care", "overview", "--json", stdout=out)
    assert '"梅山街道"' in out.getvalue()


def test_due_and_overdue_lists_per_person_responsible(family: Any, meishan_officer: Any, coordinator: Any) -> None:
    late = _elder(family, meishan_officer, 3)
    soon = _elder(family, meishan_officer, -2)
    c = Client()
    c.force_login(coordinator)
    page = c.get("/care/mine/").content.decode()
    assert page.index(late.person.name) < page.index("7 日内应访") < page.index(soon.person.name)
    assert set(selectors.overdue(selectors.mine(coordinator), dates.today())) == {late}


def test_derived_registers_open_files_once(family: Any, meishan: Any) -> None:
    from minzheng.care.services import registers

    old = family(head_born=dt.date(1935, 1, 1))  # over 80, living alone
    n = registers.derive(Group.ELDER, divisions=[meishan])
    f = CareFile.objects.get(person=old.members.get(), group=Group.ELDER)
    assert n >= 1 and f.categories == ["alone", "advanced"] and f.risk == "high"
    assert registers.derive(Group.ELDER, divisions=[meishan]) == 0
