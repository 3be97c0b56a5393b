"""The worker's chores: sweep temp folders that crashed jobs left behind, and queue the daily sweeps."""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path

from django.conf import settings

from minzheng.audit import context
from minzheng.core import dates, tempnames

from . import kinds, services
from .runner import _pid_alive

log = logging.getLogger("minzheng.worker")


def _remove(path: Path) -> int:
    try:
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
    except FileNotFoundError:
        return 0
    except OSError:
        log.warning("could not remove %s", path)
        return 0
    return 1


def sweep_temp() -> int:
    """Remove what dead processes left: our temp folders (sheet XML of ledgers, backup dumps) whose process is gone,
    the work folders of 核对 runs no longer running, and uploaded ledgers of imports that will not continue."""
    removed = 0
    for path in Path(tempfile.gettempdir()).glob(f"{tempnames.PREFIX}*"):
        pid = tempnames.owner_pid(path.name)
        if pid is not None and not _pid_alive(pid):
            removed += _remove(path)
    from minzheng.crosscheck.services.runs import stale_work_dirs
    from minzheng.registry.ledger import jobs as import_jobs

    for path in stale_work_dirs():
        removed += _remove(path)
    removed += import_jobs.sweep()
    return removed


def queue_daily() -> list[int]:
    """Queue each daily sweep once a day, from MINZHENG_WORKER_SWEEP_HOUR (Beijing time). The dedupe key makes
    this safe to call from every worker, as often as it likes."""
    now = dates.local()
    if now.hour < settings.MINZHENG_WORKER_SWEEP_HOUR:
        return []
    day = now.date()
    queued = []
    with context.acting(context.Actor("worker", "system")):
        for name, spec in kinds.KINDS.items():
            if spec.daily:
                job = services.submit(name, params={"day": day.isoformat()}, dedupe_key=f"{name}:{day}")
                queued.append(job.pk)
    return queued
