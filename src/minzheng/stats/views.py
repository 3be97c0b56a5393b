"""Statistics pages: the monthly return and the 低保 综合统计表 (with drill-down, close, xlsx/PDF), trends and
comparisons with a map or schematic view, risk flags and their spot checks, indicator definitions, boundary
upload. Thin: parsing here, everything else in the service modules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from minzheng.accounts.actor import AuthedRequest
from minzheng.accounts.decorators import require_cap
from minzheng.accounts.roles import Cap
from minzheng.core import dates, inputs, listexport
from minzheng.core.forms import flash_errors
from minzheng.core.scoping import get_visible, visible, visible_divisions
from minzheng.regions.models import Division, Level
from minzheng.registry.masking import shown
from minzheng.registry.models import Household

from . import closing, drill, exports, facts, geo, returns, risk, sampling, trends
from .models import FlagKind, Indicator, Measure, RiskFlag, RiskSample, SampleItem, StatMonth


def download(name: str, body: bytes, content_type: str) -> HttpResponse:
    from urllib.parse import quote

    resp = HttpResponse(body, content_type=content_type)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return resp


def month_of(request: AuthedRequest, *, default: dt.date | None = None) -> dt.date:
    raw = request.GET.get("month", "").strip()
    if not raw:
        return default or dates.current_month()
    try:
        return closing.parse_month(raw)
    except ValidationError as exc:
        raise BadRequest(exc.messages[0]) from None


def division_of(request: AuthedRequest) -> Division:
    """The division asked for (?division=CODE), which must be in the user's jurisdiction; default their own."""
    code = request.GET.get("division", "").strip()
    mine = request.user.division
    if not code:
        if mine is None:
            raise PermissionDenied("您的账号没有所属区划")
        return mine
    d = visible_divisions(request.user).filter(code=code[:12]).first()
    if d is None:
        raise Http404("该区划不在您的辖区内")
    return d


def _choices(user: Any) -> list[Division]:
    return list(visible_divisions(user).filter(level__in=[Level.COUNTY, Level.TOWNSHIP]).order_by("code"))


def _months(n: int = 24) -> list[dt.date]:
    return [dates.add_months(dates.current_month(), -i) for i in range(n)]


def _return(request: AuthedRequest) -> returns.Return:
    try:
        return returns.compute(division_of(request), month_of(request), final=request.GET.get("final") == "1")
    except ValidationError as exc:
        raise BadRequest(exc.messages[0]) from None


@require_GET
@require_cap(Cap.VIEW_DASHBOARD)
def index(request: AuthedRequest) -> HttpResponse:
    r = _return(request)
    return render(request, "stats/return.html", {
        "r": r, "months": _months(), "divisions": _choices(request.user),
        "can_close": request.user.has_cap(Cap.APPROVE) and request.user.division is not None
        and request.user.division.level == Level.COUNTY and not r.final and r.month < dates.current_month(),
    })


@require_GET
@require_cap(Cap.EXPORT)
def return_xlsx(request: AuthedRequest) -> HttpResponse:
    name, body = exports.return_xlsx(_return(request))
    return download(name, body, listexport.XLSX)


@require_GET
@require_cap(Cap.EXPORT)
def return_pdf(request: AuthedRequest) -> HttpResponse:
    name, body = exports.return_pdf(_return(request))
    return download(name, body, "application/pdf")


@require_POST
@require_cap(Cap.APPROVE)
def close(request: AuthedRequest) -> HttpResponse:
    raw = request.POST.get("month", "")
    try:
        state = closing.close_month(month=closing.parse_month(raw), actor=request.user)
        messages.success(request, f"{state.month:%Y-%m} 已关账：统计支出与已审批花名册一致，数据已冻结")
        return redirect(f"{reverse('stats:index')}?month={state.month:%Y-%m}")
    except ValidationError as exc:
        flash_errors(request, exc)
    return redirect(f"{reverse('stats:index')}?month={raw[:7]}")


def _dibao(request: AuthedRequest) -> returns.Dibao:
    try:
        return returns.dibao_table(division_of(request), month_of(request),
                                   programme=request.GET.get("programme", "dibao")[:20] or "dibao")
    except ValidationError as exc:
        raise BadRequest(exc.messages[0]) from None


@require_GET
@require_cap(Cap.VIEW_DASHBOARD)
def dibao(request: AuthedRequest) -> HttpResponse:
    return render(request, "stats/dibao.html", {"t": _dibao(request), "months": _months(),
                                                "divisions": _choices(request.user),
                                                "programmes": returns.DIBAO_CHOICES})


