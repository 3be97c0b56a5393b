"""What people do on the 信息核对 pages and API: the county loads data and runs the check, a township works its
疑点 list, leaders read the summary."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from minzheng.audit.models import AuditEntry
from minzheng.core.models import Job, JobStatus
from minzheng.core.worker import runner
from minzheng.crosscheck import services
from minzheng.crosscheck.models import CheckRun, Dataset, Finding, FindingStatus

from . import factory

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2024, 6, 15)



@pytest.fixture
def checked(tmp_path: Path) -> factory.World:
    w = factory.build(seed=2, households=45)
    for kind, path in factory.write_files(w, tmp_path / "in").items():
        assert services.load_dataset(kind=kind, path=path, as_of=AS_OF).ok
    services.start_run(as_of=AS_OF)
    return w


def test_county_uploads_a_file_and_sees_row_errors(login: Any, district_admin: Any) -> None:
    c = login(district_admin)
    bad = SimpleUploadedFile("死亡.csv", "公民身份号码,姓名,死亡日期\n11010519491231002X,张三,2024-02-30\n".encode())
    resp = c.post("/crosscheck/datasets/", {"kind": "death", "as_of": "2024-06-01", "file": bad})
    body = resp.content.decode()
    assert resp.status_code == 200 and "不是有效日期" in body and "死亡日期" in body and Dataset.objects.count() == 0
    good = SimpleUploadedFile("死亡.csv", "公民身份号码,姓名,死亡日期\n11010519491231002X,张三,2024-02-03\n".encode())
    resp = c.post("/crosscheck/datasets/", {"kind": "death", "as_of": "2024-06-01", "file": good})
    assert resp.status_code == 302 and Dataset.objects.get().file_name == "死亡.csv"


def test_township_cannot_load_or_run(login: Any, meishan_officer: Any) -> None:
    c = login(meishan_officer)
    f = SimpleUploadedFile("d.csv", "公民身份号码,姓名,死亡日期\n11010519491231002X,张三,2024-02-03\n".encode())
    assert c.post("/crosscheck/datasets/", {"kind": "death", "as_of": "2024-06-01", "file": f}).status_code == 403
    assert c.post("/crosscheck/runs/", {"as_of": "2024-06-15"}).status_code == 403
    assert CheckRun.objects.count() == 0


def test_county_starts_a_run_and_sees_its_result(login: Any, approver: Any, tmp_path: Path) -> None:
    w = factory.build(seed=2, households=45)
    for kind, path in factory.write_files(w, tmp_path / "in").items():
        services.load_dataset(kind=kind, path=path, as_of=AS_OF)
    c = login(approver)
    resp = c.post("/crosscheck/runs/", {"as_of": "2024-06-15"})
    run = CheckRun.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/crosscheck/runs/{run.pk}/"
    # the web request only queued it: the worker runs it
    assert run.status == "queued" and Job.objects.get(kind="crosscheck.run").status == JobStatus.QUEUED
    assert runner.drain() == 1
    run.refresh_from_db()
    page = c.get(resp["Location"]).content.decode()
    assert "已完成" in page and f"新增疑点 <strong>{run.new_findings}</strong>" in page
    # the progress fragment polled by htmx
    assert c.get(resp["Location"], HTTP_HX_REQUEST="true").content.decode().startswith('<div id="run-progress"')


def test_township_works_its_list(login: Any, checked: factory.World, meishan_officer: Any,
                                 xiadao_officer: Any) -> None:
    c = login(meishan_officer)
    mine = Finding.objects.filter(township__name="梅山街道")
    other = Finding.objects.exclude(township__name="梅山街道").first()
    page = c.get("/crosscheck/").content.decode()
    assert all(f"#{f.pk}<" in page for f in mine)
    assert other.person_name not in page
    assert c.get(f"/crosscheck/f/{other.pk}/").status_code == 404
    f = mine.first()
    detail = c.get(f"/crosscheck/f/{f.pk}/").content.decode()
    assert f.summary in detail and "录入核实结果" in detail
    # a cleared finding needs its reason
    resp = c.post(f"/crosscheck/f/{f.pk}/", {"status": "cleared", "action": "", "note": ""})
    assert resp.status_code == 200 and Finding.objects.get(pk=f.pk).status == FindingStatus.OPEN
    resp = c.post(f"/crosscheck/f/{f.pk}/", {"status": "cleared", "action": "", "note": "入户核实：车辆已过户"})
    assert resp.status_code == 302 and Finding.objects.get(pk=f.pk).status == FindingStatus.CLEARED
    # another township cannot post an outcome
    g = mine.filter(status="open").first()
    assert login(xiadao_officer).post(f"/crosscheck/f/{g.pk}/", {"status": "cleared", "note": "x"}).status_code == 404
    # home panel: open count
    home = c.get("/").content.decode()
    assert "信息核对疑点" in home and f"{mine.filter(status='open').count()}</span> 条待核实" in home


def test_summary_page_and_export(login: Any, checked: factory.World, district_admin: Any, auditor: Any) -> None:
    c = login(district_admin)
    page = c.get("/crosscheck/summary/").content.decode()
    assert 'id="chart-crosscheck"' in page and 'data-chart="chart-crosscheck"' in page and "梅山街道" in page
    before = AuditEntry.objects.filter(action="export.核对疑点").count()
    resp = c.get("/crosscheck/?status=&format=xlsx")
    assert resp.status_code == 200 and resp.content[:2] == b"PK"
    assert AuditEntry.objects.filter(action="export.核对疑点").count() == before + 1
    # the auditor sees masked ID numbers
    f = Finding.objects.exclude(id_number="").first()
    assert f.id_number not in login(auditor).get(f"/crosscheck/f/{f.pk}/").content.decode()
    assert c.get("/crosscheck/rules/").status_code == 200


def test_api_lists_findings_and_records_an_outcome(login: Any, checked: factory.World,
                                                   meishan_officer: Any) -> None:
    c = login(meishan_officer)
    rows = c.get("/api/crosscheck/findings?status=open").json()
    assert rows and {r["township"] for r in rows} == {"梅山街道"}
    fid = rows[0]["id"]
    resp = c.post(f"/api/crosscheck/findings/{fid}/outcome", json.dumps({"status": "confirmed"}),
                  content_type="application/json")
    assert resp.status_code == 422
    resp = c.post(f"/api/crosscheck/findings/{fid}/outcome",
                  json.dumps({"status": "confirmed", "action": "stopped", "note": "已停发"}),
                  content_type="application/json")
    assert resp.status_code == 200 and resp.json()["status"] == "confirmed"


def test_api_load_and_run(login: Any, district_admin: Any) -> None:
    c = login(district_admin)
    f = SimpleUploadedFile("d.csv", "公民身份号码,姓名,死亡日期\n11010519491231002X,张三,2024-02-31\n".encode())
    resp = c.post("/api/crosscheck/datasets", {"kind": "death", "file": f})
    assert resp.status_code == 422 and resp.json()["errors"][0]["row"] == 2
    f = SimpleUploadedFile("d.csv", "公民身份号码,姓名,死亡日期\n11010519491231002X,张三,2024-02-03\n".encode())
    resp = c.post("/api/crosscheck/datasets", {"kind": "death", "file": f, "as_of": "2024-06-01"})
    assert resp.status_code == 201 and resp.json()["dataset"]["version"] == 1
    resp = c.post("/api/crosscheck/runs", json.dumps({"as_of": "2024-06-15"}), content_type="application/json")
    assert resp.status_code == 202 and resp.json()["status"] == "queued"
    assert runner.drain() == 1
    assert c.get(f"/api/crosscheck/runs/{resp.json()['id']}").json()["status"] == "done"
