"""信息核对 pages: 疑点 list and detail (township), summary, runs, department datasets and rules (county)."""

from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render

from minzheng.accounts.actor import Actor, AuthedRequest
from minzheng.accounts.decorators import require_cap
from minzheng.accounts.models import User
from minzheng.accounts.roles import Cap
from minzheng.core import dates, listexport
from minzheng.core.forms import add_errors_to_form
from minzheng.core.scoping import get_visible, in_scope, require_edit, visible_divisions
from minzheng.registry.masking import can_see_sensitive, mask_id

from . import rules, schemas, services
from .models import CheckRun, Dataset, Finding, FindingStatus, OutcomeAction, Rule, RunStatus

EVIDENCE_LABELS = {
    "id_number": "身份证号", "name": "姓名", "death_date": "死亡日期", "death_source": "信息来源",
    "programme": "项目", "employer": "单位", "position": "职务", "monthly_salary": "月工资",
    "plate_no": "号牌", "vehicle_type": "车辆类型", "vehicle_value": "价值(元)", "certificate_no": "不动产权证号",
    "usage": "用途", "area_m2": "面积(㎡)", "household_size": "家庭人数", "entity_name": "市场主体",
    "entity_type": "类型", "role": "身份", "registered_capital": "资金数额", "insurance_type": "待遇类型",
    "pension_amount": "月发放额", "household_income": "已申报月收入", "declared_pension": "已申报养老金",
    "enrolled_township": "享受乡镇", "household_id": "家庭编号", "enrollment_id": "待遇编号",
    "staff_name": "工作人员", "staff_unit": "单位/职务", "relation": "关系", "monthly_amount": "实发(元/月)",
    "age_from": "年龄段起", "age_to": "年龄段止", "band_amount": "年龄段标准", "facility": "服刑场所",
    "sentence_start": "刑期起", "sentence_end": "刑期止", "monthly_deposit": "月缴存额", "dataset_kind": "部门数据",
    "dept_name": "部门登记姓名",
}
COMPUTED_LABELS = {
    "death_date": "死亡日期", "recover_from": "追回起始月", "months": "多发月数", "monthly_share": "每月应减(元)",
    "overpaid": "估算多发(元)", "dept_pension": "部门养老金(元/月)", "declared_pension": "已申报养老金(元/月)",
    "declared_income": "已申报家庭月收入(元)", "recomputed_income": "重新计算家庭月收入(元)",
    "household_size": "家庭人数", "per_capita_income": "重新计算人均月收入(元)", "standard": "低保标准(元/人/月)",
    "above_standard": "不低于低保标准", "homes": "住房套数", "home_area": "住房面积(㎡)",
    "non_residential": "非住宅房产(处)", "age": "年龄", "band": "应属年龄段", "paid": "实发(元/月)",
    "shortfall": "每月少发(元)",
}
STATUS_BADGE = {"open": "orange", "confirmed": "red", "cleared": "green"}


def _is_county(user: Actor) -> bool:
    return bool(user.division is not None and user.division.level in ("county", "city", "province"))


def _show_id(user: Actor, value: Any) -> Any:
    if not isinstance(value, str) or can_see_sensitive(user):
        return value
    return mask_id(value)


def _evidence_table(user: Actor, rows: list[dict[str, Any]]) -> tuple[list[str], list[list[Any]]]:
    cols = list(rows[0].keys()) if rows else []
    headers = [EVIDENCE_LABELS.get(c, c) for c in cols]
    body = []
    for r in rows:
        line = []
        for c in cols:
            v = r.get(c)
            if c == "id_number":
                v = _show_id(user, v)
            elif c == "dataset_kind" and v in schemas.SCHEMAS:
                v = schemas.SCHEMAS[v].label
            line.append("" if v is None else v)
        body.append(line)
    return headers, body


# ------------------------------------------------------------------------------------------- findings


