"""The worker loop. `minzheng worker` runs serve_forever(); tests and `minzheng worker --drain` run drain().

Claiming is django-tasks' database backend (row lock with SKIP LOCKED, an exclusive transaction on SQLite); on top
of it a heavy task is claimed only while fewer than MINZHENG_WORKER_HEAVY_CONCURRENCY heavy tasks run anywhere.
Each worker is "host:pid:random"; a running task whose worker process is gone (this host) or whose heartbeat is
older than the lease (another host) is marked failed by recover(), at start and every half minute.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import signal
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, OperationalError, close_old_connections, connection
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from minzheng.audit import context
from minzheng.audit import services as audit
from minzheng.core import dates
from minzheng.core.models import Job, JobStatus

from . import kinds
from .services import HEAVY_QUEUE
from .tasks import run_job

log = logging.getLogger("minzheng.worker")

HOST = socket.gethostname()[:60]
WORKER_ID = f"{HOST}:{os.getpid()}:{secrets.token_hex(4)}"
CLAIM_LOCK = 0x6D7A776B   # pg_advisory_xact_lock key serialising claims across workers ("mzwk")
POLL_SECONDS = 1.0
RECOVER_SECONDS = 30.0


class WorkerLost(Exception):
    """Recorded on a task whose worker died while running it."""


@dataclass
class JobRun:
    """What a job's function gets: its Job row and a progress reporter (flushed to the row by the heartbeat)."""

    job: Job
    phase: str = ""
    done: int = 0
    total: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def progress(self, phase: str, done: int = 0, total: int = 0) -> None:
        with self._lock:
            self.phase, self.done, self.total = phase[:60], int(done), int(total)

    def flush(self) -> None:
        with self._lock:
            values = {"phase": self.phase, "done": self.done, "total": self.total}
        Job.objects.filter(pk=self.job.pk, status=JobStatus.RUNNING).update(heartbeat_at=dates.now(), **values)


_running: dict[int, JobRun] = {}


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def _failure_message(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    if isinstance(exc, PermissionDenied):
        return str(exc) or "没有权限"
    return f"任务出错：{type(exc).__name__}: {exc}"[:2000]


def execute(job_id: int) -> dict[str, Any]:
    """Run one job (called by the run_job task inside a worker): mark it running, call its function as the user who
    queued it, then record the outcome. Every start, finish and failure is audited."""
    job = Job.objects.select_related("division").get(pk=job_id)
    spec = kinds.get(job.kind)
    run = JobRun(job)
    _running[job.pk] = run
    actor = context.Actor(job.actor_name, job.actor_role, job.actor_ip)
    try:
        with context.acting(actor):
            now = dates.now()
            Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=now, heartbeat_at=now,
                                                 worker=WORKER_ID[:120])
            audit.record("task.start", obj=job, summary=f"后台任务开始：{job.title}",
                         detail={"kind": job.kind, "job": job.pk, "worker": WORKER_ID})
            try:
                result = _jsonable(spec.function()(run, **job.params) or {})
            except BaseException as exc:
                message = _failure_message(exc)
                Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, finished_at=dates.now(),
                                                     message=message, phase=run.phase, done=run.done,
                                                     total=run.total)
                audit.record("task.fail", obj=job, summary=f"后台任务失败：{job.title}：{message}"[:500],
                             detail={"kind": job.kind, "job": job.pk, "error": message})
                raise
            summary = str(result.get("summary", ""))[:2000] if isinstance(result, dict) else ""
            Job.objects.filter(pk=job.pk).update(status=JobStatus.DONE, finished_at=dates.now(), result=result,
                                                 message=summary, phase=run.phase, done=run.total or run.done,
                                                 total=run.total)
            audit.record("task.finish", obj=job, summary=f"后台任务完成：{job.title}" + (f"：{summary}" if summary
                                                                                   else ""),
                         detail={"kind": job.kind, "job": job.pk})
    finally:
        _running.pop(job.pk, None)
    return {"job": job.pk, "status": JobStatus.DONE}


# ------------------------------------------------------------------------------------------------ claiming


