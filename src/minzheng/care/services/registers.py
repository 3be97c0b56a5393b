"""Registers derived from what minzheng already holds, and the group facts kept beside them.

- 特殊困难老年人: the registry (age, who lives in the household, disability) plus the 特困 self-care assessment, plus
  what visitors record (子女外出 months → 留守), by the rules in care.rules.
- 特困人员: every person holding a 特困 enrollment.
- 优抚对象: the allowance facts (payments.BeneficiaryFacts, 优抚 category and status).
- 残疾人: persons with a disability grade; their care need is the allowance facts' `needs_long_term_care`, one fact
  for both the allowance and the care file.
Deriving opens missing files and refreshes categories; it never closes a file (a visitor or officer does, with a
reason). Idempotent.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from minzheng.audit import services as audit
from minzheng.core import dates
from minzheng.regions.models import Division
from minzheng.registry.models import HOLDING_STATUSES, Enrollment, Person, ProgrammeFamily

from .. import rules
from ..models import AnnualCheck, CareEvent, CareFile, FileStatus, Group, Risk
from .common import event, params, require_write, who


def _persons(divisions: list[Division] | None) -> Any:
    qs = Person.objects.filter(is_deceased=False)
    if divisions:
        cond = Q()
        for d in divisions:
            cond |= Q(household__division__path__startswith=d.path)
        qs = qs.filter(cond)
    return qs


class _Batch:
    """New files collected and written in one bulk insert (one summary audit entry, as bulk writes are audited);
    existing open files get their categories refreshed."""

    def __init__(self, group: str, on: dt.date, param: rules.Param) -> None:
        self.group, self.on, self.param = group, on, param
        self.existing = {f.person_id: f for f in CareFile.objects.filter(group=group)}
        self.new: list[CareFile] = []
        self.changed: list[CareFile] = []

    def add(self, person_id: int, village_id: int, codes: list[str], risk: str, reasons: list[str]) -> None:
        f = self.existing.get(person_id)
        if f is None:
            f = CareFile(person_id=person_id, group=self.group, village_id=village_id, categories=codes, risk=risk,
                         risk_reasons=reasons, opened_on=self.on,
                         next_due=rules.next_due(self.on, self.group, risk, self.param))
            self.existing[person_id] = f
            self.new.append(f)
        elif f.is_open and sorted(f.categories) != sorted(codes):
            f.categories = codes
            self.changed.append(f)

    def write(self) -> int:
        CareFile.objects.bulk_create(self.new, batch_size=500)
        if self.changed:
            CareFile.objects.bulk_update(self.changed, ["categories"], batch_size=500)
        now = dates.now()
        CareEvent.objects.bulk_create([CareEvent(file=f, at=now, actor=who(None), action="opened",
                                                 text="由人口信息和待遇信息生成") for f in self.new], batch_size=500)
        return len(self.new)


@transaction.atomic
def derive(group: str, *, divisions: list[Division] | None = None, on: dt.date | None = None) -> int:
    """Open the missing files of `group` (elder, tekun, youfu, disabled) within `divisions` (default: everywhere)."""
    on = on or dates.today()
    param = params(on)
    batch = _Batch(group, on, param)
    if group == Group.ELDER:
        _derive_elders(divisions, on, param, batch)
    elif group == Group.TEKUN:
        rows = (Enrollment.objects.filter(status__in=HOLDING_STATUSES, programme__family=ProgrammeFamily.TEKUN,
                                          person__in=_persons(divisions))
                .values_list("person_id", "person__household__division_id", "programme__code").distinct())
        for pid, vid, code in rows:
            batch.add(pid, vid, ["central" if code == "tekun_central" else "dispersed"], Risk.MEDIUM, ["特困供养对象"])
    elif group == Group.YOUFU:
        from minzheng.payments.models import BeneficiaryFacts, YoufuStatus

        cats = dict(BeneficiaryFacts.objects.filter(youfu_status=YoufuStatus.ACTIVE).exclude(youfu_category="")
                    .values_list("person_id", "youfu_category"))
        rows = (_persons(divisions).filter(Q(pk__in=list(cats)) | Q(
            enrollments__programme__family=ProgrammeFamily.VETERANS, enrollments__status__in=HOLDING_STATUSES))
            .values_list("id", "household__division_id").distinct())
        for pid, vid in rows:
            batch.add(pid, vid, [cats[pid]] if pid in cats else [], Risk.LOW, ["在册优抚对象"])
    elif group == Group.DISABLED:
        rows = (_persons(divisions).filter(disability_grade__isnull=False)
                .values_list("id", "household__division_id", "disability_grade"))
        for pid, vid, grade in rows:
            batch.add(pid, vid, [f"grade{grade}"], Risk.MEDIUM if grade <= 2 else Risk.LOW, [f"残疾等级 {grade} 级"])
    else:
        raise ValidationError({"group": "儿童档案由儿童主任逐一登记，不能批量生成"})
    made = batch.write()
    if made or batch.changed:
        audit.record("care.derive", summary=f"生成{Group(group).label}关爱档案 {made} 份，更新类型 {len(batch.changed)} 份",
                     detail={"group": group, "on": str(on), "divisions": [d.code for d in divisions or []],
                             "opened": made, "updated": len(batch.changed)})
    return made


def _derive_elders(divisions: list[Division] | None, on: dt.date, param: rules.Param, batch: _Batch) -> None:
    floor = int(param("care.elder.age_floor"))
    cutoff = dt.date(on.year - floor, on.month, min(on.day, 28))
    members: dict[int, list[dt.date]] = defaultdict(list)
    households = _persons(divisions).filter(birth_date__lte=cutoff).values("household_id")
    for hid, birth in Person.objects.filter(household_id__in=households, is_deceased=False).values_list(
            "household_id", "birth_date"):
        members[hid].append(birth)
    tiers = _tekun_tiers(on)
    for pid, hid, vid, birth, grade in (_persons(divisions).filter(birth_date__lte=cutoff)
                                        .values_list("id", "household_id", "household__division_id", "birth_date",
                                                     "disability_grade")):
        ages = [dates.age_on(b, on) for b in members[hid]]
        prior = batch.existing.get(pid)
        away = int((prior.details or {}).get("children_away_months", 0)) if prior else 0
        facts = rules.ElderFacts(age=dates.age_on(birth, on), household_size=len(ages),
                                 all_members_elderly=all(a >= floor for a in ages), disability_grade=grade,
                                 self_care_tier=tiers.get(pid, ""), children_away_months=away)
        out = rules.elder_categories(facts, param)
        if not out.codes:
            continue
        batch.add(pid, vid, out.codes, rules.elder_risk(out.codes, facts.age, param), out.reasons)


def _tekun_tiers(on: dt.date) -> dict[int, str]:
    """Person → care tier from their latest 特困 case's self-care items (the assessment assistance holds)."""
    from minzheng.assistance import rules as arules
    from minzheng.assistance.models import Application

    last: dict[int, list[str]] = {}
    for pid, failed in (Application.objects.filter(programme__family="tekun", person__isnull=False)
                        .order_by("received_on", "id").values_list("person_id", "selfcare_failed")):
        last[pid] = list(failed or [])
    if not last:
        return {}
    from minzheng.policy import services as policy

    full_min = int(policy.value("tekun.selfcare.full_loss_min_failed", on=on))  # as assistance.rules.self_care_tier
    out = {}
    for pid, failed in last.items():
        n = len([k for k in failed if k in arules.SELF_CARE_ITEMS])
        out[pid] = "self_care" if n == 0 else ("half" if n < full_min else "full")
    return out


