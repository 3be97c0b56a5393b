"""人情保 risk flags — patterns to check, not accusations. Each flag says in plain words what was measured against
what, and lists the households behind it; the county may turn it into a spot check (sampling.py).

Recipients here are households holding 低保 or 特困 in force in the month. Thresholds are policy parameters
(params.py); the robust statistic is robust.py's modified z-score within urban/rural peers.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Sum, Value

from minzheng.audit.services import record
from minzheng.core import dates, sealed
from minzheng.policy import services as policy
from minzheng.regions.models import Division, Level
from minzheng.registry.models import Enrollment, Household, Person, ProgrammeFamily

from . import facts, robust
from .models import FlagKind, FlagStatus, RiskFlag, VillageFact, VillageMonth

RECIPIENT_FAMILIES = (ProgrammeFamily.DIBAO, ProgrammeFamily.TEKUN)
CAUTION = "这是统计上的差异，供核实参考，不代表存在违规。"
MAX_HOUSEHOLDS = 500


@dataclass
class Found:
    kind: str
    division: Division
    key: str
    score: Decimal
    explanation: str
    households: list[int]
    evidence: dict[str, Any] = field(default_factory=dict)


def _pct(x: float) -> str:
    return f"{x * 100:.1f}%"


def _param(key: str, on: dt.date) -> Any:
    return policy.value(key, on=on)


def recipients(month: dt.date) -> Any:
    return Enrollment.objects.filter(facts.in_force(month), programme__family__in=RECIPIENT_FAMILIES)


def _villages() -> dict[int, Division]:
    return {d.pk: d for d in Division.objects.filter(level=Level.VILLAGE).select_related("parent")}


# --- coverage far above comparable villages -------------------------------------------------------------------


def coverage(month: dt.date) -> list[Found]:
    """Village 低保 coverage (persons ÷ registered residents) against urban or rural peers."""
    on = dates.month_end(month)
    z_limit = float(policy.decimal("stats.coverage.robust_z", on=on))
    min_ratio = float(policy.decimal("stats.coverage.min_ratio", on=on))
    min_persons = int(_param("stats.coverage.min_persons", on))
    persons = dict(VillageFact.objects.filter(month=month, programme__family=ProgrammeFamily.DIBAO)
                   .values("village_id").annotate(p=Sum("persons")).values_list("village_id", "p"))
    pops = list(VillageMonth.objects.filter(month=month, residents__gt=0).values("village_id", "urban", "residents"))
    villages = _villages()
    out: list[Found] = []
    for urban in (True, False):
        group = [(p["village_id"], (persons.get(p["village_id"]) or 0) / p["residents"], p["residents"])
                 for p in pops if p["urban"] == urban]
        if len(group) < 5:
            continue
        s = robust.spread([r for _, r, _ in group])
        peers = "城镇社区" if urban else "农村村"
        for vid, rate, residents in group:
            z = s.z(rate)
            n = persons.get(vid) or 0
            if z < z_limit or n < min_persons or rate < min_ratio * s.median or vid not in villages:
                continue
            times = rate / s.median if s.median else 0
            v = villages[vid]
            text = (f"{v.parent.name if v.parent else ''}{v.name}：低保覆盖率 {_pct(rate)}（保障 {n} 人 / 户籍人口 "
                    f"{residents} 人），同类{peers}（{s.n} 个）中位数 {_pct(s.median)}"
                    + (f"，为中位数的 {times:.1f} 倍" if times else "")
                    + f"；稳健 z 值 {z:.1f}（阈值 {z_limit:g}）。{CAUTION}")
            hh = list(recipients(month).filter(household__division_id=vid, programme__family=ProgrammeFamily.DIBAO)
                      .values_list("household_id", flat=True).distinct()[:MAX_HOUSEHOLDS])
            out.append(Found(FlagKind.COVERAGE, v, v.code, robust.as_decimal(z), text, hh,
                             {"rate": round(rate, 5), "median": round(s.median, 5), "mad": round(s.mad, 5),
                              "z": round(z, 2), "persons": n, "residents": residents, "peers": s.n,
                              "urban": urban, "threshold": z_limit}))
    return out


# --- unusual growth after a date ----------------------------------------------------------------------------


def growth(month: dt.date, since: dt.date | None = None) -> list[Found]:
    """New 低保 households since `since` (default: the window before `month`) relative to the village's households
    then, against peers."""
    on = dates.month_end(month)
    window = int(_param("stats.growth.window_months", on))
    since = dates.month_start(since) if since else dates.add_months(month, -(window - 1))
    min_new = int(_param("stats.growth.min_new", on))
    z_limit = float(policy.decimal("stats.growth.robust_z", on=on))
    dibao = Enrollment.objects.filter(programme__family=ProgrammeFamily.DIBAO)
    base = dict(dibao.filter(facts.in_force(dates.add_months(since, -1))).values("household__division_id")
                .annotate(n=Count("household_id", distinct=True)).values_list("household__division_id", "n"))
    new = dict(dibao.filter(start_month__gte=since, start_month__lte=month).filter(facts.in_force(month))
               .values("household__division_id").annotate(n=Count("household_id", distinct=True))
               .values_list("household__division_id", "n"))
    villages = _villages()
    out: list[Found] = []
    for urban in (True, False):
        group = [(vid, new.get(vid, 0) / max(1, base.get(vid, 0))) for vid, v in villages.items()
                 if v.is_urban == urban]
        if len(group) < 5:
            continue
        s = robust.spread([g for _, g in group])
        for vid, g in group:
            z = s.z(g)
            if new.get(vid, 0) < min_new or z < z_limit:
                continue
            v = villages[vid]
            hh = list(dibao.filter(start_month__gte=since, start_month__lte=month, household__division_id=vid)
                      .filter(facts.in_force(month)).values_list("household_id", flat=True).distinct())
            text = (f"{v.parent.name if v.parent else ''}{v.name}：自 {since:%Y年%m月} 起新增低保 {new.get(vid, 0)} 户"
                    f"（此前 {base.get(vid, 0)} 户，增长 {_pct(g)}），同类村增长中位数 {_pct(s.median)}；"
                    f"稳健 z 值 {z:.1f}（阈值 {z_limit:g}）。{CAUTION}")
            out.append(Found(FlagKind.GROWTH, v, f"{v.code}:{since:%Y%m}", robust.as_decimal(z), text, hh,
                             {"since": f"{since:%Y-%m}", "new": new.get(vid, 0), "before": base.get(vid, 0),
                              "growth": round(g, 4), "median": round(s.median, 4), "z": round(z, 2)}))
    return out


# --- recipients related to village cadres or staff ---------------------------------------------------------


def _staff_people(villages: dict[int, Division]) -> list[dict[str, Any]]:
    """Village staff (current post holders, 近亲属备案 staff) as registry persons where they can be matched:
    by ID number (备案) or by name and birth date within their village (岗位人员), plus their phone's index."""
    from minzheng.assistance.models import KinshipRegistration, StaffRole
    from minzheng.workforce.models import PostHolding

    out: list[dict[str, Any]] = []
    for h in (PostHolding.objects.filter(end__isnull=True, post__division__level=Level.VILLAGE)
              .select_related("staff", "post__division")):
        s = h.staff
        match = (Person.objects.filter(name=s.name, birth_date=s.birth_date, household__division=h.post.division)
                 .values("id", "household_id").first() if s.birth_date else None)
        phone = sealed.index_candidates(s.phone) if s.phone else []
        out.append({"name": s.name, "role": h.post.get_kind_display(), "village": h.post.division_id,
                    "person": match, "phones": phone, "relatives": []})
    regs = KinshipRegistration.objects.filter(active=True, staff_role=StaffRole.VILLAGE_COMMITTEE)
    ids = {r.staff_id_number for r in regs} | {r.relative_id_number for r in regs if r.relative_id_number}
    people = {p["id_number"]: p for p in Person.objects.filter(id_number__in=ids).values("id", "id_number",
                                                                                        "household_id")}
    for r in regs:
        me = people.get(r.staff_id_number)
        rel = people.get(r.relative_id_number) if r.relative_id_number else None
        out.append({"name": r.staff_name, "role": r.post or r.get_staff_role_display(), "village": r.division_id,
                    "person": me, "phones": [], "relatives": [(rel, r.relation)] if rel else []})
    return out


