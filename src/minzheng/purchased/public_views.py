"""Public disclosure of purchased services (no person's data) and the complaint channel, routed as 民情 items."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from minzheng.audit import context as audit_context
from minzheng.core.forms import add_errors_to_form
from minzheng.regions.models import Division, Level
from minzheng.workforce.public_views import _client_ip

from . import forms, selectors
from .models import ContractArea, ContractStatus, Provider
from .services import complaints


def contracts(request: HttpRequest) -> HttpResponse:
    return render(request, "purchased/public.html", {"contracts": selectors.public_contracts()})


@never_cache
def complaint(request: HttpRequest) -> HttpResponse:
    towns = ContractArea.objects.filter(contract__status=ContractStatus.ACTIVE).values("township_id")
    villages = Division.objects.filter(level=Level.VILLAGE, parent__in=towns).select_related("parent").order_by("code")
    providers = Provider.objects.filter(contracts__status=ContractStatus.ACTIVE).distinct().order_by("name")
    form = forms.ComplaintForm(providers, villages, request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if d.get("website"):
            return redirect("purchased_public:thanks")  # a bot: pretend success, store nothing
        try:
            with audit_context.acting(audit_context.Actor("public", "public", "")):
                c = complaints.submit(provider=d["provider"], village=d["village"], description=d["description"],
                                      reporter_name=d.get("reporter_name") or "",
                                      reporter_phone=d.get("reporter_phone") or "", ip=_client_ip(request))
        except ValidationError as exc:
            add_errors_to_form(form, exc)
        else:
            request.session["purchased_public_ref"] = [c.need.reference, f"{c.need.deadline:%Y年%m月%d日}",
                                                       c.village.parent.name if c.village.parent else ""]
            return redirect("purchased_public:thanks")
    return render(request, "purchased/complaint.html", {"form": form})


@never_cache
def thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "purchased/public_thanks.html", {"ref": request.session.pop("purchased_public_ref", None)})
