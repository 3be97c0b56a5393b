"""特困 legal supporters (法定赡养、抚养、扶养义务人) recorded on a case, the 孤儿 criteria, and the 低保边缘家庭
register (recorded from a case's assessment; listed and exported by the county)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from minzheng.accounts.actor import Actor
from minzheng.accounts.roles import Cap
from minzheng.core import dates
from minzheng.core.scoping import require_edit
from minzheng.registry import idnumber
from minzheng.registry.models import ProgrammeFamily

from ..models import Application, EdgeRecord, LegalSupporter, SupporterRelation

_FLAGS = ("in_tekun", "in_dibao", "income_below_disposable", "no_legal_capacity", "declared_missing", "imprisoned")


def _row(i: int, raw: Mapping[str, Any]) -> dict[str, Any]:
    where = f"第 {i} 位义务人"
    name = str(raw.get("name", "")).strip()
    if not name:
        raise ValidationError({"supporters": f"{where}：请填写姓名"})
    relation = str(raw.get("relation", "")).strip()
    if relation not in SupporterRelation.values:
        raise ValidationError({"supporters": f"{where}（{name}）：与申请人关系应为 "
                                             + "、".join(str(lbl) for lbl in SupporterRelation.labels)})
    try:
        age = int(str(raw.get("age", "")).strip())
    except ValueError:
        raise ValidationError({"supporters": f"{where}（{name}）：年龄应为整数"}) from None
    if not 0 <= age <= 130:
        raise ValidationError({"supporters": f"{where}（{name}）：年龄应在 0–130 之间"})
    idn = str(raw.get("id_number", "") or "").strip().upper()
    if idn and not idnumber.check(idn).valid:
        raise ValidationError({"supporters": f"{where}（{name}）：身份证号“{idn}”无效"})
    grade_raw = str(raw.get("disability_grade", "") or "").strip()
    grade = int(grade_raw) if grade_raw.isdigit() else None
    if grade_raw and (grade is None or not 1 <= grade <= 4):
        raise ValidationError({"supporters": f"{where}（{name}）：残疾等级应为 1–4"})
    out = {"name": name, "relation": relation, "age": age, "id_number": idn, "disability_grade": grade,
           "disability_category": str(raw.get("disability_category", "") or "").strip()[:1],
           "assets_within_limits": _bool(raw.get("assets_within_limits", True)),
           "note": str(raw.get("note", "") or "").strip()[:200]}
    out.update({k: _bool(raw.get(k, False)) for k in _FLAGS})
    return out


def _bool(v: Any) -> bool:
    return v is True or str(v).strip().lower() in ("1", "true", "on", "yes", "是")


@transaction.atomic
def record_supporters(app: Application, *, actor: Actor, supporters: Sequence[Mapping[str, Any]], none: bool = False,
                      orphan_criteria: bool | None = None) -> Application:
    """Replace the case's legal supporters with what the investigation found (or record that there are none).
    Every row is checked before anything is written."""
    require_edit(actor, app, Cap.EDIT_BUSINESS)
    app = Application.objects.select_for_update().get(pk=app.pk)
    if app.programme.family != ProgrammeFamily.TEKUN:
        raise ValidationError({"supporters": "只有特困供养案件登记法定义务人"})
    if not app.is_open:
        raise ValidationError({"supporters": "案件已办结，不能修改义务人"})
    if none and supporters:
        raise ValidationError({"supporters": "已登记义务人，不能同时确认“无法定义务人”"})
    if not none and not supporters:
        raise ValidationError({"supporters": "请登记法定义务人，或确认经调查无法定义务人"})
    rows = [_row(i, raw) for i, raw in enumerate(supporters, start=1)]
    app.supporters.all().delete()
    LegalSupporter.objects.bulk_create([LegalSupporter(application=app, **r) for r in rows])
    app.supporters_status = "none" if none else "listed"
    if orphan_criteria is not None:
        app.orphan_criteria = orphan_criteria
    app.save(update_fields=["supporters_status", "orphan_criteria", "updated_at"])
    return app


def record_edge(app: Application, decision: Mapping[str, Any], *, actor: Actor | None,
                today: dt.date | None = None) -> EdgeRecord | None:
    """A 低保 case whose assessment put the household in the 低保边缘 band: the household enters the register
    (an earlier entry of the same household is superseded). Returns None when it is not in the band."""
    edge = decision.get("edge") or {}
    if app.programme.family != ProgrammeFamily.DIBAO or edge.get("band") != "edge":
        return None
    today = today or dates.today()
    EdgeRecord.objects.filter(household=app.household, active=True).update(active=False)
    return EdgeRecord.objects.create(
        household=app.household, application=app, found_on=today,
        per_capita_income=Decimal(str(edge.get("per_capita_income", "0"))), limit=Decimal(str(edge.get("limit", "0"))),
        explanation=str(edge.get("explanation", "")), params=list(edge.get("params", [])),
        recorded_by=actor if getattr(actor, "pk", None) else None)