def cadre_kin(month: dt.date) -> list[Found]:
    villages = _villages()
    rec = {r["household_id"]: r for r in recipients(month).values("household_id", "household__division_id",
                                                                   "household__address")}
    if not rec:
        return []
    reasons: dict[int, list[str]] = defaultdict(list)
    staff = _staff_people(villages)
    addresses: dict[str, list[int]] = defaultdict(list)
    for hid, r in rec.items():
        if r["household__address"]:
            addresses[r["household__address"]].append(hid)
    for s in staff:
        who = f"{s['role']}{s['name']}"
        me = s["person"]
        if me and me["household_id"] in rec:
            reasons[me["household_id"]].append(f"{who}本人所在家庭（同一户口）")
        for rel, relation in s["relatives"]:
            if rel["household_id"] in rec:
                reasons[rel["household_id"]].append(f"{who}的{relation or '近亲属'}（近亲属备案）")
        if me:
            own_address = Household.objects.filter(pk=me["household_id"]).values_list("address", flat=True).first()
            for hid in addresses.get(own_address or "", []):
                if hid != me["household_id"]:
                    reasons[hid].append(f"与{who}同一住址")
        if s["phones"]:
            # By the indexed phone column, then kept if a recipient: never a parameter list of every recipient.
            for hid in Household.objects.filter(phone_index__in=s["phones"]).values_list("id", flat=True):
                if hid in rec:
                    reasons[hid].append(f"联系电话与{who}相同")
            for hid in Person.objects.filter(phone_index__in=s["phones"]).values_list("household_id", flat=True):
                if hid in rec and (not me or hid != me["household_id"]):
                    reasons[hid].append(f"家庭成员电话与{who}相同")
    by_village: dict[int, list[int]] = defaultdict(list)
    for hid in reasons:
        by_village[rec[hid]["household__division_id"]].append(hid)
    out = []
    for vid, hids in by_village.items():
        v = villages.get(vid)
        if v is None:
            continue
        hids.sort()
        detail = "；".join(f"第 {i + 1} 户：{'、'.join(sorted(set(reasons[h])))}" for i, h in enumerate(hids[:20]))
        text = (f"{v.parent.name if v.parent else ''}{v.name}：{len(hids)} 户低保/特困对象与村干部或民政工作人员有关联 —— "
                f"{detail}。按规定近亲属享受救助应备案并由县级 100% 入户核查；{CAUTION}")
        out.append(Found(FlagKind.CADRE_KIN, v, v.code, Decimal(len(hids)), text, hids,
                         {"reasons": {str(h): sorted(set(reasons[h])) for h in hids}}))
    return out