@require_cap(Cap.VIEW_BUSINESS)
def findings(request: AuthedRequest) -> HttpResponse:
    f = request.GET
    qs = services.findings_for(request.user, township=f.get("township", ""), rule=f.get("rule", ""),
                               status=f.get("status", "open"), q=f.get("q", "").strip())
    if f.get("format") == "xlsx" or listexport.requested(request):
        return listexport.response(request, what="核对疑点", headers=[
            "编号", "乡镇(街道)", "村(社区)", "规则", "姓名", "身份证号", "疑点摘要", "处理建议", "状态", "办理期限",
            "处理措施", "核实情况/排除理由"], rows=(
            (x.pk, x.township.name, x.village.name if x.village else "", rules.RULES_BY_CODE[x.rule_code].name
             if x.rule_code in rules.RULES_BY_CODE else x.rule_code, x.person_name,
             _show_id(request.user, x.id_number), x.summary, x.suggested_action, x.get_status_display(),
             x.deadline.isoformat(), x.get_outcome_action_display(), x.outcome_note) for x in qs.iterator()))
    page = Paginator(qs, 50).get_page(f.get("page"))
    for x in page.object_list:
        x.shown_id = _show_id(request.user, x.id_number)
        x.badge = STATUS_BADGE.get(x.status, "")
        x.rule_name = rules.RULES_BY_CODE[x.rule_code].name if x.rule_code in rules.RULES_BY_CODE else x.rule_code
    townships = visible_divisions(request.user).filter(level="township").order_by("code")
    query = f.copy()
    query.pop("page", None)
    return render(request, "crosscheck/findings.html", {
        "page": page, "townships": townships, "rules": rules.RULES, "statuses": FindingStatus.choices,
        "sel": {"township": f.get("township", ""), "rule": f.get("rule", ""), "status": f.get("status", "open"),
                "q": f.get("q", "")},
        "query": query.urlencode(), "today": dates.today(),
        "can_export": request.user.has_cap(Cap.EXPORT),
    })


class OutcomeForm(forms.Form):
    status = forms.ChoiceField(label="核实结果", choices=[(FindingStatus.CONFIRMED, "疑点属实，已处理"),
                                                      (FindingStatus.CLEARED, "疑点排除")],
                               widget=forms.RadioSelect)
    action = forms.ChoiceField(label="已采取的处理措施（属实时必填）", required=False,
                               choices=[("", "—"), *OutcomeAction.choices])
    recovered_amount = forms.DecimalField(label="追回金额(元)", required=False, min_value=Decimal("0"),
                                          max_digits=12, decimal_places=2)
    note = forms.CharField(label="核实情况 / 排除理由", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class AssignForm(forms.Form):
    assigned_to = forms.ModelChoiceField(label="经办人", queryset=User.objects.none(), required=False,
                                         empty_label="（乡镇统一办理）")


def _assignable(finding: Finding) -> Any:
    users = User.objects.filter(is_active=True, division__isnull=False).select_related("division")
    ids = [u.pk for u in users if u.has_cap(Cap.EDIT_BUSINESS) and in_scope(u, finding.township)]
    return User.objects.filter(pk__in=ids).order_by("username")


@require_cap(Cap.VIEW_BUSINESS)
def finding_detail(request: AuthedRequest, finding_id: int) -> HttpResponse:
    finding = get_visible(Finding.objects.select_related("township", "village", "run", "household"), request.user,
                          pk=finding_id)
    form = OutcomeForm(request.POST if request.method == "POST" and "note" in request.POST else None)
    assign_form = AssignForm(request.POST if request.method == "POST" and "assign" in request.POST else None)
    assign_form.fields["assigned_to"].queryset = _assignable(finding)  # type: ignore[attr-defined]  # stubs: base Field
    if request.method == "POST":
        require_edit(request.user, finding, Cap.EDIT_BUSINESS)
        try:
            if "assign" in request.POST:
                if assign_form.is_valid():
                    services.assign(finding, actor=request.user, to_user=assign_form.cleaned_data["assigned_to"])
                    messages.success(request, "已指定经办人")
                    return redirect("crosscheck:finding", finding_id=finding.pk)
            else:
                if form.is_valid():
                    d = form.cleaned_data
                    services.record_outcome(finding, actor=request.user, status=d["status"], action=d["action"],
                                            note=d["note"], recovered_amount=d["recovered_amount"])
                    messages.success(request, "已记录核实结果")
                    return redirect("crosscheck:finding", finding_id=finding.pk)
        except ValidationError as exc:
            add_errors_to_form(form, exc)
    headers, body = _evidence_table(request.user, finding.evidence)
    computed = [(COMPUTED_LABELS.get(k, k), v) for k, v in finding.computed.items()]
    related = services.findings_for(request.user).filter(id_number=finding.id_number).exclude(pk=finding.pk) \
        if finding.id_number else Finding.objects.none()
    rule = rules.RULES_BY_CODE.get(finding.rule_code)
    return render(request, "crosscheck/finding.html", {
        "f": finding, "rule": rule, "severity": rules.SEVERITY_LABELS.get(finding.severity, finding.severity),
        "shown_id": _show_id(request.user, finding.id_number), "headers": headers, "body": body,
        "computed": computed, "form": form, "assign_form": assign_form, "related": related[:20],
        "badge": STATUS_BADGE.get(finding.status, ""), "overdue": finding.is_open and
        finding.deadline < dates.today(),
    })


# ------------------------------------------------------------------------------------------- summary


@require_cap(Cap.VIEW_DASHBOARD)
def summary(request: AuthedRequest) -> HttpResponse:
    s = services.summary_for(request.user)
    codes, matrix = services.matrix_for(request.user)
    names = {r.code: r.name for r in rules.RULES}
    chart = {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"type": "scroll", "top": 0},
        "grid": {"left": 90, "right": 20, "top": 40, "bottom": 30},
        "xAxis": {"type": "value", "name": "待核实疑点"},
        "yAxis": {"type": "category", "data": [r["name"] for r in matrix]},
        "series": [{"name": names[c], "type": "bar", "stack": "open",
                    "data": [r["cells"][i] for r in matrix]} for i, c in enumerate(codes)
                   if any(r["cells"][i] for r in matrix)],
    }
    return render(request, "crosscheck/summary.html", {
        "s": s, "codes": [(c, names[c]) for c in codes], "matrix": matrix, "chart": chart,
        "last_run": CheckRun.objects.filter(status=RunStatus.DONE).order_by("-id").first(),
    })


