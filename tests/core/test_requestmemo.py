"""Reads shared by a page's parts are done once per GET request, and afresh everywhere else."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from minzheng.accounts.roles import Role
from minzheng.core import dates, requestmemo
from minzheng.workforce import training


def test_once_keeps_a_value_only_inside_an_active_memo() -> None:
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    assert requestmemo.once("k", compute) == 1 and requestmemo.once("k", compute) == 2   # no request: afresh
    with requestmemo.active():
        assert requestmemo.once("k", compute) == 3
        assert requestmemo.once("k", compute) == 3
        assert requestmemo.once("other", compute) == 4
    assert requestmemo.once("k", compute) == 5


@pytest.mark.django_db
def test_the_township_home_reads_its_staffs_training_once(make_user: Any, meishan: Any, login: Any) -> None:
    """今日工作's 培训提醒 and the 民情与培训 panel both need the training record: one read serves both."""
    from minzheng.workforce import staff
    from minzheng.workforce.models import PostKind

    s = staff.create_staff(division=meishan, name="助理员甲")
    staff.appoint(post=staff.create_post(division=meishan, kind=PostKind.TOWNSHIP_ASSISTANT), staff=s,
                  start=dt.date(2020, 1, 1))
    client = login(make_user(Role.TOWNSHIP_OFFICER, meishan, username="ms_memo"))
    with dates.frozen("2026-06-15T02:00:00"):   # from March on, 今日工作 carries the 培训提醒
        client.get("/")
        with CaptureQueriesContext(connection) as q:
            assert client.get("/").status_code == 200
    reads = [x["sql"] for x in q.captured_queries if 'FROM "workforce_attendance"' in x["sql"]]
    assert len(reads) == 1, reads


@pytest.mark.django_db
def test_a_write_request_computes_afresh(rf: Any, make_user: Any, meishan: Any) -> None:
    user = make_user(Role.TOWNSHIP_OFFICER, meishan, username="ms_post")
    seen: list[bool] = []

    def view(request: Any) -> Any:
        from django.http import HttpResponse

        first = training.compliance_of(user, year=2026, on=dt.date(2026, 6, 1))
        second = training.compliance_of(user, year=2026, on=dt.date(2026, 6, 1))
        seen.append(first is second)
        return HttpResponse()

    middleware = requestmemo.RequestMemoMiddleware(view)
    middleware(rf.get("/"))
    middleware(rf.post("/"))
    assert seen == [True, False]
