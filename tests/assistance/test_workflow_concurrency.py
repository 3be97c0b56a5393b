"""Two people acting on the same case at the same moment: exactly one succeeds, the other gets a clear message."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from minzheng.assistance import services
from minzheng.assistance.models import Application, Opinion, Status
from minzheng.assistance.workflow import ConcurrentUpdate, WorkflowError

from .wf_fixtures import dibao_family

DAY = dt.date(2024, 5, 6)
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_stale_version_is_refused(zhongshan: Any, meishan_officer: Any, make_user: Any) -> None:
    # given: two officers who both opened the case at version 1
    other = make_user("township_officer", meishan_officer.division, username="meishan_2")
    hh, head, _ = dibao_family(zhongshan)
    app = services.create_application(actor=meishan_officer, programme_code="dibao_urban", household=hh,
                                      applicant=head, received_on=DAY)
    seen_by_a = Application.objects.get(pk=app.pk)
    seen_by_b = Application.objects.get(pk=app.pk)
    # when: A starts the investigation, then B withdraws what they saw
    services.start_investigation(seen_by_a, actor=meishan_officer, today=DAY)
    # then: B is refused and nothing of B's is recorded
    with pytest.raises(ConcurrentUpdate, match="已被他人处理"):
        services.withdraw(seen_by_b, actor=other, version=seen_by_b.version)
    assert Application.objects.get(pk=app.pk).status == Status.INVESTIGATING
    assert not Opinion.objects.filter(application=app, action="withdraw").exists()


def test_two_threads_one_wins_on_a_sqlite_file(tmp_path: Any) -> None:
    # given: the production SQLite configuration (a file, WAL, IMMEDIATE transactions) in a fresh process
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["MINZHENG_HOME"] = str(tmp_path)
    # when: two threads act on the same case version at once
    out = subprocess.run([sys.executable, "-m", "tests.assistance.race_sqlite"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    # then: one wins, the other is refused with the Chinese message — no "database is locked" crash
    assert sorted(r.split(":")[0] for r in got["results"]) == ["ok", "refused"], got
    assert any("已被他人处理" in r for r in got["results"])
    assert got["version"] == got["start_version"] + 1 and got["steps"] == 1


@pytest.mark.django_db(transaction=True)
def test_two_threads_one_wins(zhongshan: Any, meishan_officer: Any, make_user: Any) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("in-memory SQLite test database has no file locking; see the *_on_a_sqlite_file test")
    # given: a case at 受理 and two officers pressing a button at the same instant (threads, real transactions)
    other = make_user("township_officer", meishan_officer.division, username="meishan_3")
    hh, head, _ = dibao_family(zhongshan)
    app = services.create_application(actor=meishan_officer, programme_code="dibao_urban", household=hh,
                                      applicant=head, received_on=DAY)
    version = app.version
    barrier = threading.Barrier(2)
    results: list[str] = []

    def run(actor: Any, action: str) -> None:
        try:
            mine = Application.objects.get(pk=app.pk)
            barrier.wait(timeout=10)
            if action == "start":
                services.start_investigation(mine, actor=actor, version=version, today=DAY)
            else:
                services.withdraw(mine, actor=actor, version=version)
            results.append("ok")
        except (ConcurrentUpdate, WorkflowError) as exc:
            results.append(f"refused: {exc.messages[0]}")
        except Exception as exc:  # any other error is a failure of the locking, reported below
            results.append(f"error: {exc!r}")
        finally:
            connection.close()  # each thread has its own connection; do not leave it open

    threads = [threading.Thread(target=run, args=(meishan_officer, "start")),
               threading.Thread(target=run, args=(other, "withdraw"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    # then: exactly one succeeded; the other was refused with a message, not a crash
    assert sorted(r.split(":")[0] for r in results) == ["ok", "refused"], results
    final = Application.objects.get(pk=app.pk)
    assert final.version == version + 1
    assert final.status in (Status.INVESTIGATING, Status.WITHDRAWN)
    assert Opinion.objects.filter(application=app).exclude(action__in=["accept", "kinship_flag"]).count() == 1
