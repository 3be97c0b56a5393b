"""Assessment (考核): the yearly scheme, scores, targets and awards, and the coordinators' meetings and checks."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from minzheng.accounts.actor import AuthedRequest
from minzheng.accounts.decorators import require_cap
from minzheng.accounts.roles import Cap
from minzheng.core import inputs, listexport
from minzheng.core.scoping import get_visible, home_division, visible, visible_divisions
from minzheng.regions.models import Division, Level

from .. import assessment as assess
from .. import charts
from ..models import (
    AssessmentScheme,
    Award,
    CoordinatorMeeting,
    Indicator,
    IndicatorScore,
    StaffMember,
    TownshipResult,
    TownshipTarget,
)
from .common import _can_edit, _is_county, _today, _townships, _year


def _township_id(request: AuthedRequest) -> int:
    return inputs.form_id(request.POST, "township", label="乡镇(街道)")


@require_cap(Cap.VIEW_DASHBOARD)
def assessment_page(request: AuthedRequest) -> HttpResponse:
    # The county's 考核细则 is sent down to every township: reference data, like a parameter. Township rows
    # (scores, results, targets, awards) are read through visible().
    schemes = AssessmentScheme.objects.filter(division__level=Level.COUNTY).order_by("-year")
    if request.method == "POST":
        if not (_can_edit(request.user) and _is_county(request.user)):
            raise PermissionDenied("考核方案由区民政局制定")
        try:
            year = inputs.form_int(request.POST, "year", label="年度", lo=inputs.MIN_YEAR, hi=inputs.MAX_YEAR)
            s = assess.create_scheme(year=year, division=home_division(request.user), actor=request.user)
        except (ValueError, ValidationError) as exc:
            messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, "已下达年度考核方案")
            return redirect("workforce:assessment_year", assess_year=s.year)
    if listexport.requested(request):
        return listexport.response(request, what="考核与表彰", headers=[
            "类别", "年度", "名称/荣誉", "单位", "个人", "下达/颁发日期", "评分日期", "状态/奖励"], rows=[
            *(["考核方案", s.year, s.title, s.division.name, "", s.published_on, s.scored_on,
               "已定稿" if s.finalized else "未定稿"] for s in schemes.select_related("division")),
            *(["表彰", a.year, a.title, a.division.name, a.staff.name if a.staff else "", a.date, "", a.reward]
              for a in visible(Award, request.user).select_related("division", "staff"))])
    awards = visible(Award, request.user).select_related("division", "staff")[:30]
    return render(request, "workforce/assessment.html", {
        "schemes": schemes, "awards": awards, "can_manage": _can_edit(request.user) and _is_county(request.user),
        "next_year": _today().year + (1 if _today().month >= 11 else 0)})


@require_cap(Cap.VIEW_DASHBOARD)
def assessment_year(request: AuthedRequest, assess_year: int) -> HttpResponse:
    scheme = AssessmentScheme.objects.filter(division__level=Level.COUNTY, year=assess_year).first()
    if scheme is None:
        raise Http404("该年度没有考核方案")
    user = request.user
    can_manage = (_can_edit(user) and _is_county(user)
                  and scheme.division.path.startswith(home_division(user).path))
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied("考核由区民政局组织")
        action = request.POST.get("action")
        try:
            if action == "score":
                assess.score_scheme(scheme=scheme, actor=user)
                messages.success(request, "已完成年终评分和排名")
            elif action == "finalize":
                assess.finalize(scheme=scheme, actor=user)
                messages.success(request, "考核结果已定稿")
            elif action == "manual":
                ind = scheme.indicators.get(pk=inputs.form_id(request.POST, "indicator", label="考核指标"))
                town = visible_divisions(user).get(pk=_township_id(request), level=Level.TOWNSHIP)
                score = inputs.form_decimal(request.POST, "score", label="评分", lo=Decimal(0), hi=Decimal(100))
                assess.set_manual_score(actor=user, indicator=ind, township=town, score=score or Decimal(0),
                                        note=request.POST.get("note", ""))
                messages.success(request, "已录入评分")
            elif action == "target":
                ind = scheme.indicators.get(pk=inputs.form_id(request.POST, "indicator", label="考核指标"))
                town = visible_divisions(user).get(pk=_township_id(request), level=Level.TOWNSHIP)
                target = inputs.form_decimal(request.POST, "target", label="目标值", lo=Decimal(-10**9),
                                             hi=Decimal(10**9), required=False)
                assess.set_target(actor=user, indicator=ind, township=town, target=target,
                                  task=request.POST.get("task", ""))
                messages.success(request, "已下达目标")
            elif action == "award":
                town = visible_divisions(user).get(pk=_township_id(request))
                assess.give_award(actor=user, division=town, year=scheme.year, title=request.POST.get("title", ""),
                                  reward=request.POST.get("reward", ""), date=_today())
                messages.success(request, "已记录表彰")
        except (ValidationError, ValueError, InvalidOperation, Indicator.DoesNotExist, Division.DoesNotExist) as exc:
            messages.error(request, "; ".join(getattr(exc, "messages", ["输入有误"])))
        return redirect("workforce:assessment_year", assess_year=scheme.year)
    indicators = list(scheme.indicators.all())
    towns = _townships(user)
    scores = {(s.indicator_id, s.township_id): s for s in visible(IndicatorScore, user).filter(indicator__scheme=scheme)}
    targets = {(t.indicator_id, t.township_id): t for t in
               visible(TownshipTarget, user).filter(indicator__scheme=scheme)}
    results = {r.township_id: r for r in visible(TownshipResult, user).filter(scheme=scheme)}
    table: list[dict[str, Any]] = [{"town": t, "result": results.get(t.pk),
              "cells": [{"ind": i, "score": scores.get((i.pk, t.pk)), "target": targets.get((i.pk, t.pk))}
                        for i in indicators]} for t in towns]
    table.sort(key=lambda r: (r["result"] is None or r["result"].rank is None,
                              r["result"].rank if r["result"] and r["result"].rank else 0, r["town"].code))
    ranked = [r["result"] for r in table if r["result"] and r["result"].total is not None]
    return render(request, "workforce/assessment_year.html", {
        "scheme": scheme, "indicators": indicators, "table": table, "can_manage": can_manage,
        "towns": towns, "weight_sum": sum(i.weight for i in indicators),
        "chart": charts.assessment_chart(sorted(ranked, key=lambda r: r.township.code)) if ranked else None,
        "awards": visible(Award, user).filter(year=scheme.year).select_related("division", "staff")})


@require_cap(Cap.VIEW_BUSINESS)
def coordinators_page(request: AuthedRequest) -> HttpResponse:
    user = request.user
    year = _year(request)
    towns = _townships(user)
    town = next((t for t in towns if str(t.pk) == request.GET.get("township")), None) or (towns[0] if towns else None)
    if request.method == "POST":
        if not _can_edit(user):
            raise PermissionDenied("您的角色不能登记例会和检查")
        action = request.POST.get("action")
        try:
            if action == "meeting":
                t = visible_divisions(user).get(pk=_township_id(request), level=Level.TOWNSHIP)
                ids = {int(x) for x in request.POST.getlist("attendees") if x.isdigit() and len(x) < 19}
                assess.record_meeting(actor=user, township=t,
                                      date=inputs.form_date(request.POST, "date", label="例会日期"),
                                      topic=request.POST.get("topic", "") or "协管员例会", attendee_ids=ids,
                                      minutes=request.POST.get("minutes", ""))
                messages.success(request, "例会已登记")
            elif action == "check":
                person = get_visible(StaffMember, user, pk=inputs.form_id(request.POST, "staff", label="协管员"))
                assess.record_check(actor=user, staff=person,
                                    year=inputs.form_int(request.POST, "year", label="年度", lo=inputs.MIN_YEAR,
                                                         hi=inputs.MAX_YEAR),
                                    quarter=inputs.form_int(request.POST, "quarter", label="季度", lo=1, hi=4),
                                    score=inputs.form_decimal(request.POST, "score", label="检查得分", lo=Decimal(0),
                                                              hi=Decimal(100)) or Decimal(0),
                                    date=_today(), findings=request.POST.get("findings", ""))
                messages.success(request, "季度检查已登记")
        except (ValidationError, ValueError, KeyError, InvalidOperation, Division.DoesNotExist) as exc:
            messages.error(request, "; ".join(getattr(exc, "messages", ["输入有误"])))
        return redirect(f"{reverse('workforce:coordinators')}?township={request.POST.get('township', '')}")
    scores = assess.coordinator_scores(town, year) if town else []
    if listexport.requested(request):
        return listexport.response(request, what=f"{town.name if town else ''}{year}年协管员考核", headers=[
            "名次", "村(社区)", "姓名", "例会次数", "出席", "季度检查次数", "检查平均分", "综合得分"], rows=(
            [c.rank, c.village.name, c.staff.name, c.meetings, c.attended, c.checks, c.check_avg, c.total]
            for c in scores))
    meetings = visible(CoordinatorMeeting, user).filter(date__year=year)
    if town:
        meetings = meetings.filter(township=town)
    return render(request, "workforce/coordinators.html", {
        "year": year, "towns": towns, "town": town, "scores": scores,
        "meetings": meetings.annotate(n=Count("attendees")), "can_edit": _can_edit(user), "today": _today(),
        "quarter": (_today().month - 1) // 3 + 1})


@require_cap(Cap.VIEW_BUSINESS)
def meeting_detail(request: AuthedRequest, meeting_id: int) -> HttpResponse:
    m = get_visible(CoordinatorMeeting.objects.select_related("township"), request.user, pk=meeting_id)
    return render(request, "workforce/meeting.html", {"m": m, "attendees": visible(StaffMember, request.user)
                                                      .filter(meetings=m).select_related("division")})