@require_GET
@require_cap(Cap.EXPORT)
def dibao_xlsx(request: AuthedRequest) -> HttpResponse:
    name, body = exports.dibao_xlsx(_dibao(request))
    return download(name, body, listexport.XLSX)


@require_GET
@require_cap(Cap.EXPORT)
def dibao_pdf(request: AuthedRequest) -> HttpResponse:
    name, body = exports.dibao_pdf(_dibao(request))
    return download(name, body, "application/pdf")


@require_GET
@require_cap(Cap.VIEW_DASHBOARD)
def figure(request: AuthedRequest) -> HttpResponse:
    """The list a figure counts: ?code=<indicator code> (or ?measure=&programme=) &month=&division=."""
    division, month = division_of(request), month_of(request)
    code = request.GET.get("code", "")[:24]
    state = StatMonth.objects.filter(month=month).first()
    defs = returns.definitions(state) if state else returns.current_definitions()
    line = next((d for d in defs if d["code"] == code), None)
    if line is None:
        raise BadRequest(f"没有代码为“{code}”的统计指标")
    ids = returns.programme_ids(line["programmes"])
    try:
        d = drill.drill(request.user, division=division, month=month, measure=line["measure"], programme_ids=ids)
    except ValidationError as exc:
        raise BadRequest(exc.messages[0]) from None
    user = request.user
    if listexport.requested(request):
        return listexport.response(request, what=f"{line['name']}名单", headers=_drill_headers(d.kind),
                                   rows=(_drill_row(user, d.kind, x) for x in d.rows.iterator()),
                                   division_code=division.code)
    shown_rows = list(d.rows[:drill.LIMIT])
    return render(request, "stats/figure.html", {
        "line": line, "d": d, "division": division, "month": month, "state": state,
        "items": [(_drill_row(user, d.kind, x), _drill_link(x)) for x in shown_rows],
        "headers": _drill_headers(d.kind), "limit": drill.LIMIT,
    })


def _drill_headers(kind: str) -> list[str]:
    if kind == "lines":
        return ["村(社区)", "领款人", "公民身份号码", "项目", "所属月份", "类型", "金额(元)"]
    if kind == "persons":
        return ["村(社区)", "姓名", "公民身份号码", "出生日期", "户籍性质"]
    return ["村(社区)", "户主", "享受人员", "项目", "保障人数", "月保障金额(元)", "起始月份", "停止月份"]


def _drill_row(user: Any, kind: str, x: Any) -> list[Any]:
    if kind == "lines":
        return [x.village.name, x.payee_name, shown(user, x.id_number, "id"), x.payroll.programme.name,
                f"{x.period_month:%Y-%m}", x.get_kind_display(), x.amount]
    if kind == "persons":
        return [x.household.division.name, x.name, shown(user, x.id_number, "id"), x.birth_date,
                x.household.get_hukou_type_display()]
    head = x.household.head
    return [x.household.division.name, head.name if head else "", x.person.name if x.person else "（全户）",
            x.programme.name, x.covered_persons, x.monthly_amount, f"{x.start_month:%Y-%m}",
            f"{x.end_month:%Y-%m}" if x.end_month else ""]


def _drill_link(x: Any) -> str:
    return reverse("registry:household", kwargs={"household_id": x.household_id})


# --- trends and comparisons ---------------------------------------------------------------------------------------


