"""提标 pages (district): list, prepare with a preview, the raise with its effect per township, approve, cancel.
Thin: the checks, the preview and the writes are `raises`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from minzheng.accounts.actor import AuthedRequest
from minzheng.accounts.decorators import require_cap
from minzheng.accounts.roles import Cap
from minzheng.core import listexport
from minzheng.core.forms import add_errors_to_form, flash_errors
from minzheng.core.scoping import get_visible, visible

from . import raises
from .catalog import catalog
from .models import Raise, RaiseStatus

ROWS = 3


class RaiseForm(forms.Form):
    title = forms.CharField(label="名称", max_length=100, required=False,
                            help_text="例如“2027年城乡低保提标”；不填则按调整内容生成")
    effective_from = forms.DateField(label="生效日期", widget=forms.DateInput(attrs={"type": "date"}),
                                     help_text="某月 1 日；早于已发放月份的，差额在下一期花名册补发")
    source_document = forms.CharField(label="依据文件", max_length=255)
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "—")] + [(k, f"{catalog.specs[k].label}（{k}）") for k in raises.amount_keys()]
        for i in range(1, ROWS + 1):
            self.fields[f"key_{i}"] = forms.ChoiceField(label=f"参数 {i}", choices=choices, required=i == 1)
            self.fields[f"value_{i}"] = forms.CharField(label=f"新值 {i}", max_length=4000, required=False)

    def changes(self) -> list[dict[str, Any]]:
        d = self.cleaned_data
        return [{"key": d[f"key_{i}"], "value": d[f"value_{i}"]} for i in range(1, ROWS + 1) if d.get(f"key_{i}")]


def _district_only(request: AuthedRequest) -> None:
    raises._district(request.user)


@require_cap(Cap.APPROVE)
def raise_list(request: AuthedRequest) -> HttpResponse:
    _district_only(request)
    if listexport.requested(request):
        return listexport.response(request, what="提标批次", headers=[
            "名称", "生效日期", "依据文件", "状态", "制单人", "制单时间", "说明"], rows=(
            [r.title, r.effective_from, r.source_document, r.get_status_display(), r.prepared_by_name,
             listexport.stamp(r.prepared_at), r.note] for r in visible(Raise, request.user)))
    return render(request, "policy/raises.html", {
        "raises": visible(Raise, request.user), "can_prepare": request.user.has_cap(Cap.MANAGE_POLICY)})


@require_cap(Cap.MANAGE_POLICY)
def raise_new(request: AuthedRequest) -> HttpResponse:
    _district_only(request)
    form = RaiseForm(request.POST or None)
    effect = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            if request.POST.get("action") == "preview":
                cleaned = raises._clean(form.changes())
                raises._check(cleaned, d["effective_from"])
                effect = raises.preview(cleaned, d["effective_from"]).summary
            else:
                r = raises.prepare(actor=request.user, changes=form.changes(), effective_from=d["effective_from"],
                                   source_document=d["source_document"], title=d["title"], note=d["note"])
                messages.success(request, f"已制单：第 {r.pk} 号提标，待另一名区级人员审核")
                return redirect("policy:raise", raise_id=r.pk)
        except ValidationError as exc:
            add_errors_to_form(form, exc)
    return render(request, "policy/raise_new.html", {"form": form, "effect": effect, "rows": range(1, ROWS + 1)})


@require_cap(Cap.APPROVE)
def raise_detail(request: AuthedRequest, raise_id: int) -> HttpResponse:
    _district_only(request)
    r = get_visible(Raise, request.user, pk=raise_id)
    labels = {c["key"]: catalog.specs[c["key"]].label if c["key"] in catalog.specs else c["key"] for c in r.changes}
    pending = r.status == RaiseStatus.PREPARED
    mine = r.prepared_by_id == request.user.pk
    return render(request, "policy/raise.html", {
        "r": r, "labels": labels, "effect": r.result or r.preview,
        "can_approve": pending and not mine and request.user.has_cap(Cap.APPROVE),
        "can_cancel": pending and request.user.has_cap(Cap.MANAGE_POLICY), "own": pending and mine})


@require_POST
@require_cap(Cap.APPROVE)
def raise_approve(request: AuthedRequest, raise_id: int) -> HttpResponse:
    _district_only(request)
    r = get_visible(Raise, request.user, pk=raise_id)
    try:
        raises.approve(r, actor=request.user, version=int(request.POST.get("version") or r.version))
        messages.success(request, "提标已审批执行：受影响的待遇自生效月起按新标准发放，已发放月份的差额在下一期花名册补发")
    except (ValidationError, ValueError) as exc:
        flash_errors(request, exc)
    return redirect("policy:raise", raise_id=r.pk)


@require_POST
@require_cap(Cap.MANAGE_POLICY)
def raise_cancel(request: AuthedRequest, raise_id: int) -> HttpResponse:
    _district_only(request)
    r = get_visible(Raise, request.user, pk=raise_id)
    try:
        raises.cancel(r, actor=request.user, version=int(request.POST.get("version") or r.version))
        messages.success(request, "已撤销")
    except (ValidationError, ValueError) as exc:
        flash_errors(request, exc)
    return redirect("policy:raise", raise_id=r.pk)
