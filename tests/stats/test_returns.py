"""Monthly facts and the return: counted set-based from the registry, reconciled to the approved payroll to the
fen, frozen by the close (corrections appear next month), drillable, exported; bad input refused in Chinese."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db.models import Sum

from minzheng.core import dates
from minzheng.payments.models import LOCKED, Payroll, PayrollLine
from minzheng.registry.models import Programme
from minzheng.stats import closing, facts, returns
from minzheng.stats.models import StatMonth, VillageFact

from .conftest import World

pytestmark = pytest.mark.django_db


def fact(world: World, month: dt.date, code: str, village: Any = None) -> VillageFact:
    return VillageFact.objects.get(month=month, village=village or world.village, programme__code=code)


def test_facts_count_households_persons_and_ages_as_of_month_end(world: World, county: Any) -> None:
    # when
    facts.compute(world.m1)
    # then: the family of four counts four persons — one old, two adults, one child; the 特困 elder one person
    f = fact(world, world.m1, "dibao_urban")
    assert (f.households, f.persons, f.elderly, f.adults, f.minors) == (2, 5, 2, 2, 1)
    assert f.persons_urban == 5
    t = fact(world, world.m1, "tekun_dispersed")
    assert (t.households, t.persons, t.elderly) == (1, 1, 1)
    rural = fact(world, world.m1, "dibao_rural", world.other_village)
    assert (rural.households, rural.persons, rural.persons_urban) == (1, 2, 0)
    # and the rural household started two months ago: new then, not last month
    facts.compute(world.m2)
    assert fact(world, world.m2, "dibao_rural", world.other_village).new_households == 1
    assert rural.new_households == 0


def test_the_return_reconciles_to_the_approved_payroll_to_the_fen(world: World, paid: Any, county: Any,
                                                                  meishan: Any) -> None:
    # given: last month's rosters generated, submitted and approved (amounts with odd fen)
    rosters = paid(world.m1)
    assert rosters
    # when
    r = returns.compute(county, world.m1)
    # then: the facts' amount equals the rosters' headers (total less held), to the fen
    payable = sum(Decimal(p.total) - Decimal(p.held_total) for p in Payroll.objects.filter(month=world.m1,
                                                                                         status__in=LOCKED))
    assert r.facts_fen == r.payroll_fen == int(payable * 100)
    assert r.reconciled
    # and the 低保 lines: urban 2 households 5 persons, rural 1 household 2 persons, spending in 万元
    by = returns.lines_by_code(r)
    assert (by["LOC012411100"].value, by["LOC012411200"].value) == (5, 2)
    assert (by["LOC012412100"].value, by["LOC012412200"].value) == (2, 1)
    dibao_fen = int(PayrollLine.objects.filter(payroll__month=world.m1, payroll__programme__family="dibao")
                    .aggregate(t=Sum("amount"))["t"] * 100)
    assert by["YZH011221000"].value == returns.money(dibao_fen, "万元", 1)
    assert by["YZH011110000"].value == 21   # 延平区's townships
    # and the township's own return reconciles to its own rosters
    assert returns.compute(meishan, world.m1).reconciled


def test_previous_period_and_change(world: World, paid: Any, county: Any) -> None:
    paid(world.m2)
    paid(world.m1)
    r = returns.compute(county, world.m1)
    line = returns.lines_by_code(r)["LOC012412100"]      # 农村低保人数: started two months ago
    assert (line.value, line.previous) == (2, 2)
    assert line.change == Decimal("0.00")
    urban_cum = returns.lines_by_code(r)["YZH011221100"]
    if world.m1.month > 1:   # cumulative from January: last month's total is more than the month before
        assert urban_cum.value > urban_cum.previous
    assert returns.change_pct(Decimal("110"), Decimal("100")) == Decimal("10.00")
    assert returns.change_pct(5, 0) is None


def test_close_freezes_the_month_and_later_corrections_appear_next_month(world: World, paid: Any, county: Any,
                                                                         meishan_officer: Any, approver: Any) -> None:
    # given: two months paid, the earlier one closed
    paid(world.m2)
    state = closing.close_month(month=world.m2, actor=approver)
    frozen = list(VillageFact.objects.filter(month=world.m2).values_list("programme__code", "persons", "amount_fen"))
    assert state.closed and state.facts_fen == state.payroll_fen > 0
    # when: a new 低保 household is back-dated into that month and paid as arrears (补发) in the next roster
    from tests.payments.conftest import enroll, make_household

    late = make_household(world.village, head_name="迟户主")
    enroll(late, "dibao_urban", "300.00", world.m2, covered=1)
    paid(world.m1)
    # then: the closed month did not move
    assert list(VillageFact.objects.filter(month=world.m2).values_list("programme__code", "persons",
                                                                        "amount_fen")) == frozen
    with pytest.raises(facts.MonthClosed):
        facts.compute(world.m2)
    # and the next month carries it: the arrears are in its own roster, so it reconciles, and the return says so
    r = returns.compute(county, world.m1)
    assert r.reconciled
    assert PayrollLine.objects.filter(payroll__month=world.m1, period_month=world.m2, kind="arrears").exists()
    # and closing a month twice is refused, naming who closed it
    with pytest.raises(ValidationError, match="已于"):
        closing.close_month(month=world.m2, actor=approver)


def test_a_roster_approved_late_for_a_closed_month_shows_as_a_correction_next_month(
        world: World, paid: Any, county: Any, approver: Any, meishan_officer: Any) -> None:
    # given: the month closed before its rosters were approved (nothing paid then)
    state = closing.close_month(month=world.m2, actor=approver)
    assert state.facts_fen == 0 and state.unapproved_rosters == 0
    # when: its rosters are approved afterwards
    rosters = paid(world.m2)
    amount = sum(int((Decimal(p.total) - Decimal(p.held_total)) * 100) for p in rosters)
    # then: the closed month still says nothing was paid, and last month shows the amount as 往月更正
    assert returns.compute(county, world.m2).facts_fen == 0
    r = returns.compute(county, world.m1)
    assert r.late_fen == amount > 0
    assert r.facts_fen == r.payroll_fen   # its own month still reconciles to its own rosters
    money = returns.lines_by_code(r)["YZH011200000"]
    assert money.value == returns.money(amount, "万元", 1)


def test_final_return_for_an_open_month_is_refused_and_nothing_is_stored_half(world: World, county: Any,
                                                                            approver: Any) -> None:
    with pytest.raises(returns.NotClosed, match="尚未关账"):
        returns.compute(county, world.m1, final=True)
    # the current month cannot be closed, and the refusal leaves no frozen month behind
    with pytest.raises(ValidationError, match="尚未结束"):
        closing.close_month(month=dates.current_month(), actor=approver)
    assert not StatMonth.objects.filter(closed_at__isnull=False).exists()


def test_a_close_that_does_not_reconcile_is_refused_and_rolled_back(world: World, paid: Any, approver: Any) -> None:
    # given: an approved roster whose header no longer matches its lines (a damaged total)
    p = paid(world.m1)[0]
    Payroll.objects.filter(pk=p.pk).update(total=Decimal(p.total) + Decimal("0.01"))
    # when / then
    with pytest.raises(ValidationError, match="不一致"):
        closing.close_month(month=world.m1, actor=approver)
    assert not StatMonth.objects.filter(month=world.m1, closed_at__isnull=False).exists()


def test_only_the_district_closes(world: World, meishan_officer: Any, auditor: Any) -> None:
    with pytest.raises(PermissionDenied):
        closing.close_month(month=world.m1, actor=meishan_officer)
    with pytest.raises(PermissionDenied):
        closing.close_month(month=world.m1, actor=auditor)


def test_dibao_table_rows_add_up(world: World, paid: Any, county: Any, meishan: Any) -> None:
    paid(world.m1)
    t = returns.dibao_table(county, world.m1)
    assert len(t.rows) == 21
    assert t.total.persons == 7 and t.total.households == 3
    assert t.total.elderly + t.total.adults + t.total.minors == t.total.persons
    town = next(r for r in t.rows if r.division == meishan)
    assert town.persons == 7 and town.residents >= 7 and town.coverage is not None
    # per village for a township
    villages = returns.dibao_table(meishan, world.m1, programme="dibao_urban")
    assert sum(r.persons for r in villages.rows) == 5
    with pytest.raises(ValidationError):
        returns.dibao_table(county, world.m1, programme="youfu")


def test_indicator_definitions_are_data_and_a_closed_month_keeps_its_own(world: World, county: Any,
                                                                        approver: Any) -> None:
    from minzheng.stats.models import Indicator

    closing.close_month(month=world.m2, actor=approver)
    line = Indicator.objects.get(code="LOC012411100")
    line.name, line.code = "城市低保对象人数", "YZH012411100"
    line.save()
    open_month = returns.lines_by_code(returns.compute(county, world.m1))
    closed_month = returns.lines_by_code(returns.compute(county, world.m2))
    assert open_month["YZH012411100"].name == "城市低保对象人数"
    assert "LOC012411100" in closed_month and closed_month["LOC012411100"].name == "城市低保人数"


def test_exports_open_as_xlsx_and_pdf(world: World, paid: Any, county: Any) -> None:
    from python_calamine import CalamineWorkbook

    from minzheng.stats import exports

    paid(world.m1)
    r = returns.compute(county, world.m1)
    name, body = exports.return_xlsx(r)
    assert name.endswith(".xlsx")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(body)).get_sheet_by_name("月报").to_python()
    assert rows[3][:3] == ["指标名称", "计量单位", "代码"]
    assert any(row[2] == "YZH011221000" for row in rows)
    assert any("一致" in str(row[0]) for row in rows)
    _, pdf = exports.return_pdf(r)
    assert pdf.startswith(b"%PDF")
    _, x = exports.dibao_xlsx(returns.dibao_table(county, world.m1))
    table = CalamineWorkbook.from_filelike(io.BytesIO(x)).get_sheet_by_name("综合统计表").to_python()
    assert table[2][0] == "地区" and table[-1][0] == "合计"
    assert exports.dibao_pdf(returns.dibao_table(county, world.m1))[1].startswith(b"%PDF")


def test_cli_close_and_return(world: World, paid: Any, tmp_path: Any) -> None:
    paid(world.m1)
    out = io.StringIO()
    call_command("stats", "close", "--month", f"{world.m1:%Y-%m}", "--months", "2", stdout=out)
    assert "已关账" in out.getvalue()
    assert StatMonth.objects.filter(month=world.m2, closed_at__isnull=False).exists()
    out = io.StringIO()
    xlsx = tmp_path / "r.xlsx"
    call_command("stats", "return", "--month", f"{world.m1:%Y-%m}", "--final", "--xlsx", str(xlsx), stdout=out)
    assert "一致" in out.getvalue() and xlsx.stat().st_size > 0
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="尚未关账"):
        call_command("stats", "return", "--month", f"{dates.current_month():%Y-%m}", "--final", stdout=io.StringIO())
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("stats", "close", "--month", "2026-13", stdout=io.StringIO())


def test_programme_specs(db: None) -> None:
    ids = returns.programme_ids(["family:dibao"])
    assert ids == set(Programme.objects.filter(code__in=["dibao_urban", "dibao_rural"]).values_list("id", flat=True))
    assert returns.programme_ids([]) == set()
