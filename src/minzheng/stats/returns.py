"""The monthly return (民政事业统计月报) and the per-township 低保对象综合统计表, read from the monthly facts.

Columns 本期 | 上期 | 环比(%) (policy-rules-wave2 §6.2): 环比 = (本期 − 上期) / 上期 × 100 to two decimals; money in
万元 (parameter stats.money_decimals places), cumulative from January, so January's 环比 against December is
strongly negative, as in the published tables. A closed month is read with the lines it was closed with.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet, Sum

from minzheng.core import dates
from minzheng.policy import services as policy
from minzheng.policy.models import Parameter
from minzheng.policy.services import MissingParameter
from minzheng.regions.models import Division, Level
from minzheng.registry.models import Programme

from . import facts
from .models import Indicator, Measure, StatMonth, VillageFact, VillageMonth

SUMS = ("households", "persons", "persons_urban", "households_urban", "elderly", "adults", "minors",
        "new_households", "new_persons", "exited_households", "exited_persons", "children_orphan",
        "children_unsupported", "children_unclassified", "amount_fen", "lines", "late_fen")


class NotClosed(ValidationError):
    """A final return was asked for a month that is not closed."""


def _whole_installation(division: Division) -> bool:
    """The county of a one-county installation holds every village: its facts need no join to the division tree."""
    return division.level == Level.COUNTY and not Division.objects.filter(level=Level.COUNTY).exclude(
        pk=division.pk).exists()


def fact_rows(division: Division) -> QuerySet[VillageFact]:
    """Facts of the villages under `division` (county, township or village)."""
    if division.level == Level.VILLAGE:
        return VillageFact.objects.filter(village=division)
    if division.level == Level.TOWNSHIP:
        return VillageFact.objects.filter(township=division)
    if _whole_installation(division):
        return VillageFact.objects.all()
    return VillageFact.objects.filter(village__path__startswith=division.path)


def population_rows(division: Division) -> QuerySet[VillageMonth]:
    if division.level == Level.VILLAGE:
        return VillageMonth.objects.filter(village=division)
    if division.level == Level.TOWNSHIP:
        return VillageMonth.objects.filter(township=division)
    if _whole_installation(division):
        return VillageMonth.objects.all()
    return VillageMonth.objects.filter(village__path__startswith=division.path)


def programme_ids(spec: list[str]) -> set[int]:
    """Programme codes and "family:<family>" entries → programme ids."""
    codes = [s for s in spec if not s.startswith("family:")]
    families = [s.split(":", 1)[1] for s in spec if s.startswith("family:")]
    if not codes and not families:
        return set()
    return set(Programme.objects.filter(Q(code__in=codes) | Q(family__in=families)).values_list("id", flat=True))


def by_programme_month(division: Division, months: list[dt.date],
                       sums: tuple[str, ...] = SUMS) -> dict[dt.date, dict[int, dict[str, int]]]:
    """Facts summed per month and programme (the `sums` columns only), in one pass over the months asked for."""
    out: dict[dt.date, dict[int, dict[str, int]]] = {}
    for r in (fact_rows(division).filter(month__in=months).values("month", "programme_id")
              .annotate(**{k: Sum(k) for k in sums})):
        out.setdefault(r["month"], {})[r["programme_id"]] = {k: int(r[k] or 0) for k in sums}
    return out


def sum_months(per_month: dict[dt.date, dict[int, dict[str, int]]],
               months: list[dt.date]) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = {}
    for m in months:
        for pid, sums in per_month.get(m, {}).items():
            into = out.setdefault(pid, {})
            for k, v in sums.items():
                into[k] = into.get(k, 0) + v
    return out


def money(fen_value: int, unit: str, decimals: int) -> Decimal:
    yuan = Decimal(fen_value) / 100
    if unit == "万元":
        return (yuan / 10000).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
    return yuan.quantize(Decimal("0.01"), ROUND_HALF_UP)


def change_pct(now: Decimal | int | None, before: Decimal | int | None) -> Decimal | None:
    if now is None or before is None or before == 0:
        return None
    return ((Decimal(now) - Decimal(before)) / Decimal(before) * 100).quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass
class Line:
    code: str
    name: str
    unit: str
    indent: int
    measure: str
    programmes: list[str]
    note: str = ""
    value: Decimal | int | None = None
    previous: Decimal | int | None = None

    @property
    def change(self) -> Decimal | None:
        return change_pct(self.value, self.previous)

    @property
    def is_header(self) -> bool:
        return self.measure == Measure.HEADER

    @property
    def drillable(self) -> bool:
        return not self.is_header and self.measure != Measure.TOWNSHIPS and bool(self.programmes)


@dataclass
class Return:
    division: Division
    month: dt.date
    state: StatMonth
    previous_state: StatMonth | None
    lines: list[Line] = field(default_factory=list)
    payroll_fen: int = 0     # approved rosters of the month (headers), in the division
    facts_fen: int = 0       # the facts' own amount for the month
    late_fen: int = 0

    @property
    def final(self) -> bool:
        return self.state.closed

    @property
    def reconciled(self) -> bool:
        return self.payroll_fen == self.facts_fen

    @property
    def difference_fen(self) -> int:
        return self.facts_fen - self.payroll_fen

    @property
    def title(self) -> str:
        return f"{self.division.name} {self.month:%Y年%m月} 民政事业统计月报"


def definitions(state: StatMonth) -> list[dict[str, Any]]:
    """The lines of the form: those a closed month was closed with, else the current definitions."""
    if state.closed and state.indicators:
        return list(state.indicators)
    return current_definitions()


def current_definitions() -> list[dict[str, Any]]:
    return [{"code": i.code, "name": i.name, "unit": i.unit, "indent": i.indent, "measure": i.measure,
             "programmes": list(i.programmes or []), "note": i.note}
            for i in Indicator.objects.filter(form="monthly", active=True).order_by("order", "id")]


def _value(d: dict[str, Any], month: dict[int, dict[str, int]], cum: dict[int, dict[str, int]],
           townships: int, decimals: int, ids: set[int]) -> Decimal | int | None:
    measure = d["measure"]
    if measure == Measure.HEADER:
        return None
    if measure == Measure.TOWNSHIPS:
        return townships
    if not ids:
        return None

    def total(src: dict[int, dict[str, int]], key: str) -> int:
        return sum(src.get(p, {}).get(key, 0) for p in ids)

    if measure == Measure.AMOUNT:
        return money(total(month, "amount_fen") + total(month, "late_fen"), d["unit"], decimals)
    if measure == Measure.AMOUNT_CUM:
        return money(total(cum, "amount_fen") + total(cum, "late_fen"), d["unit"], decimals)
    if measure == Measure.AVG_PER_PERSON:
        persons = total(month, "persons")
        return None if not persons else money(round(total(month, "amount_fen") / persons), "元", 2)
    if measure == Measure.PERSONS_RURAL:
        return total(month, "persons") - total(month, "persons_urban")
    return total(month, measure)


def compute(division: Division, month: dt.date, *, final: bool = False) -> Return:
    """The return of `division` for `month` (facts computed on demand for an open month). `final` refuses a month
    that is not closed."""
    month = dates.month_start(month)
    state = StatMonth.objects.filter(month=month).first()
    if final and (state is None or not state.closed):
        raise NotClosed({"month": f"{month:%Y-%m} 尚未关账，不能出具正式报表（可先查看实时数据，关账后再出具）"})
    if month > dates.current_month():
        raise ValidationError({"month": f"{month:%Y-%m} 尚未开始，没有统计数据"})
    prev_month = dates.add_months(month, -1)
    year_months = [dt.date(month.year, m, 1) for m in range(1, month.month + 1)]
    prev_year = [dt.date(prev_month.year, m, 1) for m in range(1, prev_month.month + 1)]
    # Every month the cumulative columns add up must have its facts (closed months are read as frozen); one query
    # finds those already computed.
    known = set(StatMonth.objects.filter(month__in=[*year_months, *prev_year]).values_list("month", flat=True))
    for m in sorted({*year_months, *prev_year} - {month, prev_month} - known):
        facts.ensure(m, max_age_seconds=None)
    state, prev_state = facts.ensure(month), facts.ensure(prev_month)
    decimals = int(policy.value("stats.money_decimals", on=dates.month_end(month), division=division))
    # every column for the month and the month before; the cumulative spans add up money only (all they show)
    per_month = by_programme_month(division, [prev_month, month])
    now, before = per_month.get(month, {}), per_month.get(prev_month, {})
    money_months = by_programme_month(division, sorted({*year_months, *prev_year}), ("amount_fen", "late_fen"))
    cum_now, cum_before = sum_months(money_months, year_months), sum_months(money_months, prev_year)
    townships = (Division.objects.filter(level=Level.TOWNSHIP, path__startswith=division.path).count()
                 if division.level != Level.VILLAGE else 0)
    r = Return(division, month, state, prev_state)
    families = dict(Programme.objects.values_list("id", "family"))
    codes = dict(Programme.objects.values_list("code", "id"))

    def ids_of(spec: list[str]) -> set[int]:   # programme_ids() without a query per line
        out = {codes[s] for s in spec if s in codes}
        wanted = {s.split(":", 1)[1] for s in spec if s.startswith("family:")}
        return out | {pid for pid, fam in families.items() if fam in wanted}

    for d in definitions(state):
        line = Line(d["code"], d["name"], d["unit"], d["indent"], d["measure"], d["programmes"], d.get("note", ""))
        ids = ids_of(d["programmes"])
        line.value = _value(d, now, cum_now, townships, decimals, ids)
        line.previous = _value(d, before, cum_before, townships, decimals, ids)
        if d["measure"] == Measure.CHILDREN_ORPHAN:
            line.note = unclassified_note(line.note, sum(now.get(p, {}).get("children_unclassified", 0) for p in ids))
        r.lines.append(line)
    r.facts_fen = sum(v["amount_fen"] for v in now.values())
    r.late_fen = sum(v["late_fen"] for v in now.values())
    r.payroll_fen = division_payroll_fen(division, month)
    return r


def unclassified_note(note: str, unclassified: int) -> str:
    """The 孤儿 line says how many of its children no 儿童档案 classified (counted as 孤儿, see facts)."""
    if not unclassified:
        return note
    extra = f"其中 {unclassified} 人尚无儿童档案认定（按孤儿统计），请在儿童关爱档案中补录"
    return f"{note}；{extra}" if note else extra


def division_payroll_fen(division: Division, month: dt.date) -> int:
    """Approved payroll of the month in the division, from the roster headers (total less held) — or, for a
    village (rosters are per township), from its lines."""
    from minzheng.payments.models import LOCKED, Payroll

    if division.level == Level.VILLAGE:
        return facts.fen(facts.paid_lines(month).filter(village=division).aggregate(t=Sum("amount"))["t"])
    rosters = Payroll.objects.filter(month=month, status__in=LOCKED, township__path__startswith=division.path)
    agg = rosters.aggregate(t=Sum("total"), h=Sum("held_total"))
    return facts.fen(agg["t"]) - facts.fen(agg["h"])


# --- 低保对象综合统计表 ------------------------------------------------------------------------------------------


@dataclass
class AreaRow:
    division: Division
    residents: int = 0
    households: int = 0
    persons: int = 0
    persons_cum: int = 0      # Σ monthly persons since January (the form's 累计低保对象人数)
    elderly: int = 0
    adults: int = 0
    minors: int = 0
    amount_fen: int = 0
    amount_cum_fen: int = 0
    standard: str = ""

    @property
    def coverage(self) -> Decimal | None:
        if not self.residents:
            return None
        return (Decimal(self.persons) * 100 / self.residents).quantize(Decimal("0.01"), ROUND_HALF_UP)

    @property
    def avg(self) -> Decimal | None:
        return None if not self.persons else money(round(self.amount_fen / self.persons), "元", 2)

    @property
    def amount(self) -> Decimal:
        return money(self.amount_fen, "元", 2)

    @property
    def amount_cum(self) -> Decimal:
        return money(self.amount_cum_fen, "元", 2)

    @property
    def avg_cum(self) -> Decimal | None:
        return None if not self.persons_cum else money(round(self.amount_cum_fen / self.persons_cum), "元", 2)

    def add(self, o: AreaRow) -> None:
        for f in ("residents", "households", "persons", "persons_cum", "elderly", "adults", "minors", "amount_fen",
                  "amount_cum_fen"):
            setattr(self, f, getattr(self, f) + getattr(o, f))


@dataclass
class Dibao:
    division: Division
    month: dt.date
    programme: str
    state: StatMonth
    rows: list[AreaRow]
    total: AreaRow
    decimals: int

    @property
    def title(self) -> str:
        label = {"dibao_urban": "城市", "dibao_rural": "农村"}.get(self.programme, "城乡")
        return f"{self.division.name} {self.month:%Y年%m月} {label}低保对象综合统计表"


DIBAO_CHOICES = {"dibao": ["family:dibao"], "dibao_urban": ["dibao_urban"], "dibao_rural": ["dibao_rural"]}


def _standard(division: Division, programme: str, on: dt.date) -> str:
    kinds = {"dibao_urban": ["urban"], "dibao_rural": ["rural"]}.get(programme, ["urban", "rural"])
    out = []
    for k in kinds:
        try:
            v = policy.decimal(f"dibao.standard.{k}", on=on, division=division)
        except MissingParameter:
            continue
        out.append(("城市 " if k == "urban" and len(kinds) > 1 else "农村 " if len(kinds) > 1 else "") + f"{v:.0f}")
    return " / ".join(out)


def dibao_table(division: Division, month: dt.date, *, programme: str = "dibao") -> Dibao:
    """Per township (or, for a township, per village): the 低保 综合统计表."""
    if programme not in DIBAO_CHOICES:
        raise ValidationError({"programme": f"“{programme[:20]}”不是低保项目（dibao、dibao_urban、dibao_rural）"})
    month = dates.month_start(month)
    if month > dates.current_month():
        raise ValidationError({"month": f"{month:%Y-%m} 尚未开始，没有统计数据"})
    year = [dt.date(month.year, m, 1) for m in range(1, month.month + 1)]
    known = set(StatMonth.objects.filter(month__in=year).values_list("month", flat=True))
    for m in year[:-1]:
        if m not in known:
            facts.ensure(m, max_age_seconds=None)
    state = facts.ensure(month)
    ids = programme_ids(DIBAO_CHOICES[programme])
    group = "village" if division.level in (Level.TOWNSHIP, Level.VILLAGE) else "township"
    areas = {d.pk: AreaRow(d) for d in (
        Division.objects.filter(parent=division) if division.level != Level.VILLAGE else [division])}
    base = fact_rows(division).filter(programme_id__in=ids)
    for r in (base.filter(month=month).values(f"{group}_id")
              .annotate(h=Sum("households"), p=Sum("persons"), e=Sum("elderly"), a=Sum("adults"), m=Sum("minors"),
                        f=Sum("amount_fen"), late=Sum("late_fen"))):
        row = areas.get(r[f"{group}_id"])
        if row is None:
            continue
        row.households, row.persons = int(r["h"] or 0), int(r["p"] or 0)
        row.elderly, row.adults, row.minors = int(r["e"] or 0), int(r["a"] or 0), int(r["m"] or 0)
        row.amount_fen = int(r["f"] or 0) + int(r["late"] or 0)
    for r in base.filter(month__in=year).values(f"{group}_id").annotate(p=Sum("persons"), f=Sum("amount_fen"),
                                                                         late=Sum("late_fen")):
        row = areas.get(r[f"{group}_id"])
        if row is not None:
            row.persons_cum, row.amount_cum_fen = int(r["p"] or 0), int(r["f"] or 0) + int(r["late"] or 0)
    for r in population_rows(division).filter(month=month).values(f"{group}_id").annotate(n=Sum("residents")):
        row = areas.get(r[f"{group}_id"])
        if row is not None:
            row.residents = int(r["n"] or 0)
    me = dates.month_end(month)
    rows = sorted(areas.values(), key=lambda x: x.division.code)
    total = AreaRow(division)
    total.standard = _standard(division, programme, me)
    # A township or village standard of its own is rare: resolve per row only when one is on record.
    local = Parameter.objects.filter(key__startswith="dibao.standard.", division__isnull=False,
                                     division__path__startswith=division.path).exclude(division=division).exists()
    for row in rows:
        row.standard = _standard(row.division, programme, me) if local else total.standard
        total.add(row)
    decimals = int(policy.value("stats.money_decimals", on=me, division=division))
    return Dibao(division, month, programme, state, rows, total, decimals)


def wan(fen_value: int, decimals: int) -> Decimal:
    return money(fen_value, "万元", decimals)


def lines_by_code(r: Return) -> dict[str, Line]:
    return {x.code: x for x in r.lines}


def series_totals(division: Division, months: list[dt.date], ids: set[int]) -> dict[dt.date, dict[str, int]]:
    """Sums per month (for trends)."""
    out: dict[dt.date, dict[str, int]] = defaultdict(lambda: dict.fromkeys(SUMS, 0))
    for r in (fact_rows(division).filter(month__in=months, programme_id__in=ids).values("month")
              .annotate(**{k: Sum(k) for k in SUMS})):
        out[r["month"]] = {k: int(r[k] or 0) for k in SUMS}
    return out
