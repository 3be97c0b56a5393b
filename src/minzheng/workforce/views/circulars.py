"""Documents sent down (文件精神下达): inbox and outbox, issuing, read receipts and attachments."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render

from minzheng.accounts.actor import AuthedRequest
from minzheng.accounts.decorators import require_cap
from minzheng.accounts.roles import Cap
from minzheng.core import listexport
from minzheng.core.forms import add_errors_to_form
from minzheng.core.scoping import get_visible, home_division, visible, visible_divisions
from minzheng.regions.models import Level

from .. import circulars, forms
from ..models import Circular, CircularReceipt
from .common import _can_edit


@require_cap(Cap.VIEW_BUSINESS)
def circulars_page(request: AuthedRequest) -> HttpResponse:
    user = request.user
    inbox = (CircularReceipt.objects.filter(recipient=user.division).select_related("circular__issuer")
             .order_by("-circular__published_at")[:100]) if user.division else []
    outbox = visible(Circular, user).annotate(
        total=Count("receipts"), read=Count("receipts", filter=Q(receipts__read_at__isnull=False)))[:100]
    can_issue = _can_edit(user) and user.division and user.division.level in (Level.COUNTY, Level.TOWNSHIP)
    if listexport.requested(request):
        return listexport.response(request, what="公文通知", headers=[
            "收/发", "文号", "标题", "发文单位", "下达时间", "下达人", "阅知情况"], rows=[
            *(["收文", r.circular.doc_number, r.circular.title, r.circular.issuer.name,
               listexport.stamp(r.circular.published_at), r.circular.published_by,
               f"{listexport.stamp(r.read_at)} {r.read_by}" if r.read_at else "未阅"] for r in inbox),
            *(["发文", c.doc_number, c.title, c.issuer.name, listexport.stamp(c.published_at), c.published_by,
               f"{c.read}/{c.total} 已阅"] for c in outbox)])
    return render(request, "workforce/circulars.html", {"inbox": inbox, "outbox": outbox, "can_issue": can_issue})


@require_cap(Cap.EDIT_BUSINESS)
def circular_new(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if not _can_edit(user) or user.division is None or user.division.level not in (Level.COUNTY, Level.TOWNSHIP):
        raise PermissionDenied("只有区民政局和乡镇(街道)可以下达文件")
    form = forms.CircularForm(user, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        recipients = list(d["recipients"])
        if d.get("include_villages"):
            recipients += list(visible_divisions(user).filter(parent__in=recipients, level=Level.VILLAGE))
        try:
            c = circulars.publish(actor=user, issuer=home_division(user), title=d["title"], recipients=recipients,
                                  body=d["body"], doc_number=d["doc_number"], attachment=d.get("attachment"),
                                  link=d.get("link") or "")
        except ValidationError as exc:
            add_errors_to_form(form, exc)
        else:
            messages.success(request, f"已下达 {c.receipts.count()} 个单位")
            return redirect("workforce:circular_detail", circular_id=c.pk)
    return render(request, "workforce/form.html", {"form": form, "title": "下达文件", "multipart": True})


@require_cap(Cap.VIEW_BUSINESS)
def circular_detail(request: AuthedRequest, circular_id: int) -> HttpResponse:
    c = get_visible(Circular.objects.select_related("issuer"), request.user, pk=circular_id)
    receipts = list(c.receipts.select_related("recipient__parent"))
    return render(request, "workforce/circular.html", {
        "c": c, "receipts": receipts, "unread": [r for r in receipts if r.read_at is None]})


@require_cap(Cap.VIEW_BUSINESS)
def receipt_detail(request: AuthedRequest, receipt_id: int) -> HttpResponse:
    rc = get_visible(CircularReceipt.objects.select_related("circular__issuer", "recipient"), request.user,
                     pk=receipt_id)
    circulars.mark_read(user=request.user, receipt=rc)
    return render(request, "workforce/receipt.html", {"rc": rc, "c": rc.circular})


def _serve_attachment(c: Circular) -> HttpResponseBase:
    if c.attachment:
        return FileResponse(c.attachment.open("rb"), as_attachment=True,
                            filename=c.attachment.name.rsplit("/", 1)[-1])
    if c.link:
        return HttpResponseRedirect(c.link)
    raise Http404("没有附件")


@require_cap(Cap.VIEW_BUSINESS)
def circular_attachment(request: AuthedRequest, circular_id: int) -> HttpResponseBase:
    return _serve_attachment(get_visible(Circular, request.user, pk=circular_id))


@require_cap(Cap.VIEW_BUSINESS)
def receipt_attachment(request: AuthedRequest, receipt_id: int) -> HttpResponseBase:
    rc = get_visible(CircularReceipt.objects.select_related("circular"), request.user, pk=receipt_id)
    circulars.mark_read(user=request.user, receipt=rc)
    return _serve_attachment(rc.circular)