def _serialise_claims() -> None:
    """Counting running heavy tasks and claiming one must not interleave between workers. SQLite's exclusive
    transaction already serialises; PostgreSQL takes an advisory lock held until the claim commits."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [CLAIM_LOCK])


def _ours() -> Any:
    return DBTaskResult.objects.filter(backend_name="default", task_path=run_job.module_path)


def claim(worker_id: str = WORKER_ID) -> DBTaskResult | None:
    """Claim the next ready task for this worker, leaving heavy tasks queued while the heavy limit is reached."""
    limit = max(1, settings.MINZHENG_WORKER_HEAVY_CONCURRENCY)
    ready = _ours().ready()
    try:
        with exclusive_transaction(ready.db):
            _serialise_claims()
            if _ours().running().filter(queue_name=HEAVY_QUEUE).count() >= limit:
                ready = ready.exclude(queue_name=HEAVY_QUEUE)
            task = ready.get_locked()
            if task is not None:
                task.claim(worker_id)
            return task
    except OperationalError as exc:
        if "locked" in str(exc).lower():   # SQLite busy with a long write: try again on the next poll
            return None
        raise


def run_claimed(task: DBTaskResult) -> None:
    try:
        value = task.task.call(*task.args_kwargs["args"], **task.args_kwargs["kwargs"])
        task.set_successful(value)
    except BaseException as exc:
        # The job's own failure is on its Job row already; the task row keeps the traceback.
        task.set_failed(exc)
        if not isinstance(exc, Exception):
            raise


def drain(worker_id: str = WORKER_ID) -> int:
    """Run every ready task, one after another, in this thread (the worker's one-shot mode). Returns how many."""
    recover()
    count = 0
    while (task := claim(worker_id)) is not None:
        run_claimed(task)
        count += 1
    return count


# ------------------------------------------------------------------------------------------------ recovery


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:   # a killed child not yet reaped is a zombie: dead for our purposes
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def worker_alive(worker_id: str, heartbeat: Any) -> bool:
    host, _, rest = worker_id.partition(":")
    pid_text, _, _ = rest.partition(":")
    if host == HOST and pid_text.isdigit():
        pid = int(pid_text)
        if pid == os.getpid():
            return worker_id == WORKER_ID
        return _pid_alive(pid)
    if heartbeat is None:
        return False
    return (dates.now() - heartbeat).total_seconds() < settings.MINZHENG_WORKER_LEASE_SECONDS


def _abandon(job: Job, message: str) -> None:
    updated = Job.objects.filter(pk=job.pk, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).update(
        status=JobStatus.FAILED, finished_at=dates.now(), message=message)
    if not updated:
        return
    job.refresh_from_db()
    spec = kinds.KINDS.get(job.kind)
    if spec is not None and spec.on_abandon:
        try:
            import_string(spec.on_abandon)(job)
        except Exception:   # the job is marked failed either way; its app's own record is best effort
            log.exception("on_abandon of job %s failed", job.pk)
    with context.acting(context.Actor("worker", "system")):
        audit.record("task.fail", obj=job, summary=f"后台任务中断：{job.title}：{message}"[:500],
                     detail={"kind": job.kind, "job": job.pk, "worker": job.worker, "error": message})


def recover() -> list[int]:
    """Mark failed the jobs whose worker is gone. Their writes were in transactions the database rolled back when
    the process died, so nothing of them is left; the user is told to start the job again."""
    failed: list[int] = []
    for task in _ours().running():
        job = Job.objects.filter(task_result_id=str(task.id)).first()
        worker_id = task.worker_ids[-1] if task.worker_ids else ""
        if worker_alive(worker_id, job.heartbeat_at if job is not None else None):
            continue
        task.set_failed(WorkerLost(f"worker {worker_id} is gone"))
        if job is not None:
            _abandon(job, "任务中断：运行它的后台进程已退出，未完成的写入已全部回滚，请重新提交")
            failed.append(job.pk)
    # A job whose task finished without it (e.g. the task row failed before the job started) is not left live.
    for job in Job.objects.filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).exclude(task_result_id=""):
        task_status = _ours().filter(id=job.task_result_id).values_list("status", flat=True).first()
        if task_status in ("FAILED", "SUCCESSFUL", None):
            _abandon(job, "任务中断：后台任务没有完成，请重新提交")
            failed.append(job.pk)
    return failed


# ------------------------------------------------------------------------------------------------ serving


class Worker:
    """threads claiming and running tasks; the main thread beats the hearts, recovers and queues daily sweeps."""

    def __init__(self, threads: int | None = None) -> None:
        self.threads = max(1, threads or settings.MINZHENG_WORKER_THREADS)
        self.stop = threading.Event()

    def _loop(self) -> None:
        while not self.stop.is_set():
            close_old_connections()
            try:
                task = claim()
            except DatabaseError:
                log.exception("claiming a task failed")
                task = None
            if task is None:
                self.stop.wait(POLL_SECONDS)
                continue
            run_claimed(task)
        connection.close()

    def _beat(self) -> None:
        for run in list(_running.values()):
            try:
                run.flush()
            except OperationalError:   # SQLite busy with the job's own write: the next beat will do
                continue

    def serve_forever(self) -> None:
        from . import housekeeping

        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: self.stop.set())
        recover()
        swept = housekeeping.sweep_temp()
        housekeeping.queue_daily()
        log.warning("minzheng worker %s started (%d threads, heavy ≤ %d); swept %d temp item(s)", WORKER_ID,
                    self.threads, settings.MINZHENG_WORKER_HEAVY_CONCURRENCY, swept)
        pool = [threading.Thread(target=self._loop, name=f"worker-{i}", daemon=True) for i in range(self.threads)]
        for t in pool:
            t.start()
        last_recover = time.monotonic()
        while not self.stop.is_set():
            self._beat()
            if time.monotonic() - last_recover > RECOVER_SECONDS:
                last_recover = time.monotonic()
                try:
                    close_old_connections()
                    recover()
                    housekeeping.queue_daily()
                except DatabaseError:
                    log.exception("worker housekeeping failed")
            self.stop.wait(POLL_SECONDS)
        # Running jobs get a moment to finish; one still running is rolled back by the exit and recovered later.
        for t in pool:
            t.join(timeout=5)