@transaction.atomic
def record_children_away(*, actor: Any, file: CareFile, months: int) -> CareFile:
    """What a visitor records about an elder's children (外出务工 months): it decides 留守 on the next derivation."""
    require_write(actor, file)
    if file.group != Group.ELDER:
        raise ValidationError({"file": "不是老年人关爱档案"})
    if not isinstance(months, int) or not 0 <= months <= 600:
        raise ValidationError({"children_away_months": "子女外出月数应为 0 到 600 的整数"})
    file.details = {**(file.details or {}), "children_away_months": months}
    left = months >= int(params(dates.today(), file.village)("care.elder.left_behind_min_months"))
    cats = [c for c in file.categories if c != "left_behind"] + (["left_behind"] if left else [])
    file.categories = cats
    file.save(update_fields=["details", "categories"])
    event(file, "profile", f"子女外出 {months} 个月", actor)
    return file


@transaction.atomic
def annual_check(*, actor: Any, file: CareFile, year: int, result: str, on: dt.date | None = None) -> AnnualCheck:
    """年度确认 (优抚) / 年审 (特困 供养证): once per file and year."""
    require_write(actor, file)
    if file.group not in (Group.YOUFU, Group.TEKUN):
        raise ValidationError({"file": "年度确认仅适用于优抚对象和特困人员"})
    on = on or dates.today()
    if not isinstance(year, int) or not 2000 <= year <= on.year:
        raise ValidationError({"year": "年度应为 2000 年至今年"})
    result = (result or "").strip()
    if not result:
        raise ValidationError({"result": "请填写确认结果"})
    if AnnualCheck.objects.filter(file=file, year=year).exists():
        raise ValidationError({"year": f"{year} 年度已确认"})
    c = AnnualCheck.objects.create(file=file, year=year, checked_on=on, result=result[:200], checked_by=who(actor))
    event(file, "annual", f"{year} 年度：{result}", actor)
    return c


@transaction.atomic
def set_documents(*, actor: Any, file: CareFile, documents: list[str]) -> CareFile:
    """优抚 recognition documents (认定文书: 证件名称和编号)."""
    require_write(actor, file)
    if file.group != Group.YOUFU:
        raise ValidationError({"file": "不是优抚对象档案"})
    docs = [d.strip()[:100] for d in documents if d and d.strip()][:20]
    file.details = {**(file.details or {}), "documents": docs}
    file.save(update_fields=["details"])
    event(file, "profile", f"认定文书 {len(docs)} 件", actor)
    return file


@transaction.atomic
def set_care_need(*, actor: Any, file: CareFile, needs_long_term_care: bool) -> CareFile:
    """A disabled person's long-term care need, written to the allowance facts the 护理补贴 rule reads."""
    from minzheng.payments.models import BeneficiaryFacts, FactSource

    require_write(actor, file)
    if file.group != Group.DISABLED:
        raise ValidationError({"file": "不是残疾人档案"})
    facts, _ = BeneficiaryFacts.objects.get_or_create(person=file.person)
    facts.needs_long_term_care = bool(needs_long_term_care)
    if not facts.disability_source:
        facts.disability_source = FactSource.MANUAL
    facts.disability_checked_on = dates.today()
    facts.save()
    event(file, "care_need", "需长期照护" if needs_long_term_care else "无需长期照护", actor)
    return file


def youfu_due(files: Any, on: dt.date) -> list[CareFile]:
    """优抚 files whose annual verification for this year is not done once the verification month has begun."""
    month = int(params(on)("care.youfu.verification_month"))
    if on.month < month:
        return []
    done = set(AnnualCheck.objects.filter(year=on.year).values_list("file_id", flat=True))
    return [f for f in files.filter(group=Group.YOUFU, status=FileStatus.OPEN) if f.pk not in done]
