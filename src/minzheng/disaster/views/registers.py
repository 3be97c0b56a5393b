"""Per-person registers: 因灾死亡失踪人员 and 倒损住房户, with their exports."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render

from minzheng.accounts.actor import AuthedRequest
from minzheng.accounts.decorators import require_cap
from minzheng.accounts.roles import Cap
from minzheng.audit.services import record_output
from minzheng.core import excel, pdf
from minzheng.core.forms import add_errors_to_form
from minzheng.core.scoping import home_division, in_scope, visible
from minzheng.regions.models import Division, Level
from minzheng.regions.picker import DivisionField

from .. import services
from ..models import CasualtyEntry, CasualtyStatus, DamageLevel, HouseDamageEntry
from ..selectors import get_event
from .common import _ctx, _division_code, _divisions


class CasualtyForm(forms.Form):
    division = DivisionField(label="村(社区)", queryset=Division.objects.none())
    name = forms.CharField(label="姓名", max_length=64)
    status = forms.ChoiceField(label="类别", choices=CasualtyStatus.choices)
    sex = forms.ChoiceField(label="性别", choices=[("", "—"), ("1", "男"), ("2", "女")], required=False)
    age = forms.IntegerField(label="年龄", required=False, min_value=0, max_value=150)
    id_number = forms.CharField(label="公民身份号码", required=False, max_length=18)
    occurred_on = forms.DateField(label="发生日期", widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label="地点", required=False, max_length=100)
    cause = forms.CharField(label="原因", required=False, max_length=100)


class HouseForm(forms.Form):
    division = DivisionField(label="村(社区)", queryset=Division.objects.none())
    head_name = forms.CharField(label="户主姓名", max_length=64)
    level = forms.ChoiceField(label="损坏程度", choices=DamageLevel.choices)
    rooms = forms.IntegerField(label="间数", min_value=1)
    address = forms.CharField(label="住址", required=False, max_length=200)


@require_cap(Cap.VIEW_BUSINESS)
def registers(request: AuthedRequest, event_id: int) -> HttpResponse:
    ev = get_event(request.user, event_id)
    user = request.user
    villages = [v.pk for v in services.affected_villages(ev)]
    vqs = _divisions(user, Level.VILLAGE).filter(pk__in=villages)
    cform = CasualtyForm(request.POST if request.POST.get("kind") == "casualty" else None, prefix="c")
    hform = HouseForm(request.POST if request.POST.get("kind") == "house" else None, prefix="h")
    cform.fields["division"].queryset = vqs  # type: ignore[attr-defined]  # stubs: base Field
    hform.fields["division"].queryset = vqs  # type: ignore[attr-defined]  # stubs: base Field
    if request.method == "POST":
        if not user.has_cap(Cap.EDIT_BUSINESS):
            raise PermissionDenied("您的角色没有录入权限")
        form = cform if request.POST.get("kind") == "casualty" else hform
        if form.is_valid():
            d = form.cleaned_data
            try:
                if form is cform:
                    services.add_casualty(actor=user, event=ev, **d)
                else:
                    services.add_house_damage(actor=user, event=ev, **d)
            except ValidationError as exc:
                add_errors_to_form(form, exc)
            else:
                messages.success(request, "已登记台账")
                return redirect("disaster:registers", event_id=ev.pk)
    cas = visible(CasualtyEntry, user).filter(event=ev).select_related("division")
    houses = visible(HouseDamageEntry, user).filter(event=ev).select_related("division")
    from minzheng.registry.masking import shown

    fmt = request.GET.get("format", "")
    if fmt in ("xlsx", "pdf"):
        return _registers_export(request, ev, list(cas), list(houses), fmt)
    cas_rows = [{"e": c, "id": shown(user, c.id_number, "id")} for c in cas]
    towns = [t for t in services.affected_townships(ev) if in_scope(user, t)]
    return render(request, "disaster/registers.html", _ctx(
        event=ev, cas=cas_rows, houses=houses, cform=cform, hform=hform,
        can_edit=user.has_cap(Cap.EDIT_BUSINESS), checks=services.register_reconciliation(ev, towns),
        counts=services.register_counts(ev, home_division(user))))


def _registers_export(request: AuthedRequest, ev: Any, cas: list[CasualtyEntry], houses: list[HouseDamageEntry],
                      fmt: str) -> HttpResponse:
    """因灾死亡失踪人口 and 倒损住房户 一览表 for upward reporting (full ID numbers only for roles that may see them)."""
    from minzheng.registry.masking import shown

    if not request.user.has_cap(Cap.EXPORT):
        raise PermissionDenied("您的角色没有导出权限")
    user = request.user
    ch = ["乡镇(街道)", "村(社区)", "姓名", "类别", "性别", "年龄", "公民身份号码", "发生日期", "地点", "原因"]
    crow = [[c.division.parent.name if c.division.parent else "", c.division.name, c.name, c.get_status_display(),
             c.get_sex_display(), c.age or "", shown(user, c.id_number, "id"), str(c.occurred_on), c.place, c.cause]
            for c in cas]
    hh = ["乡镇(街道)", "村(社区)", "户主姓名", "损坏程度", "间数", "住址"]
    hrow = [[h.division.parent.name if h.division.parent else "", h.division.name, h.head_name,
             h.get_level_display(), h.rooms, h.address] for h in houses]
    record_output("export" if fmt == "xlsx" else "print", what=f"灾情台账 {ev.name}", count=len(crow) + len(hrow),
                  division_code=_division_code(user), detail={"event": ev.pk})
    dept = services.department()
    if fmt == "xlsx":
        data = excel.workbook_bytes([("因灾死亡失踪人员", ch, crow), ("倒损住房户", hh, hrow)],
                                    title=f"{ev.name} 台账（主管部门：{dept}）")
        resp = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        resp["Content-Disposition"] = f"attachment; filename*=UTF-8''disaster-registers-{ev.pk}.xlsx"
        return resp
    doc = pdf.Document(f"{ev.name} 因灾死亡失踪人员台账", subtitle=f"主管部门：{dept}", landscape=True)
    doc.table(ch, crow, [26, 30, 20, 14, 12, 12, 44, 24, 50, 45])
    doc.paragraph("因灾倒塌损坏住房户台账", size=12)
    doc.table(hh, hrow, [40, 44, 30, 26, 16, 121])
    doc.signatures(["填报人", "审核人", "单位负责人(盖章)"])
    resp = HttpResponse(doc.render(), content_type="application/pdf")
    resp["Content-Disposition"] = f"inline; filename=disaster-registers-{ev.pk}.pdf"
    return resp
