"""Disaster events (灾害过程): the list, registration, one event's rounds and deadlines, and the summary table."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from minzheng.accounts.actor import Actor, AuthedRequest
from minzheng.accounts.decorators import require_cap
from minzheng.accounts.roles import Cap
from minzheng.audit.services import record_output
from minzheng.core import dates, excel, listexport, pdf
from minzheng.core.forms import add_errors_to_form, flash_errors
from minzheng.core.scoping import in_scope, visible, visible_divisions
from minzheng.regions.models import Division, Level
from minzheng.regions.picker import DivisionMultipleField, DivisionSelectMultiple

from .. import indicators, services
from ..models import DisasterType, Event, EventStatus, Report, Round, Severity
from ..selectors import get_event, visible_events
from .common import _ctx, _division_code, _divisions


class EventForm(forms.Form):
    name = forms.CharField(label="灾害名称", max_length=100, help_text="如：2026年6月18日洪涝灾害")
    dtype = forms.ModelChoiceField(label="灾害类型", queryset=DisasterType.objects.filter(active=True))
    started_at = forms.DateTimeField(label="发生时间", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    severity = forms.ChoiceField(label="响应等级", choices=Severity.choices, initial=Severity.IV)
    is_major = forms.BooleanField(label="重大灾害（实行24小时零报告）", required=False)
    areas = DivisionMultipleField(label="受灾乡镇(街道)/村(社区)", queryset=Division.objects.none(),
                                  widget=DivisionSelectMultiple(attrs={"size": 8}))
    description = forms.CharField(label="灾情概述", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *a: Any, user: Actor, **kw: Any) -> None:
        super().__init__(*a, **kw)
        self.fields["areas"].queryset = _divisions(user, Level.TOWNSHIP, Level.VILLAGE)  # type: ignore[attr-defined]  # stubs: base Field


@require_cap(Cap.VIEW_BUSINESS)
def events(request: AuthedRequest) -> HttpResponse:
    now = dates.now()
    rows = []
    exported: list[tuple[Event, list[Division]]] = []
    for ev in visible_events(request.user)[:200]:
        late = services.overdue_initial(ev, now=now) if ev.status != EventStatus.CLOSED else []
        late = [d for d in late if d in services.affected_townships(ev)]
        rows.append({"event": ev, "late": late})
        exported.append((ev, late))
    if listexport.requested(request):
        return listexport.response(request, what="灾情报告", headers=[
            "灾害名称", "灾害类型", "响应等级", "发生时间", "登记时间", "状态", "受灾乡镇(街道)", "初报逾期乡镇"],
            rows=(_event_row(ev, late) for ev, late in exported))
    form = EventForm(user=request.user) if request.user.has_cap(Cap.EDIT_BUSINESS) else None
    return render(request, "disaster/events.html", _ctx(rows=rows, form=form))


def _event_row(ev: Event, late: list[Division]) -> list[str]:
    return [ev.name, str(ev.dtype), ev.get_severity_display(), f"{dates.local(ev.started_at):%Y-%m-%d %H:%M}",
            f"{dates.local(ev.registered_at):%Y-%m-%d %H:%M}", ev.get_status_display(),
            "、".join(d.name for d in services.affected_townships(ev)), "、".join(d.name for d in late)]


@require_cap(Cap.EDIT_BUSINESS)
def event_new(request: AuthedRequest) -> HttpResponse:
    form = EventForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            ev = services.register_event(actor=request.user, name=d["name"], dtype=d["dtype"],
                                         started_at=d["started_at"], areas=d["areas"], severity=d["severity"],
                                         is_major=d["is_major"], description=d["description"])
        except ValidationError as exc:
            add_errors_to_form(form, exc)
        else:
            messages.success(request, "已登记灾害过程，初报期次已开启")
            return redirect("disaster:event", event_id=ev.pk)
    return render(request, "disaster/event_new.html", _ctx(form=form))


@require_cap(Cap.VIEW_BUSINESS)
def event(request: AuthedRequest, event_id: int) -> HttpResponse:
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
    can_manage = user.has_cap(Cap.EDIT_BUSINESS) and in_scope(user, ev.division)
    sent = [d for d in dues if d.done]
    timeliness = {"expected": len(dues), "sent": len(sent),
                  "on_time": sum(1 for d in sent if d.report and d.report.on_time)}
    new_areas = (_divisions(user, Level.TOWNSHIP).exclude(pk__in=[t.pk for t in services.affected_townships(ev)])
                 if can_manage and ev.status == EventStatus.ONGOING else [])
    return render(request, "disaster/event.html", _ctx(
        event=ev, rounds=rounds, grid=grid, vgrid=vgrid, now=now, new_areas=new_areas,
        timeliness=timeliness,
        can_report=user.has_cap(Cap.EDIT_BUSINESS), next_due=services.next_update_due(ev, now=now),
        late_initial=[t for t in services.overdue_initial(ev, now=now) if t in towns],
        registers=services.register_counts(ev, user.division) if user.division else {},
    ))


@require_cap(Cap.EDIT_BUSINESS)
@require_POST
def event_action(request: AuthedRequest, event_id: int) -> HttpResponse:
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
            rnd = Round.objects.get(event=ev, pk=request.POST.get("round", ""))
            div = visible_divisions(request.user).get(pk=request.POST.get("division", ""))
            rep = services.open_report(actor=request.user, round=rnd, division=div)
            return redirect("disaster:report", report_id=rep.pk)
        else:
            raise ValidationError("未知操作")
    except ValidationError as exc:
        flash_errors(request, exc)
    except (Round.DoesNotExist, Division.DoesNotExist, ValueError) as exc:
        raise Http404("记录不存在或不在您的辖区内") from exc
    return redirect("disaster:event", event_id=ev.pk)


def _round_of(request: AuthedRequest, ev: Any) -> Round:
    rounds = services.event_rounds(ev)
    if not rounds:
        raise Http404("没有期次")
    want = request.GET.get("round")
    for r in rounds:
        if str(r.pk) == want:
            return r
    return rounds[-1]


@require_cap(Cap.VIEW_BUSINESS)
def summary(request: AuthedRequest, event_id: int) -> HttpResponse:
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
                      division_code=_division_code(request.user), detail={"event": ev.pk, "round": rnd.pk})
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
