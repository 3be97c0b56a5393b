"""信息核对 services: load department data, run the rules, keep the 疑点 list, record the township's outcome.

Views, the API and the CLI call these; they check permissions and jurisdiction themselves so no caller can skip it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import shutil
import threading
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections, transaction
from django.db.models import Count, Max, Q, QuerySet

from minzheng.accounts.roles import Cap
from minzheng.audit import services as audit
from minzheng.core import dates
from minzheng.core.scoping import in_scope, require_division, require_edit, visible
from minzheng.policy import services as policy
from minzheng.regions.models import Division
from minzheng.regions.selectors import root_county
from minzheng.registry.models import Enrollment, Household, Person, Programme

from . import engine, loader, rules, schemas, snapshot
from .describe import describe
from .models import CheckRun, Dataset, Finding, FindingStatus, OutcomeAction, Rule, RunStatus

log = logging.getLogger(__name__)

# Web-started runs go to a background thread; tests and the CLI run inline.
BACKGROUND = True


def data_dir() -> Path:
    return Path(settings.HOME) / "crosscheck"


def _actor_name(actor: Any) -> str:
    if actor is None:
        from minzheng.audit import context

        return context.current().username or "system"
    return actor.username


def _require_county(actor: Any, cap: str) -> None:
    """Department data covers the whole county: only county-level users with `cap` may load it or run checks."""
    if actor is None:
        return
    county = root_county()
    require_division(actor, county, cap)


# ------------------------------------------------------------------------------------------- datasets


@dataclass
class LoadResult:
    dataset: Dataset | None
    created: bool
    parsed: loader.Parsed | None = None
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.dataset is not None

    def as_dict(self) -> dict[str, Any]:
        p = self.parsed
        return {
            "ok": self.ok, "created": self.created, "message": self.message,
            "dataset": dataset_dict(self.dataset) if self.dataset else None,
            "rows_read": p.rows_read if p else None,
            "error_count": p.error_count if p else 0,
            "errors": [e.as_dict() for e in p.errors] if p else [],
            "notices": p.notices if p else [],
        }


def dataset_dict(d: Dataset) -> dict[str, Any]:
    return {"id": d.pk, "kind": d.kind, "label": schemas.SCHEMAS[d.kind].label if d.kind in schemas.SCHEMAS else d.kind,
            "version": d.version, "as_of": d.as_of.isoformat(), "rows": d.row_count, "file_name": d.file_name,
            "sha256": d.sha256, "loaded_by": d.loaded_by, "loaded_at": d.loaded_at.isoformat()}


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def load_dataset(*, kind: str, path: str | Path, actor: Any = None, as_of: dt.date | None = None,
                 file_name: str = "", note: str = "") -> LoadResult:
    """Check a department file against its schema and store it as the next version (all rows or none)."""
    _require_county(actor, Cap.IMPORT)
    try:
        schema = schemas.get(kind)
    except KeyError as exc:
        raise ValidationError({"kind": str(exc.args[0])}) from None
    path = Path(path)
    as_of = as_of or dates.today()
    sha = _sha256(path)
    existing = Dataset.objects.filter(kind=kind, sha256=sha).first()
    if existing is not None:
        return LoadResult(existing, False, message=f"同一文件已于 {existing.loaded_at:%Y-%m-%d %H:%M} 加载为第 "
                                                   f"{existing.version} 版，未重复加载")
    parsed = loader.parse_file(schema, path)
    if not parsed.ok:
        return LoadResult(None, False, parsed, message=f"文件有 {parsed.error_count} 处错误，未加载任何数据")
    assert parsed.table is not None
    version = (Dataset.objects.filter(kind=kind).aggregate(m=Max("version"))["m"] or 0) + 1
    rel = f"crosscheck/{kind}/{version}.parquet"
    target = Path(settings.HOME) / rel
    if target.exists():  # a leftover from a failed load: never overwrite a file a Dataset may point to
        target = target.with_name(f"{version}-{sha[:8]}.parquet")
        rel = f"crosscheck/{kind}/{target.name}"
    engine.write_parquet(parsed.table, str(target))
    try:
        with transaction.atomic():
            ds = Dataset.objects.create(kind=kind, version=version, as_of=as_of, file_name=file_name or path.name,
                                        sha256=sha, row_count=parsed.table.num_rows, parquet_path=rel,
                                        loaded_by=_actor_name(actor), note=note)
    except Exception:
        target.unlink(missing_ok=True)
        raise
    return LoadResult(ds, True, parsed, message=f"已加载{schema.label} 第 {version} 版，{ds.row_count} 行")


def current_datasets(on: dt.date | None = None) -> dict[str, Dataset]:
    """The newest loaded version of each kind whose data is as of `on` or earlier."""
    out: dict[str, Dataset] = {}
    qs = Dataset.objects.order_by("kind", "-as_of", "-version")
    if on is not None:
        qs = qs.filter(as_of__lte=on)
    for d in qs:
        out.setdefault(d.kind, d)
    return out


# ------------------------------------------------------------------------------------------- rules


PARAM_FIELDS: dict[str, tuple[str, str]] = {
    # policy key → (RuleParams field, kind)
    "crosscheck.means_tested_programmes": ("means_tested", "list"),
    "crosscheck.vehicle.exempt_types": ("vehicle_exempt_types", "list"),
    "crosscheck.vehicle.farm_types": ("vehicle_farm_types", "list"),
    "crosscheck.vehicle.farm_value_limit": ("vehicle_farm_value_limit", "decimal"),
    "crosscheck.property.max_homes": ("property_max_homes", "int"),
    "crosscheck.property.max_area_per_capita": ("property_max_area_per_capita", "decimal"),
    "crosscheck.property.home_usages": ("property_home_usages", "list"),
    "crosscheck.property.ignored_usages": ("property_ignored_usages", "list"),
    "crosscheck.business.small_capital": ("business_small_capital", "decimal"),
    "crosscheck.pension.excluded_types": ("pension_excluded_types", "list"),
    "crosscheck.pension.tolerance": ("pension_tolerance", "decimal"),
    "payments.gaoling.bands": ("gaoling_bands", "bands"),
}


def rule_params(on: dt.date) -> tuple[rules.RuleParams, list[dict[str, Any]]]:
    """The parameters in force on `on` (county-wide), and their version references."""
    p = rules.RuleParams(as_of=on)
    refs = []
    for key, (attr, kind) in PARAM_FIELDS.items():
        pv = policy.resolve(key, on=on)
        value: Any = pv.value
        if kind == "list":
            if not isinstance(value, list):
                raise ValidationError(f"政策参数 {key} 应为列表")
            value = [str(v) for v in value]
        elif kind == "decimal":
            value = Decimal(str(value))
        elif kind == "int":
            value = int(value)
        elif kind == "bands":
            if not isinstance(value, list) or not all(isinstance(b, dict) and "amount" in b for b in value):
                raise ValidationError(f"政策参数 {key} 应为 [{{min_age, max_age, amount}}] 列表")
            value = [{"from": b.get("min_age", b.get("from")), "to": b.get("max_age", b.get("to")),
                      "amount": str(b["amount"])} for b in value]
        setattr(p, attr, value)
        refs.append(pv.ref())
    return p, refs


def sync_rules() -> int:
    """Make sure the catalogue has a row for every rule version defined in code (run by init)."""
    created = 0
    for r in rules.RULES:
        _, made = Rule.objects.get_or_create(code=r.code, version=r.version, defaults={
            "name": r.name, "severity": r.severity, "description": r.description, "source_document": r.source,
            "effective_from": dt.date(2014, 5, 1), "param_keys": list(r.params)})
        created += made
    return created


def enabled_rules(on: dt.date) -> list[rules.Rule]:
    sync_rules()
    off = set(Rule.objects.filter(enabled=False).values_list("code", "version"))
    future = set(Rule.objects.filter(effective_from__gt=on).values_list("code", "version"))
    return [r for r in rules.RULES if (r.code, r.version) not in off | future]


@transaction.atomic
def set_rule_enabled(*, actor: Any, code: str, enabled: bool) -> Rule:
    if actor is not None and not actor.has_cap(Cap.MANAGE_POLICY):
        raise PermissionDenied("只有区管理员可以启用或停用核对规则")
    rule = Rule.objects.filter(code=code).order_by("-version").first()
    if rule is None:
        raise ValidationError({"code": f"未知规则：{code}"})
    rule.enabled = enabled
    rule.save()
    return rule


# ------------------------------------------------------------------------------------------- runs


def start_run(*, actor: Any = None, engine_name: str = "duckdb", as_of: dt.date | None = None,
              background: bool | None = None) -> CheckRun:
    """Queue a 核对 batch. County-level users with approval rights (or the CLI operator) may start one."""
    _require_county(actor, Cap.APPROVE)
    if engine_name not in engine.ENGINES:
        raise ValidationError({"engine": f"未知的核对引擎：{engine_name}"})
    if CheckRun.objects.filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING],
                               created_at__gte=dates.now() - dt.timedelta(hours=2)).exists():
        raise ValidationError("已有核对批次正在运行，请等待其完成")
    run = CheckRun.objects.create(engine=engine_name, as_of=as_of or dates.today(), started_by=_actor_name(actor))
    background = BACKGROUND if background is None else background
    if background:
        from minzheng.audit import context

        who = context.current()

        def go() -> None:
            with context.acting(who):
                try:
                    execute_run(run.pk)
                except Exception:  # recorded on the run; the thread must not die noisily
                    log.exception("crosscheck run %s failed", run.pk)
                finally:
                    close_old_connections()

        transaction.on_commit(lambda: threading.Thread(target=go, daemon=True, name=f"crosscheck-{run.pk}").start())
    else:
        execute_run(run.pk)
        run.refresh_from_db()
    return run


def _progress(run_id: int) -> engine.Progress:
    def say(fraction: float, message: str) -> None:
        CheckRun.objects.filter(pk=run_id).update(progress=min(99, int(10 + fraction * 80)), message=message[:200])

    return say


def execute_run(run_id: int) -> CheckRun:
    run = CheckRun.objects.get(pk=run_id)
    CheckRun.objects.filter(pk=run_id).update(status=RunStatus.RUNNING, started_at=dates.now(), progress=1,
                                              message="导出救助对象快照")
    work = data_dir() / "tmp" / f"run-{run_id}"
    try:
        if work.exists():
            shutil.rmtree(work)
        work.mkdir(parents=True)
        table = snapshot.recipients(run.as_of)
        recipients = engine.write_parquet(table, str(work / "recipients.parquet"))
        kin = engine.write_parquet(snapshot.kinship_filed(), str(work / "kinship_filed.parquet"))
        ds = current_datasets(run.as_of)
        inputs = engine.Inputs(recipients, {k: str(Path(settings.HOME) / d.parquet_path) for k, d in ds.items()},
                               kin)
        params, refs = rule_params(run.as_of)
        active = enabled_rules(run.as_of)
        CheckRun.objects.filter(pk=run_id).update(progress=10, message="比对部门数据")
        hits = engine.run(run.engine, inputs, params, active, progress=_progress(run_id),
                          memory_limit=os.environ.get("MINZHENG_DUCKDB_MEMORY", "2GB"))
        CheckRun.objects.filter(pk=run_id).update(progress=92, message="登记疑点")
        run.recipients = table.num_rows
        run.datasets = {k: {"id": d.pk, "version": d.version, "as_of": d.as_of.isoformat(), "rows": d.row_count}
                        for k, d in ds.items()}
        run.rules = {r.code: r.version for r in active}
        run.params = refs
        counts = persist_findings(run, hits, params, refs)
        run.hits = {code: len(h) for code, h in hits.items()}
        run.new_findings, run.updated_findings, run.unchanged_findings = counts
        run.status, run.progress, run.message = RunStatus.DONE, 100, "完成"
        run.finished_at = dates.now()
        run.started_at = CheckRun.objects.get(pk=run_id).started_at
        run.save()
        return run
    except Exception as exc:
        CheckRun.objects.filter(pk=run_id).update(status=RunStatus.FAILED, finished_at=dates.now(),
                                                  error=f"{type(exc).__name__}: {exc}"[:2000], message="失败")
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _standards(on: dt.date) -> dict[str, Decimal]:
    """低保 standards by programme, when the assistance app declares them (shown next to recomputed income)."""
    out = {}
    for prog, key in (("dibao_urban", "dibao.standard.urban"), ("dibao_rural", "dibao.standard.rural")):
        try:
            out[prog] = policy.decimal(key, on=on)
        except policy.MissingParameter:  # the figure is optional context
            continue
    return out


def persist_findings(run: CheckRun, hits: dict[str, list[engine.Hit]], params: rules.RuleParams,
                     refs: list[dict[str, Any]]) -> tuple[int, int, int]:
    """Turn hits into 疑点. Idempotent: a fingerprint already on file is not raised again; an open finding whose
    evidence changed is updated in place; a closed one whose evidence changed gets a new finding."""
    all_hits = [h for hs in hits.values() for h in hs]
    labels = dict(Programme.objects.values_list("code", "name"))
    standards = _standards(params.as_of)
    townships = {d.code: d for d in Division.objects.filter(code__in={h.township_code for h in all_hits})}
    villages = {d.code: d.pk for d in Division.objects.filter(
        code__in={str(h.first.get("village_code") or "") for h in all_hits})}
    ids = {name: set() for name in ("household_id", "person_id", "enrollment_id")}
    for h in all_hits:
        for name, s in ids.items():
            if isinstance(h.first.get(name), int):
                s.add(h.first[name])
    existing_ids = {
        "household_id": set(Household.objects.filter(pk__in=ids["household_id"]).values_list("pk", flat=True)),
        "person_id": set(Person.objects.filter(pk__in=ids["person_id"]).values_list("pk", flat=True)),
        "enrollment_id": set(Enrollment.objects.filter(pk__in=ids["enrollment_id"]).values_list("pk", flat=True)),
    }
    fps = [h.fingerprint for h in all_hits]
    known_fp: dict[str, int] = {}
    for i in range(0, len(fps), 500):
        known_fp.update(Finding.objects.filter(fingerprint__in=fps[i:i + 500]).values_list("fingerprint", "pk"))
    keys = list({h.subject_key for h in all_hits if h.fingerprint not in known_fp})
    latest: dict[str, Finding] = {}
    for i in range(0, len(keys), 500):
        for f in Finding.objects.filter(subject_key__in=keys[i:i + 500]).order_by("id"):
            latest[f.subject_key] = f
    deadlines: dict[int, dt.date] = {}
    today = dates.today()

    def deadline(township: Division) -> dt.date:
        if township.pk not in deadlines:
            n = int(policy.value("crosscheck.deadline_workdays", on=today, division=township))
            deadlines[township.pk] = dates.add_workdays(today, n)
        return deadlines[township.pk]

    new: list[Finding] = []
    changed: list[Finding] = []
    unchanged: list[int] = []
    for h in all_hits:
        if h.fingerprint in known_fp:
            unchanged.append(known_fp[h.fingerprint])
            continue
        township = townships.get(h.township_code)
        if township is None:
            log.warning("crosscheck: hit for unknown township %s skipped", h.township_code)
            continue
        rule = rules.RULES_BY_CODE[h.rule]
        r = h.first
        extra = {"standard": standards.get(str(r.get("programme")))}
        summary, action, computed = describe(h, params, labels, extra)
        values = {
            "rule_version": rule.version, "severity": rule.severity, "evidence": h.evidence, "rows": h.rows,
            "computed": computed, "summary": summary[:300], "suggested_action": action[:300],
            "fingerprint": h.fingerprint, "last_seen_run": run,
            "params": [ref for ref in refs if ref["key"] in rule.params],
        }
        prev = latest.get(h.subject_key)
        if prev is not None and prev.status == FindingStatus.OPEN:
            for k, v in values.items():
                setattr(prev, k, v)
            changed.append(prev)
            continue
        fk = {name: (r.get(name) if r.get(name) in existing_ids[name] else None) for name in existing_ids}
        new.append(Finding(
            rule_code=h.rule, township=township, village_id=villages.get(str(r.get("village_code") or "")),
            household_id=fk["household_id"], person_id=fk["person_id"], enrollment_id=fk["enrollment_id"],
            programme=str(r.get("programme") or ""), id_number=str(r.get("id_number") or ""),
            person_name=str(r.get("name") or ""), subject_key=h.subject_key, run=run, replaces=prev,
            deadline=deadline(township), **values))
    with transaction.atomic():
        Finding.objects.bulk_create(new, batch_size=500)
        Finding.objects.bulk_update(changed, ["rule_version", "severity", "evidence", "rows", "computed", "summary",
                                              "suggested_action", "fingerprint", "last_seen_run", "params",
                                              "updated_at"], batch_size=500)
        for i in range(0, len(unchanged), 500):
            Finding.objects.filter(pk__in=unchanged[i:i + 500]).update(last_seen_run=run)
        by_rule = Counter(f.rule_code for f in new)
        audit.record("crosscheck.run", summary=f"信息核对批次 #{run.pk}：新增疑点 {len(new)} 条，数据变化 "
                                               f"{len(changed)} 条，未变化 {len(unchanged)} 条",
                     object_type="crosscheck.checkrun", object_id=str(run.pk),
                     detail={"engine": run.engine, "as_of": run.as_of, "new_by_rule": dict(by_rule),
                             "updated": [f.pk for f in changed][:200]})
    return len(new), len(changed), len(unchanged)


# ------------------------------------------------------------------------------------------- outcomes


@transaction.atomic
def record_outcome(finding: Finding, *, actor: Any, status: str, action: str = "", note: str = "",
                   recovered_amount: Decimal | None = None) -> Finding:
    """The township's result: confirmed (with the action taken) or cleared (with the reason)."""
    require_edit(actor, finding, Cap.EDIT_BUSINESS)
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    if finding.status != FindingStatus.OPEN:
        raise ValidationError("该疑点已处理，不能重复录入结果")
    note = (note or "").strip()
    if status == FindingStatus.CONFIRMED:
        if action not in OutcomeAction.values:
            raise ValidationError({"action": "疑点属实时必须选择已采取的处理措施"})
        if not note:
            raise ValidationError({"note": "请填写核实情况"})
    elif status == FindingStatus.CLEARED:
        if not note:
            raise ValidationError({"note": "排除疑点必须填写理由"})
        action = ""
        recovered_amount = None
    else:
        raise ValidationError({"status": "处理结果只能是“属实已处理”或“已排除”"})
    if recovered_amount is not None and recovered_amount < 0:
        raise ValidationError({"recovered_amount": "追回金额不能为负数"})
    finding.status = status
    finding.outcome_action = action
    finding.outcome_note = note
    finding.recovered_amount = recovered_amount
    finding.decided_by = actor.username
    finding.decided_at = dates.now()
    finding.save()
    return finding


