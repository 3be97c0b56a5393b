"""Pages for township and village staff (phone-width friendly) and the district. Thin: parse, call a service,
render. Reads go through core.scoping only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from minzheng.accounts.decorators import require_cap
from minzheng.accounts.roles import Cap
from minzheng.audit.services import record_output
from minzheng.core import dates, excel, pdf
from minzheng.core.scoping import get_visible, visible, visible_divisions
from minzheng.regions.models import Division, Level
from minzheng.registry.models import Household

from . import indicators, relief, services, winter
from .models import (
    Allocation,
    CasualtyEntry,
    CasualtyStatus,
    DamageLevel,
    DisasterType,
    Distribution,
    DistributionLine,
    Event,
    EventStatus,
    HouseDamageEntry,
    Item,
    MoveKind,
    Report,
    ReportStatus,
    Round,
    RoundKind,
    Severity,
    SignMethod,
    ValidationRule,
    Warehouse,
    WinterCase,
    WinterRound,
    WinterSource,
    WinterStatus,
)
from .selectors import get_event, visible_events


def _errors_to_form(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for f, errs in exc.message_dict.items():
            form.add_error(f if f in form.fields else None, errs)
    else:
        form.add_error(None, exc.messages)


def _flash(request: HttpRequest, exc: ValidationError) -> None:
    msgs = [m for ms in exc.message_dict.values() for m in ms] if hasattr(exc, "error_dict") else exc.messages
    for m in msgs:
        messages.error(request, m)


def _ctx(**kw: Any) -> dict[str, Any]:
    return {"department": services.department(), **kw}


def _divisions(user: Any, *levels: str) -> Any:
    return visible_divisions(user).filter(level__in=levels).order_by("code")


# --- Events --------------------------------------------------------------------------------------------------


class EventForm(forms.Form):
    name = forms.CharField(label="灾害名称", max_length=100, help_text="如：2026年6月18日洪涝灾害")
    dtype = forms.ModelChoiceField(label="灾害类型", queryset=DisasterType.objects.filter(active=True))
    started_at = forms.DateTimeField(label="发生时间", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    severity = forms.ChoiceField(label="响应等级", choices=Severity.choices, initial=Severity.IV)
    is_major = forms.BooleanField(label="重大灾害（实行24小时零报告）", required=False)
    areas = forms.ModelMultipleChoiceField(label="受灾乡镇(街道)/村(社区)", queryset=Division.objects.none(),
                                           widget=forms.SelectMultiple(attrs={"size": 8}))
    description = forms.CharField(label="灾情概述", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *a: Any, user: Any, **kw: Any) -> None:
        super().__init__(*a, **kw)
        self.fields["areas"].queryset = _divisions(user, Level.TOWNSHIP, Level.VILLAGE)


@require_cap(Cap.VIEW_BUSINESS)
def events(request: HttpRequest) -> HttpResponse:
    now = dates.now()
    rows = []
    for ev in visible_events(request.user)[:200]:
        late = services.overdue_initial(ev, now=now) if ev.status != EventStatus.CLOSED else []
        rows.append({"event": ev, "late": [d for d in late if d in services.affected_townships(ev)]})
    form = EventForm(user=request.user) if request.user.has_cap(Cap.EDIT_BUSINESS) else None
    return render(request, "disaster/events.html", _ctx(rows=rows, form=form))


@require_cap(Cap.EDIT_BUSINESS)
def event_new(request: HttpRequest) -> HttpResponse:
    form = EventForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            ev = services.register_event(actor=request.user, name=d["name"], dtype=d["dtype"],
                                         started_at=d["started_at"], areas=d["areas"], severity=d["severity"],
                                         is_major=d["is_major"], description=d["description"])
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, "已登记灾害过程，初报期次已开启")
            return redirect("disaster:event", event_id=ev.pk)
    return render(request, "disaster/event_new.html", _ctx(form=form))


@require_cap(Cap.VIEW_BUSINESS)
def event(request: HttpRequest, event_id: int) -> HttpResponse:
    ev = get_event(request.user, event_id)
    user = request.user
    now = dates.now()
    mine = set(_divisions(user, Level.TOWNSHIP).values_list("pk", flat=True))
    towns = [t for t in services.affected_townships(ev) if t.pk in mine]
    if user.division and user.division.level == Level.VILLAGE:
        towns = []
    rounds = services.event_rounds(ev)
    dues = services.dues(ev, now=now, townships=towns)
    grid = [{"town": t, "cells": [d for d in dues if d.division == t]} for t in towns]
    # Village rows are for the township and village staff; the district reads villages in the summary table.
    local = user.division is not None and user.division.level in (Level.TOWNSHIP, Level.VILLAGE)
    my_v = set(_divisions(user, Level.VILLAGE).values_list("pk", flat=True)) if local else set()
    my_villages = [v for v in services.affected_villages(ev) if v.pk in my_v]
    village_reports = {(r.round_id, r.division_id): r for r in visible(Report, user).filter(
        event=ev, division__level=Level.VILLAGE)}
    vgrid = [{"village": v, "cells": [{"round": r, "report": village_reports.get((r.pk, v.pk))} for r in rounds]}
             for v in my_villages]
    can_manage = user.has_cap(Cap.EDIT_BUSINESS) and services.in_scope(user, ev.division)
    sent = [d for d in dues if d.done]
    timeliness = {"expected": len(dues), "sent": len(sent), "on_time": sum(1 for d in sent if not d.overdue)}
    new_areas = (_divisions(user, Level.TOWNSHIP).exclude(pk__in=[t.pk for t in services.affected_townships(ev)])
                 if can_manage and ev.status == EventStatus.ONGOING else [])
    return render(request, "disaster/event.html", _ctx(
        event=ev, rounds=rounds, grid=grid, vgrid=vgrid, can_manage=can_manage, now=now, new_areas=new_areas,
        timeliness=timeliness,
        can_report=user.has_cap(Cap.EDIT_BUSINESS), next_due=services.next_update_due(ev, now=now),
        late_initial=[t for t in services.overdue_initial(ev, now=now) if t in towns],
        registers=services.register_counts(ev, user.division) if user.division else {},
    ))


@require_cap(Cap.EDIT_BUSINESS)
@require_POST
def event_action(request: HttpRequest, event_id: int) -> HttpResponse:
    ev = get_event(request.user, event_id)
    action = request.POST.get("action", "")
    try:
        if action == "update_round":
            services.open_update_round(actor=request.user, event=ev)
            messages.success(request, "已发起续报" + ("（24小时零报告）" if ev.is_major else ""))
        elif action == "stable":
            raw = request.POST.get("ended_at") or ""
            try:
                ended = dates.aware(dt.datetime.fromisoformat(raw)) if raw else dates.now()
            except ValueError:
                raise ValidationError({"ended_at": "稳定时间格式有误"}) from None
            rnd = services.mark_stable(actor=request.user, event=ev, ended_at=ended)
            messages.success(request, f"灾情已稳定，核报须在 {dates.local(rnd.due_at):%Y-%m-%d} 前报送")
        elif action == "add_areas":
            divs = list(_divisions(request.user, Level.TOWNSHIP, Level.VILLAGE).filter(
                pk__in=request.POST.getlist("areas")))
            n = services.add_areas(actor=request.user, event=ev, areas=divs)
            messages.success(request, f"已增加受灾区划 {n} 个")
        elif action == "open_report":
            rnd = Round.objects.get(event=ev, pk=request.POST.get("round"))
            div = visible_divisions(request.user).get(pk=request.POST.get("division"))
            rep = services.open_report(actor=request.user, round=rnd, division=div)
            return redirect("disaster:report", report_id=rep.pk)
        else:
            raise ValidationError("未知操作")
    except ValidationError as exc:
        _flash(request, exc)
    except (Round.DoesNotExist, Division.DoesNotExist, ValueError) as exc:
        raise Http404("记录不存在或不在您的辖区内") from exc
    return redirect("disaster:event", event_id=ev.pk)


def _round_of(request: HttpRequest, ev: Any) -> Round:
    rounds = services.event_rounds(ev)
    if not rounds:
        raise Http404("没有期次")
    want = request.GET.get("round")
    for r in rounds:
        if str(r.pk) == want:
            return r
    return rounds[-1]


@require_cap(Cap.VIEW_BUSINESS)
def summary(request: HttpRequest, event_id: int) -> HttpResponse:
    ev = get_event(request.user, event_id)
    rnd = _round_of(request, ev)
    towns = [t for t in services.affected_townships(ev) if t in _divisions(request.user, Level.TOWNSHIP)]
    s = services.summarise(rnd, towns)
    fmt = request.GET.get("format", "")
    title = f"{ev.name} {rnd} 灾情统计汇总表"
    dept = services.department()
    if fmt in ("xlsx", "pdf"):
        if not request.user.has_cap(Cap.EXPORT):
            raise PermissionDenied("您的角色没有导出权限")
        headers, rows = services.summary_table(s)
        record_output("export" if fmt == "xlsx" else "print", what=f"灾情汇总表 {ev.name} {rnd}", count=len(rows),
                      division_code=request.user.division.code, detail={"event": ev.pk, "round": rnd.pk})
        if fmt == "xlsx":
            data = excel.workbook_bytes([("灾情汇总", headers, rows)], title=f"{title}（主管部门：{dept}）")
            resp = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            resp["Content-Disposition"] = f"attachment; filename*=UTF-8''disaster-summary-{ev.pk}-{rnd.pk}.xlsx"
            return resp
        doc = pdf.Document(title, subtitle=f"主管部门：{dept}　统计截止 {dates.local(rnd.as_of):%Y-%m-%d %H:%M}",
                           landscape=True)
        _pdf_wide_table(doc, headers, rows)
        doc.signatures(["填报人", "审核人", "单位负责人(盖章)"])
        resp = HttpResponse(doc.render(), content_type="application/pdf")
        resp["Content-Disposition"] = f"inline; filename=disaster-summary-{ev.pk}-{rnd.pk}.pdf"
        return resp
    return render(request, "disaster/summary.html", _ctx(
        event=ev, round=rnd, rounds=services.event_rounds(ev), summary=s, indicators=indicators.INDICATORS,
        title=title))


def _pdf_wide_table(doc: pdf.Document, headers: list[str], rows: list[list[Any]]) -> None:
    """21 indicators do not fit one A4 width: print them in bands of 7 with the unit and status repeated."""
    per = 7
    bands = [[0, 1, *range(i, min(i + per, len(headers)))] for i in range(2, len(headers), per)]
    for cols in bands:
        hs = [headers[i] for i in cols]
        widths = [30, 18] + [(doc.epw - 48) / (len(cols) - 2)] * (len(cols) - 2)
        doc.table(hs, ([r[i] for i in cols] for r in rows), widths, font_size=7,
                  align=["L", "L"] + ["R"] * (len(cols) - 2))
        doc.ln(4)


# --- Reports -------------------------------------------------------------------------------------------------


def _report_fields(report: Report, values: dict[str, str], outcome: Any) -> list[dict[str, Any]]:
    by_field = outcome.by_field() if outcome else {}
    groups = []
    for g in indicators.GROUPS:
        inds = [{"ind": i, "value": values.get(i.code, ""), "findings": by_field.get(i.code, [])}
                for i in indicators.INDICATORS if i.group == g]
        groups.append({"name": g, "items": inds})
    return groups


@require_cap(Cap.VIEW_BUSINESS)
def report(request: HttpRequest, report_id: int) -> HttpResponse:
    rep = get_visible(Report.objects.select_related("round", "event", "division"), request.user, pk=report_id)
    user = request.user
    editable = (user.has_cap(Cap.EDIT_BUSINESS) and services.in_scope(user, rep.division)
                and rep.status in (ReportStatus.DRAFT, ReportStatus.RETURNED) and not rep.locked)
    outcome = services.validate(rep)
    if request.method == "POST":
        action = request.POST.get("action", "save")
        try:
            if action in ("save", "submit", "nil", "villages"):
                if not editable:
                    raise PermissionDenied("该报告当前不能修改")
                raw = {c: request.POST.get(c, "") for c in indicators.CODES}
                outcome = services.save_report(actor=user, report=rep, values=raw,
                                               explanation=request.POST.get("explanation", ""),
                                               nil=action == "nil", from_villages=action == "villages")
                if action in ("submit", "nil"):
                    services.submit_report(actor=user, report=rep)
                    messages.success(request, "已报送，等待上级审核")
                    return redirect("disaster:report", report_id=rep.pk)
                messages.success(request, "已保存草稿" + ("，仍有错误须改正后才能报送" if outcome.errors else ""))
                return redirect("disaster:report", report_id=rep.pk)
            if action == "approve":
                services.approve_report(actor=user, report=rep)
                messages.success(request, "已审核通过")
            elif action == "return":
                services.return_report(actor=user, report=rep, reason=request.POST.get("reason", ""))
                messages.success(request, "已退回")
            return redirect("disaster:report", report_id=rep.pk)
        except ValidationError as exc:
            _flash(request, exc)
            rep.refresh_from_db()
            outcome = services.validate(rep)
    prev = services.previous_report(rep)
    village_tot, n_villages = (services.village_total(rep) if rep.division.level == Level.TOWNSHIP else ({}, 0))
    return render(request, "disaster/report.html", _ctx(
        report=rep, groups=_report_fields(rep, rep.values, outcome), outcome=outcome, editable=editable,
        can_approve=services.can_approve(user, rep) and rep.status == ReportStatus.SUBMITTED,
        prev=prev, n_villages=n_villages, village_total=village_tot, is_township=rep.division.level == Level.TOWNSHIP,
    ))


@require_cap(Cap.VIEW_BUSINESS)
@require_POST
def report_validate(request: HttpRequest, report_id: int) -> HttpResponse:
    """HTMX: run the same rules on the figures being typed, and show each message beside its field."""
    rep = get_visible(Report.objects.select_related("round", "event", "division"), request.user, pk=report_id)
    values, parse_errors = indicators.clean_values({c: request.POST.get(c, "") for c in indicators.CODES})
    from .rules import Finding, Outcome

    outcome = services.validate(rep, values=values, explanation=request.POST.get("explanation", ""))
    for code, msg in parse_errors.items():
        outcome.findings.insert(0, Finding("parse", "error", msg, (code,)))
    return render(request, "disaster/_findings.html", {"outcome": outcome, "by_field": outcome.by_field(),
                                                         "codes": indicators.CODES, "oob": True,
                                                         "empty": Outcome()})


class RuleForm(forms.Form):
    code = forms.CharField(label="规则编号", max_length=48)
    name = forms.CharField(label="规则名称", max_length=100)
    expression = forms.CharField(label="表达式", max_length=500, help_text="如 crop_lost <= crop_damaged；逐项规则用 $")
    each = forms.CharField(label="逐项适用的指标(逗号分隔)", required=False, max_length=500)
    severity = forms.ChoiceField(label="级别", choices=[("error", "错误(阻止报送)"), ("warning", "警告")])
    message = forms.CharField(label="提示", max_length=200, help_text="逐项规则可用 {label}、{prev}")
    kinds = forms.MultipleChoiceField(label="适用报告类型(不选为全部)", required=False,
                                      choices=[(k.value, k.label) for k in RoundKind],
                                      widget=forms.CheckboxSelectMultiple)
    active = forms.BooleanField(label="启用", required=False, initial=True)
    source = forms.CharField(label="依据", required=False, max_length=200)


@require_cap(Cap.VIEW_BUSINESS)
def rules_page(request: HttpRequest) -> HttpResponse:
    can_edit = request.user.has_cap(Cap.MANAGE_POLICY)
    initial = {}
    if request.GET.get("edit"):
        r = ValidationRule.objects.filter(code=request.GET["edit"]).first()
        if r is not None:
            initial = {"code": r.code, "name": r.name, "expression": r.expression, "each": ",".join(r.each),
                       "severity": r.severity, "message": r.message, "kinds": r.kinds, "active": r.active,
                       "source": r.source}
    form = RuleForm(request.POST or None, initial=initial or {"active": True})
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("只有区管理员可以维护灾情校验规则")
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.save_rule(actor=request.user, code=d["code"], name=d["name"], expression=d["expression"],
                                   severity=d["severity"], message=d["message"], kinds=d["kinds"],
                                   each=[c.strip() for c in d["each"].replace("，", ",").split(",")],
                                   active=d["active"], source=d["source"])
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, "已保存校验规则")
                return redirect("disaster:rules")
    return render(request, "disaster/rules.html", _ctx(rules=ValidationRule.objects.all(), form=form,
                                                        can_edit=can_edit, indicators=indicators.INDICATORS))


# --- Registers -----------------------------------------------------------------------------------------------


class CasualtyForm(forms.Form):
    division = forms.ModelChoiceField(label="村(社区)", queryset=Division.objects.none())
    name = forms.CharField(label="姓名", max_length=64)
    status = forms.ChoiceField(label="类别", choices=CasualtyStatus.choices)
    sex = forms.ChoiceField(label="性别", choices=[("", "—"), ("1", "男"), ("2", "女")], required=False)
    age = forms.IntegerField(label="年龄", required=False, min_value=0, max_value=150)
    id_number = forms.CharField(label="公民身份号码", required=False, max_length=18)
    occurred_on = forms.DateField(label="发生日期", widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label="地点", required=False, max_length=100)
    cause = forms.CharField(label="原因", required=False, max_length=100)


class HouseForm(forms.Form):
    division = forms.ModelChoiceField(label="村(社区)", queryset=Division.objects.none())
    head_name = forms.CharField(label="户主姓名", max_length=64)
    level = forms.ChoiceField(label="损坏程度", choices=DamageLevel.choices)
    rooms = forms.IntegerField(label="间数", min_value=1)
    address = forms.CharField(label="住址", required=False, max_length=200)


@require_cap(Cap.VIEW_BUSINESS)
def registers(request: HttpRequest, event_id: int) -> HttpResponse:
    ev = get_event(request.user, event_id)
    user = request.user
    villages = [v.pk for v in services.affected_villages(ev)]
    vqs = _divisions(user, Level.VILLAGE).filter(pk__in=villages)
    cform = CasualtyForm(request.POST if request.POST.get("kind") == "casualty" else None, prefix="c")
    hform = HouseForm(request.POST if request.POST.get("kind") == "house" else None, prefix="h")
    cform.fields["division"].queryset = vqs
    hform.fields["division"].queryset = vqs
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
                _errors_to_form(form, exc)
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
    towns = [t for t in services.affected_townships(ev) if services.in_scope(user, t)]
    return render(request, "disaster/registers.html", _ctx(
        event=ev, cas=cas_rows, houses=houses, cform=cform, hform=hform,
        can_edit=user.has_cap(Cap.EDIT_BUSINESS), checks=services.register_reconciliation(ev, towns),
        counts=services.register_counts(ev, user.division)))


def _registers_export(request: HttpRequest, ev: Any, cas: list[CasualtyEntry], houses: list[HouseDamageEntry],
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
                  division_code=user.division.code, detail={"event": ev.pk})
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


# --- Warehouses and stock ------------------------------------------------------------------------------------


class WarehouseForm(forms.Form):
    name = forms.CharField(label="仓库名称", max_length=64)
    division = forms.ModelChoiceField(label="所属区划", queryset=Division.objects.none())
    address = forms.CharField(label="地址", required=False, max_length=200)
    keeper = forms.CharField(label="保管员", required=False, max_length=32)


class MoveForm(forms.Form):
    item = forms.ModelChoiceField(label="物资", queryset=Item.objects.filter(active=True))
    kind = forms.ChoiceField(label="类型", choices=[(k.value, k.label) for k in MoveKind if k != MoveKind.ALLOCATE])
    quantity = forms.DecimalField(label="数量", min_value=Decimal("0.01"), decimal_places=2)
    moved_on = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    doc_no = forms.CharField(label="单据号", required=False, max_length=32)
    counterpart = forms.CharField(label="来源/去向", required=False, max_length=100)
    note = forms.CharField(label="备注", required=False, max_length=200)


@require_cap(Cap.VIEW_BUSINESS)
def warehouses(request: HttpRequest) -> HttpResponse:
    form = WarehouseForm(request.POST or None)
    form.fields["division"].queryset = _divisions(request.user, Level.COUNTY, Level.TOWNSHIP)
    if request.method == "POST":
        if not request.user.has_cap(Cap.EDIT_BUSINESS):
            raise PermissionDenied("您的角色没有录入权限")
        if form.is_valid():
            try:
                w = relief.create_warehouse(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                return redirect("disaster:warehouse", warehouse_id=w.pk)
    rows = [{"w": w, "levels": relief.stock_levels(w)} for w in visible(Warehouse, request.user)]
    return render(request, "disaster/warehouses.html", _ctx(rows=rows, form=form,
                                                             can_edit=request.user.has_cap(Cap.EDIT_BUSINESS)))


@require_cap(Cap.VIEW_BUSINESS)
def warehouse(request: HttpRequest, warehouse_id: int) -> HttpResponse:
    w = get_visible(Warehouse, request.user, pk=warehouse_id)
    form = MoveForm(request.POST or None, initial={"moved_on": dates.today()})
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                fn = relief.stock_in if d["kind"] in {k.value for k in relief.IN_KINDS} else relief.stock_out
                fn(actor=request.user, warehouse=w, **d)
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, "已记账")
                return redirect("disaster:warehouse", warehouse_id=w.pk)
    item = Item.objects.filter(code=request.GET.get("item", "")).first()
    card = relief.stock_card(w, item) if item else []
    return render(request, "disaster/warehouse.html", _ctx(
        w=w, levels=relief.stock_levels(w), form=form, item=item, card=card,
        rec=relief.reconcile_warehouse(w), can_edit=request.user.has_cap(Cap.EDIT_BUSINESS)))


class AllocationForm(forms.Form):
    item = forms.ModelChoiceField(label="物资", queryset=Item.objects.filter(active=True))
    quantity = forms.DecimalField(label="数量", min_value=Decimal("0.01"), decimal_places=2)
    division = forms.ModelChoiceField(label="分配给", queryset=Division.objects.none())
    warehouse = forms.ModelChoiceField(label="出库仓库", queryset=Warehouse.objects.none(), required=False)
    parent = forms.ModelChoiceField(label="或从乡镇分配中下拨", queryset=Allocation.objects.none(), required=False)
    allocated_on = forms.DateField(label="分配日期", widget=forms.DateInput(attrs={"type": "date"}))
    purpose = forms.CharField(label="用途", required=False, max_length=200)


@require_cap(Cap.VIEW_BUSINESS)
def allocations(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = AllocationForm(request.POST or None, initial={"allocated_on": dates.today()})
    form.fields["division"].queryset = _divisions(user, Level.TOWNSHIP, Level.VILLAGE)
    form.fields["warehouse"].queryset = visible(Warehouse, user)
    form.fields["parent"].queryset = visible(Allocation, user).filter(division__level=Level.TOWNSHIP)
    if request.method == "POST":
        if not user.has_cap(Cap.EDIT_BUSINESS):
            raise PermissionDenied("您的角色没有录入权限")
        if form.is_valid():
            try:
                relief.allocate(actor=user, **form.cleaned_data)
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, "已分配")
                return redirect("disaster:allocations")
    rows = visible(Allocation, user).select_related("division", "item", "warehouse", "parent__division")[:300]
    return render(request, "disaster/allocations.html", _ctx(rows=rows, form=form,
                                                              can_edit=user.has_cap(Cap.EDIT_BUSINESS)))


# --- Distributions ------------------------------------------------------------------------------------------


class DistributionForm(forms.Form):
    title = forms.CharField(label="发放名称", max_length=100)
    division = forms.ModelChoiceField(label="发放单位", queryset=Division.objects.none())
    distributed_on = forms.DateField(label="发放日期", widget=forms.DateInput(attrs={"type": "date"}))
    event = forms.ModelChoiceField(label="灾害过程", queryset=Event.objects.none(), required=False)
    allow_repeat = forms.BooleanField(label="允许同户多次领取", required=False)


class LineForm(forms.Form):
    household = forms.IntegerField(label="家庭编号", widget=forms.HiddenInput)
    item = forms.ModelChoiceField(label="物资", queryset=Item.objects.filter(active=True))
    quantity = forms.DecimalField(label="数量", min_value=Decimal("0.01"), decimal_places=2)
    signed = forms.BooleanField(label="本人签字/按手印", required=False)
    sign_method = forms.ChoiceField(label="签收方式", choices=SignMethod.choices, required=False)
    signer_name = forms.CharField(label="签字(按手印)人姓名", required=False, max_length=64)
    photo = forms.FileField(label="照片(可选)", required=False)
    repeat_reason = forms.CharField(label="再次领取原因", required=False, max_length=100)


@require_cap(Cap.VIEW_BUSINESS)
def distributions(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = DistributionForm(request.POST or None, initial={"distributed_on": dates.today()})
    form.fields["division"].queryset = _divisions(user, Level.TOWNSHIP, Level.VILLAGE)
    form.fields["event"].queryset = visible_events(user)
    if request.method == "POST":
        if not user.has_cap(Cap.EDIT_BUSINESS):
            raise PermissionDenied("您的角色没有录入权限")
        if form.is_valid():
            try:
                dist = relief.create_distribution(actor=user, **form.cleaned_data)
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                return redirect("disaster:distribution", distribution_id=dist.pk)
    rows = visible(Distribution, user).select_related("division", "event")[:300]
    return render(request, "disaster/distributions.html", _ctx(rows=rows, form=form,
                                                                can_edit=user.has_cap(Cap.EDIT_BUSINESS)))


@require_cap(Cap.VIEW_BUSINESS)
def distribution(request: HttpRequest, distribution_id: int) -> HttpResponse:
    user = request.user
    dist = get_visible(Distribution.objects.select_related("division", "event"), user, pk=distribution_id)
    form = LineForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        action = request.POST.get("action", "line")
        try:
            if action == "publish":
                relief.publish(actor=user, distribution=dist, published=request.POST.get("on") == "1")
                messages.success(request, "已更新公示状态")
                return redirect("disaster:distribution", distribution_id=dist.pk)
            if action == "close":
                relief.close_distribution(actor=user, distribution=dist)
                return redirect("disaster:distribution", distribution_id=dist.pk)
            if not user.has_cap(Cap.EDIT_BUSINESS):
                raise PermissionDenied("您的角色没有录入权限")
            if form.is_valid():
                d = form.cleaned_data
                hh = get_visible(Household.objects.select_related("division"), user, pk=d["household"])
                relief.add_line(actor=user, distribution=dist, household=hh, item=d["item"],
                                quantity=d["quantity"], repeat_reason=d["repeat_reason"],
                                sign_method=(d["sign_method"] or SignMethod.SIGNATURE) if d["signed"] else "",
                                signer_name=d["signer_name"], photo=d["photo"])
                messages.success(request, "已登记发放")
                return redirect("disaster:distribution", distribution_id=dist.pk)
        except ValidationError as exc:
            _errors_to_form(form, exc)
    q = request.GET.get("q", "").strip()
    candidates = []
    if q:
        candidates = list(visible(Household, user).filter(division__path__startswith=dist.division.path)
                          .filter(head__name__contains=q).select_related("head", "division")[:20])
    lines = dist.lines.select_related("household__head", "household__division", "item")
    return render(request, "disaster/distribution.html", _ctx(
        dist=dist, lines=lines, form=form, q=q, candidates=candidates, rec=relief.reconcile_distribution(dist),
        can_edit=user.has_cap(Cap.EDIT_BUSINESS) and dist.status == "open"))


@require_cap(Cap.EDIT_BUSINESS)
@require_POST
def line_sign(request: HttpRequest, distribution_line_id: int) -> HttpResponse:
    line = get_visible(DistributionLine.objects.select_related("distribution"), request.user,
                       pk=distribution_line_id)
    if not request.POST.get("signed"):
        messages.error(request, "请勾选“本人签字/按手印”")
    else:
        try:
            relief.sign_line(actor=request.user, line=line, method=request.POST.get("sign_method") or "sign",
                             signer_name=request.POST.get("signer_name", ""), photo=request.FILES.get("photo"))
            messages.success(request, "已记录签收")
        except ValidationError as exc:
            _flash(request, exc)
    return redirect("disaster:distribution", distribution_id=line.distribution_id)


@require_cap(Cap.EXPORT)
def roster_pdf(request: HttpRequest, distribution_id: int) -> HttpResponse:
    """签领花名册: one row per line with an empty signature column for paper signing."""
    dist = get_visible(Distribution.objects.select_related("division"), request.user, pk=distribution_id)
    lines = list(dist.lines.select_related("household__head", "household__division", "item"))
    doc = pdf.Document(f"{dist.title} 救灾物资发放签领表",
                       subtitle=f"{dist.division.full_name}　发放日期 {dist.distributed_on:%Y-%m-%d}　"
                                f"主管部门：{services.department()}")
    # One row per household, all its items together, so each family signs once on paper.
    by_hh: dict[int, dict[str, Any]] = {}
    for ln in lines:
        row = by_hh.setdefault(ln.household_id, {
            "head": ln.household.head.name if ln.household.head_id and ln.household.head else "",
            "village": ln.household.division.name, "items": [], "signed": []})
        row["items"].append(f"{ln.item.name}{ln.quantity.normalize():f}{ln.item.unit}")
        if ln.signed:
            row["signed"].append(f"{ln.get_sign_method_display()} {ln.signer_name}")
    rows = [[i, r["head"], r["village"], "、".join(r["items"]), "；".join(dict.fromkeys(r["signed"])), ""]
            for i, r in enumerate(by_hh.values(), 1)]
    doc.table(["序号", "户主", "村(社区)", "领取物资及数量", "已登记签收", "领取人签字(手印)"], rows,
              [12, 22, 32, 52, 30, 42], row_height=10)
    doc.signatures(["发放人", "监督人", "村(居)委会(盖章)"])
    record_output("print", what=f"物资发放签领表 {dist.title}", count=len(rows), division_code=dist.division.code)
    resp = HttpResponse(doc.render(), content_type="application/pdf")
    resp["Content-Disposition"] = f"inline; filename=roster-{dist.pk}.pdf"
    return resp


@require_cap(Cap.VIEW_BUSINESS)
def reconciliation(request: HttpRequest, distribution_id: int) -> HttpResponse:
    dist = get_visible(Distribution.objects.select_related("division"), request.user, pk=distribution_id)
    return render(request, "disaster/reconciliation.html", _ctx(dist=dist, rec=relief.reconcile_distribution(dist)))


# --- 冬春救助 -------------------------------------------------------------------------------------------------


class WinterCaseForm(forms.Form):
    household = forms.IntegerField(widget=forms.HiddenInput)
    source = forms.ChoiceField(label="来源", choices=WinterSource.choices)
    persons = forms.IntegerField(label="需救助人数", min_value=1)
    reasons = forms.MultipleChoiceField(label="困难原因", choices=[(r, r) for r in winter.REASONS],
                                        widget=forms.CheckboxSelectMultiple, required=False)
    needs = forms.MultipleChoiceField(label="救助需求", choices=[(r, r) for r in winter.NEEDS],
                                      widget=forms.CheckboxSelectMultiple, required=False)
    amount_requested = forms.DecimalField(label="测算金额(元)", min_value=0, decimal_places=2, initial=0)
    surveyed_on = forms.DateField(label="调查日期", widget=forms.DateInput(attrs={"type": "date"}))


@require_cap(Cap.VIEW_BUSINESS)
def winter_rounds(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            r = winter.open_round(actor=request.user, year=int(request.POST.get("year") or 0))
        except (ValidationError, ValueError) as exc:
            if isinstance(exc, ValidationError):
                _flash(request, exc)
        else:
            return redirect("disaster:winter_round", winter_round_id=r.pk)
    return render(request, "disaster/winter_rounds.html", _ctx(
        rounds=WinterRound.objects.all(), can_open=request.user.has_cap(Cap.APPROVE),
        year=dates.today().year))


@require_cap(Cap.VIEW_BUSINESS)
def winter_round(request: HttpRequest, winter_round_id: int) -> HttpResponse:
    user = request.user
    rnd = WinterRound.objects.filter(pk=winter_round_id).first()
    if rnd is None:
        raise Http404("记录不存在")
    form = WinterCaseForm(request.POST or None, initial={"surveyed_on": dates.today()})
    if request.method == "POST":
        if not user.has_cap(Cap.EDIT_BUSINESS):
            raise PermissionDenied("您的角色没有录入权限")
        action = request.POST.get("action", "add")
        try:
            if action == "notice":
                ids = request.POST.getlist("case")
                cases = list(visible(WinterCase, user).filter(round=rnd, pk__in=ids))
                n = winter.start_notice(actor=user, cases=cases,
                                        start=dt.date.fromisoformat(request.POST.get("start") or
                                                                    str(dates.today())))
                messages.success(request, f"已开始公示 {n} 户")
                return redirect("disaster:winter_round", winter_round_id=rnd.pk)
            if form.is_valid():
                d = form.cleaned_data
                hh = get_visible(Household.objects.select_related("division"), user, pk=d.pop("household"))
                c = winter.add_case(actor=user, round=rnd, household=hh, **d)
                return redirect("disaster:winter_case", winter_case_id=c.pk)
        except ValidationError as exc:
            _errors_to_form(form, exc)
    cases = list(visible(WinterCase, user).filter(round=rnd).select_related("household__head",
                                                                            "household__division__parent"))
    if request.GET.get("format") == "xlsx":
        return _winter_export(request, rnd, cases)
    q = request.GET.get("q", "").strip()
    candidates = list(visible(Household, user).filter(head__name__contains=q)
                      .select_related("head", "division")[:20]) if q else []
    return render(request, "disaster/winter_round.html", _ctx(
        rnd=rnd, cases=cases, totals=winter.totals_by_township(cases), form=form, q=q, candidates=candidates,
        can_edit=user.has_cap(Cap.EDIT_BUSINESS)))


def _winter_export(request: HttpRequest, rnd: WinterRound, cases: list[WinterCase]) -> HttpResponse:
    """受灾人员冬春生活政府救助人口台账 and the per-township totals."""
    if not request.user.has_cap(Cap.EXPORT):
        raise PermissionDenied("您的角色没有导出权限")
    heads = ["乡镇(街道)", "村(社区)", "户主", "来源", "需救助人数", "困难原因", "救助需求", "测算金额(元)", "状态",
             "审批金额(元)"]
    rows = [[c.household.division.parent.name if c.household.division.parent else "", c.household.division.name,
             c.household.head.name if c.household.head else "", c.get_source_display(), c.persons,
             "、".join(c.reasons), "、".join(c.needs), float(c.amount_requested), c.get_status_display(),
             float(c.amount_approved) if c.amount_approved is not None else ""] for c in cases]
    tot_heads = ["乡镇(街道)", "调查户数", "人数", "测算金额(元)", "批准户数", "批准人数", "批准金额(元)"]
    tots = [[t["township"].name, t["households"], t["persons"], float(t["requested"]), t["approved_households"],
             t["approved_persons"], float(t["approved"])] for t in winter.totals_by_township(cases)]
    record_output("export", what=f"冬春救助名单 {rnd.year}", count=len(rows), division_code=request.user.division.code)
    data = excel.workbook_bytes([("救助对象", heads, rows), ("分乡镇统计", tot_heads, tots)],
                                title=f"{rnd.title}（主管部门：{services.department()}）")
    resp = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''winter-{rnd.year}.xlsx"
    return resp


@require_cap(Cap.VIEW_BUSINESS)
def winter_case(request: HttpRequest, winter_case_id: int) -> HttpResponse:
    user = request.user
    case = get_visible(WinterCase.objects.select_related("round", "household__head", "household__division"), user,
                       pk=winter_case_id)
    if request.method == "POST":
        p = request.POST
        action = p.get("action", "")
        try:
            if action == "evaluate":
                winter.record_evaluation(actor=user, case=case, held_on=dt.date.fromisoformat(p.get("held_on", "")),
                                         attendees=int(p.get("attendees") or 0),
                                         votes_for=int(p.get("votes_for") or 0), passed=p.get("passed") == "1")
            elif action == "notice":
                winter.start_notice(actor=user, cases=[case], start=dt.date.fromisoformat(p.get("start", "")))
            elif action == "township":
                winter.township_review(actor=user, case=case, ok=p.get("ok") == "1", opinion=p.get("opinion", ""))
            elif action == "district":
                winter.district_approve(actor=user, case=case, ok=p.get("ok") == "1", amount=p.get("amount"),
                                        reason=p.get("reason", ""))
            else:
                raise ValidationError("未知操作")
            messages.success(request, "已保存")
        except ValidationError as exc:
            _flash(request, exc)
        except ValueError:
            messages.error(request, "日期或数字格式有误")
        return redirect("disaster:winter_case", winter_case_id=case.pk)
    from minzheng.registry.masking import shown

    return render(request, "disaster/winter_case.html", _ctx(
        case=case, phone=shown(user, case.household.phone, "phone"), S=WinterStatus,
        today=dates.today(), can_edit=user.has_cap(Cap.EDIT_BUSINESS),
        can_approve=user.has_cap(Cap.APPROVE)))

