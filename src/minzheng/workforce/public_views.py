"""民情直通车 for the public: no login, rate-limited, a reference number back and nothing else shown."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from minzheng.audit import context as audit_context
from minzheng.core.forms import add_errors_to_form

from . import forms, needs


def _client_ip(request: HttpRequest) -> str:
    # REMOTE_ADDR only: a client can write any X-Forwarded-For. Behind the bureau's reverse proxy,
    # `minzheng serve --trusted-proxy` makes REMOTE_ADDR the client's address (as for audit and rate limits).
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


@never_cache
def report_form(request: HttpRequest) -> HttpResponse:
    form = forms.PublicNeedForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if d.get("website"):
            return redirect("workforce_public:thanks")  # a bot: pretend success, store nothing
        try:
            with audit_context.acting(audit_context.Actor("public", "public", "")):
                r = needs.submit(village=d["village"], category=d["category"], description=d["description"],
                                 photo=d.get("photo"), reporter_name=d.get("reporter_name") or "",
                                 reporter_phone=d.get("reporter_phone") or "", source="public",
                                 ip=_client_ip(request))
        except ValidationError as exc:
            add_errors_to_form(form, exc)
        else:
            request.session["workforce_public_ref"] = [r.reference, f"{r.deadline:%Y年%m月%d日}",
                                                       (r.village.parent or r.village).name]
            return redirect("workforce_public:thanks")
    return render(request, "workforce/public_form.html", {"form": form})


@never_cache
def thanks(request: HttpRequest) -> HttpResponse:
    ref = request.session.pop("workforce_public_ref", None)
    return render(request, "workforce/public_thanks.html", {"ref": ref})