@require_GET
@require_cap(Cap.VIEW_DASHBOARD)
def trends_page(request: AuthedRequest) -> HttpResponse:
    division = division_of(request)
    programme = request.GET.get("programme", "dibao")[:20]
    if programme not in trends.PROGRAMMES:
        raise BadRequest(f"参数“programme”应为 {'、'.join(trends.PROGRAMMES)} 之一")
    closed = StatMonth.objects.filter(closed_at__isnull=False).order_by("-month").first()
    month = month_of(request, default=closed.month if closed else dates.current_month())
    if month > dates.current_month():
        raise BadRequest(f"{month:%Y-%m} 尚未开始，没有统计数据")
    facts.ensure(month)   # an open month is computed on demand; a closed one is read as frozen
    points = trends.series(division, programme, month)
    parts = trends.parts(division, programme, month) if division.level != Level.VILLAGE else []
    boundary = geo.for_division(division) if parts else None
    if listexport.requested(request):
        return listexport.response(request, what=f"{division.name}{trends.PROGRAMMES[programme][0]}趋势", headers=[
            "月份", "户数", "人数", "支出（元）", "新增", "退出", "常住人口", "覆盖率（%）"], rows=(
            [f"{p.month:%Y-%m}", p.households, p.persons, f"{p.amount_fen / 100:.2f}", p.new, p.exited,
             p.residents, p.coverage if p.coverage is not None else ""] for p in points if p.computed))
    charts: dict[str, Any] = {"trend": trends.trend_chart(points), "flow": trends.flow_chart(points)}
    if parts:
        charts["compare"] = trends.compare_chart(parts)
        charts["schematic"] = trends.schematic_chart(parts)
        if boundary is not None:
            charts["map"] = trends.map_chart(parts, f"mz-{division.code}")
    return render(request, "stats/trends.html", {
        "division": division, "programme": programme, "programmes": trends.PROGRAMMES, "month": month,
        "programme_label": trends.PROGRAMMES[programme][0],
        "points": points, "parts": parts, "charts": charts, "divisions": _choices(request.user),
        "boundary": boundary, "map_name": f"mz-{division.code}", "months": _months(),
    })


# --- risk flags and spot checks --------------------------------------------------------------------------------


@require_GET
@require_cap(Cap.VIEW_DASHBOARD)
def flags(request: AuthedRequest) -> HttpResponse:
    latest = visible(RiskFlag, request.user).order_by("-month").values_list("month", flat=True).first()
    month = month_of(request, default=latest or dates.current_month())
    kind = request.GET.get("kind", "")[:16]
    qs = visible(RiskFlag, request.user).filter(month=month).select_related("division__parent")
    if kind:
        if kind not in FlagKind.values:
            raise BadRequest("参数“kind”不是疑点类型")
        qs = qs.filter(kind=kind)
    rows = list(qs.order_by("kind", "-score", "id")[:500])
    if listexport.requested(request):
        return listexport.response(request, what=f"{month:%Y-%m}疑点提示", headers=[
            "类型", "区划", "偏离程度", "说明", "涉及户数", "状态"], rows=(
            [f.get_kind_display(), f.division.name, f.score, f.explanation, len(f.households or []),
             f.get_status_display()] for f in rows))
    return render(request, "stats/flags.html", {
        "flags": rows, "month": month, "kind": kind, "kinds": FlagKind.choices, "months": _months(),
        "can_detect": request.user.has_cap(Cap.APPROVE) and request.user.division is not None
        and request.user.division.level == Level.COUNTY,
    })


@require_POST
@require_cap(Cap.APPROVE)
def detect(request: AuthedRequest) -> HttpResponse:
    try:
        closing.require_district(request.user)
        month = closing.parse_month(request.POST.get("month", ""))
        since = (inputs.form_date(request.POST, "since", label="新增起算日期") if request.POST.get("since")
                 else None)
        if since is not None and since > dates.month_end(month):
            raise ValidationError({"since": "新增起算日期不能晚于统计月份"})
        found = risk.detect(month, since=since)
        messages.success(request, f"{month:%Y-%m} 疑点筛查完成：{len(found)} 条提示")
        return redirect(f"{reverse('stats:flags')}?month={month:%Y-%m}")
    except ValidationError as exc:
        flash_errors(request, exc)
    return redirect(reverse("stats:flags"))


@require_GET
@require_cap(Cap.VIEW_DASHBOARD)
def flag_detail(request: AuthedRequest, risk_flag_id: int) -> HttpResponse:
    flag = get_visible(RiskFlag.objects.select_related("division__parent"), request.user, pk=risk_flag_id)
    households = list(visible(Household, request.user).filter(pk__in=flag.households[:500])
                      .select_related("division", "head").order_by("division__code", "id"))
    sample = RiskSample.objects.filter(flag=flag).first()
    return render(request, "stats/flag.html", {
        "flag": flag, "households": households, "sample": sample,
        "can_sample": sample is None and request.user.has_cap(Cap.ORDER_SPOT_CHECKS) and bool(flag.households),
    })


@require_POST
@require_cap(Cap.VIEW_DASHBOARD)
def flag_sample(request: AuthedRequest, risk_flag_id: int) -> HttpResponse:
    flag = get_visible(RiskFlag, request.user, pk=risk_flag_id)
    try:
        sample = sampling.draw(flag=flag, actor=request.user)
        messages.success(request, f"已转为抽查：抽取 {sample.items.count()} 户，已列入县级事后入户抽查")
        return redirect("stats:sample", risk_sample_id=sample.pk)
    except ValidationError as exc:
        flash_errors(request, exc)
    return redirect("stats:flag", risk_flag_id=flag.pk)


