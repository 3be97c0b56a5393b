"""Relief supplies: stock cards, allocation down the tree, distribution to households with signatures, 公示 and
reconciliation (stock = in − out; distributed ≤ allocated; no household served twice unless allowed).

社会救助暂行办法 第六十四条 (audit of relief money and goods); 自然灾害救助条例: registers, posting, signatures.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from minzheng.accounts.actor import Principal
from minzheng.core import dates
from minzheng.core.scoping import require_division, require_edit
from minzheng.regions.models import Division, Level

from .models import (
    IN_KINDS,
    Allocation,
    Distribution,
    DistributionLine,
    DistributionStatus,
    Event,
    Item,
    MoveKind,
    StockMove,
    Warehouse,
)

ZERO = Decimal(0)


def _qty(value: Any, field_name: str = "quantity") -> Decimal:
    try:
        q = Decimal(str(value).strip())
    except Exception as exc:
        raise ValidationError({field_name: f"“{value}”不是数量"}) from exc
    if not q.is_finite() or q <= 0:
        raise ValidationError({field_name: "数量必须大于 0"})
    return q


@transaction.atomic
def create_warehouse(*, actor: Principal, name: str, division: Division, address: str = "", keeper: str = "") -> Warehouse:
    require_division(actor, division)
    if not name.strip():
        raise ValidationError({"name": "请填写仓库名称"})
    return Warehouse.objects.create(name=name.strip(), division=division, address=address, keeper=keeper)


def balance(warehouse: Warehouse, item: Item) -> Decimal:
    last = StockMove.objects.filter(warehouse=warehouse, item=item).order_by("-id").first()
    return last.balance_after if last else ZERO


def _move(*, actor: Principal, warehouse: Warehouse, item: Item, kind: str, quantity: Decimal, moved_on: dt.date,
          doc_no: str = "", counterpart: str = "", note: str = "", allocation: Allocation | None = None) -> StockMove:
    # Lock the warehouse row so two clerks cannot both spend the same balance.
    Warehouse.objects.select_for_update().get(pk=warehouse.pk)
    before = balance(warehouse, item)
    after = before + quantity if kind in IN_KINDS else before - quantity
    if after < 0:
        raise ValidationError({"quantity": f"{item.name}库存不足：结存 {before}{item.unit}，本次出库 {quantity}"})
    return StockMove.objects.create(warehouse=warehouse, item=item, kind=kind, quantity=quantity,
                                    balance_after=after, moved_on=moved_on, doc_no=doc_no, counterpart=counterpart,
                                    note=note, allocation=allocation, created_by=getattr(actor, "username", ""))


@transaction.atomic
def stock_in(*, actor: Principal, warehouse: Warehouse, item: Item, quantity: Any, kind: str = MoveKind.PURCHASE,
             moved_on: dt.date | None = None, doc_no: str = "", counterpart: str = "", note: str = "") -> StockMove:
    require_edit(actor, warehouse)
    if kind not in IN_KINDS:
        raise ValidationError({"kind": "入库类型有误"})
    return _move(actor=actor, warehouse=warehouse, item=item, kind=kind, quantity=_qty(quantity),
                 moved_on=moved_on or dates.today(), doc_no=doc_no, counterpart=counterpart, note=note)


@transaction.atomic
def stock_out(*, actor: Principal, warehouse: Warehouse, item: Item, quantity: Any, kind: str = MoveKind.LOSS,
              moved_on: dt.date | None = None, doc_no: str = "", counterpart: str = "", note: str = "") -> StockMove:
    """Out-moves other than allocation (报损, 调拨出库); allocation goes through allocate()."""
    require_edit(actor, warehouse)
    if kind in IN_KINDS or kind == MoveKind.ALLOCATE:
        raise ValidationError({"kind": "出库类型有误（分配出库请使用物资分配）"})
    if kind == MoveKind.LOSS and not note.strip():
        raise ValidationError({"note": "报损出库须写明原因"})
    return _move(actor=actor, warehouse=warehouse, item=item, kind=kind, quantity=_qty(quantity),
                 moved_on=moved_on or dates.today(), doc_no=doc_no, counterpart=counterpart, note=note)


def stock_card(warehouse: Warehouse, item: Item) -> list[StockMove]:
    return list(StockMove.objects.filter(warehouse=warehouse, item=item).order_by("id"))


def stock_levels(warehouse: Warehouse) -> list[dict[str, Any]]:
    out = []
    for item in Item.objects.filter(pk__in=StockMove.objects.filter(warehouse=warehouse).values("item_id")):
        moves = StockMove.objects.filter(warehouse=warehouse, item=item)
        inn = moves.filter(kind__in=list(IN_KINDS)).aggregate(s=Sum("quantity"))["s"] or ZERO
        out_ = moves.exclude(kind__in=list(IN_KINDS)).aggregate(s=Sum("quantity"))["s"] or ZERO
        out.append({"item": item, "in": inn, "out": out_, "balance": balance(warehouse, item)})
    return out


# --- Allocation --------------------------------------------------------------------------------------------


def allocated_to(division: Division, item: Item) -> Decimal:
    return Allocation.objects.filter(division=division, item=item).aggregate(s=Sum("quantity"))["s"] or ZERO


def passed_down(division: Division, item: Item) -> Decimal:
    """Split from this division's allocations to its villages."""
    return (Allocation.objects.filter(parent__division=division, item=item).aggregate(s=Sum("quantity"))["s"]
            or ZERO)


