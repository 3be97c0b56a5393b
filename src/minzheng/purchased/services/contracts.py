"""项目与合同: what is bought, by which procurement, with which fund, for which period and townships, and the
service standard and payment terms as data; milestones split the budget into payable periods."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum

from minzheng.accounts.actor import Actor
from minzheng.audit import services as audit
from minzheng.core import dates
from minzheng.core.scoping import require_division, require_edit
from minzheng.payments import selectors as funds
from minzheng.policy import services as policy
from minzheng.regions.models import Division, Level

from ..models import (
    Contract,
    ContractArea,
    ContractStatus,
    Milestone,
    MilestoneStatus,
    Procurement,
    Provider,
    ServiceKind,
    ServiceOrder,
)
from . import require_government, who
from .providers import blacklisted_on

CENT = Decimal("0.01")


def money(value: Any, field: str, *, positive: bool = True) -> Decimal:
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: f"金额“{value}”不是数字"}) from None
    if not amount.is_finite() or amount < 0 or (positive and amount == 0):
        raise ValidationError({field: "金额必须大于 0" if positive else "金额不能为负数"})
    if amount != amount.quantize(CENT):
        raise ValidationError({field: "金额最多两位小数（精确到分）"})
    if amount >= Decimal("1e10"):
        raise ValidationError({field: "金额过大"})
    return amount


def require_district(actor: Actor | None) -> None:
    """Contracts are signed and ended by the district (county) bureau, not by a township or a village."""
    if actor is None:
        return
    division = getattr(actor, "division", None)
    if division is None or division.level != Level.COUNTY:
        raise PermissionDenied("购买服务合同由区民政局签订和终止")


def relief_funds() -> set[str]:
    """Funds of the ledger that are 困难群众救助资金 (the programmes' funds), as opposed to 工作经费."""
    from minzheng.payments.models import WORK_FUNDS

    return set(funds.fund_names()) - {WORK_FUNDS}


@dataclass(frozen=True)
class ShareCap:
    percent: Decimal          # 0: no cap
    relief_budget: Decimal    # the year's 年度预算 of all relief funds in the ledger
    committed: Decimal        # contract budgets already drawn from relief funds that year

    @property
    def limit(self) -> Decimal | None:
        return None if not self.percent else (self.relief_budget * self.percent / 100).quantize(CENT)


def share_cap(year: int, *, on: dt.date, excluding: int | None = None) -> ShareCap:
    """§5.4: what purchases may draw from 困难群众救助资金 in `year` (parameter purchased.share_cap_percent)."""
    from minzheng.payments.models import FundEntry, FundEntryKind

    pct = Decimal(str(policy.value("purchased.share_cap_percent", on=on) or 0))
    relief = relief_funds()
    budget = FundEntry.objects.filter(kind=FundEntryKind.BUDGET, fund__in=relief, month__year=year).aggregate(
        t=Sum("amount"))["t"] or Decimal("0")
    drawn = Contract.objects.filter(fund__in=relief, start__year=year)
    if excluding is not None:
        drawn = drawn.exclude(pk=excluding)
    committed = drawn.aggregate(t=Sum("budget"))["t"] or Decimal("0")
    return ShareCap(pct, Decimal(str(budget)), Decimal(str(committed)))


def check_share_cap(fund: str, amount: Decimal, start: dt.date, *, excluding: int | None = None) -> None:
    if fund not in relief_funds():
        return
    cap = share_cap(start.year, on=start, excluding=excluding)
    if cap.limit is None:
        return
    if cap.committed + amount > cap.limit:
        raise ValidationError({"budget": (
            f"从困难群众救助资金安排的购买服务 {start.year} 年已达 {cap.committed} 元，加上本合同 {amount} 元超过上限 "
            f"{cap.limit} 元（当年救助资金预算 {cap.relief_budget} 元的 {cap.percent}%）")})


@dataclass(frozen=True)
class MilestonePlan:
    title: str
    period_start: dt.date
    period_end: dt.date
    cap: Any


def parse_milestones(text: str) -> list[MilestonePlan]:
    """One milestone a line: 名称, 结算期起, 结算期止, 上限(元) — commas (either width) or tabs between."""
    out = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        parts = [p.strip() for p in line.replace("，", ",").replace("\t", ",").split(",")]
        if len(parts) != 4:
            raise ValidationError({"milestones": f"结算节点第 {n} 行应为“名称,起始日期,截止日期,上限金额”四项"})
        try:
            a, b = dt.date.fromisoformat(parts[1]), dt.date.fromisoformat(parts[2])
        except ValueError:
            raise ValidationError({"milestones": f"结算节点第 {n} 行的日期应为 YYYY-MM-DD"}) from None
        out.append(MilestonePlan(parts[0][:64], a, b, parts[3]))
    return out


@transaction.atomic
def create(*, actor: Actor | None, buyer: Division, provider: Provider, number: str, title: str, service: str,
           procurement: str, procurement_ref: str = "", fund: str, fund_source: str, budget: Any, start: dt.date,
           end: dt.date, townships: Iterable[Division], visits_per_month: int, min_minutes: int, unit_price: Any,
           deduction_per_failed: Any = 0, unit_label: str = "次", require_photo: bool = True,
           require_confirmation: bool = True, milestones: Iterable[MilestonePlan] = ()) -> Contract:
    if actor is not None:
        require_division(actor, buyer)
        require_district(actor)
    require_government(actor)
    number = (number or "").strip()
    if not number:
        raise ValidationError({"number": "请填写合同编号"})
    if Contract.objects.filter(number=number).exists():
        raise ValidationError({"number": f"合同编号 {number} 已存在"})
    if len((title or "").strip()) < 2:
        raise ValidationError({"title": "请填写项目名称"})
    if service not in ServiceKind.values:
        raise ValidationError({"service": "请选择服务类别"})
    if procurement not in Procurement.values:
        raise ValidationError({"procurement": "请选择采购方式"})
    if fund not in funds.fund_names():
        raise ValidationError({"fund": f"资金项目“{fund}”不在资金台账中"})
    if fund_source not in funds.fund_sources():
        raise ValidationError({"fund_source": f"资金来源“{fund_source}”无效"})
    if end < start:
        raise ValidationError({"end": "服务截止日期不能早于起始日期"})
    years = int(policy.value("purchased.contract.max_years", on=start))
    if end >= dates.add_months(start, 12 * years):
        raise ValidationError({"end": f"合同履行期限不得超过 {years} 年"})
    if (bar := blacklisted_on(provider, start)) is not None:
        raise ValidationError({"provider": f"{provider.name} 在黑名单期内（{bar.text}），不得承接"})
    if provider.qualifications.filter(valid_until__lt=start).exists() and \
            not provider.qualifications.exclude(valid_until__lt=start).exists():
        raise ValidationError({"provider": f"{provider.name} 的资质已过期"})
    amount = money(budget, "budget")
    price = money(unit_price, "unit_price")
    if not (unit_label or "次").strip() or len(unit_label) > 16:
        raise ValidationError({"unit_label": "服务单位应为 1–16 个字"})
    if not 1 <= int(visits_per_month) <= 62:
        raise ValidationError({"visits_per_month": "每人每月服务次数应在 1–62 之间"})
    if not 1 <= int(min_minutes) <= 720:
        raise ValidationError({"min_minutes": "每次最短时长应在 1–720 分钟之间"})
    towns = list(townships)
    if not towns:
        raise ValidationError({"townships": "请选择服务的乡镇(街道)"})
    if len({t.pk for t in towns}) != len(towns):
        raise ValidationError({"townships": "服务区域中有重复的乡镇(街道)"})
    for t in towns:
        if t.level != Level.TOWNSHIP or not t.path.startswith(buyer.path):
            raise ValidationError({"townships": f"{t.name} 不是购买主体辖区内的乡镇(街道)"})
    if price > amount:
        raise ValidationError({"unit_price": "服务单价不能高于合同金额"})
    deduction = money(deduction_per_failed or 0, "deduction_per_failed", positive=False)
    plans = list(milestones)
    planned = sum((money(m.cap, "milestones") for m in plans), Decimal("0"))
    if planned > amount:
        raise ValidationError({"milestones": f"各期上限合计 {planned} 元超过合同金额 {amount} 元"})
    check_share_cap(fund, amount, start)
    contract = Contract.objects.create(
        buyer=buyer, provider=provider, number=number[:64], title=title.strip()[:200], service=service,
        procurement=procurement, procurement_ref=procurement_ref[:64], fund=fund, fund_source=fund_source,
        budget=amount, start=start, end=end, unit_label=(unit_label or "次").strip()[:16],
        visits_per_month=int(visits_per_month), min_minutes=int(min_minutes), unit_price=price,
        deduction_per_failed=deduction, require_photo=require_photo, require_confirmation=require_confirmation,
        created_by=who(actor))
    for t in towns:
        ContractArea.objects.create(contract=contract, township=t)
    for plan in plans:
        add_milestone(actor=None, contract=contract, title=plan.title, period_start=plan.period_start,
                      period_end=plan.period_end, cap=plan.cap)
    return contract


@transaction.atomic
def add_milestone(*, actor: Actor | None, contract: Contract, title: str, period_start: dt.date, period_end: dt.date,
                  cap: Any) -> Milestone:
    if actor is not None:
        require_edit(actor, contract)
    require_government(actor)
    if contract.status != ContractStatus.ACTIVE:
        raise ValidationError({"contract": "合同已终止，不能添加结算节点"})
    if period_end < period_start:
        raise ValidationError({"period_end": "结算期止不能早于结算期起"})
    if period_start < contract.start or period_end > contract.end:
        raise ValidationError({"period_start": f"结算期应在合同期 {contract.start}–{contract.end} 之内"})
    amount = money(cap, "cap")
    planned = sum((m.cap for m in contract.milestones.all()), Decimal("0"))
    if planned + amount > contract.budget:
        raise ValidationError({"cap": f"各期上限合计 {planned + amount} 元超过合同金额 {contract.budget} 元"})
    if contract.milestones.filter(period_end__gte=period_start).exclude(period_start__gt=period_end).exists():
        raise ValidationError({"period_start": "结算期与已有的结算节点重叠"})
    seq = (contract.milestones.order_by("-seq").values_list("seq", flat=True).first() or 0) + 1
    return Milestone.objects.create(contract=contract, seq=seq, title=(title or f"第{seq}期")[:64],
                                    period_start=period_start, period_end=period_end, cap=amount)


@transaction.atomic
def end(*, actor: Actor | None, contract: Contract, on: dt.date | None = None, reason: str = "") -> Contract:
    """Ends a contract (at term or early): from the day after `on` no service may be recorded under it and no
    beneficiary assigned; its open orders end the same day. Milestones already run stay payable."""
    if actor is not None:
        require_edit(actor, contract)
        require_district(actor)
    require_government(actor)
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if contract.status != ContractStatus.ACTIVE:
        raise ValidationError({"status": "该合同已终止"})
    on = on or dates.today()
    if not contract.start <= on <= contract.end:
        raise ValidationError({"on": f"终止日期应在合同期 {contract.start}–{contract.end} 之内"})
    if on > dates.today():
        raise ValidationError({"on": "终止日期不能晚于今天"})
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": "请填写终止原因"})
    contract.status = ContractStatus.ENDED
    contract.ended_on = on
    contract.end_reason = reason[:200]
    contract.ended_by = who(actor)
    contract.save(update_fields=["status", "ended_on", "end_reason", "ended_by"])
    for order in ServiceOrder.objects.filter(contract=contract, end__isnull=True):
        order.end = max(on, order.start)
        order.end_reason = "合同终止"
        order.save(update_fields=["end", "end_reason"])
    audit.record("purchased.contract.end", obj=contract, summary=f"终止购买服务合同 {contract.number}：{reason[:100]}",
                 detail={"on": on.isoformat(), "reason": reason[:200],
                         "open_milestones": contract.milestones.exclude(status=MilestoneStatus.APPROVED).count()})
    return contract
