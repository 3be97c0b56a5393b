"""Web imports as background jobs, kept as files under MINZHENG_HOME/imports/<job id>/ (no database table):

    ledger.<ext>   the uploaded file (deleted once imported or when the job expires: it holds personal data)
    state.json     who, where, status, progress, and the result (counts, errors, warnings)
    errors.xlsx    the error workbook of the latest run

Each run is a task of the worker process (core/worker/, kind "registry.import"), never a thread of the web
process: a preview (dry run) first, then, when the officer confirms, the real import. The page polls state.json
through HTMX for the progress bar (a file, so the bar moves on SQLite too while the import holds the write lock).
Jobs are visible to users with Cap.IMPORT whose jurisdiction contains the division of the user who uploaded it.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import Http404

from minzheng.accounts.actor import Actor
from minzheng.accounts.roles import Cap
from minzheng.audit import context
from minzheng.core import dates, filebounds

from .reader import SUPPORTED

KEEP_HOURS = 24
STALE_SECONDS = 15 * 60
SHOWN_ISSUES = 500


class Status:
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Mode:
    PREVIEW = "preview"     # dry run
    ATOMIC = "atomic"       # all or nothing
    SKIP = "skip"           # valid households only


def root() -> Path:
    return Path(settings.HOME) / "imports"


def _dir(job_id: str) -> Path:
    if not job_id or len(job_id) != 32 or any(c not in "0123456789abcdef" for c in job_id):
        raise Http404("导入任务不存在")
    return root() / job_id


@dataclass
class Job:
    id: str
    state: dict[str, Any]

    @property
    def path(self) -> Path:
        return _dir(self.id)

    @property
    def ledger(self) -> Path:
        return self.path / self.state["stored_name"]

    @property
    def errors_path(self) -> Path:
        return self.path / "errors.xlsx"

    @property
    def running(self) -> bool:
        return self.state["status"] in (Status.QUEUED, Status.RUNNING)

    @property
    def percent(self) -> int:
        total = self.state.get("total") or 0
        if not total:
            return 0
        return max(0, min(100, int(100 * (self.state.get("done") or 0) / total)))

    def save(self) -> None:
        self.state["heartbeat"] = time.time()
        tmp = self.path / "state.json.tmp"
        tmp.write_text(json.dumps(self.state, ensure_ascii=False))
        os.replace(tmp, self.path / "state.json")


def _load(job_id: str) -> Job:
    path = _dir(job_id) / "state.json"
    try:
        state = json.loads(path.read_text())
    except (FileNotFoundError, json.JSONDecodeError) as exc:
        raise Http404("导入任务不存在或已过期") from exc
    job = Job(job_id, state)
    if job.running and _task_failed(state.get("task")):
        state["status"] = Status.FAILED
        state["message"] = "导入任务中断：后台进程已退出，未导入任何数据，请重新上传"
    elif job.running and not state.get("task") and time.time() - state.get("heartbeat", 0) > STALE_SECONDS:
        state["status"] = Status.FAILED
        state["message"] = "导入任务中断（服务可能重启过），请重新上传"
    return job


def get_job(user: Actor, job_id: str) -> Job:
    """The job if this user may see it: Cap.IMPORT and the uploader's division inside the user's jurisdiction;
    otherwise 404, like every out-of-jurisdiction record."""
    job = _load(job_id)
    division = getattr(user, "division", None)
    if (not getattr(user, "is_authenticated", False) or not user.has_cap(Cap.IMPORT) or division is None
            or not job.state["division_path"].startswith(division.path)):
        raise Http404("导入任务不存在或不在您的辖区内")
    return job


def recent_jobs(user: Actor, limit: int = 10) -> list[Job]:
    division = getattr(user, "division", None)
    if division is None or not root().exists():
        return []
    jobs = []
    for d in root().iterdir():
        try:
            job = _load(d.name)
        except Http404:
            continue
        if job.state["division_path"].startswith(division.path):
            jobs.append(job)
    jobs.sort(key=lambda j: j.state["created"], reverse=True)
    return jobs[:limit]


def expire_old() -> None:
    """Uploaded ledgers hold personal data: nothing is kept longer than a day."""
    if not root().exists():
        return
    cutoff = time.time() - KEEP_HOURS * 3600
    for d in root().iterdir():
        state = d / "state.json"
        try:
            if state.stat().st_mtime < cutoff:
                shutil.rmtree(d, ignore_errors=True)
        except FileNotFoundError:
            continue


def create_job(user: Actor, file_name: str, chunks: Any, *, programme: str = "") -> Job:
    """Store an upload (an iterable of bytes chunks) and register a job for it."""
    expire_old()
    suffix = Path(file_name).suffix.lower()
    if suffix not in SUPPORTED:
        from .reader import LedgerFileError

        raise LedgerFileError(f"不支持的文件类型“{suffix or file_name}”：请上传 .xlsx、.xls 或 .csv 文件")
    job_id = uuid.uuid4().hex
    path = _dir(job_id)
    path.mkdir(parents=True)
    stored = "ledger" + suffix
    try:
        with (path / stored).open("wb") as fh:
            for chunk in filebounds.bounded_chunks(chunks):
                fh.write(chunk)
    except filebounds.FileBoundError as exc:
        shutil.rmtree(path, ignore_errors=True)
        from .reader import LedgerFileError

        raise LedgerFileError(str(exc)) from None
    job = Job(job_id, {
        "id": job_id, "file_name": Path(file_name).name[:120], "stored_name": stored, "programme": programme,
        "user_id": user.pk, "username": user.get_username(), "role": getattr(user, "role", ""),
        "division_id": user.division.pk, "division_path": user.division.path, "division_name": user.division.name,
        "created": dates.local().strftime("%Y-%m-%d %H:%M:%S"), "status": Status.QUEUED, "mode": Mode.PREVIEW,
        "phase": "", "done": 0, "total": 0, "message": "", "result": None, "preview": None,
    })
    job.save()
    return job


def _task_failed(task_id: Any) -> bool:
    """The worker's record of the run says it failed (e.g. the worker was killed): the state file cannot."""
    if not task_id:
        return False
    from minzheng.core.models import Job as WorkerJob
    from minzheng.core.models import JobStatus

    return WorkerJob.objects.filter(pk=task_id, status=JobStatus.FAILED).exists()