def distributed_in(division: Division, item: Item, *, exclude: Distribution | None = None) -> Decimal:
    qs = DistributionLine.objects.filter(distribution__division=division, item=item)
    if exclude is not None:
        qs = qs.exclude(distribution=exclude)
    return qs.aggregate(s=Sum("quantity"))["s"] or ZERO


def available(division: Division, item: Item) -> Decimal:
    return allocated_to(division, item) - passed_down(division, item) - distributed_in(division, item)


@transaction.atomic
def allocate(*, actor: Principal, division: Division, item: Item, quantity: Any, warehouse: Warehouse | None = None,
             parent: Allocation | None = None, event: Event | None = None, allocated_on: dt.date | None = None,
             purpose: str = "") -> Allocation:
    """From a warehouse to a township or village (stock goes out), or a township's share split to a village."""
    qty = _qty(quantity)
    on = allocated_on or dates.today()
    require_division(actor, division)
    if division.level not in (Level.TOWNSHIP, Level.VILLAGE):
        raise ValidationError({"division": "物资分配到乡镇(街道)或村(社区)"})
    if (warehouse is None) == (parent is None):
        raise ValidationError("请选择出库仓库，或从乡镇已分配的物资中下拨")
    if parent is not None:
        require_edit(actor, parent)
        Allocation.objects.select_for_update().get(pk=parent.pk)
        if division.parent_id != parent.division_id:
            raise ValidationError({"division": "只能下拨给本乡镇(街道)所辖的村(社区)"})
        if parent.item_id != item.pk:
            raise ValidationError({"item": "下拨物资须与乡镇分配的物资一致"})
        free = available(parent.division, item)
        if qty > free:
            raise ValidationError({"quantity": f"{parent.division.name}可下拨的{item.name}只剩 {free}{item.unit}"})
        return Allocation.objects.create(division=division, item=item, quantity=qty, parent=parent, event=event,
                                         allocated_on=on, purpose=purpose, created_by=actor.username)
    assert warehouse is not None
    require_edit(actor, warehouse)
    alloc = Allocation.objects.create(division=division, item=item, quantity=qty, warehouse=warehouse, event=event,
                                      allocated_on=on, purpose=purpose, created_by=actor.username)
    _move(actor=actor, warehouse=warehouse, item=item, kind=MoveKind.ALLOCATE, quantity=qty, moved_on=on,
          counterpart=division.name, allocation=alloc, note=purpose)
    return alloc


# --- Distribution ------------------------------------------------------------------------------------------


@transaction.atomic
def create_distribution(*, actor: Principal, division: Division, title: str, distributed_on: dt.date,
                        event: Event | None = None, allow_repeat: bool = False) -> Distribution:
    require_division(actor, division)
    if division.level not in (Level.TOWNSHIP, Level.VILLAGE):
        raise ValidationError({"division": "发放单位应为乡镇(街道)或村(社区)"})
    if not title.strip():
        raise ValidationError({"title": "请填写发放名称"})
    return Distribution.objects.create(title=title.strip(), division=division, distributed_on=distributed_on,
                                       event=event, allow_repeat=allow_repeat, created_by=actor.username)


