"""The real `minzheng worker` process killed with -9 in the middle of an import: the next worker start marks the
job failed, and the database holds not one household of it (the import is one transaction). Runs on a fresh
installation of the database engine under test (a scratch PostgreSQL database, or a SQLite file)."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from minzheng.registry.idnumber import check_char

HOUSEHOLDS = 60_000
SURNAMES = "张王李赵陈林黄吴郑刘"
GIVEN = ["伟", "芳", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "志明", "建华"]

QUEUE = """
import json
from minzheng.accounts import services as accounts
from minzheng.audit.context import Actor, acting
from minzheng.regions.models import Division
from minzheng.registry.ledger import jobs
user = accounts.create_user(username="kill_t", password="Test-Passw0rd!", role="township_officer",
                            division=Division.objects.get(name="梅山街道"), full_name="kill_t")
with open({path!r}, "rb") as fh:
    job = jobs.create_job(user, "大台账.csv", iter(lambda: fh.read(1 << 20), b""))
with acting(Actor("kill_t", "township_officer", "127.0.0.1")):
    jobs.start(job, jobs.Mode.ATOMIC, user=user)
print(json.dumps({{"import": job.id, "job": job.state["task"]}}))
"""

CHECK = """
import json
from django_tasks_db.models import DBTaskResult
from minzheng.audit.models import AuditEntry
from minzheng.core.models import Job
from minzheng.registry.models import Household, Person
job = Job.objects.get(pk={job})
print(json.dumps({{"households": Household.objects.count(), "persons": Person.objects.count(),
                  "status": job.status, "message": job.message,
                  "task": DBTaskResult.objects.get(id=job.task_result_id).status,
                  "audit": list(AuditEntry.objects.filter(object_type="core.job", object_id=str(job.pk))
                                .order_by("seq").values_list("action", flat=True))}}))
"""


def _ledger(path: Path) -> Path:
    rows = ["姓名,身份证号,与户主关系,乡镇,村"]
    base = dt.date(1950, 1, 1)
    for i in range(HOUSEHOLDS):
        first17 = f"350702{base + dt.timedelta(days=i // 900):%Y%m%d}{i % 900 + 1:03d}"
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i // 10) % len(GIVEN)]
        rows.append(f"{name},{first17 + check_char(first17)},户主,梅山街道,中山社区居委会")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def installation(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Environment of a fresh installation on the engine the suite runs on."""
    db = settings.DATABASES["default"]
    env = {**os.environ, "MINZHENG_HOME": str(tmp_path / "home"), "DATABASE_URL": ""}
    env.pop("MINZHENG_DEMO", None)
    scratch = ""
    if db["ENGINE"].endswith("postgresql"):
        import psycopg

        scratch = f"{db['NAME']}_killtest"
        admin = psycopg.connect(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"],
                                password=db["PASSWORD"] or None, dbname="postgres", autocommit=True)
        admin.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
        admin.execute(f'CREATE DATABASE "{scratch}"')
        env["DATABASE_URL"] = (f"postgres://{db['USER']}{':' + db['PASSWORD'] if db['PASSWORD'] else ''}"
                               f"@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{scratch}")
    try:
        yield env
    finally:
        if scratch:
            admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
            admin.close()


def _cli(env: dict[str, str], *args: str, timeout: int = 600) -> str:
    done = subprocess.run([sys.executable, "-m", "minzheng", *args], env=env, capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _state(home: Path, import_id: str) -> dict[str, object]:
    try:
        return json.loads((home / "imports" / import_id / "state.json").read_text())
    except (FileNotFoundError, json.JSONDecodeError):   # being replaced
        return {}


@pytest.mark.slow
def test_a_worker_killed_mid_import_leaves_no_household_and_a_failed_job(installation: dict[str, str],
                                                                          tmp_path: Path) -> None:
    env, home = installation, Path(installation["MINZHENG_HOME"])
    _cli(env, "init", "--no-input")
    ledger = _ledger(tmp_path / "大台账.csv")
    queued = json.loads(_cli(env, "shell", "-c", QUEUE.format(path=str(ledger))).strip().splitlines()[-1])
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen([sys.executable, "-m", "minzheng", "worker"], env=env, stdout=log,
                              stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            state = _state(home, queued["import"])
            assert state.get("status") != "done", "the import finished before it could be killed: make it bigger"
            if state.get("phase") == "write" and int(str(state.get("done") or 0)) > 0:
                break
            time.sleep(0.05)
        else:
            pytest.fail("the import never reached its writing phase: " + (tmp_path / "worker.log").read_text())
        os.kill(worker.pid, signal.SIGKILL)       # mid-write: households are going into the database
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.wait()
        log.close()
    # the next worker start (one-shot here) finds the dead worker's job and marks it failed
    _cli(env, "worker", "--drain")
    result = json.loads(_cli(env, "shell", "-c", CHECK.format(job=queued["job"])).strip().splitlines()[-1])
    assert result["households"] == 0 and result["persons"] == 0
    assert result["status"] == "failed" and "后台进程已退出" in result["message"] and result["task"] == "FAILED"
    assert result["audit"] == ["task.queue", "task.start", "task.fail"]
    # the page's state says so, and the uploaded ledger (personal data) is gone
    state = _state(home, queued["import"])
    assert state["status"] == "failed" and "未导入任何数据" in str(state["message"])
    assert not (home / "imports" / queued["import"] / "ledger.csv").exists()
    assert "任务中断" in _cli(env, "worker", "show", str(queued["job"]))
    _cli(env, "audit", "verify")