@require_GET
@require_cap(Cap.VIEW_DASHBOARD)
def sample_detail(request: AuthedRequest, risk_sample_id: int) -> HttpResponse:
    sample = get_visible(RiskSample.objects.select_related("flag__division"), request.user, pk=risk_sample_id)
    sampling.refresh(sample)
    items = list(visible(SampleItem, request.user).filter(sample=sample)
                 .select_related("household__division", "household__head", "application"))
    return render(request, "stats/sample.html", {
        "sample": sample, "items": items, "today": dates.today(),
        "can_record": request.user.has_cap(Cap.APPROVE),
        "results": sampling.village_results(sample.flag.division, dates.today().year),
    })


@require_POST
@require_cap(Cap.VIEW_DASHBOARD)
def sample_visit(request: AuthedRequest, sample_item_id: int) -> HttpResponse:
    item = get_visible(SampleItem, request.user, pk=sample_item_id)
    if not request.user.has_cap(Cap.APPROVE):
        raise PermissionDenied("县级入户抽查由区民政局录入")
    data = request.POST
    visited = inputs.form_date(data, "visited_on", label="入户日期")
    outcome = data.get("outcome", "")
    if outcome not in ("ok", "not_ok"):
        raise BadRequest("请选择“核查结果”")
    try:
        sampling.record_visit(item=item, actor=request.user, visited_on=visited,
                              visitors=data.get("visitors", "")[:200], findings=data.get("findings", "")[:200],
                              confirmed=outcome == "ok")
        messages.success(request, "已录入入户核查结果")
    except ValidationError as exc:
        flash_errors(request, exc)
    return redirect("stats:sample", risk_sample_id=item.sample_id)


# --- indicator definitions and boundary map (district) ------------------------------------------------------------


@require_cap(Cap.VIEW_DASHBOARD)
def indicators(request: AuthedRequest) -> HttpResponse:
    can_edit = request.user.has_cap(Cap.MANAGE_POLICY)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("统计指标由区管理员维护")
        pk = inputs.form_id(request.POST, "indicator", label="指标")
        ind = Indicator.objects.filter(pk=pk).first()
        if ind is None:
            raise Http404("没有这个统计指标")
        try:
            from .indicators import update

            update(indicator=ind, actor=request.user, data=request.POST)
            messages.success(request, f"已修改指标 {ind.code}（未关账月份的报表使用修改后的定义）")
        except ValidationError as exc:
            flash_errors(request, exc)
        return redirect("stats:indicators")
    monthly = Indicator.objects.filter(form="monthly").order_by("order", "id")
    if listexport.requested(request):
        return listexport.response(request, what="统计月报指标", headers=[
            "指标代码", "指标名称", "计量单位", "计算方法", "统计的救助项目", "启用", "说明"], rows=(
            [i.code, i.name, i.unit, i.get_measure_display(), "、".join(map(str, i.programmes or [])),
             "是" if i.active else "否", i.note] for i in monthly))
    return render(request, "stats/indicators.html", {
        "indicators": monthly, "can_edit": can_edit,
        "measures": Measure.choices,
    })


@require_cap(Cap.VIEW_DASHBOARD)
def boundary(request: AuthedRequest) -> HttpResponse:
    user = request.user
    county = visible_divisions(user).filter(level=Level.COUNTY).first()
    can_upload = user.has_cap(Cap.MANAGE_POLICY) and county is not None
    if request.method == "POST":
        if not can_upload or county is None:
            raise PermissionDenied("边界地图由区管理员上传")
        f = request.FILES.get("file")
        if f is None:
            raise BadRequest("请选择 GeoJSON 文件")
        if f.size and f.size > geo.MAX_BYTES:
            raise BadRequest(f"文件超过 {geo.MAX_BYTES // 1024 // 1024} MB")
        try:
            b = geo.upload(actor=user, county=county, data=f.read(geo.MAX_BYTES + 1))
            messages.success(request, f"已上传边界地图：{b.features} 个区域，趋势页将显示地图")
        except ValidationError as exc:
            flash_errors(request, exc)
        return redirect("stats:boundary")
    current = geo.for_division(county) if county is not None else None
    return render(request, "stats/boundary.html", {"county": county, "current": current, "can_upload": can_upload})
