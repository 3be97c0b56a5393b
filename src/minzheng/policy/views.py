from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from minzheng.accounts.actor import AuthedRequest
from minzheng.accounts.decorators import require_cap
from minzheng.accounts.roles import Cap
from minzheng.core import dates, inputs, listexport
from minzheng.core.forms import add_errors_to_form

from . import services
from .catalog import catalog
from .models import Certainty, Holiday, Parameter


class VersionForm(forms.Form):
    value = forms.CharField(label="值", max_length=4000, widget=forms.Textarea(attrs={"rows": 2}),
                            help_text="数字直接填写；是/否类填“是”或“否”；列表和表格类填 JSON")
    effective_from = forms.DateField(label="生效日期", widget=forms.DateInput(attrs={"type": "date"}))
    source_document = forms.CharField(label="依据文件", max_length=255)
    certainty = forms.ChoiceField(label="可信度", choices=Certainty.choices, initial=Certainty.VERIFIED)
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))


@require_cap(Cap.VIEW_BUSINESS)
def param_list(request: AuthedRequest) -> HttpResponse:
    today = dates.today()
    rows: list[dict[str, Any]] = []
    for key, spec in sorted(catalog.specs.items(), key=lambda kv: (kv[1].group, kv[0])):
        try:
            current = services.resolve(key, on=today, division=request.user.division)
        except services.MissingParameter:
            current = None
        rows.append({"spec": spec, "current": current})
    if listexport.requested(request):
        from .display import format_value

        return listexport.response(request, what="政策参数", headers=[
            "分组", "参数", "名称", "当前值", "生效日期", "依据文件", "演示值"], rows=(
            [r["spec"].group, r["spec"].key, r["spec"].label,
             format_value(r["current"].value, r["spec"].kind, r["spec"].unit) if r["current"] else "（未设置）",
             r["current"].effective_from if r["current"] else "", r["current"].source_document if r["current"] else "",
             "是" if r["current"] and r["current"].is_demo else ""] for r in rows))
    return render(request, "policy/list.html", {"rows": rows, "today": today})


@require_cap(Cap.VIEW_BUSINESS)
def param_detail(request: AuthedRequest, key: str) -> HttpResponse:
    spec = catalog.specs.get(key)
    if spec is None:
        raise Http404("未知参数")
    form = VersionForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_cap(Cap.MANAGE_POLICY):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied("只有区管理员可以维护政策参数")
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.add_version(key=key, value=d["value"], effective_from=d["effective_from"],
                                     source_document=d["source_document"], certainty=d["certainty"],
                                     note=d["note"], actor=request.user)
            except ValidationError as exc:
                add_errors_to_form(form, exc)
            else:
                messages.success(request, "已新增参数版本")
                return redirect("policy:detail", key=key)
    versions = Parameter.objects.filter(key=key).select_related("division").order_by("-effective_from")
    return render(request, "policy/detail.html", {
        "spec": spec, "versions": versions, "form": form, "can_edit": request.user.has_cap(Cap.MANAGE_POLICY),
    })


class HolidayForm(forms.Form):
    date = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    is_workday = forms.TypedChoiceField(label="类型", choices=[("0", "放假"), ("1", "调休上班")],
                                        coerce=lambda v: v == "1")
    name = forms.CharField(label="名称", max_length=32)
    source = forms.CharField(label="依据", max_length=128, initial="国务院办公厅关于节假日安排的通知")


@require_cap(Cap.VIEW_BUSINESS)
def holidays(request: AuthedRequest) -> HttpResponse:
    year = inputs.get_year(request, default=dates.today().year)
    form = HolidayForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_cap(Cap.MANAGE_POLICY):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied("只有区管理员可以维护节假日")
        if form.is_valid():
            d = form.cleaned_data
            Holiday.objects.update_or_create(date=d["date"], defaults={
                "is_workday": d["is_workday"], "name": d["name"], "source": d["source"]})
            dates.clear_calendar_cache()
            messages.success(request, "已保存")
            return redirect(f"{request.path}?year={d['date'].year}")
    days = Holiday.objects.filter(date__year=year)
    if listexport.requested(request):
        return listexport.response(request, what=f"{year}年节假日", headers=["日期", "名称", "调休上班", "依据"], rows=(
            [d.date, d.name, "是" if d.is_workday else "", d.source] for d in days))
    return render(request, "policy/holidays.html", {
        "days": days, "year": year, "form": form, "can_edit": request.user.has_cap(Cap.MANAGE_POLICY),
        "years": sorted({d.year for d in Holiday.objects.dates("date", "year")}),
    })
