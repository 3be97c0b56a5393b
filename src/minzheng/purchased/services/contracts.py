"""项目与合同: what is bought, by which procurement, with which fund, for which period and townships, and the
service standard and payment terms as data; milestones split the budget into payable periods."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from minzheng.accounts.actor import Actor
from minzheng.core import dates
from minzheng.core.scoping import require_division, require_edit
from minzheng.payments import selectors as funds
from minzheng.policy import services as policy
from minzheng.regions.models import Division, Level

from ..models import Contract, ContractArea, ContractStatus, Milestone, Procurement, Provider, ServiceKind
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


@transaction.atomic
def create(*, actor: Actor | None, buyer: Division, provider: Provider, number: str, title: str, service: str,
           procurement: str, procurement_ref: str = "", fund: str, fund_source: str, budget: Any, start: dt.date,
           end: dt.date, townships: Iterable[Division], visits_per_month: int, min_minutes: int, unit_price: Any,
           deduction_per_failed: Any = 0, unit_label: str = "次", require_photo: bool = True,
           require_confirmation: bool = True) -> Contract:
    if actor is not None:
        require_division(actor, buyer)
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
    if not 1 <= int(visits_per_month) <= 62:
        raise ValidationError({"visits_per_month": "每人每月服务次数应在 1–62 之间"})
    if not 1 <= int(min_minutes) <= 720:
        raise ValidationError({"min_minutes": "每次最短时长应在 1–720 分钟之间"})
    towns = list(townships)
    if not towns:
        raise ValidationError({"townships": "请选择服务的乡镇(街道)"})
    for t in towns:
        if t.level != Level.TOWNSHIP or not t.path.startswith(buyer.path):
            raise ValidationError({"townships": f"{t.name} 不是购买主体辖区内的乡镇(街道)"})
    contract = Contract.objects.create(
        buyer=buyer, provider=provider, number=number[:64], title=title.strip()[:200], service=service,
        procurement=procurement, procurement_ref=procurement_ref[:64], fund=fund, fund_source=fund_source,
        budget=money(budget, "budget"), start=start, end=end, unit_label=(unit_label or "次")[:16],
        visits_per_month=int(visits_per_month), min_minutes=int(min_minutes), unit_price=money(unit_price, "unit_price"),
        deduction_per_failed=money(deduction_per_failed or 0, "deduction_per_failed", positive=False),
        require_photo=require_photo, require_confirmation=require_confirmation, created_by=who(actor))
    for t in towns:
        ContractArea.objects.create(contract=contract, township=t)
    return contract


@transaction.atomic
def add_milestone(*, actor: Actor | None, contract: Contract, title: str, period_start: dt.date, period_end: dt.date,
                  cap: Any) -> Milestone:
    if actor is not None:
        require_edit(actor, contract)
    require_government(actor)
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
def end(*, actor: Actor | None, contract: Contract) -> Contract:
    if actor is not None:
        require_edit(actor, contract)
    require_government(actor)
    contract.status = ContractStatus.ENDED
    contract.save(update_fields=["status"])
    return contract
