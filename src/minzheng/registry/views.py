"""Pages of the household registry. Thin: parse the form, call one service, redirect; reads go through selectors
(always scoped to the user's jurisdiction)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from minzheng.accounts.actor import AuthedRequest
from minzheng.accounts.decorators import require_cap
from minzheng.accounts.roles import Cap
from minzheng.core import dates, followups, inputs, listexport
from minzheng.core import sections as record_sections
from minzheng.core.forms import add_errors_to_form
from minzheng.core.scoping import get_visible, visible, visible_divisions
from minzheng.regions.models import Level

from . import exports, idnumber, selectors, services
from .forms import (
    AssetForm,
    DeathForm,
    EndDateForm,
    HeadForm,
    HouseholdForm,
    IncomeForm,
    MoveForm,
    PersonForm,
)
from .models import Asset, Household, Income, Person, Programme, Relation


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    from urllib.parse import quote

    resp = HttpResponse(data, content_type=listexport.XLSX)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return resp


def _villages(request: AuthedRequest) -> Any:
    return visible_divisions(request.user).filter(level=Level.VILLAGE).select_related("parent").order_by("code")


def _masked_initial(request: AuthedRequest, initial: dict[str, Any], kinds: dict[str, str]) -> dict[str, str]:
    """For roles without sensitive access, replace personal values in a form's initial data by their masked form;
    returns the masked values so an unchanged submission can be recognised."""
    from . import masking

    if masking.can_see_sensitive(request.user):
        return {}
    out = {}
    for key, kind in kinds.items():
        if initial.get(key):
            out[key] = initial[key] = masking.shown(request.user, str(initial[key]), kind)
    return out


# ---- lists and search --------------------------------------------------------------------------------------


@require_cap(Cap.VIEW_BUSINESS)
def household_list(request: AuthedRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    village = inputs.get_id(request, "village")
    programme = request.GET.get("programme") or None
    qs = selectors.households(request.user, q=q, division_id=village, programme=programme)
    if request.GET.get("export") == "xlsx":
        if not request.user.has_cap(Cap.EXPORT):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied("您的角色没有导出权限")
        if (queued := listexport.offload(request, qs.count(), what="家庭台账")) is not None:
            return queued   # a county-wide export runs in the task worker, not in the request
        return _xlsx(exports.households_xlsx(qs, user=request.user), f"家庭台账_{dates.today():%Y%m%d}.xlsx")
    page = selectors.CappedPaginator(qs, selectors.PER_PAGE).get_page(request.GET.get("page"))
    selectors.with_member_counts(list(page.object_list))
    ctx = {
        "page": page, "q": q, "village": village, "programme": programme, "villages": _villages(request),
        "programmes": Programme.objects.filter(active=True), "querystring": _qs(request),
    }
    template = "registry/_household_rows.html" if request.htmx and request.GET.get("partial") else \
        "registry/household_list.html"
    return render(request, template, ctx)


def _qs(request: AuthedRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("partial", None)
    return params.urlencode()


@require_cap(Cap.VIEW_BUSINESS)
def person_search(request: AuthedRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    living = request.GET.get("living") == "1"
    if request.GET.get("export") == "xlsx":
        if not request.user.has_cap(Cap.EXPORT):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied("您的角色没有导出权限")
        qs = selectors.search_persons(request.user, q, include_deceased=not living)
        if (queued := listexport.offload(request, qs.count(), what="人员名单")) is not None:
            return queued
        return _xlsx(exports.persons_xlsx(qs, user=request.user), f"人员名单_{dates.today():%Y%m%d}.xlsx")
    page = selectors.search_page(request.user, q, page=request.GET.get("page"), include_deceased=not living) \
        if q else None
    ctx = {"page": page, "q": q, "living": living, "querystring": _qs(request)}
    if request.htmx and request.GET.get("partial"):
        return render(request, "registry/_person_rows.html", ctx)
    return render(request, "registry/person_search.html", ctx)


@require_cap(Cap.VIEW_BUSINESS)
def template_download(request: AuthedRequest) -> HttpResponse:
    return _xlsx(exports.template_xlsx(), "家庭台账导入模板.xlsx")


@require_cap(Cap.VIEW_BUSINESS)
def idcheck(request: AuthedRequest) -> HttpResponse:
    """A quick checker for officers (the same rules as `minzheng idcheck`); the number is not stored or logged."""
    raw = request.GET.get("n", "")
    result = idnumber.check(raw) if raw.strip() else None
    template = "registry/_idcheck_result.html" if request.htmx else "registry/idcheck.html"
    return render(request, template, {"n": raw, "r": result})


# ---- households --------------------------------------------------------------------------------------------


@require_cap(Cap.VIEW_BUSINESS)
def household_detail(request: AuthedRequest, household_id: int) -> HttpResponse:
    view = selectors.household_view(request.user, household_id)
    can_edit = request.user.has_cap(Cap.EDIT_BUSINESS)
    return render(request, "registry/household_detail.html", {
        "v": view, "h": view.household, "can_edit": can_edit,
        "record_sections": record_sections.for_page("household", request, view.household),
        "head_form": HeadForm(members=[m for m in view.members if not m.is_deceased]) if can_edit else None,
    })


@require_cap(Cap.EDIT_BUSINESS)
def household_create(request: AuthedRequest) -> HttpResponse:
    hform = HouseholdForm(request.POST or None, villages=_villages(request), prefix="h")
    pform = PersonForm(request.POST or None, head=True, prefix="p")
    if request.method == "POST" and hform.is_valid() and pform.is_valid():
        d = hform.cleaned_data
        try:
            hh = services.create_household(
                actor=request.user, division=d["division"], hukou_type=d["hukou_type"], address=d["address"],
                hukou_address=d["hukou_address"], phone=d["phone"], note=d["note"],
                head={"id_number": pform.cleaned_data["id_number"], **pform.person_data()})
        except ValidationError as exc:
            person_keys = set(pform.fields) | {"id_number"}
            if hasattr(exc, "error_dict") and set(exc.error_dict) & person_keys:
                add_errors_to_form(pform, exc)
            else:
                add_errors_to_form(hform, exc)
        else:
            messages.success(request, f"已建档：{hh}")
            return redirect("registry:household", household_id=hh.pk)
    return render(request, "registry/household_form.html", {"hform": hform, "pform": pform, "creating": True})


@require_cap(Cap.EDIT_BUSINESS)
def household_edit(request: AuthedRequest, household_id: int) -> HttpResponse:
    hh = selectors.household(request.user, household_id)
    initial = {k: getattr(hh, k) for k in services.HOUSEHOLD_FIELDS}
    masked = _masked_initial(request, initial, {"phone": "phone"})
    hform = HouseholdForm(request.POST or None, initial=initial, editing=True, prefix="h")
    if request.method == "POST" and hform.is_valid():
        data = dict(hform.cleaned_data)
        if "phone" in masked and data.get("phone") == masked["phone"]:
            data.pop("phone")
        try:
            services.update_household(actor=request.user, household=hh, **data)
        except ValidationError as exc:
            add_errors_to_form(hform, exc)
        else:
            messages.success(request, "家庭信息已保存")
            return redirect("registry:household", household_id=hh.pk)
    return render(request, "registry/household_form.html", {"hform": hform, "h": hh, "creating": False})


@require_cap(Cap.EDIT_BUSINESS)
def person_add(request: AuthedRequest, household_id: int) -> HttpResponse:
    hh = selectors.household(request.user, household_id)
    form = PersonForm(request.POST or None, initial={"ethnicity": "01"})
    if request.method == "POST" and form.is_valid():
        try:
            p = services.add_person(actor=request.user, household=hh, id_number=form.cleaned_data["id_number"],
                                    relation=form.cleaned_data["relation"], **form.person_data())
        except ValidationError as exc:
            add_errors_to_form(form, exc)
        else:
            messages.success(request, f"已添加成员：{p.name}")
            return redirect("registry:household", household_id=hh.pk)
    return render(request, "registry/person_form.html", {"form": form, "h": hh, "creating": True})


@require_POST
@require_cap(Cap.EDIT_BUSINESS)
def household_head(request: AuthedRequest, household_id: int) -> HttpResponse:
    hh = selectors.household(request.user, household_id)
    members = list(hh.members.filter(is_deceased=False))
    form = HeadForm(request.POST, members=members)
    if form.is_valid():
        person = next(m for m in members if str(m.pk) == form.cleaned_data["person"])
        try:
            services.set_head(actor=request.user, household=hh, person=person,
                              former_head_relation=form.cleaned_data["former_head_relation"])
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, f"户主已变更为 {person.name}")
    else:
        messages.error(request, "请选择新户主和原户主关系")
    return redirect("registry:household", household_id=hh.pk)


@require_cap(Cap.EDIT_BUSINESS)
def income_add(request: AuthedRequest, household_id: int) -> HttpResponse:
    hh = selectors.household(request.user, household_id)
    members = list(hh.members.all())
    form = IncomeForm(request.POST or None, members=members, initial={"period_start": dates.today().replace(day=1)})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        person = next((m for m in members if str(m.pk) == d["person"]), None)
        try:
            services.add_income(actor=request.user, household=hh, category=d["category"], item=d["item"], code=d["code"],
                                person=person, monthly_amount=d["monthly_amount"], period_start=d["period_start"],
                                period_end=d["period_end"], source=d["source"])
        except ValidationError as exc:
            add_errors_to_form(form, exc)
        else:
            messages.success(request, "已登记收入")
            return redirect("registry:household", household_id=hh.pk)
    return render(request, "registry/simple_form.html", {"form": form, "h": hh, "title": "登记收入"})


@require_cap(Cap.EDIT_BUSINESS)
def asset_add(request: AuthedRequest, household_id: int) -> HttpResponse:
    hh = selectors.household(request.user, household_id)
    members = list(hh.members.all())
    form = AssetForm(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        person = next((m for m in members if str(m.pk) == d["person"]), None)
        try:
            services.add_asset(actor=request.user, household=hh, kind=d["kind"], description=d["description"],
                               person=person, value=d["value"], acquired_on=d["acquired_on"],
                               disposed_on=d["disposed_on"])
        except ValidationError as exc:
            add_errors_to_form(form, exc)
        else:
            messages.success(request, "已登记财产")
            return redirect("registry:household", household_id=hh.pk)
    return render(request, "registry/simple_form.html", {"form": form, "h": hh, "title": "登记财产"})


@require_POST
@require_cap(Cap.EDIT_BUSINESS)
def income_end(request: AuthedRequest, income_id: int) -> HttpResponse:
    income = get_visible(Income, request.user, pk=income_id)
    form = EndDateForm(request.POST)
    if form.is_valid():
        try:
            services.end_income(actor=request.user, income=income, period_end=form.cleaned_data["on"])
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, "已登记收入截止日期")
    else:
        messages.error(request, "请填写截止日期")
    return redirect("registry:household", household_id=income.household_id)


@require_POST
@require_cap(Cap.EDIT_BUSINESS)
def asset_dispose(request: AuthedRequest, asset_id: int) -> HttpResponse:
    asset = get_visible(Asset, request.user, pk=asset_id)
    form = EndDateForm(request.POST)
    if form.is_valid():
        try:
            services.dispose_asset(actor=request.user, asset=asset, disposed_on=form.cleaned_data["on"])
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, "已登记财产处置")
    else:
        messages.error(request, "请填写处置日期")
    return redirect("registry:household", household_id=asset.household_id)


# ---- persons -----------------------------------------------------------------------------------------------


@require_cap(Cap.VIEW_BUSINESS)
def person_detail(request: AuthedRequest, person_id: int) -> HttpResponse:
    p = selectors.person(request.user, person_id)
    history = list(p.memberships.select_related("household__division", "household__head").order_by("start_date", "id"))
    enrollments = list(p.enrollments.select_related("programme").order_by("-start_month"))
    incomes = list(p.incomes.order_by("-period_start"))
    return render(request, "registry/person_detail.html", {
        "p": p, "history": history, "enrollments": enrollments, "incomes": incomes,
        "can_edit": request.user.has_cap(Cap.EDIT_BUSINESS), "today": dates.today(),
    })


@require_cap(Cap.EDIT_BUSINESS)
def person_edit(request: AuthedRequest, person_id: int) -> HttpResponse:
    p = selectors.person(request.user, person_id)
    head = p.relation == Relation.HEAD
    initial = {k: getattr(p, k) for k in PersonForm.FIELDS}
    initial.update(id_number=p.id_number, relation=p.relation)
    masked = _masked_initial(request, initial, {"id_number": "id", "phone": "phone", "bank_account": "account"})
    form = PersonForm(request.POST or None, initial=initial, head=head)
    if request.method == "POST" and form.is_valid():
        data = form.person_data()
        id_number = form.cleaned_data["id_number"]
        # A masked value sent back unchanged means "keep": the officer without sensitive access never saw it.
        if masked.get("id_number") == id_number:
            id_number = None
        for key in ("phone", "bank_account"):
            if key in masked and data.get(key) == masked[key]:
                data.pop(key)
        try:
            services.update_person(actor=request.user, person=p, id_number=id_number,
                                   relation=None if head else form.cleaned_data["relation"], **data)
        except ValidationError as exc:
            add_errors_to_form(form, exc)
        else:
            messages.success(request, "人员信息已保存")
            follow = followups.after_person_saved(request.user, p)   # e.g. rosters still holding the old account
            if follow is not None:
                messages.info(request, follow.text)
                return redirect(follow.url)
            return redirect("registry:person", person_id=p.pk)
    return render(request, "registry/person_form.html", {"form": form, "p": p, "h": p.household, "creating": False})


@require_cap(Cap.EDIT_BUSINESS)
def person_move(request: AuthedRequest, person_id: int) -> HttpResponse:
    p = selectors.person(request.user, person_id)
    form = MoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        target = _find_household(request, d["target"])
        if target is None:
            form.add_error("target", "在您的辖区内找不到这个家庭（请填写户主身份证号或家庭编号）")
        else:
            try:
                services.move_member(actor=request.user, person=p, to_household=target, relation=d["relation"],
                                     on=d["on"], reason=d["reason"])
            except ValidationError as exc:
                add_errors_to_form(form, exc)
            else:
                messages.success(request, f"{p.name} 已迁入 {target}")
                return redirect("registry:household", household_id=target.pk)
    return render(request, "registry/simple_form.html", {"form": form, "p": p, "h": p.household,
                                                         "title": f"迁移成员：{p.name}"})


def _find_household(request: AuthedRequest, text: str) -> Household | None:
    text = text.strip()
    qs = visible(Household, request.user)
    if text.isdigit() and len(text) < 15:
        return qs.filter(pk=int(text)).first()
    number = idnumber.normalize(text)
    if len(number) == 15:
        number = idnumber.check(number).normalized
    person = visible(Person, request.user).filter(id_number=number).select_related("household").first()
    return person.household if person else None


@require_cap(Cap.EDIT_BUSINESS)
def person_death(request: AuthedRequest, person_id: int) -> HttpResponse:
    p = selectors.person(request.user, person_id)
    form = DeathForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_death(actor=request.user, person=p, death_date=form.cleaned_data["death_date"],
                                  note=form.cleaned_data["note"])
        except ValidationError as exc:
            add_errors_to_form(form, exc)
        else:
            live = p.enrollments.filter(status="active").count()
            messages.success(request, f"已登记 {p.name} 死亡" + (f"；此人仍有 {live} 项待遇在保，请办理停保" if live else ""))
            return redirect("registry:person", person_id=p.pk)
    return render(request, "registry/simple_form.html", {"form": form, "p": p, "h": p.household,
                                                         "title": f"登记死亡：{p.name}", "danger": True})
