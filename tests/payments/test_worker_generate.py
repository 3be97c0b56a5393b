"""Payroll generation run by the task worker is idempotent: queued twice for a month, it pays nobody twice."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from minzheng.core.models import Job, JobStatus
from minzheng.core.worker import runner, services
from minzheng.payments.models import Payroll, PayrollLine

from .conftest import enroll

pytestmark = pytest.mark.django_db
JAN = dt.date(2026, 1, 1)


def test_payroll_generation_queued_twice_pays_nobody_twice(hh: Any, meishan_officer: Any) -> None:
    enroll(hh(head_name="陈志富"), "dibao_urban", "812.37", JAN)
    for _ in range(2):
        services.submit("payments.generate", params={"month": "2026-01"}, user=meishan_officer)
        runner.drain()
        assert Payroll.objects.count() == 1 and PayrollLine.objects.count() == 1
    assert Job.objects.filter(kind="payments.generate", status=JobStatus.DONE).count() == 2
    # a double click while one is still queued gives the same job
    one = services.submit("payments.generate", params={"month": "2026-01"}, user=meishan_officer, reuse_live=True)
    assert services.submit("payments.generate", params={"month": "2026-01"}, user=meishan_officer,
                           reuse_live=True).pk == one.pk