@transaction.atomic
def assign(finding: Finding, *, actor: Any, to_user: Any | None) -> Finding:
    require_edit(actor, finding, Cap.EDIT_BUSINESS)
    if to_user is not None and not (to_user.has_cap(Cap.EDIT_BUSINESS) and in_scope(to_user, finding.township)):
        raise ValidationError({"assigned_to": "经办人须是负责该乡镇(街道)的业务人员"})
    finding.assigned_to = to_user
    finding.save()
    return finding


# ------------------------------------------------------------------------------------------- reads


def findings_for(user: Any, *, township: str = "", rule: str = "", status: str = "", q: str = "") -> QuerySet:
    qs = visible(Finding, user).select_related("township", "village")
    if township:
        qs = qs.filter(township__code=township)
    if rule:
        qs = qs.filter(rule_code=rule)
    if status == "overdue":
        qs = qs.filter(status=FindingStatus.OPEN, deadline__lt=dates.today())
    elif status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(person_name__contains=q) | Q(id_number=q.upper()))
    return qs


@dataclass
class Summary:
    rows: list[dict[str, Any]] = field(default_factory=list)    # per township
    rules: list[dict[str, Any]] = field(default_factory=list)   # per rule
    total: dict[str, int] = field(default_factory=dict)


def summary_for(user: Any) -> Summary:
    """Counts per township and per rule (open / overdue / confirmed / cleared) within the user's jurisdiction."""
    today = dates.today()
    qs = visible(Finding, user)
    agg = dict(
        total=Count("id"),
        open=Count("id", filter=Q(status=FindingStatus.OPEN)),
        overdue=Count("id", filter=Q(status=FindingStatus.OPEN, deadline__lt=today)),
        confirmed=Count("id", filter=Q(status=FindingStatus.CONFIRMED)),
        cleared=Count("id", filter=Q(status=FindingStatus.CLEARED)),
    )
    s = Summary()
    names = dict(Division.objects.filter(level="township").values_list("code", "name"))
    for row in qs.values("township__code").annotate(**agg).order_by("township__code"):
        row["name"] = names.get(row["township__code"], row["township__code"])
        s.rows.append(row)
    rule_names = {r.code: r.name for r in rules.RULES}
    for row in qs.values("rule_code").annotate(**agg).order_by("rule_code"):
        row["name"] = rule_names.get(row["rule_code"], row["rule_code"])
        s.rules.append(row)
    s.total = qs.aggregate(**agg)
    return s


