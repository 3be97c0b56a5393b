"""Orders and records: the provider worker's phone pages (my beneficiaries, record a service) and the officer's view
of an order and its records."""

from __future__ import annotations

import base64
import binascii

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render

from minzheng.accounts.actor import AuthedRequest
from minzheng.accounts.decorators import require_cap
from minzheng.accounts.roles import Cap
from minzheng.core import dates
from minzheng.core.forms import add_errors_to_form, flash_errors
from minzheng.core.inputs import form_int
from minzheng.core.scoping import get_visible, visible

from .. import forms
from ..models import RecordFlag, ServiceOrder, ServiceRecord
from ..services import delivery
from .common import act, post_date


@require_cap(Cap.DELIVER_SERVICES)
def mine(request: AuthedRequest) -> HttpResponse:
    """A worker's beneficiaries: only the orders assigned to them (core.scoping publishes nothing else)."""
    orders = (visible(ServiceOrder, request.user).filter(end__isnull=True)
              .select_related("person", "village__parent", "contract").order_by("village__code", "person__name"))
    start = dates.start_of_day(dates.current_month())
    done = {o: n for o, n in visible(ServiceRecord, request.user).filter(started_at__gte=start)
            .values_list("order_id").annotate(n=Count("id")).order_by()}
    return render(request, "purchased/mine.html", {"orders": [(o, done.get(o.pk, 0)) for o in orders],
                                                   "month": dates.current_month()})


@require_cap(Cap.VIEW_BUSINESS)
def record_new(request: AuthedRequest, order_id: int) -> HttpResponse:
    o = get_visible(ServiceOrder.objects.select_related("person", "contract", "village__parent"), request.user,
                    pk=order_id)
    if not request.user.has_cap(Cap.DELIVER_SERVICES):
        return redirect("purchased:order", order_id=o.pk)  # officers see the order; only its worker records
    form = forms.RecordForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            signature = d.get("signature") or drawn_signature(d.get("signature_drawn") or "")
            rec = delivery.record(actor=request.user, order=o, started_at=d["started_at"], ended_at=d["ended_at"],
                                  content=d["content"], photo=d.get("photo"), confirmation=d["confirmation"],
                                  confirmed_by=d.get("confirmed_by") or "", code=d.get("code") or "",
                                  signature=signature)
        except ValidationError as exc:
            add_errors_to_form(form, exc)
        else:
            messages.success(request, f"已记录 {o.person.name} 的服务（{rec.minutes} 分钟）")
            return redirect("purchased:mine")
    return render(request, "purchased/record_new.html", {"o": o, "form": form},
                  status=400 if form.errors else 200)


def drawn_signature(data_url: str) -> SimpleUploadedFile | None:
    """The canvas signature as the phone sent it (data:image/png;base64,…), as an upload for photos.clean, which
    re-encodes it like any photo. Anything else is refused naming the field."""
    if not data_url:
        return None
    head, _, body = data_url.partition(",")
    if head != "data:image/png;base64" or not body:
        raise ValidationError({"signature": "手写签名数据无效，请重新签名"})
    try:
        raw = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError({"signature": "手写签名数据无效，请重新签名"}) from None
    return SimpleUploadedFile("signature.png", raw, content_type="image/png")


@require_cap(Cap.EDIT_BUSINESS)
def service_card(request: AuthedRequest, order_id: int) -> HttpResponse:
    """The township prints a service card of one-time codes for the beneficiary (打印); the codes are shown only on
    this response and kept as hashes. GET shows what printing will do; POST issues the codes."""
    o = get_visible(ServiceOrder.objects.select_related("person", "contract__provider", "village__parent", "staff"),
                    request.user, pk=order_id)
    codes: list[str] = []
    if request.method == "POST":
        try:
            codes = delivery.issue_card(actor=request.user, order=o, count=form_int(
                request.POST, "count", label="确认码数量", lo=1, hi=100, default=min(62, o.contract.visits_per_month * 3)))
        except ValidationError as exc:
            from django.core.exceptions import BadRequest

            from minzheng.core.forms import error_messages

            raise BadRequest("；".join(error_messages(exc))) from exc
    return render(request, "purchased/card.html", {"o": o, "codes": codes, "now": dates.local()})


@require_cap(Cap.VIEW_BUSINESS)
def order_detail(request: AuthedRequest, order_id: int) -> HttpResponse:
    user = request.user
    o = get_visible(ServiceOrder.objects.select_related("person", "contract__provider", "village__parent", "staff"),
                    user, pk=order_id)
    code = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "end":
            return act(request, "已终止派单", lambda: delivery.end_order(
                actor=user, order=o, on=post_date(request, "on"), reason=request.POST.get("reason", "")),
                "purchased:order", order_id=o.pk)
        if action == "issue_code":
            try:
                code = delivery.issue_code(actor=user, order=o)
            except (ValidationError, PermissionDenied) as exc:
                flash_errors(request, exc)
                return redirect("purchased:order", order_id=o.pk)
        else:
            raise PermissionDenied("未知操作")
    records = visible(ServiceRecord, user).filter(order=o).prefetch_related("flags")[:200]
    return render(request, "purchased/order.html", {"o": o, "records": records, "code": code})


@require_cap(Cap.VIEW_BUSINESS)
def record_detail(request: AuthedRequest, record_id: int) -> HttpResponse:
    user = request.user
    rec = get_visible(ServiceRecord.objects.select_related("order__person", "order__contract", "staff",
                                                           "order__village__parent"), user, pk=record_id)
    return render(request, "purchased/record.html", {"rec": rec, "flags": visible(RecordFlag, user).filter(record=rec)})


@require_cap(Cap.VIEW_BUSINESS)
def record_photo(request: AuthedRequest, record_id: int) -> HttpResponseBase:
    rec = get_visible(ServiceRecord, request.user, pk=record_id)
    if not rec.photo:
        raise Http404("没有照片")
    return FileResponse(rec.photo.open("rb"), content_type="image/jpeg")


@require_cap(Cap.EDIT_BUSINESS)
def flag_settle(request: AuthedRequest, flag_id: int) -> HttpResponse:
    flag = get_visible(RecordFlag, request.user, pk=flag_id)
    if request.method != "POST":
        return redirect("purchased:record", record_id=flag.record_id)
    return act(request, "已核实", lambda: delivery.settle_flag(
        actor=request.user, flag=flag, confirmed=request.POST.get("confirmed") == "1",
        note=request.POST.get("note", "")), "purchased:record", record_id=flag.record_id)