@transaction.atomic
def add_line(*, actor: Principal, distribution: Distribution, household: Any, item: Item, quantity: Any,
             repeat_reason: str = "", sign_method: str = "", signer_name: str = "", photo: Any = None,
             now: dt.datetime | None = None) -> DistributionLine:
    """One household receives one item. A second serving in the same distribution is refused unless the
    distribution allows repeats, and then it needs a reason."""
    require_edit(actor, distribution)
    dist = Distribution.objects.select_for_update().get(pk=distribution.pk)
    if dist.status != DistributionStatus.OPEN:
        raise ValidationError("该批次已结束，不能再登记发放")
    if not household.division.path.startswith(dist.division.path):
        raise ValidationError({"household": "该户不在本次发放的区划内"})
    qty = _qty(quantity)
    served = DistributionLine.objects.filter(distribution=dist, household=household, item=item).count()
    if served and not dist.allow_repeat:
        raise ValidationError({"household": f"该户本批次已领取过{item.name}，不能重复发放"})
    if served and not repeat_reason.strip():
        raise ValidationError({"repeat_reason": "同户再次领取须写明原因"})
    # Serialise every issue against this division's allocation of the item (two distributions may share it).
    list(Allocation.objects.select_for_update().filter(division=dist.division, item=item).values_list("pk"))
    free = available(dist.division, item)
    if qty > free:
        raise ValidationError({"quantity": f"{dist.division.name}可发放的{item.name}只剩 {free}{item.unit}（已超出分配数）"})
    line = DistributionLine(distribution=dist, household=household, item=item, quantity=qty, serving_no=served + 1,
                            repeat_reason=repeat_reason.strip(), recorded_by=actor.username)
    if sign_method:
        _sign(line, sign_method, signer_name, now)
    if photo:
        line.photo = photo
    line.save()
    return line


def _sign(line: DistributionLine, method: str, signer_name: str, now: dt.datetime | None) -> None:
    if not signer_name.strip():
        raise ValidationError({"signer_name": "请填写签字（按手印）人姓名"})
    line.signed, line.sign_method, line.signer_name = True, method, signer_name.strip()
    line.signed_at = now or dates.now()


@transaction.atomic
def sign_line(*, actor: Principal, line: DistributionLine, method: str, signer_name: str, photo: Any = None,
              now: dt.datetime | None = None) -> DistributionLine:
    require_edit(actor, line)
    line = DistributionLine.objects.select_for_update().get(pk=line.pk)
    if line.signed:
        raise ValidationError("该条已签收，签收记录不能更改")
    _sign(line, method, signer_name, now)
    if photo:
        line.photo = photo
    line.save()
    return line


@transaction.atomic
def close_distribution(*, actor: Principal, distribution: Distribution) -> Distribution:
    require_edit(actor, distribution)
    if distribution.status != DistributionStatus.OPEN:
        raise ValidationError("该批次已结束")
    distribution.status = DistributionStatus.CLOSED
    distribution.save(update_fields=["status"])
    return distribution


@transaction.atomic
def publish(*, actor: Principal, distribution: Distribution, published: bool = True) -> Distribution:
    require_edit(actor, distribution)
    distribution.published = published
    distribution.save(update_fields=["published"])
    return distribution


# --- Reconciliation ----------------------------------------------------------------------------------------


@dataclass
class Discrepancy:
    kind: str
    message: str
    ref: str = ""


@dataclass
class Reconciliation:
    discrepancies: list[Discrepancy] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.discrepancies)

    @property
    def clean(self) -> bool:
        return not self.discrepancies


def check_stock_card(warehouse: Warehouse, item: Item) -> list[Discrepancy]:
    """Every line's running balance follows from the line before, and the last equals in − out."""
    out: list[Discrepancy] = []
    running = ZERO
    inn = outn = ZERO
    for m in stock_card(warehouse, item):
        if m.is_in:
            running += m.quantity
            inn += m.quantity
        else:
            running -= m.quantity
            outn += m.quantity
        if m.balance_after != running:
            out.append(Discrepancy("stock", f"{warehouse.name} {item.name} 第 {m.pk} 号记录结存 {m.balance_after}，"
                                   f"按出入库应为 {running}", f"move:{m.pk}"))
            running = m.balance_after
    if balance(warehouse, item) != inn - outn:
        out.append(Discrepancy("stock", f"{warehouse.name} {item.name} 结存 {balance(warehouse, item)} ≠ 入库 {inn} − "
                               f"出库 {outn}", f"warehouse:{warehouse.pk}"))
    return out