# --- amounts at or near the maximum, in clusters -------------------------------------------------------------


def near_max(month: dt.date) -> list[Found]:
    """低保 households paid at or near the full standard per person (as if they had almost no income), clustered
    in one village well beyond the district's own share (binomial excess: expected = share × the village's
    households; flagged at `stats.near_max.z` standard deviations above it)."""
    on = dates.month_end(month)
    share = policy.decimal("stats.near_max.share", on=on)
    min_h = int(_param("stats.near_max.min_households", on))
    z_limit = float(policy.decimal("stats.near_max.z", on=on))
    villages = _villages()
    county = Division.objects.filter(level=Level.COUNTY).order_by("code").first()
    out: list[Found] = []
    for code, kind in (("dibao_urban", "urban"), ("dibao_rural", "rural")):
        std = policy.decimal(f"dibao.standard.{kind}", on=on, division=county)
        qs = Enrollment.objects.filter(facts.in_force(month), programme__code=code)
        totals = dict(qs.values("household__division_id").annotate(n=Count("household_id", distinct=True))
                      .values_list("household__division_id", "n"))
        floor = ExpressionWrapper(F("covered_persons") * Value(std * share, output_field=DecimalField()),
                                  output_field=DecimalField(max_digits=12, decimal_places=2))
        top = qs.alias(floor=floor).filter(monthly_amount__gte=F("floor"))
        near = dict(top.values("household__division_id").annotate(n=Count("household_id", distinct=True))
                    .values_list("household__division_id", "n"))
        overall = sum(near.values()) / max(1, sum(totals.values()))
        for vid, n in near.items():
            total = totals.get(vid, 0)
            expected = overall * total
            sd = (total * overall * (1 - overall)) ** 0.5
            z = (n - expected) / sd if sd else 0.0
            if n < min_h or not total or z < z_limit or vid not in villages:
                continue
            v = villages[vid]
            hh = list(top.filter(household__division_id=vid).values_list("household_id", flat=True).distinct())
            text = (f"{v.parent.name if v.parent else ''}{v.name}：{n} 户（占本村{'城市' if kind == 'urban' else '农村'}低保 "
                    f"{total} 户的 {_pct(n / total)}）按人均不低于标准 {std:.0f} 元的 {_pct(float(share))} 领取，"
                    f"即几乎没有计算收入；按全区同类户比例 {_pct(overall)} 应约 {expected:.1f} 户，超出 {z:.1f} 个标准差"
                    f"（阈值 {z_limit:g}）。{CAUTION}")
            out.append(Found(FlagKind.NEAR_MAX, v, f"{v.code}:{code}", robust.as_decimal(z), text, hh,
                             {"near": n, "total": total, "standard": str(std), "share": str(share),
                              "overall": round(overall, 4), "z": round(z, 2)}))
    return out