def matrix_for(user: Any) -> tuple[list[str], list[dict[str, Any]]]:
    """Township × rule counts of open findings, for the summary table."""
    qs = visible(Finding, user).filter(status=FindingStatus.OPEN)
    codes = [r.code for r in rules.RULES]
    names = dict(Division.objects.filter(level="township").values_list("code", "name"))
    table: dict[str, dict[str, int]] = {}
    for t, code, n in qs.values_list("township__code", "rule_code").annotate(n=Count("id")).values_list(
            "township__code", "rule_code", "n"):
        table.setdefault(t, {})[code] = n
    rows = [{"code": t, "name": names.get(t, t), "cells": [table[t].get(c, 0) for c in codes],
             "total": sum(table[t].values())} for t in sorted(table)]
    return codes, rows


# ------------------------------------------------------------------------------------------- tasks, hand-over


def tasks_for(user: Any) -> list[Any]:
    from minzheng.core.tasks import TaskItem

    if not getattr(user, "is_authenticated", False) or not user.has_cap(Cap.EDIT_BUSINESS):
        return []
    qs = visible(Finding, user).filter(status=FindingStatus.OPEN).select_related("township")
    if user.division is not None and user.division.level == "county":
        return []  # the county sees the summary, not every township's to-do
    today = dates.today()
    from django.urls import reverse

    items = []
    for f in qs.order_by("deadline", "id")[:50]:
        items.append(TaskItem(kind="核对疑点", title=f.summary[:80], url=reverse("crosscheck:finding",
                                                                                 kwargs={"finding_id": f.pk}),
                              due=f.deadline, overdue=f.deadline < today, division=f.township.name))
    return items