# ------------------------------------------------------------------------------------------- runs


class RunForm(forms.Form):
    as_of = forms.DateField(label="核对基准日", widget=forms.DateInput(attrs={"type": "date"}),
                            initial=dt.date.today)


@require_cap(Cap.VIEW_DASHBOARD)
def runs(request: AuthedRequest) -> HttpResponse:
    form = RunForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                run = services.start_run(actor=request.user, as_of=form.cleaned_data["as_of"], background=True)
            except ValidationError as exc:
                messages.error(request, "；".join(exc.messages))
            else:
                messages.success(request, f"已开始核对批次 #{run.pk}")
                return redirect("crosscheck:run", run_id=run.pk)
    if listexport.requested(request):
        return listexport.response(request, what="核对批次", headers=[
            "批次", "核对基准日", "状态", "发起人", "开始时间", "结束时间", "核对对象行数", "疑点数"], rows=(
            [r.pk, r.as_of, r.get_status_display(), r.started_by, listexport.stamp(r.started_at),
             listexport.stamp(r.finished_at), r.recipients, sum(int(n) for n in (r.hits or {}).values())]
            for r in CheckRun.objects.all()))
    return render(request, "crosscheck/runs.html", {
        "runs": CheckRun.objects.all()[:50], "form": form,
        "can_run": request.user.has_cap(Cap.APPROVE) and _is_county(request.user),
        "datasets": services.current_datasets(),
    })


@require_cap(Cap.VIEW_DASHBOARD)
def run_detail(request: AuthedRequest, run_id: int) -> HttpResponse:
    run = _get_run(run_id)
    names = {r.code: r.name for r in rules.RULES}
    hits = [(names.get(c, c), n) for c, n in run.hits.items()]
    template = "crosscheck/_run_progress.html" if request.headers.get("HX-Request") else "crosscheck/run.html"
    return render(request, template, {"run": run, "hits": hits, "live": run.status in (RunStatus.QUEUED,
                                                                                       RunStatus.RUNNING),
                                      "labels": {k: s.label for k, s in schemas.SCHEMAS.items()}})


