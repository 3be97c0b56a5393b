"""Public notices (公示). Nothing here reads a user: the page is addressed by an unguessable token and shows
only what a notice board may show."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from minzheng.policy import services as policy
from minzheng.registry.masking import mask_name

from . import relief, services
from .models import Distribution, WinterRound, WinterStatus

_NOTICE_STATES = [WinterStatus.NOTICE, WinterStatus.TOWNSHIP_OK, WinterStatus.APPROVED]


def distribution_notice(request: HttpRequest, relief_notice: str) -> HttpResponse:
    dist = Distribution.objects.select_related("division").filter(public_token=relief_notice, published=True).first()
    if dist is None:
        raise Http404("公示不存在或已撤下")
    return render(request, "disaster/public_distribution.html", {
        "dist": dist, "rows": relief.public_rows(dist), "department": services.department()})


def winter_notice(request: HttpRequest, winter_notice: str) -> HttpResponse:
    rnd = WinterRound.objects.filter(public_token=winter_notice).first()
    if rnd is None:
        raise Http404("公示不存在")
    mask = bool(policy.value("disaster.public_mask_names", on=rnd.period_start))
    # Bypasses scoping on purpose: a 公示 is public; only the notice fields leave this function.
    cases = rnd.cases.filter(status__in=_NOTICE_STATES).select_related("household__head", "household__division")
    rows = []
    for c in cases.order_by("household__division__code", "id"):
        name = c.household.head.name if c.household.head_id and c.household.head else "（户主未登记）"
        rows.append({"name": mask_name(name) if mask else name, "village": c.household.division.name,
                     "persons": c.persons, "notice_end": c.notice_end})
    return render(request, "disaster/public_winter.html", {"rnd": rnd, "rows": rows,
                                                            "department": services.department()})
