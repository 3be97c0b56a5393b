"""导出 on every list: a walk over every page route without URL keywords, as each role that may export, fails when a
page shows a data table but offers no 导出 (so a new list without export fails here). Big exports run as a job in
the task worker, with a download link only the requesting user can use, audited when downloaded, swept when old."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.urls import get_resolver
from python_calamine import CalamineWorkbook

from minzheng.accounts.roles import Role
from minzheng.audit.models import AuditEntry
from minzheng.core import dates, exportjobs
from minzheng.core.models import Job, JobStatus
from minzheng.core.worker import runner
from tests import leakcheck
from tests.core.test_jurisdiction import walk

pytestmark = pytest.mark.django_db

# Pages with a data table that are not lists of records, each with the reason it offers no 导出.
NOT_LISTS = {
    "core:home": "首页面板，各面板链接到可导出的列表",
    "core:tasks": "我的待办：链接到各业务列表，在那里导出",
    "core:jobs": "后台任务状态页",
    "core:settings": "系统设置表单",
    "core:divisions": "区划树选择，区划名录随初始化数据提供",
    "accounts:tokens": "本人 API 令牌，不得导出",
    "assistance:new": "受理表单",
    "assistance:kinship_report": "核对报告页自带打印",
    "assistance:ledger_compute": "测算表单",
    "registry:household_create": "新建家庭表单",
    "registry:idcheck": "身份证号校验工具",
    "policy:raise_new": "提标表单",
    "disaster:event_new": "新建灾害过程表单",
    "workforce:post_new": "新建岗位表单",
    "workforce:need_new": "上报民情表单",
    "workforce:circular_new": "发文表单",
    "workforce:needs_mine": "协管员本人上报的民情（手机页），区乡在民情列表导出",
    "workforce:report": "年度报告自带 Excel/PDF 下载",
    "payments:fund_report": "资金报表自带 Excel/PDF 下载",
    "registry:import_upload": "台账导入：上传表单和本人的导入批次（结果在各批次页下载）",
    "crosscheck:summary": "核对概览看板：数字链接到可导出的疑点列表",
    "workforce:overview": "队伍建设概览看板：各表链接到可导出的列表",
    "purchased:contract_new": "新建合同表单",
    "purchased:mine": "服务人员手机页（服务人员无导出权限）",
}


def _pages() -> list[tuple[str, str]]:
    out = []
    for route, name, kwargs in walk(get_resolver().url_patterns):
        if kwargs or route.startswith(("api/", "public/", "static", "i18n/")) or route.endswith((".xlsx", ".pdf")):
            continue
        if name in ("accounts:login", "accounts:logout", "core:healthz"):
            continue
        out.append(("/" + route, name))
    return out


@pytest.mark.parametrize("role", [Role.DISTRICT_ADMIN, Role.TOWNSHIP_OFFICER, Role.AUDITOR, Role.BUREAU_HEAD])
def test_every_list_a_role_can_see_offers_export(role: str, make_user: Any, county: Any, meishan: Any,
                                                 zhongshan: Any, meishan_officer: Any, client: Any) -> None:
    leakcheck.plant_all(zhongshan, meishan_officer)   # every app's lists have rows
    user = make_user(role, county if role != Role.TOWNSHIP_OFFICER else meishan, username=f"walker_{role}")
    client.force_login(user)
    missing, seen = [], 0
    for url, name in _pages():
        if name in NOT_LISTS:
            continue
        resp = client.get(url)
        if resp.status_code != 200 or "text/html" not in resp.get("Content-Type", ""):
            continue
        html = resp.content.decode()
        if 'class="data' not in html:
            continue
        seen += 1
        if "导出" not in html:
            missing.append(f"{name} ({url})")
    assert seen >= 5, "the walk found almost no lists: is the planter broken?"
    assert not missing, f"lists without 导出 for {role}: {missing}"


def _export_rows(data: bytes) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()]


def test_a_big_export_runs_as_a_job_and_only_its_owner_downloads_it_once_audited(
        settings: Any, login: Any, meishan_officer: Any, zhongshan: Any, make_user: Any, meishan: Any,
        tmp_path: Any) -> None:
    settings.EXPORT_ROOT = tmp_path / "exports"
    settings.MINZHENG_EXPORT_INLINE_MAX_ROWS = 0   # every export is "big"
    leakcheck.plant_all(zhongshan, meishan_officer)
    me = login(meishan_officer)
    resp = me.get("/purchased/providers/?export=xlsx")
    assert resp.status_code == 302 and "/jobs/" in resp["Location"]
    job = Job.objects.exclude(title="导出 测试列表").get(kind="core.export")   # not the leak test's planted one
    assert job.created_by_id == meishan_officer.pk and job.status == JobStatus.QUEUED
    assert not AuditEntry.objects.filter(action__startswith="export.").exists()
    runner.drain()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.message
    page = me.get(f"/jobs/{job.pk}/").content.decode()
    link = job.result["download"]
    assert link in page and "下载 Excel 文件" in page
    # another user of the same township cannot use the link
    other = login(make_user(Role.TOWNSHIP_OFFICER, meishan, username="colleague"))
    assert other.get(link).status_code == 404
    me = login(meishan_officer)
    resp = me.get(link)
    assert resp.status_code == 200
    rows = _export_rows(b"".join(resp.streaming_content))
    assert any("秘密社工服务中心" in str(c) for r in rows for c in r)
    assert AuditEntry.objects.filter(action="export.承接主体", actor=meishan_officer.username).count() == 1
    # expired: the link answers 404 and the sweep deletes the file
    Job.objects.filter(pk=job.pk).update(finished_at=dates.now() - dt.timedelta(days=settings.MINZHENG_EXPORT_KEEP_DAYS
                                                                                 + 1))
    assert me.get(link).status_code == 404
    assert exportjobs.sweep_task(None)["removed"] == 1
    files = [p.name for p in (tmp_path / "exports").glob("*.xlsx")]
    assert job.result["file"] not in files and len(files) == 1   # the leak test's live export is kept


def test_a_small_export_stays_in_the_request_and_is_audited_there(login: Any, meishan_officer: Any,
                                                                   zhongshan: Any) -> None:
    leakcheck.plant_all(zhongshan, meishan_officer)
    jobs = Job.objects.count()
    resp = login(meishan_officer).get("/purchased/providers/?export=xlsx")
    assert resp.status_code == 200
    assert [r[0] for r in _export_rows(resp.content)[2:]] == ["秘密社工服务中心"]
    assert AuditEntry.objects.filter(action="export.承接主体").count() == 1
    assert Job.objects.count() == jobs
