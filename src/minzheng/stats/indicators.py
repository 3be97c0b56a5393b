"""Editing the form's lines (the district, when the statistics system changes a code, name or unit). A change
applies to months not yet closed; a closed month keeps the lines it was closed with."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from minzheng.accounts.actor import Actor
from minzheng.accounts.roles import Cap
from minzheng.registry.models import Programme, ProgrammeFamily

from .models import Indicator, Measure


def _programmes(raw: str) -> list[str]:
    items = [x.strip() for x in raw.replace("，", ",").replace("、", ",").split(",") if x.strip()]
    codes = set(Programme.objects.values_list("code", flat=True))
    families = {f"family:{f}" for f in ProgrammeFamily.values}
    unknown = [x for x in items if x not in codes and x not in families]
    if unknown:
        raise ValidationError({"programmes": f"未知的救助项目：{'、'.join(u[:20] for u in unknown[:5])}"
                                             f"（填项目代码或 family:政策类别，用逗号分隔）"})
    return items


@transaction.atomic
def update(*, indicator: Indicator, actor: Actor, data: Any) -> Indicator:
    if not actor.has_cap(Cap.MANAGE_POLICY):
        raise PermissionDenied("统计指标由区管理员维护")
    code = str(data.get("code", "")).strip()[:24]
    name = str(data.get("name", "")).strip()[:80]
    unit = str(data.get("unit", "")).strip()[:8]
    measure = str(data.get("measure", indicator.measure))
    if not code or not name:
        raise ValidationError({"code": "请填写指标代码和名称"})
    if measure not in Measure.values:
        raise ValidationError({"measure": "计算方法不在可选范围内"})
    if Indicator.objects.filter(form=indicator.form, code=code).exclude(pk=indicator.pk).exists():
        raise ValidationError({"code": f"指标代码 {code} 已被其他指标使用"})
    order_raw = str(data.get("order", indicator.order)).strip()
    if not order_raw.isdigit() or int(order_raw) > 30000:
        raise ValidationError({"order": "顺序应为 0–30000 的整数"})
    indicator.code, indicator.name, indicator.unit, indicator.measure = code, name, unit, measure
    indicator.order = int(order_raw)
    indicator.programmes = _programmes(str(data.get("programmes", "")))
    indicator.active = data.get("active") in ("1", "on", "true")
    indicator.full_clean()
    indicator.save()   # audited by the model signals (before and after)
    return indicator
