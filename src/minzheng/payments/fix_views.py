"""Pages that fix what the pre-flight check found: hold and release lines, the 补充花名册, and a payee's details
(领款信息: account as in the household record, guardian, lines of open rosters still carrying an old copy)."""

from __future__ import annotations

from collections.abc import Callable
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
from minzheng.core.scoping import get_visible
from minzheng.registry.masking import shown
from minzheng.registry.models import Person

from . import guardians, holds, payee_sync, payees, supplements
from .models import Guardianship, Payroll, PayrollLine


def _errors(request: AuthedRequest, exc: Exception) -> None:
    for m in getattr(exc, "messages", None) or [str(exc)]:
        messages.error(request, m)


def _done(request: AuthedRequest, act: Callable[[], int], message: str, back: str, **kw: Any) -> HttpResponse:
    """Run one hold/release action, say what it did (message takes {n}) or why not, and go back."""
    try:
        messages.success(request, message.format(n=act()))
    except (ValidationError, PermissionDenied) as exc:
        _errors(request, exc)
    return redirect(back, **kw)


@require_POST
@require_cap(Cap.EDIT_BUSINESS)
def hold(request: AuthedRequest, payroll_id: int) -> HttpResponse:
    p = get_visible(Payroll, request.user, pk=payroll_id)
    eid = request.POST.get("enrollment", "")
    if not eid.isdigit():
        messages.error(request, "请选择要挂起的明细")
        return redirect("payments:payroll", payroll_id=p.pk)
    return _done(request, lambda: holds.hold(payroll=p, user=request.user, enrollment_ids=[int(eid)],
                                             reason=request.POST.get("reason", "")),
                 "已挂起 {n} 笔；其余明细照常发放", "payments:payroll", payroll_id=p.pk)


@require_POST
@require_cap(Cap.EDIT_BUSINESS)
def hold_blocked(request: AuthedRequest, payroll_id: int) -> HttpResponse:
    p = get_visible(Payroll, request.user, pk=payroll_id)
    return _done(request, lambda: holds.hold_blocked(payroll=p, user=request.user),
                 "已挂起不能发放的明细 {n} 笔，现在可以提交审批；补正档案后解除挂起即在下月补发",
                 "payments:payroll", payroll_id=p.pk)


@require_POST
@require_cap(Cap.EDIT_BUSINESS)
def release(request: AuthedRequest, payline_id: int) -> HttpResponse:
    line = get_visible(PayrollLine.objects.select_related("payroll", "enrollment__household"), request.user,
                       pk=payline_id)
    return _done(request, lambda: holds.release(line=line, user=request.user, note=request.POST.get("note", "")),
                 "已解除挂起 {n} 笔", "payments:payroll", payroll_id=line.payroll_id)


@require_POST
@require_cap(Cap.EDIT_BUSINESS)
def supplement(request: AuthedRequest, payroll_id: int) -> HttpResponse:
    p = get_visible(Payroll, request.user, pk=payroll_id)
    try:
        sup = supplements.generate(payroll=p, user=request.user)
    except (ValidationError, PermissionDenied) as exc:
        _errors(request, exc)
        return redirect("payments:payroll", payroll_id=p.pk)
    messages.success(request, f"已生成补充花名册：{sup.line_count} 笔，{sup.total} 元，请核对后提交审批")
    return redirect("payments:payroll", payroll_id=sup.pk)


class GuardianForm(forms.Form):
    guardian_name = forms.CharField(label="监护人姓名", max_length=64)
    guardian_id_number = forms.CharField(label="监护人身份证号", max_length=18, required=False)
    relation = forms.CharField(label="与被监护人关系", max_length=32, required=False)
    bank_name = forms.CharField(label="监护人开户银行", max_length=64, required=False)
    bank_account = forms.CharField(label="监护人银行账号", max_length=40, required=False)
    since = forms.DateField(label="监护起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))


def _form_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for key, errs in exc.message_dict.items():
            form.add_error(key if key in form.fields else None, errs)
    else:
        for m in exc.messages:
            form.add_error(None, m)


@require_cap(Cap.VIEW_BUSINESS)
def payee(request: AuthedRequest, person_id: int) -> HttpResponse:
    """One person's 领款信息: who is paid and where, the guardian, and open-roster lines to bring up to date."""
    person = get_visible(Person.objects.select_related("household__division"), request.user, pk=person_id)
    user = request.user
    can_edit = user.has_cap(Cap.EDIT_BUSINESS)
    g = Guardianship.objects.filter(person=person).first()
    posted = request.method == "POST" and request.POST.get("action") == "guardian"
    form = GuardianForm(request.POST if posted else None, initial={
        "guardian_name": g.guardian_name, "relation": g.relation, "bank_name": g.bank_name, "since": g.since,
    } if g else None)
    if request.method == "POST" and can_edit:
        action = request.POST.get("action", "")
        try:
            if action == "sync":
                ids = [int(x) for x in request.POST.getlist("line")] or None
                n = payee_sync.apply(person=person, user=user, line_ids=ids)
                messages.success(request, f"已把当前领款信息同步到 {n} 笔未发放的明细")
                return redirect("payments:payee", person_id=person.pk)
            if action == "remove_guardian":
                guardians.remove_guardian(person=person, user=user)
                messages.success(request, "已撤销领款监护人")
                return redirect("payments:payee", person_id=person.pk)
            if posted and form.is_valid():
                d = form.cleaned_data
                guardians.set_guardian(person=person, user=user, **d)
                messages.success(request, "已登记领款监护人")
                return redirect("payments:payee", person_id=person.pk)
        except ValueError:
            messages.error(request, "请选择要同步的明细")
        except (ValidationError, PermissionDenied) as exc:
            if isinstance(exc, ValidationError) and action not in ("sync", "remove_guardian"):
                _form_errors(form, exc)
            else:
                _errors(request, exc)
    now = payees.current(person)
    diffs = payee_sync.pending(person)
    return render(request, "payments/payee.html", {
        "person": person, "now": now, "account": shown(user, now.bank_account, "account"),
        "id": shown(user, now.id_number, "id"), "guardian": g, "form": form, "can_edit": can_edit,
        "diffs": diffs, "sent": payee_sync.sent(person),
        "checker_only": {d.line.pk for d in diffs if payee_sync.needs_checker(d.line, user)},
        "held": payee_sync.held(person),
    })