def move_assigned(from_user: Any, to_user: Any) -> dict[str, int]:
    n = Finding.objects.filter(assigned_to=from_user, status=FindingStatus.OPEN).update(assigned_to=to_user)
    if n:
        audit.record("crosscheck.finding.handover", summary=f"核对疑点移交：{from_user.username} → "
                                                            f"{to_user.username}，{n} 条",
                     detail={"from": from_user.username, "to": to_user.username, "count": n})
    return {"核对疑点": n}


def count_assigned(user: Any) -> dict[str, int]:
    return {"核对疑点": Finding.objects.filter(assigned_to=user, status=FindingStatus.OPEN).count()}


# ------------------------------------------------------------------------------------------- applications

# Which assistance.CheckSource a rule's department answers for.
RULE_SOURCE = {
    "death": "hukou", "name_mismatch": "hukou", "vehicle": "vehicle", "property": "real_estate",
    "business": "business", "pension": "social_insurance", "housing_fund": "housing_fund",
    "public_employee": "other", "prisoner": "other", "kinship": "other",
}
KIND_SOURCE = {"death": "hukou", "vehicle": "vehicle", "property": "real_estate", "business": "business",
               "social_insurance": "social_insurance", "housing_fund": "housing_fund",
               "public_employee": "other", "prisoner": "other", "staff_relatives": "other"}


