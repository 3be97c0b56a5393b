"""Pages for 工作经费 spending (record, balances, vouchers) and the monthly fund report (资金月报, xlsx and PDF)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from minzheng.accounts.actor import AuthedRequest
from minzheng.accounts.decorators import require_cap
from minzheng.accounts.roles import Cap
from minzheng.audit.services import record_output
from minzheng.core import dates, inputs, listexport
from minzheng.core.scoping import get_visible, visible_divisions
from minzheng.regions.models import Division, Level

from . import fund_report, spending
from .engine import parse_month
from .models import FundEntry, SpendingCategory
from .views import download


def _towns(user: Any) -> list[Division]:
    return list(visible_divisions(user).filter(level=Level.TOWNSHIP).order_by("code"))


class SpendingForm(forms.Form):
    township = forms.ChoiceField(label="乡镇(街道)")
    category = forms.ChoiceField(label="支出类别", choices=SpendingCategory.choices)
    amount = forms.DecimalField(label="金额(元)", max_digits=12, decimal_places=2)
    spent_date = forms.DateField(label="支出日期", widget=forms.DateInput(attrs={"type": "date"}))
    voucher_no = forms.CharField(label="凭证号", max_length=40)
    note = forms.CharField(label="摘要", max_length=200, required=False)
    attachment = forms.FileField(label="凭证附件(PDF/JPG/PNG)", required=False)

    def __init__(self, *args: Any, towns: list[Division], **kw: Any) -> None:
        super().__init__(*args, **kw)
        # django-stubs types form.fields[...] as the base Field, which has no choices
        self.fields["township"].choices = [(d.pk, d.name) for d in towns]  # type: ignore[attr-defined]


def _year(request: AuthedRequest) -> int:
    return inputs.get_year(request, default=dates.today().year)


@require_cap(Cap.VIEW_BUSINESS)
def spending_page(request: AuthedRequest) -> HttpResponse:
    user = request.user
    year = _year(request)
    towns = _towns(user)
    can_edit = user.has_cap(Cap.EDIT_BUSINESS) and bool(towns)
    form = SpendingForm(request.POST or None, request.FILES or None, towns=towns,
                        initial={"spent_date": dates.today(), "township": towns[0].pk if len(towns) == 1 else None})
    if request.method == "POST" and can_edit and form.is_valid():
        d = form.cleaned_data
        try:
            spending.record_spending(user=user, township=Division.objects.get(pk=d["township"]),
                                     category=d["category"], amount=d["amount"], spent_date=d["spent_date"],
                                     voucher_no=d["voucher_no"], note=d["note"], attachment=d.get("attachment"))
            messages.success(request, "已记录工作经费支出")
            return redirect(f"{request.path}?year={d['spent_date'].year}")
        except (ValidationError, PermissionDenied) as exc:
            if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
                for key, errs in exc.message_dict.items():
                    form.add_error(key if key in form.fields else None, errs)
            else:
                for m in getattr(exc, "messages", None) or [str(exc)]:
                    form.add_error(None, m)
    if listexport.requested(request):
        return listexport.response(request, what=f"{year}年工作经费支出", headers=[
            "日期", "乡镇(街道)", "类别", "金额(元)", "凭证号", "摘要", "登记人"], rows=(
            [e.spent_date, e.township.name, e.get_category_display(), e.amount, e.voucher_no, e.note, e.created_by]
            for e in spending.entries(user, year=year)))
    return render(request, "payments/spending.html", {
        "year": year, "form": form, "can_edit": can_edit, "balances": spending.balances(user, year=year),
        "entries": spending.entries(user, year=year)[:300], "alerts": spending.alerts(user, year=year),
        "categories": dict(SpendingCategory.choices),
    })


@require_GET
@require_cap(Cap.VIEW_BUSINESS)
def voucher(request: AuthedRequest, entry_id: int) -> HttpResponseBase:
    e = get_visible(FundEntry, request.user, pk=entry_id)
    if not e.attachment:
        messages.info(request, f"凭证 {e.voucher_no or e.pk} 没有上传附件")
        return redirect(f"{reverse('payments:spending')}?year={e.month.year}")
    record_output("export", what="payments.voucher", count=1, division_code=e.township.code,
                  detail={"entry": e.pk, "voucher": e.voucher_no})
    return FileResponse(e.attachment.open("rb"), as_attachment=True, filename=e.attachment.name.rsplit("/", 1)[-1])


def _report(request: AuthedRequest) -> tuple[fund_report.FundReport, str]:
    user = request.user
    default = dates.add_months(dates.month_start(dates.today()), -1)
    try:
        month = parse_month(request.GET["month"]) if request.GET.get("month") else default
    except ValidationError:
        month = default
    town = None
    code = request.GET.get("township", "")
    if code:
        town = next((d for d in _towns(user) if d.code == code), None)
        if town is None:
            raise Http404("区划不在您的辖区内")
    return fund_report.monthly(user, month=month, township=town), (town.code if town else "")


@require_GET
@require_cap(Cap.VIEW_BUSINESS)
def report_page(request: AuthedRequest) -> HttpResponse:
    report, code = _report(request)
    months = [dates.add_months(dates.month_start(dates.today()), -i) for i in range(0, 13)]
    return render(request, "payments/fund_report.html", {"r": report, "township": code, "towns": _towns(request.user),
                                                         "months": months})


@require_GET
@require_cap(Cap.EXPORT)
def report_xlsx(request: AuthedRequest) -> HttpResponse:
    report, code = _report(request)
    name, body = fund_report.report_xlsx(report, division_code=code)
    return download(name, body, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@require_GET
@require_cap(Cap.EXPORT)
def report_pdf(request: AuthedRequest) -> HttpResponse:
    report, code = _report(request)
    name, body = fund_report.report_pdf(report, division_code=code)
    return download(name, body, "application/pdf")