def reconcile_warehouse(warehouse: Warehouse) -> Reconciliation:
    rec = Reconciliation()
    for row in stock_levels(warehouse):
        rec.discrepancies += check_stock_card(warehouse, row["item"])
        rec.items.append(row)
    for a in Allocation.objects.filter(warehouse=warehouse):
        moved = a.moves.aggregate(s=Sum("quantity"))["s"] or ZERO
        if moved != a.quantity:
            rec.discrepancies.append(Discrepancy("allocation", f"分配给{a.division.name}的{a.item.name} {a.quantity}，"
                                                 f"出库记录为 {moved}", f"allocation:{a.pk}"))
    return rec


def reconcile_distribution(distribution: Distribution) -> Reconciliation:
    """Zero discrepancies for a clean distribution; otherwise each one names the line, household or item."""
    rec = Reconciliation()
    div = distribution.division
    lines = list(distribution.lines.select_related("item", "household__division", "household__head"))
    by_item: dict[int, Decimal] = defaultdict(Decimal)
    seen: dict[tuple[int, int], int] = defaultdict(int)
    for ln in lines:
        by_item[ln.item_id] += ln.quantity
        seen[(ln.household_id, ln.item_id)] += 1
        who = _household_label(ln.household)
        if not ln.signed:
            rec.discrepancies.append(Discrepancy("unsigned", f"{who} 领取{ln.item.name} {ln.quantity}{ln.item.unit} 未签字或按手印",
                                                 f"line:{ln.pk}"))
        if not ln.household.division.path.startswith(div.path):
            rec.discrepancies.append(Discrepancy("outside", f"{who} 不在{div.name}", f"line:{ln.pk}"))
    for (hh, item_id), n in seen.items():
        if n > 1 and not distribution.allow_repeat:
            item = Item.objects.get(pk=item_id)
            rec.discrepancies.append(Discrepancy("twice", f"家庭 {hh} 在本批次领取{item.name} {n} 次", f"household:{hh}"))
    for item_id, qty in sorted(by_item.items()):
        item = Item.objects.get(pk=item_id)
        alloc = allocated_to(div, item) - passed_down(div, item)
        total_out = distributed_in(div, item)
        signed = sum((ln.quantity for ln in lines if ln.item_id == item_id and ln.signed), ZERO)
        rec.items.append({"item": item, "allocated": alloc, "distributed": qty, "distributed_all": total_out,
                          "signed": signed, "remaining": alloc - total_out})
        if total_out > alloc:
            rec.discrepancies.append(Discrepancy("over", f"{div.name}{item.name}累计发放 {total_out}{item.unit}，"
                                                 f"超过分配数 {alloc}", f"item:{item.code}"))
    # The stock cards the goods came from: direct allocations, or the township allocation a share was split from.
    sources: dict[int, Allocation] = {}
    for a in Allocation.objects.filter(division=div).select_related("warehouse", "item", "parent__warehouse"):
        src = a if a.warehouse_id else a.parent
        if src is not None and src.warehouse_id:
            sources[src.pk] = src
    checked: set[tuple[int, int]] = set()
    for src in sources.values():
        store = src.warehouse
        if store is not None and (store.pk, src.item_id) not in checked:
            checked.add((store.pk, src.item_id))
            rec.discrepancies += check_stock_card(store, src.item)
        moved = src.moves.aggregate(s=Sum("quantity"))["s"] or ZERO
        if moved != src.quantity:
            rec.discrepancies.append(Discrepancy("allocation", f"分配 {src.quantity} 与出库 {moved} 不符",
                                                 f"allocation:{src.pk}"))
    return rec


def _household_label(hh: Any) -> str:
    head = hh.head.name if hh.head_id and hh.head else ""
    return f"{head}户" if head else f"家庭 {hh.pk}"


def public_rows(distribution: Distribution) -> list[dict[str, Any]]:
    """公示: masked name, village, item, quantity — never an ID number or a phone."""
    from minzheng.policy import services as policy
    from minzheng.registry.masking import mask_name

    mask = bool(policy.value("disaster.public_mask_names", on=distribution.distributed_on,
                             division=distribution.division))
    rows = []
    for ln in distribution.lines.select_related("household__head", "household__division", "item").order_by(
            "household__division__code", "id"):
        name = ln.household.head.name if ln.household.head_id and ln.household.head else "（户主未登记）"
        rows.append({"name": mask_name(name) if mask else name, "village": ln.household.division.name,
                     "item": ln.item.name, "unit": ln.item.unit, "quantity": ln.quantity})
    return rows
