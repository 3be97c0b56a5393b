"""近亲属备案: staff register their close relatives; a case whose household holds a registered relative (or whose
applicant declares such a relation) is flagged and gets a 100% county home visit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from minzheng.accounts.actor import Actor
from minzheng.accounts.roles import Cap
from minzheng.core import dates
from minzheng.core.scoping import require_division
from minzheng.policy import services as policy
from minzheng.registry.idnumber import normalize
from minzheng.registry.models import Person

from ..models import Application, KinshipMatch, KinshipRegistration
from .transitions import record_opinion, workflow_open


def _household_ids(app: Application) -> set[str]:
    ids = set(Person.objects.filter(household=app.household, is_deceased=False).values_list("id_number", flat=True))
    ids.add(app.applicant.id_number)
    if app.person is not None:
        ids.add(app.person.id_number)
    return {i for i in ids if i}


def flag_kinship(app: Application) -> list[KinshipMatch]:
    """近亲属备案: flag the case when a member's ID number is in the register (as relative or as staff), or when the
    applicant declared a relation naming a registered staff member. Flagged cases get a 100% county home visit."""
    ids = _household_ids(app)
    regs = KinshipRegistration.objects.filter(active=True)
    found: list[KinshipMatch] = []
    known = set(app.kinship_matches.values_list("registration_id", "matched_by"))
    by_id = {p.id_number: p for p in Person.objects.filter(id_number__in=ids)}
    for reg in regs.filter(relative_id_number__in=ids) | regs.filter(staff_id_number__in=ids):
        if (reg.pk, "id_number") in known:
            continue
        who = by_id.get(reg.relative_id_number) or by_id.get(reg.staff_id_number)
        role = reg.get_staff_role_display()
        note = (f"{who.name if who else ''} 为{role}{reg.staff_name}的{reg.relation}" if who and
                who.id_number == reg.relative_id_number else f"家庭成员本人为{role}")
        found.append(KinshipMatch.objects.create(application=app, registration=reg, person=who,
                                                 matched_by="id_number", note=note[:200]))
    if app.declared_kinship and ("", "declared") not in {(str(r or ""), m) for r, m in known}:
        named = [r for r in regs if r.staff_name and r.staff_name in app.declared_kinship]
        reg = named[0] if named else None
        if not app.kinship_matches.filter(matched_by="declared").exists():
            found.append(KinshipMatch.objects.create(application=app, registration=reg, matched_by="declared",
                                                     note=app.declared_kinship[:200]))  # matched_by already says 申请人申报
    if found and not app.kinship_flag:
        app.kinship_flag = True
        app.county_visit_required = True
        app.save(update_fields=["kinship_flag", "county_visit_required", "updated_at"])
        record_opinion(app, action="kinship_flag", from_status=app.status, actor=None,
                       text="近亲属备案：" + "；".join(f"{m.get_matched_by_display()}：{m.note}" for m in found))
    return found


def kin_relation_labels(on: dt.date | None = None) -> list[str]:
    rel = policy.value("kin.relations", on=on or dates.today())
    return [r["label"] if isinstance(r, dict) else str(r) for r in rel]


@transaction.atomic
def register_kinship(*, actor: Actor, division: Any, staff_name: str, staff_id_number: str, staff_role: str,
                     post: str = "", relative_name: str = "", relative_id_number: str = "", relation: str = "",
                     registered_on: dt.date | None = None) -> KinshipRegistration:
    """Register a staff member's close relative; open cases whose household holds the relative are flagged now."""
    require_division(actor, division, Cap.EDIT_BUSINESS)
    registered_on = registered_on or dates.today()
    if relation and relation not in kin_relation_labels(registered_on):
        raise ValidationError({"relation": f"“{relation}”不在近亲属关系范围内（参数 kin.relations）"})
    staff_id = normalize(staff_id_number) if staff_id_number else ""
    rel_id = normalize(relative_id_number) if relative_id_number else ""
    if not staff_name.strip() or not staff_id:
        raise ValidationError({"staff_id_number": "请填写工作人员姓名和有效的身份证号"})
    reg = KinshipRegistration.objects.create(
        division=division, staff_name=staff_name.strip(), staff_id_number=staff_id, staff_role=staff_role,
        post=post.strip(), relative_name=relative_name.strip(), relative_id_number=rel_id, relation=relation,
        registered_on=registered_on)
    ids = [i for i in (staff_id, rel_id) if i]
    hh = Person.objects.filter(id_number__in=ids).values_list("household_id", flat=True)
    for app in Application.objects.filter(household_id__in=list(hh), status__in=workflow_open()):
        flag_kinship(app)
    return reg
