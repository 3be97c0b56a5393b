"""提标 as one batch decision: new versions of amount-affecting parameters, their effect previewed, approved by a
second person, and every affected enrollment given a new amount from the effective month.

- `preview` runs the rules twice over every live enrollment the keys touch (set-based, `assistance.amount_check`):
  under the versions in force and under the proposed ones; an enrollment is affected when the two differ. It
  reports households, persons and the monthly total before (what is paid now) and after, per township.
- `prepare` (区管理员) checks the changes and the date and stores the preview; `approve` (区审批员 or another
  区管理员, never the one who prepared it) stores the parameter versions and writes one EnrollmentAmount per affected
  enrollment from the effective month, with the rule and parameter versions used. The payroll engine then pays
  the difference for months already paid as 补发 on the next roster.
- A date before what the arrears window (`payments.arrears_lookback_months`) reaches from the last closed roster is
  refused: those months could never be paid.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet

from minzheng.accounts.actor import Actor
from minzheng.accounts.roles import Cap
from minzheng.audit.services import record
from minzheng.core import dates
from minzheng.regions.models import Division, Level

from . import services
from .catalog import catalog
from .models import Parameter, Raise, RaiseStatus
from .table import ParamTable, Proposed

# Which programme families each amount-affecting key prefix moves (the 低保标准 also moves 特困: 1.3 × 低保标准).
AFFECTS: dict[str, tuple[str, ...]] = {
    "dibao.standard.": ("dibao", "tekun"),
    "dibao.supplement.": ("dibao",),
    "dibao.min_amount": ("dibao",),
    "dibao.rounding": ("dibao", "tekun"),
    "dibao.income.": ("dibao",),
    "person.minor_age": ("dibao",),
    "tekun.basic_ratio": ("tekun",),
    "tekun.min_wage": ("tekun",),
    "tekun.care.": ("tekun",),
    "tekun.central.": ("tekun",),
    "payments.gaoling.": ("allowance",),
    "payments.canji_": ("allowance",),
    "payments.allowance.higher_of": ("allowance", "veterans"),
    "payments.youfu.": ("veterans",),
}


def families_of(key: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(f for prefix, fams in AFFECTS.items() if key.startswith(prefix) for f in fams))


def amount_keys() -> list[str]:
    return sorted(k for k in catalog.specs if families_of(k))


MAX_VALUE = Decimal(10) ** 9


@dataclass(frozen=True)
class Change:
    key: str
    value: Any


def _district(actor: Actor | None) -> Division:
    division = getattr(actor, "division", None)
    if division is None or division.level != Level.COUNTY:
        county = Division.objects.filter(level=Level.COUNTY).order_by("code").first()
        if actor is None and county is not None:
            return county
        raise PermissionDenied("提标由区级办理")
    return division


def _clean(changes: Iterable[Mapping[str, Any] | Change]) -> list[Change]:
    out: list[Change] = []
    for i, c in enumerate(changes, start=1):
        key = str(c.key if isinstance(c, Change) else c.get("key", "")).strip()
        value = c.value if isinstance(c, Change) else c.get("value")
        if key not in catalog.specs:
            raise ValidationError({"changes": f"第 {i} 项：未知参数“{key}”"})
        if not families_of(key):
            raise ValidationError({"changes": f"第 {i} 项：参数“{catalog.specs[key].label}”（{key}）不影响待遇金额，"
                                              "请在政策参数页面直接新增版本"})
        spec = catalog.specs[key]
        value = services._coerce(spec.kind, value)
        if spec.kind in ("decimal", "int"):
            try:
                num = Decimal(str(value).strip())
            except (InvalidOperation, ValueError) as exc:
                raise ValidationError({"changes": f"第 {i} 项：{spec.label} 的值“{value}”不是数字"}) from exc
            if not num.is_finite() or abs(num) >= MAX_VALUE:
                raise ValidationError({"changes": f"第 {i} 项：{spec.label} 的值“{value}”超出范围"})
            if num < 0:
                raise ValidationError({"changes": f"第 {i} 项：{spec.label} 不能为负数"})
            value = str(num) if spec.kind == "decimal" else int(num)
        if any(x.key == key for x in out):
            raise ValidationError({"changes": f"第 {i} 项：参数 {key} 重复"})
        out.append(Change(key, value))
    if not out:
        raise ValidationError({"changes": "请至少填写一项调整的参数"})
    return out


def window_error(effective_from: dt.date) -> str:
    """Why `effective_from` is too early to be paid as 补发 ('' when it is not): the next roster reaches back
    `payments.arrears_lookback_months` months from the month after the last closed one."""
    from minzheng.payments.selectors import last_committed_month

    last = last_committed_month()
    if last is None:
        return ""
    nxt = dates.add_months(last, 1)
    lookback = int(services.value("payments.arrears_lookback_months", on=nxt))
    earliest = dates.add_months(nxt, -lookback)
    if effective_from >= earliest:
        return ""
    return (f"生效日期 {effective_from:%Y-%m-%d} 早于可补发的范围：最近已审核的花名册为 {last:%Y年%m月}，补发最多追溯 "
            f"{lookback} 个月（{earliest:%Y年%m月} 起）。请把生效日期改在 {earliest:%Y-%m-%d} 或之后，或先由区管理员"
            "调整“补发/追回追溯月数”")


def _check(changes: list[Change], effective_from: dt.date) -> None:
    if effective_from.day != 1:
        raise ValidationError({"effective_from": "生效日期须为某月 1 日（待遇按月发放）"})
    for c in changes:
        later = (Parameter.objects.filter(key=c.key, division__isnull=True, effective_from__gte=effective_from)
                 .order_by("effective_from").first())
        if later is not None:
            raise ValidationError({"effective_from": f"{catalog.specs[c.key].label} 已有 {later.effective_from:%Y-%m-%d}"
                                                     " 起生效的版本，不能在其之前或同日再提标"})
    problem = window_error(effective_from)
    if problem:
        raise ValidationError({"effective_from": problem})


def affected_enrollments(keys: Iterable[str], effective_from: dt.date) -> QuerySet[Any]:
    """Enrollments paid from the effective month on: active, or ended after it (their back months are owed too)."""
    from minzheng.registry.models import Enrollment, EnrollmentStatus

    families = sorted({f for k in keys for f in families_of(k)})
    return Enrollment.objects.filter(programme__family__in=families).filter(
        Q(status=EnrollmentStatus.ACTIVE, end_month__isnull=True) | Q(end_month__gt=effective_from,
                                                                      status__in=[EnrollmentStatus.ACTIVE,
                                                                                  EnrollmentStatus.ENDED]))


@dataclass
class Effect:
    rows: list[dict[str, Any]]
    summary: dict[str, Any]


def preview(changes: list[Change], effective_from: dt.date, *, stored: Iterable[int] = ()) -> Effect:
    """What the raise does to every enrollment it touches. With `stored` (the version ids approval just wrote) the
    changes come from the stored table, so the refs carry the real version ids."""
    from minzheng.assistance import amount_check

    today = dates.today()
    facts_on = max(effective_from, today)
    qs = affected_enrollments([c.key for c in changes], effective_from)
    if stored:
        old_table, new_table = ParamTable.load(exclude=set(stored)), ParamTable.load()
    else:
        old_table = ParamTable.load()
        new_table = ParamTable.load([Proposed(c.key, c.value, effective_from) for c in changes])
    old = {x.enrollment_id: x for x in amount_check.expected_all(qs, on=facts_on, table=old_table,
                                                                 params_on=effective_from)}
    try:
        new = amount_check.expected_all(qs, on=facts_on, table=new_table, params_on=effective_from)
    except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError) as exc:
        # A list or table value the rules cannot read (e.g. an age band without min_age): refuse, name the keys.
        keys = "、".join(c.key for c in changes)
        raise ValidationError({"changes": f"参数值的格式不对，规则无法按新值测算（{keys}）：{exc}"}) from exc
    paid = amount_check.in_force(qs, effective_from)
    starts = dict(qs.values_list("id", "start_month"))
    divisions = {d.pk: d for d in Division.objects.all()}
    rows = []
    for x in new:
        before = old.get(x.enrollment_id)
        if x.status != "ok" or before is None or before.status != "ok" or before.amount == x.amount:
            continue
        village = divisions[x.division_id]
        town = divisions.get(village.parent_id or 0, village) if village.level == Level.VILLAGE else village
        rows.append({"enrollment_id": x.enrollment_id, "programme": x.programme, "household_id": x.household_id,
                     "township": town.name, "township_code": town.code, "covered": x.covered,
                     "before": paid[x.enrollment_id].amount, "rules_before": before.amount, "after": x.amount,
                     "from_month": max(effective_from, starts[x.enrollment_id]), "decision": x.decision})
    return Effect(rows, summarise(rows, effective_from, today))


def summarise(rows: list[dict[str, Any]], effective_from: dt.date, today: dt.date) -> dict[str, Any]:
    towns: dict[str, dict[str, Any]] = {}
    zero = Decimal(0)
    for r in rows:
        t = towns.setdefault(r["township_code"], {"township": r["township"], "code": r["township_code"],
                                                  "households": set(), "enrollments": 0, "persons": 0,
                                                  "before": zero, "after": zero})
        t["households"].add(r["household_id"])
        t["enrollments"] += 1
        t["persons"] += r["covered"]
        t["before"] += r["before"]
        t["after"] += r["after"]
    programmes: dict[str, int] = {}
    for r in rows:
        programmes[r["programme"]] = programmes.get(r["programme"], 0) + 1
    by_town = [{**t, "households": len(t["households"]), "before": str(t["before"]), "after": str(t["after"]),
                "change": str(t["after"] - t["before"])} for _, t in sorted(towns.items())]
    before = sum((r["before"] for r in rows), zero)
    after = sum((r["after"] for r in rows), zero)
    return {"effective_from": effective_from.isoformat(), "computed_on": today.isoformat(),
            "households": len({r["household_id"] for r in rows}), "enrollments": len(rows),
            "persons": sum(r["covered"] for r in rows), "before": str(before), "after": str(after),
            "change": str(after - before), "programmes": programmes, "by_township": by_town}


@transaction.atomic
def prepare(*, actor: Actor | None, changes: Iterable[Mapping[str, Any] | Change], effective_from: dt.date,
            source_document: str, title: str = "", note: str = "") -> Raise:
    """区管理员 prepares a 提标: checked, previewed, stored for approval. Nothing is paid or versioned yet."""
    if actor is not None and not actor.has_cap(Cap.MANAGE_POLICY):
        raise PermissionDenied("只有区管理员可以办理提标")
    division = _district(actor)
    cleaned = _clean(changes)
    if not source_document.strip():
        raise ValidationError({"source_document": "必须填写依据文件"})
    _check(cleaned, effective_from)
    effect = preview(cleaned, effective_from)
    labels = "、".join(catalog.specs[c.key].label for c in cleaned)
    r = Raise.objects.create(
        title=(title.strip() or f"{effective_from:%Y年%m月} 调整{labels}")[:100],
        changes=[{"key": c.key, "value": c.value} for c in cleaned], division=division,
        effective_from=effective_from, source_document=source_document.strip(), note=note.strip(),
        preview=effect.summary, prepared_by=actor, prepared_by_name=getattr(actor, "username", "") or "cli",
        prepared_at=dates.now())
    record("policy.raise.prepare", obj=r, summary=f"提标制单：{r.title}，影响 {effect.summary['households']} 户 "
           f"{effect.summary['persons']} 人，月增 {effect.summary['change']} 元",
           after={"changes": r.changes, "effective_from": str(effective_from), "preview": _brief(effect.summary)})
    return r


def _brief(summary: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in summary.items() if k != "by_township"}


def _locked(r: Raise, version: int | None) -> Raise:
    fresh = Raise.objects.select_for_update().get(pk=r.pk)
    if version is not None and fresh.version != version:
        raise ValidationError("该提标已被他人处理，请刷新后再试")
    if fresh.status != RaiseStatus.PREPARED:
        raise ValidationError(f"该提标{fresh.get_status_display()}，不能再办理")
    return fresh


@transaction.atomic
def approve(r: Raise, *, actor: Actor | None, version: int | None = None) -> Raise:
    """Another district user approves: the versions are stored and each affected enrollment gets its new amount."""
    from minzheng.registry.models import Enrollment, EnrollmentAmount

    if actor is not None:
        if not actor.has_cap(Cap.APPROVE):
            raise PermissionDenied("您的角色不能审批提标")
        _district(actor)
    r = _locked(r, version)
    if actor is not None and (r.prepared_by_id == actor.pk or r.prepared_by_name == actor.username):
        raise PermissionDenied("制单人不能审批自己办理的提标，请由另一名区级人员审核")
    changes = [Change(c["key"], c["value"]) for c in r.changes]
    _check(changes, r.effective_from)
    versions = []
    for c in changes:
        p = services.add_version(key=c.key, value=c.value, effective_from=r.effective_from,
                                 source_document=r.source_document, certainty="V",
                                 note=f"提标第 {r.pk} 号：{r.title}")
        p.created_by = getattr(actor, "username", "") or "cli"
        p.save(update_fields=["created_by"])
        versions.append(p.pk)
    effect = preview(changes, r.effective_from, stored=versions)
    month = dates.month_start(dates.today())
    amounts = []
    current = {}
    for row in effect.rows:
        d = row["decision"]
        basis = {"rule": d.get("rule", ""), "explanation": d.get("explanation", ""), "params": d.get("params", []),
                 "raise": r.pk}
        amounts.append(EnrollmentAmount(enrollment_id=row["enrollment_id"], from_month=row["from_month"],
                                        monthly_amount=row["after"], covered_persons=row["covered"],
                                        reason=f"提标（第 {r.pk} 号，{r.effective_from:%Y-%m} 起）", decided_under=basis))
        if row["from_month"] <= month:
            current[row["enrollment_id"]] = (row["after"], row["covered"], basis)
    EnrollmentAmount.objects.bulk_create(amounts, batch_size=1000)
    enrollments = Enrollment.objects.in_bulk(list(current))
    for eid, (amount, covered, basis) in current.items():
        e = enrollments[eid]
        e.monthly_amount, e.covered_persons, e.decided_under = amount, covered, basis
    Enrollment.objects.bulk_update(list(enrollments.values()), ["monthly_amount", "covered_persons",
                                                                 "decided_under"], batch_size=1000)
    r.status, r.approved_by, r.approved_at = RaiseStatus.APPROVED, actor, dates.now()
    r.approved_by_name = getattr(actor, "username", "") or "cli"
    r.result = {**effect.summary, "parameter_versions": versions, "amount_records": len(amounts)}
    r.version += 1
    r.save()
    record("policy.raise.approve", obj=r, summary=f"提标审批执行：{r.title}，{len(amounts)} 项待遇自 "
           f"{r.effective_from:%Y-%m} 起按新标准发放，月增 {effect.summary['change']} 元",
           after={"parameter_versions": versions, "result": _brief(r.result)})
    return r


@transaction.atomic
def cancel(r: Raise, *, actor: Actor | None, version: int | None = None) -> Raise:
    if actor is not None and not actor.has_cap(Cap.MANAGE_POLICY):
        raise PermissionDenied("只有区管理员可以撤销提标")
    r = _locked(r, version)
    r.status = RaiseStatus.CANCELLED
    r.version += 1
    r.save(update_fields=["status", "version"])
    record("policy.raise.cancel", obj=r, summary=f"撤销提标：{r.title}")
    return r