def _get_run(run_id: int) -> CheckRun:
    from django.http import Http404

    run = CheckRun.objects.filter(pk=run_id).first()
    if run is None:
        raise Http404("核对批次不存在")
    return run


# ------------------------------------------------------------------------------------------- datasets


class DatasetForm(forms.Form):
    kind = forms.ChoiceField(label="数据类型", choices=[(k, f"{s.label}（{s.department}）")
                                                    for k, s in schemas.SCHEMAS.items()])
    as_of = forms.DateField(label="数据截至日期", widget=forms.DateInput(attrs={"type": "date"}),
                            initial=dt.date.today)
    file = forms.FileField(label="文件（CSV、XLSX 或 Parquet）")


@require_cap(Cap.VIEW_DASHBOARD)
def datasets(request: AuthedRequest) -> HttpResponse:
    form = DatasetForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST":
        if not (request.user.has_cap(Cap.IMPORT) and _is_county(request.user)):
            raise PermissionDenied("部门比对数据由区民政局加载")
        if form.is_valid():
            upload = form.cleaned_data["file"]
            suffix = Path(upload.name).suffix.lower()
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / f"upload{suffix}"
                with path.open("wb") as out:
                    for chunk in upload.chunks():
                        out.write(chunk)
                result = services.load_dataset(kind=form.cleaned_data["kind"], path=path, actor=request.user,
                                               as_of=form.cleaned_data["as_of"], file_name=upload.name)
            if result.ok:
                messages.success(request, result.message)
                return redirect("crosscheck:datasets")
    current = services.current_datasets()
    kinds = [{"schema": s, "current": current.get(k)} for k, s in schemas.SCHEMAS.items()]
    history = [(d, schemas.SCHEMAS[d.kind].label if d.kind in schemas.SCHEMAS else d.kind)
               for d in Dataset.objects.all()[:100]]
    if listexport.requested(request):
        return listexport.response(request, what="部门比对数据", headers=[
            "数据类型", "版本", "数据截至日期", "原始文件", "行数", "加载人", "加载时间", "说明"], rows=(
            [schemas.SCHEMAS[d.kind].label if d.kind in schemas.SCHEMAS else d.kind, d.version, d.as_of, d.file_name,
             d.row_count, d.loaded_by, listexport.stamp(d.loaded_at), d.note] for d in Dataset.objects.all()))
    return render(request, "crosscheck/datasets.html", {
        "form": form, "result": result, "kinds": kinds, "history": history,
        "can_load": request.user.has_cap(Cap.IMPORT) and _is_county(request.user),
    })


# ------------------------------------------------------------------------------------------- rules


@require_cap(Cap.VIEW_DASHBOARD)
def rule_list(request: AuthedRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            services.set_rule_enabled(actor=request.user, code=request.POST.get("code", ""),
                                      enabled=request.POST.get("enabled") == "1")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, "已更新规则状态")
        return redirect("crosscheck:rules")
    services.sync_rules()
    rows: list[dict[str, Any]] = []
    today = dates.today()
    try:
        _, refs = services.rule_params(today)
    except Exception:
        refs = []
    by_key = {r["key"]: r for r in refs}
    for r in rules.RULES:
        row = Rule.objects.filter(code=r.code, version=r.version).first()
        rows.append({"rule": r, "row": row, "severity": rules.SEVERITY_LABELS[r.severity],
                     "params": [by_key.get(k, {"key": k, "value": "（缺少）"}) for k in r.params]})
    if listexport.requested(request):
        return listexport.response(request, what="核对规则", headers=["代码", "名称", "严重程度", "启用", "参数"], rows=(
            [r["rule"].code, r["rule"].name, r["severity"], "是" if r["row"] is None or r["row"].enabled else "否",
             "；".join(f"{p['key']}={p.get('value', '')}" for p in r["params"])] for r in rows))
    return render(request, "crosscheck/rules.html", {"rows": rows,
                                                     "can_manage": request.user.has_cap(Cap.MANAGE_POLICY)})
