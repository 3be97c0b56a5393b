"""A care file's life: opened for a person in a group, assessed (risk with reasons), planned, assigned to a visitor,
referred on, closed. Every write is audited (model signals) and leaves a CareEvent on the file."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from minzheng.accounts.roles import Cap, is_outside
from minzheng.core import dates
from minzheng.core.scoping import in_scope
from minzheng.registry.models import HOLDING_STATUSES, Enrollment, Person, ProgrammeFamily

from .. import rules
from ..access import groups_for, may_visit
from ..models import (
    CareFile,
    ChildProfile,
    FileStatus,
    Group,
    GuardianshipStatus,
    ParentStatus,
    Referral,
    ReferralTo,
    Risk,
)
from .common import event, params, require_write, who


@transaction.atomic
def open_file(*, actor: Any, person: Person, group: str, categories: list[str] | None = None, risk: str = Risk.LOW,
              risk_reasons: list[str] | None = None, responsible: Any = None, plan: str = "",
              on: dt.date | None = None, details: dict[str, Any] | None = None) -> CareFile:
    """登记: one file per person and group; a closed one is reopened, never duplicated."""
    on = on or dates.today()
    if group not in Group.values:
        raise ValidationError({"group": "请选择关爱对象类别"})
    if risk not in Risk.values:
        raise ValidationError({"risk": "风险等级应为高、中、低"})
    if person.is_deceased:
        raise ValidationError({"person": f"{person.name} 已死亡，不能建档"})
    village = person.household.division
    if actor is not None:
        if group not in groups_for(actor):
            raise PermissionDenied("儿童关爱档案仅限儿童主任、儿童督导员和民政经办人员建立" if group == Group.CHILD
                                   else "您的角色不办理此类关爱档案")
        if not in_scope(actor, village):
            raise PermissionDenied("该对象不在您的辖区内")
        if not (actor.has_cap(Cap.EDIT_BUSINESS) or (group == Group.CHILD and actor.has_cap(Cap.CARE_VISIT))):
            raise PermissionDenied("您的角色没有此操作权限")
    p = params(on, village)
    existing = CareFile.objects.filter(person=person, group=group).first()
    if existing is not None:
        if existing.is_open:
            raise ValidationError({"person": f"{person.name} 已有{existing.get_group_display()}关爱档案"})
        existing.status, existing.closed_on, existing.close_reason = FileStatus.OPEN, None, ""
        existing.village, existing.risk = village, risk
        existing.next_due = rules.next_due(on, group, risk, p)
        existing.save()
        event(existing, "reopened", "", actor)
        return existing
    f = CareFile.objects.create(person=person, group=group, village=village, categories=list(categories or []),
                                risk=risk, risk_reasons=list(risk_reasons or []), plan=plan,
                                responsible=responsible, opened_on=on, next_due=rules.next_due(on, group, risk, p),
                                details=dict(details or {}))
    event(f, "opened", "、".join(label_categories(f)), actor)
    return f


def label_categories(f: CareFile) -> list[str]:
    from ..models import ChildCategory, ElderCategory

    labels = {**dict(ChildCategory.choices), **dict(ElderCategory.choices)}
    if f.group == Group.YOUFU:
        from minzheng.payments.models import YoufuCategory

        labels = dict(YoufuCategory.choices)
    return [str(labels.get(c, c)) for c in f.categories]


@transaction.atomic
def set_risk(*, actor: Any, file: CareFile, risk: str, reasons: list[str]) -> CareFile:
    """评估: a risk level always carries its reasons; the next visit is due by the new level's interval."""
    require_write(actor, file)
    if risk not in Risk.values:
        raise ValidationError({"risk": "风险等级应为高、中、低"})
    reasons = [r.strip() for r in reasons if r and r.strip()]
    if not reasons:
        raise ValidationError({"reasons": "请写明评定风险等级的理由"})
    file.risk, file.risk_reasons = risk, reasons[:10]
    base = file.last_visit_on or file.opened_on
    file.next_due = min(file.next_due, rules.next_due(base, file.group, risk, params(dates.today(), file.village)))
    file.save(update_fields=["risk", "risk_reasons", "next_due"])
    event(file, "risk", f"{file.get_risk_display()}：{'；'.join(reasons)}", actor)
    return file


@transaction.atomic
def set_plan(*, actor: Any, file: CareFile, plan: str) -> CareFile:
    require_write(actor, file)
    plan = (plan or "").strip()
    if len(plan) < 4:
        raise ValidationError({"plan": "请写明关爱计划（至少 4 个字）"})
    if len(plan) > 4000:
        raise ValidationError({"plan": "关爱计划不超过 4000 字"})
    file.plan = plan
    file.save(update_fields=["plan"])
    event(file, "plan", plan[:100], actor)
    return file


@transaction.atomic
def assign(*, actor: Any, file: CareFile, responsible: Any) -> CareFile:
    """指定走访责任人: a 儿童主任/督导员 or office staff for a child; a 协管员, township staff or a provider's worker
    for the other groups. The person must be able to visit (Cap.CARE_VISIT) and reach the file."""
    require_write(actor, file)
    if responsible is None or not responsible.is_active or not responsible.has_cap(Cap.CARE_VISIT):
        raise ValidationError({"responsible": "走访责任人须为能记录关爱走访的在用账号"})
    if file.group not in groups_for(responsible):
        raise ValidationError({"responsible": "该账号的角色不能走访此类对象"})
    if is_outside(responsible):
        if file.group == Group.CHILD:
            raise ValidationError({"responsible": "儿童关爱走访不委托购买服务机构"})
        div = responsible.division
        if div is None or not file.village.path.startswith(div.path):
            raise ValidationError({"responsible": "服务机构人员须服务于该对象所在乡镇(街道)"})
    elif not in_scope(responsible, file.village):
        raise ValidationError({"responsible": "走访责任人须在该对象所在辖区"})
    file.responsible = responsible
    file.save(update_fields=["responsible"])
    event(file, "assigned", who(responsible), actor)
    return file