# --- decided faster than the investigation could have happened -----------------------------------------------


def fast(month: dt.date) -> list[Found]:
    from minzheng.assistance.demo_cases import MARK
    from minzheng.assistance.models import Application, CaseKind, Status

    on = dates.month_end(month)
    min_days = int(_param("stats.fast.min_days", on))
    start = dates.add_months(month, -11)
    apps = list(Application.objects.filter(status=Status.APPROVED, kind=CaseKind.NEW, decided_on__gte=start,
                                           decided_on__lte=on, programme__family__in=RECIPIENT_FAMILIES)
                .exclude(reason__startswith=MARK)
                .values("id", "number", "household_id", "division_id", "received_on", "decided_on"))
    slow_enough = {a["id"] for a in apps if (a["decided_on"] - a["received_on"]).days >= min_days}
    quick = [a for a in apps if a["id"] not in slow_enough]
    villages = _villages()
    by_village: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for a in quick:
        by_village[a["division_id"]].append(a)
    out = []
    for vid, items in by_village.items():
        v = villages.get(vid)
        if v is None:
            continue
        cases = "、".join(f"{a['number']}（{(a['decided_on'] - a['received_on']).days} 天）" for a in items[:10])
        text = (f"{v.parent.name if v.parent else ''}{v.name}：{len(items)} 件低保/特困新申请从受理到批准少于 {min_days} 天"
                f"（调查、评议、公示 7 天和审核确认所需的最短时间）：{cases}。{CAUTION}")
        out.append(Found(FlagKind.FAST, v, v.code, Decimal(len(items)), text,
                         sorted({a["household_id"] for a in items}),
                         {"cases": [a["number"] for a in items], "min_days": min_days}))
    return out


# --- many recipients sharing a bank account or phone -------------------------------------------------------------


def _common(divisions: list[Division]) -> Division:
    """The smallest division containing them all (a village, its township, or the county)."""
    first = divisions[0]
    if all(d.pk == first.pk for d in divisions):
        return first
    if first.parent and all(d.parent_id == first.parent_id for d in divisions):
        return first.parent
    return first.parent.parent if first.parent and first.parent.parent else first


