"""Relief distributions (救灾物资发放): households, signatures, the paper roster and reconciliation."""

from __future__ import annotations

from decimal import Decimal
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
from minzheng.audit.services import record_output
from minzheng.core import dates, listexport, pdf
from minzheng.core.forms import add_errors_to_form, flash_errors
from minzheng.core.scoping import get_visible, visible
from minzheng.regions.models import Division, Level
from minzheng.regions.picker import DivisionField
from minzheng.registry.models import Household

from .. import relief, services
from ..models import Distribution, DistributionLine, Event, Item, SignMethod
from ..selectors import visible_events
from .common import _ctx, _divisions


class DistributionForm(forms.Form):
    title = forms.CharField(label="发放名称", max_length=100)
    division = DivisionField(label="发放单位", queryset=Division.objects.none())
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
def distributions(request: AuthedRequest) -> HttpResponse:
    user = request.user
    form = DistributionForm(request.POST or None, initial={"distributed_on": dates.today()})
    form.fields["division"].queryset = _divisions(user, Level.TOWNSHIP, Level.VILLAGE)  # type: ignore[attr-defined]  # stubs: base Field
    form.fields["event"].queryset = visible_events(user)  # type: ignore[attr-defined]  # stubs: base Field
    if request.method == "POST":
        if not user.has_cap(Cap.EDIT_BUSINESS):
            raise PermissionDenied("您的角色没有录入权限")
        if form.is_valid():
            try:
                dist = relief.create_distribution(actor=user, **form.cleaned_data)
            except ValidationError as exc:
                add_errors_to_form(form, exc)
            else:
                return redirect("disaster:distribution", distribution_id=dist.pk)
    listed = visible(Distribution, user).select_related("division", "event")
    if listexport.requested(request):
        return listexport.response(request, what="救灾款物发放", headers=[
            "发放名称", "发放单位", "灾害过程", "发放日期", "状态", "已公示", "经办人"], rows=(
            [d.title, d.division.name, str(d.event) if d.event else "", d.distributed_on, d.get_status_display(),
             "是" if d.published else "否", d.created_by] for d in listed))
    rows = listed[:300]
    return render(request, "disaster/distributions.html", _ctx(rows=rows, form=form,
                                                                can_edit=user.has_cap(Cap.EDIT_BUSINESS)))


@require_cap(Cap.VIEW_BUSINESS)
def distribution(request: AuthedRequest, distribution_id: int) -> HttpResponse:
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
            add_errors_to_form(form, exc)
    q = request.GET.get("q", "").strip()
    candidates = []
    if q:
        candidates = list(visible(Household, user).filter(division__path__startswith=dist.division.path)
                          .filter(head__name__contains=q).select_related("head", "division")[:20])
    lines = dist.lines.select_related("household__head", "household__division", "item")
    return render(request, "disaster/distribution.html", _ctx(
        dist=dist, lines=lines, form=form, q=q, candidates=candidates, rec=relief.reconcile_distribution(dist)))


@require_cap(Cap.EDIT_BUSINESS)
@require_POST
def line_sign(request: AuthedRequest, distribution_line_id: int) -> HttpResponse:
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
            flash_errors(request, exc)
    return redirect("disaster:distribution", distribution_id=line.distribution_id)


@require_cap(Cap.EXPORT)
def roster_pdf(request: AuthedRequest, distribution_id: int) -> HttpResponse:
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
def reconciliation(request: AuthedRequest, distribution_id: int) -> HttpResponse:
    dist = get_visible(Distribution.objects.select_related("division"), request.user, pk=distribution_id)
    return render(request, "disaster/reconciliation.html", _ctx(dist=dist, rec=relief.reconcile_distribution(dist)))