def application_hits(*, household: Household, programme_code: str, on: dt.date | None = None
                     ) -> tuple[dict[str, list[engine.Hit]], dict[str, Dataset]]:
    """Run the department rules for one household that is not (yet) enrolled: every current member, as if the
    household received `programme_code` from `on`. Used by 信息核对 during an application."""
    on = on or dates.today()
    table = snapshot.applicant_household(household, programme_code, on)
    work = data_dir() / "tmp" / f"app-{household.pk}-{os.getpid()}-{threading.get_ident()}"
    try:
        work.mkdir(parents=True, exist_ok=True)
        ds = current_datasets(on)
        inputs = engine.Inputs(engine.write_parquet(table, str(work / "recipients.parquet")),
                               {k: str(Path(settings.HOME) / d.parquet_path) for k, d in ds.items()},
                               engine.write_parquet(snapshot.kinship_filed(), str(work / "kin.parquet")))
        params, _ = rule_params(on)
        active = [r for r in enabled_rules(on) if r.code in RULE_SOURCE]
        return engine.run_duckdb(inputs, params, active, memory_limit="512MB", threads=1), ds
    finally:
        shutil.rmtree(work, ignore_errors=True)


def check_application(application: Any, *, actor: Any = None, on: dt.date | None = None) -> list[Any]:
    """Attach 疑点 to an application (assistance.CheckResult, one per department answered): the assistance app
    calls this at its 信息核对 step. Departments with no loaded dataset are not answered."""
    from minzheng.assistance import services as assistance

    if actor is not None:
        require_edit(actor, application, Cap.EDIT_BUSINESS)
    on = on or dates.today()
    hits, ds = application_hits(household=application.household, programme_code=application.programme.code, on=on)
    labels = dict(Programme.objects.values_list("code", "name"))
    params, _ = rule_params(on)
    by_source: dict[str, list[tuple[str, engine.Hit]]] = {}
    for code, hs in hits.items():
        for h in hs:
            by_source.setdefault(RULE_SOURCE[code], []).append((code, h))
    answered = sorted({KIND_SOURCE[k] for k in ds if k in KIND_SOURCE})
    results = []
    for source in answered:
        found = by_source.get(source, [])
        summaries = [describe(h, params, labels)[0] for _, h in found]
        refs = "；".join(f"{k} v{d.version}" for k, d in sorted(ds.items()) if KIND_SOURCE.get(k) == source)
        results.append(assistance.add_check_result(
            application, actor=None, source=source, matched=bool(found),
            summary=("；".join(summaries) if found else "未发现疑点")[:200],
            detail={"rules": {code: h.evidence for code, h in found}, "datasets": refs, "as_of": on.isoformat()},
            external_ref=f"crosscheck:{refs}"[:64]))
    return results
