"""Public 公示 pages (no login): what is posted on each village's board, the standing list of recipients, a
printable A4 notice, and the objection form (CSRF on, rate-limited per IP through the Django cache).

Only Publicity.entry (the frozen permitted fields) and masked standing-list rows are rendered: never ID numbers,
phones, bank accounts, addresses or diagnoses (社会救助暂行办法 第六十一条; PIPL 第二十八条; policy-rules §1.4, §10.3).
"""

from __future__ import annotations

from django import forms
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET, require_POST

from minzheng.audit.services import record_output
from minzheng.core import dates
from minzheng.policy import services as policy
from minzheng.regions.models import Division
from minzheng.regions.selectors import root_county, townships

from . import documents, selectors, services
from .models import Publicity


def _division(code: str, level: str) -> Division:
    d = Division.objects.filter(code=code, level=level).first()
    if d is None:
        raise Http404("没有该区划")
    return d


def index(request: HttpRequest) -> HttpResponse:
    county = root_county()
    return render(request, "assistance/public/index.html", {"county": county,
                                                            "townships": townships(county) if county else []})


def township(request: HttpRequest, township_code: str) -> HttpResponse:
    t = _division(township_code, "township")
    rows = selectors.public_rows(selectors.live_publicities(t))
    return render(request, "assistance/public/township.html", {
        "township": t, "villages": selectors.public_villages(t), "rows": rows})


class ObjectionForm(forms.Form):
    publicity = forms.IntegerField(widget=forms.HiddenInput)
    content = forms.CharField(label="异议内容", min_length=5, max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    reporter_name = forms.CharField(label="您的姓名（可不填）", required=False, max_length=64)
    reporter_contact = forms.CharField(label="联系方式（可不填，仅乡镇核实时使用，不公开）", required=False,
                                       max_length=64)


def village(request: HttpRequest, village_code: str, form: ObjectionForm | None = None) -> HttpResponse:
    v = _division(village_code, "village")
    rows = selectors.public_rows(selectors.live_publicities(v))
    return render(request, "assistance/public/village.html", {
        "village": v, "township": v.parent, "rows": rows, "form": form or ObjectionForm(),
        "today": dates.today()}, status=400 if form is not None and form.errors else 200)


def standing(request: HttpRequest, village_code: str) -> HttpResponse:
    v = _division(village_code, "village")
    return render(request, "assistance/public/standing.html", {"village": v, "rows": selectors.standing_list(v)})


@require_GET
def village_print(request: HttpRequest, village_code: str) -> HttpResponse:
    """A4 notice for the board: the live 公示 of the village (PDF from documents.py when available)."""
    v = _division(village_code, "village")
    pubs = selectors.live_publicities(v)
    rows = selectors.public_rows(pubs)
    record_output("print", what=f"公示 {v.name}", count=len(rows))
    if rows and request.GET.get("format") != "html":
        resp = HttpResponse(documents.publicity_notice(list(pubs)), content_type="application/pdf")
        resp["Content-Disposition"] = 'inline; filename="gongshi.pdf"'
        return resp
    return render(request, "assistance/print_publicity.html", {"village": v, "rows": rows, "public": True})


def _client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


def _rate_limited(request: HttpRequest, village: Division) -> bool:
    """At most N objections per IP per hour (parameter assistance.objection_rate_per_hour)."""
    limit = int(policy.value("assistance.objection_rate_per_hour", on=dates.today(), division=village))
    key = f"assistance:objection:{services.client_hash(_client_ip(request))}:{dates.local():%Y%m%d%H}"
    cache.add(key, 0, 3600)
    try:
        n = cache.incr(key)
    except ValueError:
        cache.set(key, 1, 3600)
        n = 1
    return n > limit


@require_POST
@csrf_protect
def objection(request: HttpRequest, village_code: str) -> HttpResponse:
    v = _division(village_code, "village")
    form = ObjectionForm(request.POST)
    if not form.is_valid():
        return village(request, village_code, form)
    pub = Publicity.objects.filter(pk=form.cleaned_data["publicity"], division=v).first()
    if pub is None or not pub.listed:
        form.add_error(None, "该公示不存在或已结束")
        return village(request, village_code, form)
    if _rate_limited(request, v):
        return render(request, "assistance/public/message.html", {
            "village": v, "title": "提交过于频繁", "text": "同一网络一小时内提交次数已达上限，请稍后再试或直接向乡镇(街道)民政办反映。"},
            status=429)
    try:
        obj = services.submit_objection(pub, content=form.cleaned_data["content"],
                                        reporter_name=form.cleaned_data["reporter_name"],
                                        reporter_contact=form.cleaned_data["reporter_contact"],
                                        ip=_client_ip(request))
    except ValidationError as exc:
        for m in exc.messages:
            form.add_error(None, m)
        return village(request, village_code, form)
    return render(request, "assistance/public/message.html", {
        "village": v, "title": "异议已收到",
        "text": f"您的异议已转{pub.township.name}调查核实，将于 {obj.due_date:%Y年%m月%d日} 前处理完毕。感谢您的监督。"})


