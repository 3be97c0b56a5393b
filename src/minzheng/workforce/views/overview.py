"""The overview, staffing against the norm, and the 队伍建设报告 recomputed from the data."""

from __future__ import annotations

from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import render

from minzheng.accounts.actor import AuthedRequest
from minzheng.accounts.decorators import require_cap
from minzheng.accounts.roles import Cap
from minzheng.audit import services as audit
from minzheng.core import listexport
from minzheng.core.scoping import visible
from minzheng.payments.selectors import work_funds_by_township

from .. import charts, overview, selectors, training
from ..models import PostHolding, PostKind
from .common import _date, _is_county, _today, _townships, _year

# The 2018 report's own figures, printed beside what the data says.
REPORT_HEADS = {"大专以上": 8, "中专(高中)": 8, "初中": 5, "50岁及以上": 8, "40至50岁": 9, "40岁以下": 4}


@require_cap(Cap.VIEW_DASHBOARD)
def overview_page(request: AuthedRequest) -> HttpResponse:
    year = _year(request)
    data = overview.build(request.user, _townships(request.user), year=year, on=_today())
    return render(request, "workforce/overview.html", {"ov": data, "year": year})


@require_cap(Cap.VIEW_DASHBOARD)
def staffing_page(request: AuthedRequest) -> HttpResponse:
    on = _date(request)
    rows = selectors.staffing(_townships(request.user), on=on)
    if listexport.requested(request):
        return listexport.response(request, what=f"乡镇民政人员配备{on:%Y%m%d}", headers=[
            "乡镇(街道)", "人口", "人口为演示值", "标准岗位数", "已设岗位", "在岗", "兼职", "缺口", "状态"], rows=(
            [r.township.name, r.population, "是" if r.population_is_demo else "", r.norm.label if r.norm else "",
             r.assistant_posts, r.assistants_filled, r.part_time, r.gap, r.status] for r in rows))
    return render(request, "workforce/staffing.html", {
        "rows": rows, "on": on, "chart": charts.staffing_chart(rows),
        "short": sum(1 for r in rows if r.status == "不足"), "population": sum(r.population or 0 for r in rows)})


@require_cap(Cap.VIEW_DASHBOARD)
def report_page(request: AuthedRequest) -> HttpResponse:
    """队伍建设报告: the 2018 report's tables, recomputed from the data."""
    on = _date(request)
    holdings = visible(PostHolding, request.user)
    heads = selectors.office_heads(holdings, on=on)
    cohorts = selectors.cohort_turnover(holdings, on=on)
    rows = selectors.staffing(_townships(request.user), on=on)
    comp = training.by_township(training.compliance(holdings, year=on.year, on=on))
    part_time = holdings.filter(end__isnull=True, employment="part").values("post__kind").annotate(n=Count("id"))
    full = holdings.filter(end__isnull=True).values("post__kind").annotate(n=Count("id"))
    kinds = dict(PostKind.choices)
    mix = [{"kind": kinds[r["post__kind"]], "n": r["n"],
            "part": next((p["n"] for p in part_time if p["post__kind"] == r["post__kind"]), 0)} for r in full]
    by_township = work_funds_by_township([t.township for t in rows], on.year)
    funds = [(t.township, by_township.get(t.township.pk)) for t in rows]
    if request.method == "GET" and request.GET.get("print"):
        audit.record_output("print", what="队伍建设报告", count=heads.total)
    return render(request, "workforce/report.html", {
        "on": on, "heads": heads, "cohorts": cohorts, "rows": rows, "comp": comp, "mix": mix,
        "report": REPORT_HEADS, "show_report_col": _is_county(request.user), "funds": funds,
        "one_person": sum(1 for r in rows if r.assistants_filled <= 1),
        "short": sum(1 for r in rows if r.status == "不足"),
    })
