"""The task worker's loop, run in this process (runner.drain / claim / recover): jobs run outside the request,
heavy jobs wait for the limit, dead workers' jobs are marked failed, batches queued twice run once, every start,
finish and failure is audited, temp folders of dead processes are swept, and users see only their jobs."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult

from minzheng.audit.context import Actor, acting
from minzheng.audit.models import AuditEntry
from minzheng.core import dates
from minzheng.core.models import Job, JobStatus
from minzheng.core.worker import housekeeping, kinds, runner, services

pytestmark = pytest.mark.django_db
JAN = dt.date(2026, 1, 1)


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _sweep_job(day: str = "2026-01-05") -> Job:
    with acting(Actor("worker", "system")):
        return services.submit("assistance.sweep", params={"day": day})


def test_a_queued_job_runs_in_the_worker_and_every_step_is_audited() -> None:
    job = _sweep_job()
    assert job.status == JobStatus.QUEUED and DBTaskResult.objects.get(id=job.task_result_id).status == "READY"
    assert runner.drain() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result == {"summary": "公示期满报县级审核 0 件，撤下公示 0 件",
                                                           "moved": 0, "ended": 0}
    assert DBTaskResult.objects.get(id=job.task_result_id).status == "SUCCESSFUL"
    actions = list(AuditEntry.objects.filter(object_type="core.job", object_id=str(job.pk))
                   .order_by("seq").values_list("action", flat=True))
    assert actions == ["task.queue", "task.start", "task.finish"]
    assert runner.drain() == 0


def test_a_second_heavy_job_waits_while_the_limit_is_reached(settings: Any, meishan_officer: Any) -> None:
    settings.MINZHENG_WORKER_HEAVY_CONCURRENCY = 1
    first = services.submit("payments.generate", params={"month": "2026-01"}, user=meishan_officer)
    second = services.submit("payments.generate", params={"month": "2025-12"}, user=meishan_officer)
    light = _sweep_job()
    # worker A takes the first heavy job; worker B gets only the light one; the second heavy job stays queued
    a = runner.claim("otherhost:1:a")
    assert a is not None and str(a.id) == first.task_result_id
    b = runner.claim("otherhost:2:b")
    assert b is not None and str(b.id) == light.task_result_id
    assert runner.claim("otherhost:3:c") is None
    assert DBTaskResult.objects.get(id=second.task_result_id).status == "READY"
    # a higher limit lets it start
    settings.MINZHENG_WORKER_HEAVY_CONCURRENCY = 2
    c = runner.claim("otherhost:3:c")
    assert c is not None and str(c.id) == second.task_result_id


def test_the_jobs_of_a_dead_worker_are_marked_failed(settings: Any) -> None:
    here, gone, away, lost = (_sweep_job(f"2026-01-0{d}") for d in (1, 2, 3, 4))
    runner.claim(runner.WORKER_ID)   # this process: alive while it runs the job
    runner.claim(f"{runner.HOST}:{_dead_pid()}:x")
    runner.claim("elsewhere:77:y")   # away
    runner.claim("elsewhere:78:z")   # lost
    now = dates.now()
    Job.objects.filter(pk=away.pk).update(heartbeat_at=now)
    Job.objects.filter(pk=lost.pk).update(
        heartbeat_at=now - dt.timedelta(seconds=settings.MINZHENG_WORKER_LEASE_SECONDS + 1))
    runner._running[here.pk] = runner.JobRun(here)
    try:
        failed = runner.recover()
    finally:
        runner._running.pop(here.pk)
    assert sorted(failed) == sorted([gone.pk, lost.pk])
    for job, status in ((here, "RUNNING"), (gone, "FAILED"), (away, "RUNNING"), (lost, "FAILED")):
        assert DBTaskResult.objects.get(id=job.task_result_id).status == status
    gone.refresh_from_db()
    assert gone.status == JobStatus.FAILED and "后台进程已退出" in gone.message
    assert AuditEntry.objects.filter(action="task.fail", object_id=str(gone.pk)).exists()


def test_an_abandoned_crosscheck_run_is_failed_and_its_work_folder_swept(approver: Any, settings: Any,
                                                                        tmp_path: Path) -> None:
    from minzheng.crosscheck import services as crosscheck
    from minzheng.crosscheck.models import CheckRun, RunStatus

    settings.HOME = tmp_path
    run = crosscheck.start_run(actor=approver, as_of=JAN, background=True)
    work = tmp_path / "crosscheck" / "tmp" / f"run-{run.pk}"
    work.mkdir(parents=True)
    (work / "recipients.parquet").write_bytes(b"ids")
    assert runner.claim(f"{runner.HOST}:{_dead_pid()}:x") is not None
    CheckRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING)
    assert len(runner.recover()) == 1
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "未登记任何疑点" in run.error
    assert housekeeping.sweep_temp() >= 1 and not work.exists()


def test_a_failing_job_is_failed_with_its_message_and_audited(meishan_officer: Any) -> None:
    job = services.submit("payments.generate", params={"month": "2099-01"}, user=meishan_officer)
    runner.drain()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "不能为未来月份 2099-01 造册" in job.message
    assert AuditEntry.objects.filter(action="task.fail", object_id=str(job.pk)).exists()
    assert DBTaskResult.objects.get(id=job.task_result_id).status == "FAILED"


def test_the_daily_sweeps_are_queued_once_a_day(settings: Any) -> None:
    settings.MINZHENG_WORKER_SWEEP_HOUR = 1
    with dates.frozen(dt.datetime(2026, 3, 2, 0, 30, tzinfo=dates.BEIJING)):
        assert housekeeping.queue_daily() == []          # before the hour
    with dates.frozen(dt.datetime(2026, 3, 2, 6, 0, tzinfo=dates.BEIJING)):
        first = housekeeping.queue_daily()
        daily = sum(1 for k in kinds.KINDS.values() if k.daily)   # the apps' sweeps and the export sweep
        assert len(first) == daily and housekeeping.queue_daily() == first
        assert runner.drain() == daily
    assert set(Job.objects.values_list("kind", "status")) == {
        ("assistance.sweep", "done"), ("disaster.overdue", "done"), ("workforce.escalate", "done"),
        ("core.export_sweep", "done"), ("care.sweep", "done"), ("fieldapp.upload_sweep", "done")}
    with dates.frozen(dt.datetime(2026, 3, 3, 6, 0, tzinfo=dates.BEIJING)):
        assert len(set(housekeeping.queue_daily()) - set(first)) == daily


def test_temp_folders_of_dead_processes_are_swept(settings: Any, tmp_path: Path) -> None:
    from minzheng.core import tempnames

    settings.HOME = tmp_path
    tmp = Path(tempfile.gettempdir())
    dead = tmp / f"minzheng-parts-{_dead_pid()}-test"
    live = Path(tempfile.mkdtemp(prefix=tempnames.prefix("parts")))
    dead.mkdir()
    (dead / "sheet1.xml").write_text("<row>身份证号</row>")
    try:
        housekeeping.sweep_temp()
        assert not dead.exists() and live.exists()
    finally:
        live.rmdir()


def test_users_see_their_jobs_and_their_jurisdiction_only(login: Any, meishan_officer: Any, xiadao_officer: Any,
                                                          district_admin: Any) -> None:
    job = services.submit("payments.generate", params={"month": "2026-01"}, user=meishan_officer)
    url = f"/jobs/{job.pk}/"
    for user, code in ((meishan_officer, 200), (district_admin, 200), (xiadao_officer, 404)):
        client = login(user)
        assert client.get(url).status_code == code
        assert client.get(f"/api/core/tasks/{job.pk}").status_code == code
        listed = [j["id"] for j in client.get("/api/core/tasks").json()]
        assert (job.pk in listed) == (code == 200)
    # the page polls a status fragment until the job ends, then reloads
    owner = login(meishan_officer)
    fragment = owner.get(url, HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 1s"' in fragment.content.decode() and "HX-Refresh" not in fragment
    runner.drain()
    assert owner.get(url, HTTP_HX_REQUEST="true")["HX-Refresh"] == "true"
    assert owner.get("/api/core/tasks/" + str(job.pk)).json()["status"] == "done"