def shared(month: dt.date) -> list[Found]:
    on = dates.month_end(month)
    min_h = int(_param("stats.shared.min_households", on))
    rec = recipients(month)
    payees = Person.objects.filter(pk__in=rec.filter(person__isnull=False).values("person_id")) | \
        Person.objects.filter(pk__in=rec.filter(person__isnull=True).values("household__head_id"))
    villages = _villages()
    out: list[Found] = []
    sources = [("账号", "bank_account_index", "bank_account_last4", payees, "household_id", "household__division_id"),
               ("电话", "phone_index", "phone_last4", payees, "household_id", "household__division_id"),
               ("家庭电话", "phone_index", "phone_last4",
                Household.objects.filter(pk__in=rec.values("household_id")), "id", "division_id")]
    seen: set[tuple[str, str]] = set()
    for label, index, last4, qs, hh_field, div_field in sources:
        groups = (qs.exclude(**{index: ""}).values(index).annotate(n=Count(hh_field, distinct=True))
                  .filter(n__gte=min_h))
        for g in groups:
            key = g[index]
            rows = list(qs.filter(**{index: key}).values(hh_field, div_field, last4).distinct())
            hids = sorted({r[hh_field] for r in rows})
            what = "电话" if "电话" in label else "账号"
            if (what, key) in seen:
                continue
            seen.add((what, key))
            divs = [villages[r[div_field]] for r in rows if r[div_field] in villages]
            if not divs:
                continue
            where = _common(divs)
            tail = rows[0][last4]
            text = (f"{len(hids)} 户低保/特困对象的{'领款人银行账号' if what == '账号' else '联系电话'}相同（尾号 {tail}），"
                    f"分布在{'、'.join(sorted({d.name for d in divs}))}。可能是代领、代办或登记错误；{CAUTION}")
            out.append(Found(FlagKind.SHARED, where, f"{what}:{key[:40]}", Decimal(len(hids)), text, hids,
                             {"what": what, "last4": tail, "households": len(hids)}))
    return out


DETECTORS: dict[str, Callable[[dt.date], list[Found]]] = {FlagKind.COVERAGE: coverage, FlagKind.GROWTH: growth, FlagKind.CADRE_KIN: cadre_kin,
             FlagKind.NEAR_MAX: near_max, FlagKind.FAST: fast, FlagKind.SHARED: shared}


@transaction.atomic
def detect(month: dt.date, *, kinds: list[str] | None = None, since: dt.date | None = None) -> list[RiskFlag]:
    """Run the detectors for `month` (facts computed first) and store what they find; `since` is the date growth
    is measured from (a 村委换届, a new officer; default the parameter's window). Re-running refreshes open flags;
    a flag already sampled or checked keeps its households and outcome."""
    month = dates.month_start(month)
    facts.ensure(month)
    found: list[Found] = []
    for kind, detector in DETECTORS.items():
        if kinds is None or kind in kinds:
            found += growth(month, since=since) if kind == FlagKind.GROWTH else detector(month)
    keep: list[RiskFlag] = []
    stale = RiskFlag.objects.filter(month=month, status=FlagStatus.OPEN, sample__isnull=True)
    if kinds is not None:
        stale = stale.filter(kind__in=kinds)
    current = {(f.kind, f.division.pk, f.key) for f in found}
    stale_ids = [f.pk for f in stale if (f.kind, f.division_id, f.key) not in current]
    RiskFlag.objects.filter(pk__in=stale_ids).delete()
    for f in found:
        flag, made = RiskFlag.objects.get_or_create(kind=f.kind, division=f.division, month=month, key=f.key, defaults={
            "score": f.score, "explanation": f.explanation, "households": f.households, "evidence": f.evidence})
        if not made and flag.status == FlagStatus.OPEN and not hasattr(flag, "sample"):
            flag.score, flag.explanation, flag.households, flag.evidence = (f.score, f.explanation, f.households,
                                                                            f.evidence)
            flag.save(update_fields=["score", "explanation", "households", "evidence"])
        keep.append(flag)
    record("stats.flags", summary=f"{month:%Y-%m} 疑点筛查：{len(keep)} 条提示", detail={
        "month": f"{month:%Y-%m}", "by_kind": {k: sum(1 for f in found if f.kind == k) for k in DETECTORS}})
    return keep