def start(job: Job, mode: str, *, user: Actor) -> None:
    """Queue a run of the job for the worker process; the page follows state.json."""
    from minzheng.core.worker import services as worker

    job.state.update(status=Status.QUEUED, mode=mode, phase="", done=0, total=0, message="")
    job.save()
    label = "台账预检" if mode == Mode.PREVIEW else "台账导入"
    task = worker.submit("registry.import", params={"import_id": job.id}, user=user,
                         title=f"{label}：{job.state['file_name']}")
    job.state["task"] = task.pk
    job.save()


def run_task(run: Any, *, import_id: str) -> dict[str, Any]:
    """The worker's entry point (kind registry.import)."""
    job = _load(import_id)
    run.progress("queued", 0, 0)
    actor = context.current()
    _run(job, actor, report=run.progress)
    job = _load(import_id)
    if job.state["status"] == Status.FAILED:
        raise RuntimeError(job.state.get("message") or "导入失败")
    result = job.state.get("result") or {}
    return {"import_id": import_id, "mode": job.state["mode"], "summary": result.get("summary", ""),
            "imported": bool(result.get("imported"))}


def abandon(task: Any) -> None:
    """The worker running this import died: the import wrote nothing (one transaction), so say so and drop the
    uploaded file (personal data)."""
    import_id = (task.params or {}).get("import_id", "")
    try:
        job = _load(import_id)
    except Http404:
        return
    if job.state["status"] != Status.DONE:   # _load may already have read the worker's failure into it
        job.state.update(status=Status.FAILED, message="导入任务中断：后台进程已退出，未导入任何数据，请重新上传")
        job.save()
    job.ledger.unlink(missing_ok=True)


def sweep() -> int:
    """At worker start: expired imports go, and so do the uploaded ledgers of runs that failed or were cut off."""
    expire_old()
    removed = 0
    if not root().exists():
        return 0
    for d in root().iterdir():
        try:
            job = _load(d.name)
        except Http404:
            continue
        if job.state["status"] == Status.FAILED and job.ledger.exists():
            job.ledger.unlink(missing_ok=True)
            job.save()      # keeps the "interrupted" message _load worked out
            removed += 1
    return removed


def _run(job: Job, actor: context.Actor, *, report: Any = None) -> None:
    from minzheng.accounts.models import User

    from .errors_workbook import write_error_workbook
    from .parsers import CellError
    from .reader import LedgerFileError
    from .service import import_ledger

    mode = job.state["mode"]
    job.state["status"] = Status.RUNNING
    job.save()
    last = [0.0]

    def progress(phase: str, done: int, total: int) -> None:
        job.state.update(phase=phase, done=done, total=total)
        if report is not None:
            report(phase, done, total)
        now = time.time()
        if now - last[0] > 0.5:
            last[0] = now
            job.save()

    try:
        user = User.objects.get(pk=job.state["user_id"])
        with context.acting(actor):
            result = import_ledger(job.ledger, user=user, programme=job.state["programme"] or None,
                                   dry_run=mode == Mode.PREVIEW, skip_invalid=mode == Mode.SKIP,
                                   file_name=job.state["file_name"], progress=progress)
        job.errors_path.write_bytes(write_error_workbook(result))
        summary = {
            **result.as_json(),
            "errors": [e.as_dict() for e in result.errors[:SHOWN_ISSUES]],
            "warnings": [w.as_dict() for w in result.warnings[:SHOWN_ISSUES]],
            "error_count": result.error_count, "warning_count": result.warning_count,
            "invalid_households": result.stats.invalid_households, "sheets": result.stats.sheets,
            "skipped_sheets": result.stats.skipped_sheets, "programmes": result.stats.programmes,
            "summary": result.summary(), "mode": mode,
        }
        job.state["result"] = summary
        if mode == Mode.PREVIEW:
            job.state["preview"] = summary
        job.state["status"] = Status.DONE
        if result.imported:
            job.ledger.unlink(missing_ok=True)
    except (LedgerFileError, CellError) as exc:
        job.state.update(status=Status.FAILED, message=str(exc))
    except Exception as exc:  # the page must always find a readable state
        job.state.update(status=Status.FAILED, message=f"导入出错：{type(exc).__name__}: {exc}"[:500])
    finally:
        job.save()
