"""Township and village reports (灾情报告): filling in, live rule checks, approval, and the rule book."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from minzheng.accounts.actor import AuthedRequest
from minzheng.accounts.decorators import require_cap
from minzheng.accounts.roles import Cap
from minzheng.core import listexport
from minzheng.core.forms import add_errors_to_form, flash_errors
from minzheng.core.scoping import get_visible, in_scope
from minzheng.regions.models import Level

from .. import indicators, services
from ..models import Report, ReportStatus, RoundKind, ValidationRule
from .common import _ctx


def _report_fields(report: Report, values: dict[str, str], outcome: Any) -> list[dict[str, Any]]:
    by_field = outcome.by_field() if outcome else {}
    groups = []
    for g in indicators.GROUPS:
        inds = [{"ind": i, "value": values.get(i.code, ""), "findings": by_field.get(i.code, [])}
                for i in indicators.INDICATORS if i.group == g]
        groups.append({"name": g, "items": inds})
    return groups


@require_cap(Cap.VIEW_BUSINESS)
def report(request: AuthedRequest, report_id: int) -> HttpResponse:
    rep = get_visible(Report.objects.select_related("round", "event", "division"), request.user, pk=report_id)
    user = request.user
    editable = (user.has_cap(Cap.EDIT_BUSINESS) and in_scope(user, rep.division)
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
            flash_errors(request, exc)
            rep.refresh_from_db()
            outcome = services.validate(rep)
    prev = services.previous_report(rep)
    village_tot, n_villages = (services.village_total(rep) if rep.division.level == Level.TOWNSHIP else ({}, 0))
    return render(request, "disaster/report.html", _ctx(
        report=rep, groups=_report_fields(rep, rep.values, outcome), outcome=outcome,
        prev=prev, n_villages=n_villages, village_total=village_tot, is_township=rep.division.level == Level.TOWNSHIP,
    ))


@require_cap(Cap.VIEW_BUSINESS)
@require_POST
def report_validate(request: AuthedRequest, report_id: int) -> HttpResponse:
    """HTMX: run the same rules on the figures being typed, and show each message beside its field."""
    rep = get_visible(Report.objects.select_related("round", "event", "division"), request.user, pk=report_id)
    values, parse_errors = indicators.clean_values({c: request.POST.get(c, "") for c in indicators.CODES})
    from ..rules import Finding, Outcome

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
def rules_page(request: AuthedRequest) -> HttpResponse:
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
                add_errors_to_form(form, exc)
            else:
                messages.success(request, "已保存校验规则")
                return redirect("disaster:rules")
    if listexport.requested(request):
        return listexport.response(request, what="灾情校验规则", headers=[
            "代码", "名称", "表达式", "严重程度", "提示", "启用", "依据"], rows=(
            [r.code, r.name, r.expression, r.get_severity_display(), r.message, "是" if r.active else "否", r.source]
            for r in ValidationRule.objects.all()))
    return render(request, "disaster/rules.html", _ctx(rules=ValidationRule.objects.all(), form=form,
                                                        can_edit=can_edit, indicators=indicators.INDICATORS))
