"""Relief stock: warehouses, stock cards and allocations down to townships and villages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render

from minzheng.accounts.actor import AuthedRequest
from minzheng.accounts.decorators import require_cap
from minzheng.accounts.roles import Cap
from minzheng.core import dates, listexport
from minzheng.core.forms import add_errors_to_form
from minzheng.core.scoping import get_visible, visible
from minzheng.regions.models import Division, Level
from minzheng.regions.picker import DivisionField

from .. import relief
from ..models import Allocation, Item, MoveKind, Warehouse
from .common import _ctx, _divisions


class WarehouseForm(forms.Form):
    name = forms.CharField(label="仓库名称", max_length=64)
    division = DivisionField(label="所属区划", queryset=Division.objects.none())
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
def warehouses(request: AuthedRequest) -> HttpResponse:
    form = WarehouseForm(request.POST or None)
    form.fields["division"].queryset = _divisions(request.user, Level.COUNTY, Level.TOWNSHIP)  # type: ignore[attr-defined]  # stubs: base Field
    if request.method == "POST":
        if not request.user.has_cap(Cap.EDIT_BUSINESS):
            raise PermissionDenied("您的角色没有录入权限")
        if form.is_valid():
            try:
                w = relief.create_warehouse(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_errors_to_form(form, exc)
            else:
                return redirect("disaster:warehouse", warehouse_id=w.pk)
    rows: list[dict[str, Any]] = [{"w": w, "levels": relief.stock_levels(w)} for w in visible(Warehouse, request.user)]
    if listexport.requested(request):
        return listexport.response(request, what="救灾物资库存", headers=[
            "仓库", "所属区划", "地址", "保管员", "物资", "入库", "出库", "结存"], rows=(
            [r["w"].name, r["w"].division.name, r["w"].address, r["w"].keeper, str(lv["item"]), lv["in"], lv["out"],
             lv["balance"]] for r in rows for lv in (r["levels"] or [{"item": "", "in": "", "out": "", "balance": ""}])))
    return render(request, "disaster/warehouses.html", _ctx(rows=rows, form=form,
                                                             can_edit=request.user.has_cap(Cap.EDIT_BUSINESS)))


@require_cap(Cap.VIEW_BUSINESS)
def warehouse(request: AuthedRequest, warehouse_id: int) -> HttpResponse:
    w = get_visible(Warehouse, request.user, pk=warehouse_id)
    form = MoveForm(request.POST or None, initial={"moved_on": dates.today()})
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                fn = relief.stock_in if d["kind"] in {k.value for k in relief.IN_KINDS} else relief.stock_out
                fn(actor=request.user, warehouse=w, **d)
            except ValidationError as exc:
                add_errors_to_form(form, exc)
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
    division = DivisionField(label="分配给", queryset=Division.objects.none())
    warehouse = forms.ModelChoiceField(label="出库仓库", queryset=Warehouse.objects.none(), required=False)
    parent = forms.ModelChoiceField(label="或从乡镇分配中下拨", queryset=Allocation.objects.none(), required=False)
    allocated_on = forms.DateField(label="分配日期", widget=forms.DateInput(attrs={"type": "date"}))
    purpose = forms.CharField(label="用途", required=False, max_length=200)


@require_cap(Cap.VIEW_BUSINESS)
def allocations(request: AuthedRequest) -> HttpResponse:
    user = request.user
    form = AllocationForm(request.POST or None, initial={"allocated_on": dates.today()})
    form.fields["division"].queryset = _divisions(user, Level.TOWNSHIP, Level.VILLAGE)  # type: ignore[attr-defined]  # stubs: base Field
    form.fields["warehouse"].queryset = visible(Warehouse, user)  # type: ignore[attr-defined]  # stubs: base Field
    form.fields["parent"].queryset = visible(Allocation, user).filter(division__level=Level.TOWNSHIP)  # type: ignore[attr-defined]  # stubs: base Field
    if request.method == "POST":
        if not user.has_cap(Cap.EDIT_BUSINESS):
            raise PermissionDenied("您的角色没有录入权限")
        if form.is_valid():
            try:
                relief.allocate(actor=user, **form.cleaned_data)
            except ValidationError as exc:
                add_errors_to_form(form, exc)
            else:
                messages.success(request, "已分配")
                return redirect("disaster:allocations")
    allocated = visible(Allocation, user).select_related("division", "item", "warehouse", "parent__division", "event")
    if listexport.requested(request):
        return listexport.response(request, what="救灾物资分配", headers=[
            "分配日期", "分配给", "物资", "数量", "出库仓库", "上级分配", "灾害过程", "用途", "经办人"], rows=(
            [a.allocated_on, a.division.name, str(a.item), a.quantity, a.warehouse.name if a.warehouse else "",
             a.parent.division.name if a.parent else "", str(a.event) if a.event else "", a.purpose, a.created_by]
            for a in allocated))
    rows = allocated[:300]
    return render(request, "disaster/allocations.html", _ctx(rows=rows, form=form,
                                                              can_edit=user.has_cap(Cap.EDIT_BUSINESS)))