@transaction.atomic
def close(*, actor: Any, file: CareFile, reason: str, on: dt.date | None = None) -> CareFile:
    require_write(actor, file)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请写明结案原因（如年满18周岁、迁出、死亡、情况改善）"})
    if not file.is_open:
        raise ValidationError({"status": "该档案已结案"})
    file.status, file.closed_on, file.close_reason = FileStatus.CLOSED, on or dates.today(), reason[:200]
    file.save(update_fields=["status", "closed_on", "close_reason"])
    event(file, "closed", reason, actor)
    return file


@transaction.atomic
def refer(*, actor: Any, file: CareFile, to: str, reason: str, on: dt.date | None = None) -> Referral:
    """转介 to education, health, 残联, police (强制报告, 未成年人保护法 第十一条) or social assistance."""
    if actor is not None and not may_visit(actor, file):
        require_write(actor, file)
    if to not in ReferralTo.values:
        raise ValidationError({"to": "请选择转介部门"})
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise ValidationError({"reason": "请写明转介事由（至少 4 个字）"})
    r = Referral.objects.create(file=file, to=to, reason=reason[:2000], opened_on=on or dates.today(),
                                created_by=who(actor))
    event(file, "referred", f"{r.get_to_display()}：{reason[:80]}", actor)
    return r


@transaction.atomic
def close_referral(*, actor: Any, referral: Referral, outcome: str, on: dt.date | None = None) -> Referral:
    require_write(actor, referral.file)
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError({"outcome": "请填写转介办理结果"})
    if not referral.is_open:
        raise ValidationError({"referral": "该转介已办结"})
    referral.closed_on, referral.outcome = on or dates.today(), outcome[:2000]
    referral.save(update_fields=["closed_on", "outcome"])
    event(referral.file, "referral_closed", f"{referral.get_to_display()}：{outcome[:80]}", actor)
    return referral


# --- children ----------------------------------------------------------------------------------------------------

CHILD_FIELDS = ("guardian_name", "guardian_relation", "guardianship", "school", "boarding", "health", "disability",
                "family_situation", "father_status", "father_where", "father_months", "mother_status",
                "mother_where", "mother_months")
_CHILD_LABELS = {"guardianship": "监护状况", "father_status": "父亲情况", "mother_status": "母亲情况",
                 "father_months": "父亲该情况持续月数", "mother_months": "母亲该情况持续月数"}


def child_facts(file: CareFile, profile: ChildProfile, on: dt.date) -> rules.ChildFacts:
    person = file.person
    in_assistance = Enrollment.objects.filter(
        household_id=person.household_id, status__in=HOLDING_STATUSES,
        programme__family__in=[ProgrammeFamily.DIBAO, ProgrammeFamily.TEKUN]).exists()
    return rules.ChildFacts(
        age=person.age_on(on), rural=person.household.hukou_type == "rural",
        father=rules.ParentFacts(profile.father_status, profile.father_months),
        mother=rules.ParentFacts(profile.mother_status, profile.mother_months),
        own_disability_grade=person.disability_grade, family_in_assistance=in_assistance,
        guardianship=profile.guardianship)


@transaction.atomic
def save_child(*, actor: Any, file: CareFile, data: dict[str, Any], on: dt.date | None = None) -> ChildProfile:
    """儿童信息: the child's guardian, school, health and each parent's situation; the categories (§1.2) and the risk
    level with its reasons follow from them by the rules."""
    require_write(actor, file)
    if file.group != Group.CHILD:
        raise ValidationError({"group": "不是儿童关爱档案"})
    on = on or dates.today()
    profile = ChildProfile.objects.filter(file=file).first() or ChildProfile(file=file)
    for name in CHILD_FIELDS:
        if name not in data:
            continue
        value = data[name]
        label = _CHILD_LABELS.get(name, str(getattr(ChildProfile._meta.get_field(name), "verbose_name", name)))
        if name == "guardianship" and value not in GuardianshipStatus.values:
            raise ValidationError({name: f"“{label}”取值无效"})
        if name in ("father_status", "mother_status") and value not in ParentStatus.values:
            raise ValidationError({name: f"“{label}”取值无效"})
        if name in ("father_months", "mother_months"):
            try:
                value = int(value or 0)
            except (TypeError, ValueError):
                raise ValidationError({name: f"“{label}”应为 0 到 600 的整数"}) from None
            if not 0 <= value <= 600:
                raise ValidationError({name: f"“{label}”应为 0 到 600 的整数"})
        if name == "boarding":
            value = value in (True, "1", "on", "true", "是")
        if isinstance(value, str):
            max_len = getattr(ChildProfile._meta.get_field(name), "max_length", None) or 2000
            value = value.strip()
            if len(value) > max_len:
                raise ValidationError({name: f"“{label}”不超过 {max_len} 字"})
        setattr(profile, name, value)
    profile.save()
    facts = child_facts(file, profile, on)
    outcome = rules.child_categories(facts, params(on, file.village))
    risk, reasons = rules.child_risk(facts, outcome.codes)
    file.categories = outcome.codes
    file.risk, file.risk_reasons = risk, reasons
    base = file.last_visit_on or file.opened_on
    file.next_due = min(file.next_due, rules.next_due(base, file.group, risk, params(on, file.village)))
    file.save(update_fields=["categories", "risk", "risk_reasons", "next_due"])
    event(file, "profile", f"类型：{'、'.join(label_categories(file)) or '无'}；风险{file.get_risk_display()}", actor)
    return profile
