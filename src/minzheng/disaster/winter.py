"""受灾人员冬春生活救助 (自然灾害救助条例 第二十一条; 社会救助暂行办法 第二十六条).

Survey from late September; the household head applies or the 村民小组 nominates → 村 民主评议 → 公示 →
乡镇审核 → 区审批. The season runs December to May of the next year; dates come from parameters.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from minzheng.accounts.actor import Principal
from minzheng.accounts.roles import Cap
from minzheng.core import dates
from minzheng.core.scoping import require_division, require_edit
from minzheng.policy import services as policy
from minzheng.regions.models import Division, Level

from .models import WinterCase, WinterRound, WinterStatus

REASONS = ["房屋倒塌或损坏", "农作物受灾减收", "因灾伤病", "因灾失去生活来源", "其他"]
NEEDS = ["口粮", "衣被", "取暖", "住房(过冬)", "饮水", "其他"]


def _md(text: str, year: int) -> dt.date:
    m, d = (int(x) for x in str(text).split("-"))
    return dt.date(year, m, d)


@transaction.atomic
def open_round(*, actor: Principal, year: int) -> WinterRound:
    """The district opens a season; survey window and period are read from parameters in force on 1 September."""
    county = actor.division
    require_division(actor, county, Cap.APPROVE)
    if WinterRound.objects.filter(year=year).exists():
        raise ValidationError({"year": f"{year} 年度冬春救助已存在"})
    on = dt.date(year, 9, 1)
    refs = {k: policy.resolve(f"disaster.{k}", on=on, division=county) for k in (
        "winter_survey_start", "winter_survey_end", "winter_period_start_month", "winter_period_end_month",
        "winter_notice_days")}
    start_m, end_m = int(refs["winter_period_start_month"].value), int(refs["winter_period_end_month"].value)
    end_year = year + 1 if end_m < start_m else year
    return WinterRound.objects.create(
        year=year, title=f"{year}—{year + 1}年度受灾人员冬春生活救助",
        survey_start=_md(refs["winter_survey_start"].value, year), survey_end=_md(refs["winter_survey_end"].value, year),
        period_start=dt.date(year, start_m, 1),
        period_end=dt.date(end_year, end_m, calendar.monthrange(end_year, end_m)[1]),
        notice_days=int(refs["winter_notice_days"].value), decided_under={k: v.ref() for k, v in refs.items()},
    )


@transaction.atomic
def add_case(*, actor: Principal, round: WinterRound, household: Any, source: str, persons: int,
             surveyed_on: dt.date, reasons: list[str] | None = None, needs: list[str] | None = None,
             amount_requested: Any = 0, event: Any = None) -> WinterCase:
    require_division(actor, household.division)
    if surveyed_on < round.survey_start:
        raise ValidationError({"surveyed_on": f"需求调查从 {round.survey_start:%m月%d日} 开始"})
    if surveyed_on > round.period_end:
        raise ValidationError({"surveyed_on": "本年度冬春救助期已结束"})
    if persons < 1:
        raise ValidationError({"persons": "需救助人数至少 1 人"})
    if WinterCase.objects.filter(round=round, household=household).exists():
        raise ValidationError({"household": "该户本年度已在冬春救助名单中"})
    return WinterCase.objects.create(round=round, household=household, source=source, persons=persons,
                                     surveyed_on=surveyed_on, reasons=reasons or [], needs=needs or [],
                                     amount_requested=Decimal(str(amount_requested or 0)), event=event)


def _expect(case: WinterCase, *states: str) -> None:
    if case.status not in states:
        raise ValidationError(f"当前状态为“{case.get_status_display()}”，不能进行此操作")


@transaction.atomic
def record_evaluation(*, actor: Principal, case: WinterCase, held_on: dt.date, attendees: int, votes_for: int,
                      passed: bool) -> WinterCase:
    """村(社区) 民主评议: the meeting, its size and votes are kept with the case."""
    require_edit(actor, case)
    _expect(case, WinterStatus.SURVEYED)
    if votes_for > attendees or attendees < 1:
        raise ValidationError({"votes_for": "同意票不能多于参会人数"})
    case.eval_date, case.eval_attendees, case.eval_votes_for = held_on, attendees, votes_for
    case.status = WinterStatus.EVALUATED if passed else WinterStatus.REJECTED
    if not passed:
        case.reject_reason = "民主评议未通过"
    case.save()
    return case


@transaction.atomic
def start_notice(*, actor: Principal, cases: list[WinterCase], start: dt.date) -> int:
    """公示 in the village for the parameter number of days."""
    n = 0
    for case in cases:
        require_edit(actor, case)
        if case.status != WinterStatus.EVALUATED:
            continue
        case.notice_start = start
        case.notice_end = start + dt.timedelta(days=case.round.notice_days - 1)
        case.status = WinterStatus.NOTICE
        case.save()
        n += 1
    return n


def notice_over(case: WinterCase, today: dt.date | None = None) -> bool:
    """The township reviews only after the 公示 has run its days."""
    return not case.notice_end or (today or dates.today()) > case.notice_end


def is_district(actor: Principal) -> bool:
    """冬春救助 is approved by the district (or above), never by a township account holding APPROVE."""
    return actor.division is not None and actor.division.level in (Level.COUNTY, Level.CITY, Level.PROVINCE)


@transaction.atomic
def township_review(*, actor: Principal, case: WinterCase, ok: bool, opinion: str,
                    today: dt.date | None = None) -> WinterCase:
    require_edit(actor, case)
    _expect(case, WinterStatus.NOTICE)
    today = today or dates.today()
    if not notice_over(case, today):
        raise ValidationError(f"公示期至 {case.notice_end:%Y-%m-%d}，期满后才能审核")
    if not opinion.strip():
        raise ValidationError({"opinion": "请填写审核意见"})
    case.township_opinion, case.township_by = opinion.strip(), actor.username
    case.status = WinterStatus.TOWNSHIP_OK if ok else WinterStatus.REJECTED
    if not ok:
        case.reject_reason = f"乡镇审核未通过：{opinion.strip()}"
    case.save()
    return case


@transaction.atomic
def district_approve(*, actor: Principal, case: WinterCase, ok: bool, amount: Any = None, reason: str = "",
                     now: dt.datetime | None = None) -> WinterCase:
    require_edit(actor, case, Cap.APPROVE)
    if not is_district(actor):
        raise PermissionDenied("冬春救助由区审批")
    _expect(case, WinterStatus.TOWNSHIP_OK)
    case.district_by, case.decided_at = actor.username, now or dates.now()
    if ok:
        amt = Decimal(str(amount if amount not in (None, "") else case.amount_requested))
        if amt < 0:
            raise ValidationError({"amount": "金额不能为负"})
        case.amount_approved, case.status = amt, WinterStatus.APPROVED
    else:
        if not reason.strip():
            raise ValidationError({"reason": "请填写不予批准的原因"})
        case.status, case.reject_reason = WinterStatus.REJECTED, reason.strip()
    case.save()
    return case


def totals_by_township(cases: list[WinterCase]) -> list[dict[str, Any]]:
    """Households, persons and amounts per township and status group (the 冬春救助 统计表)."""
    acc: dict[int, dict[str, Any]] = {}
    for c in cases:
        town: Division = c.household.division.parent or c.household.division
        row = acc.setdefault(town.pk, {"township": town, "households": 0, "persons": 0, "approved_households": 0,
                                       "approved_persons": 0, "requested": Decimal(0), "approved": Decimal(0),
                                       "by_status": defaultdict(int)})
        row["households"] += 1
        row["persons"] += c.persons
        row["requested"] += c.amount_requested
        row["by_status"][c.status] += 1
        if c.status == WinterStatus.APPROVED:
            row["approved_households"] += 1
            row["approved_persons"] += c.persons
            row["approved"] += c.amount_approved or 0
    return [acc[k] for k in sorted(acc, key=lambda k: acc[k]["township"].code)]
