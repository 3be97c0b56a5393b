"""冬春救助: yearly rounds, cases through evaluation, notice and approval, and the ledger export."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from minzheng.accounts.actor import AuthedRequest
from minzheng.accounts.decorators import require_cap
from minzheng.accounts.roles import Cap
from minzheng.audit.services import record_output
from minzheng.core import dates, excel, inputs, listexport
from minzheng.core.forms import add_errors_to_form, flash_errors
from minzheng.core.scoping import get_visible, visible
from minzheng.registry.models import Household

from .. import services, winter
from ..models import WinterCase, WinterRound, WinterSource
from .common import _ctx, _division_code


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
def winter_rounds(request: AuthedRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            r = winter.open_round(actor=request.user, year=inputs.form_int(
                request.POST, "year", label="年度", lo=inputs.MIN_YEAR, hi=inputs.MAX_YEAR))
        except (ValidationError, ValueError) as exc:
            if isinstance(exc, ValidationError):
                flash_errors(request, exc)
        else:
            return redirect("disaster:winter_round", winter_round_id=r.pk)
    if listexport.requested(request):
        return listexport.response(request, what="冬春救助批次", headers=[
            "年度", "名称", "调查开始", "调查截止", "救助期开始", "救助期结束", "公示天数"], rows=(
            [r.year, r.title, r.survey_start, r.survey_end, r.period_start, r.period_end, r.notice_days]
            for r in WinterRound.objects.all()))
    return render(request, "disaster/winter_rounds.html", _ctx(
        rounds=WinterRound.objects.all(), can_open=request.user.has_cap(Cap.APPROVE),
        year=dates.today().year))


@require_cap(Cap.VIEW_BUSINESS)
def winter_round(request: AuthedRequest, winter_round_id: int) -> HttpResponse:
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
                ids = [inputs.as_id(x, "case") for x in request.POST.getlist("case")]
                cases = list(visible(WinterCase, user).filter(round=rnd, pk__in=ids))
                n = winter.start_notice(actor=user, cases=cases, start=inputs.form_date(
                    request.POST, "start", label="公示开始日期", default=dates.today()))
                messages.success(request, f"已开始公示 {n} 户")
                return redirect("disaster:winter_round", winter_round_id=rnd.pk)
            if form.is_valid():
                d = form.cleaned_data
                hh = get_visible(Household.objects.select_related("division"), user, pk=d.pop("household"))
                c = winter.add_case(actor=user, round=rnd, household=hh, **d)
                return redirect("disaster:winter_case", winter_case_id=c.pk)
        except ValidationError as exc:
            add_errors_to_form(form, exc)
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


def _winter_export(request: AuthedRequest, rnd: WinterRound, cases: list[WinterCase]) -> HttpResponse:
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
    record_output("export", what=f"冬春救助名单 {rnd.year}", count=len(rows), division_code=_division_code(request.user))
    data = excel.workbook_bytes([("救助对象", heads, rows), ("分乡镇统计", tot_heads, tots)],
                                title=f"{rnd.title}（主管部门：{services.department()}）")
    resp = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''winter-{rnd.year}.xlsx"
    return resp


@require_cap(Cap.VIEW_BUSINESS)
def winter_case(request: AuthedRequest, winter_case_id: int) -> HttpResponse:
    user = request.user
    case = get_visible(WinterCase.objects.select_related("round", "household__head", "household__division"), user,
                       pk=winter_case_id)
    if request.method == "POST":
        p = request.POST
        action = p.get("action", "")
        try:
            if action == "evaluate":
                winter.record_evaluation(actor=user, case=case,
                                         held_on=inputs.form_date(p, "held_on", label="评议日期"),
                                         attendees=inputs.form_int(p, "attendees", label="参会人数", lo=0, hi=10_000,
                                                                   default=0),
                                         votes_for=inputs.form_int(p, "votes_for", label="赞成票数", lo=0, hi=10_000,
                                                                   default=0), passed=p.get("passed") == "1")
            elif action == "notice":
                winter.start_notice(actor=user, cases=[case], start=inputs.form_date(p, "start", label="公示开始日期"))
            elif action == "township":
                winter.township_review(actor=user, case=case, ok=p.get("ok") == "1", opinion=p.get("opinion", ""))
            elif action == "district":
                winter.district_approve(actor=user, case=case, ok=p.get("ok") == "1", amount=p.get("amount"),
                                        reason=p.get("reason", ""))
            else:
                raise ValidationError("未知操作")
            messages.success(request, "已保存")
        except ValidationError as exc:
            flash_errors(request, exc)
        except ValueError:
            messages.error(request, "日期或数字格式有误")
        return redirect("disaster:winter_case", winter_case_id=case.pk)
    from minzheng.registry.masking import shown

    return render(request, "disaster/winter_case.html", _ctx(
        case=case, phone=shown(user, case.household.phone, "phone"),
        today=dates.today()))
