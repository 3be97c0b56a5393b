"""核对 batches: start one (queued for the worker process from the web, inline from the CLI), run the engine over the snapshot and the current
department data, and turn its hits into 疑点 without raising the same one twice."""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from minzheng.accounts.actor import Actor
from minzheng.accounts.roles import Cap
from minzheng.audit import services as audit
from minzheng.core import dates
from minzheng.policy import services as policy
from minzheng.regions.models import Division
from minzheng.registry.models import Enrollment, Household, Person, Programme

from .. import engine, rules, snapshot
from ..describe import describe
from ..models import CheckRun, Finding, FindingStatus, RunStatus
from .datasets import _actor_name, _require_county, current_datasets, data_dir
from .rule_catalogue import enabled_rules, rule_params

log = logging.getLogger(__name__)

def start_run(*, actor: Actor | None = None, engine_name: str = "duckdb", as_of: dt.date | None = None,
              background: bool = False) -> CheckRun:
    """Start a 核对 batch: inline, or (background) as a heavy task of the worker process, as the web page does.
    County-level users with approval rights (or the CLI operator) may start one."""
    _require_county(actor, Cap.APPROVE)
    if engine_name not in engine.ENGINES:
        raise ValidationError({"engine": f"未知的核对引擎：{engine_name}"})
    if CheckRun.objects.filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING],
                               created_at__gte=dates.now() - dt.timedelta(hours=2)).exists():
        raise ValidationError("已有核对批次正在运行，请等待其完成")
    run = CheckRun.objects.create(engine=engine_name, as_of=as_of or dates.today(), started_by=_actor_name(actor))
    if background:
        from minzheng.core.worker import services as worker

        with transaction.atomic():
            job = worker.submit("crosscheck.run", params={"run_id": run.pk}, user=actor,
                                title=f"信息核对 #{run.pk}（基准日 {run.as_of:%Y-%m-%d}）")
            CheckRun.objects.filter(pk=run.pk).update(message=f"排队等待后台任务 #{job.pk}")
    else:
        execute_run(run.pk)
        run.refresh_from_db()
    return run


def run_task(job: Any, *, run_id: int) -> dict[str, Any]:
    """The worker's entry point (kind crosscheck.run)."""
    def say(fraction: float, message: str) -> None:
        job.progress(message, int(fraction * 100), 100)

    run = execute_run(run_id, report=say)
    return {"run_id": run.pk, "summary": f"新疑点 {run.new_findings} 条，更新 {run.updated_findings} 条"}


def abandon(job: Any) -> None:
    """The worker died mid-run: the findings are written in one transaction at the end, so none are half there."""
    CheckRun.objects.filter(pk=int((job.params or {}).get("run_id") or 0), status__in=[RunStatus.QUEUED, RunStatus.RUNNING]
                            ).update(status=RunStatus.FAILED, finished_at=dates.now(), message="失败",
                                     error="后台进程中断，本批次未登记任何疑点，请重新核对")


def stale_work_dirs() -> list[Path]:
    """Work folders (snapshots of recipients, with ID numbers) of runs that are no longer running."""
    tmp = data_dir() / "tmp"
    if not tmp.exists():
        return []
    live = {f"run-{pk}" for pk in CheckRun.objects.filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING])
            .values_list("pk", flat=True)}
    return [p for p in tmp.iterdir() if p.name not in live]


def _progress(run_id: int, report: engine.Progress | None) -> engine.Progress:
    def say(fraction: float, message: str) -> None:
        CheckRun.objects.filter(pk=run_id).update(progress=min(99, int(10 + fraction * 80)), message=message[:200])
        if report is not None:
            report(fraction, message)

    return say


def execute_run(run_id: int, report: engine.Progress | None = None) -> CheckRun:
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
        hits = engine.run(run.engine, inputs, params, active, progress=_progress(run_id, report),
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
    ids: dict[str, set[int]] = {name: set() for name in ("household_id", "person_id", "enrollment_id")}
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
