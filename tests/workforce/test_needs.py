"""民情直通车: from a coordinator's phone to a township task and back with its resolution; public reports;
overdue escalation."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from minzheng.core import dates
from minzheng.workforce import needs
from minzheng.workforce.models import NeedReport, NeedStatus

from .conftest import png_bytes


@pytest.mark.django_db
def test_direct_line_report_travels_to_township_task_and_back(login: Any, coordinator: Any, meishan_officer: Any,
                                                              zhongshan: Any) -> None:
    phone = login(coordinator)
    # given: the coordinator opens the phone-width page
    page = phone.get("/workforce/needs/new/")
    assert page.status_code == 200 and 'name="viewport"' in page.content.decode()
    assert 'class="wf-phone"' in page.content.decode()
    # when: they report a family in hardship with a photo
    resp = phone.post("/workforce/needs/new/", {
        "category": "hardship", "village": zhongshan.pk, "description": "中山社区独居老人生活困难无人照料",
        "photo": SimpleUploadedFile("p.png", png_bytes(), content_type="image/png")})
    assert resp.status_code == 302
    report = NeedReport.objects.get()
    assert report.photo and report.status == NeedStatus.NEW
    assert report.deadline > dates.today() and report.deadline_rule["key"] == "workforce.needs.response_workdays"
    # then: it is a task for the township officer
    office = login(meishan_officer)
    tasks = office.get("/tasks/").content.decode()
    assert f"/workforce/needs/{report.pk}/" in tasks
    assert office.get(f"/workforce/needs/{report.pk}/photo").status_code == 200
    # when: the township accepts and resolves it
    assert office.post(f"/workforce/needs/{report.pk}/", {"action": "accept"}).status_code == 302
    assert office.post(f"/workforce/needs/{report.pk}/", {"action": "resolve",
                                                          "resolution": "已入户核查，指导申请低保"}).status_code == 302
    report.refresh_from_db()
    assert report.status == NeedStatus.RESOLVED and report.resolved_at is not None
    # then: the coordinator sees the resolution on the phone, and the task is gone
    mine = phone.get("/workforce/needs/mine/").content.decode()
    assert "已办结" in mine
    detail = phone.get(f"/workforce/needs/{report.pk}/").content.decode()
    assert "已入户核查，指导申请低保" in detail
    assert f"/workforce/needs/{report.pk}/" not in office.get("/tasks/").content.decode()
    assert [e.action for e in report.events.all()] == ["reported", "accepted", "resolved"]


@pytest.mark.django_db
def test_coordinator_cannot_resolve_and_other_township_cannot_see(login: Any, coordinator: Any, xiadao_officer: Any,
                                                                 zhongshan: Any) -> None:
    r = needs.submit(village=zhongshan, category="risk", description="危房有倒塌风险", source="coordinator",
                     actor=coordinator)
    login(coordinator).post(f"/workforce/needs/{r.pk}/", {"action": "resolve", "resolution": "自己办了"})
    r.refresh_from_db()
    assert r.status == NeedStatus.NEW
    assert login(xiadao_officer).get(f"/workforce/needs/{r.pk}/").status_code == 404
    assert login(xiadao_officer).get(f"/api/workforce/needs/{r.pk}").status_code == 404


@pytest.mark.django_db
def test_public_form_needs_no_login_validates_photo_and_is_rate_limited(client: Any, zhongshan: Any) -> None:
    assert client.get("/public/workforce/").status_code == 200
    bad = client.post("/public/workforce/", {
        "category": "complaint", "village": zhongshan.pk, "description": "高龄津贴两个月未到账",
        "photo": SimpleUploadedFile("x.jpg", b"not an image at all", content_type="image/jpeg")})
    assert bad.status_code == 200 and NeedReport.objects.count() == 0
    ok = {"category": "complaint", "village": zhongshan.pk, "description": "高龄津贴两个月未到账",
          "reporter_name": "群众甲", "reporter_phone": "13800000000"}
    resp = client.post("/public/workforce/", ok)
    assert resp.status_code == 302
    thanks = client.get(resp["Location"]).content.decode()
    r = NeedReport.objects.get()
    assert r.reference in thanks and r.source == "public" and r.origin_hash and "127.0.0.1" not in r.origin_hash
    for _ in range(4):
        client.post("/public/workforce/", ok)
    assert NeedReport.objects.count() == 5
    refused = client.post("/public/workforce/", ok)
    assert refused.status_code == 200 and "频繁" in refused.content.decode()
    assert NeedReport.objects.count() == 5
    # a filled honeypot pretends success and stores nothing
    client.post("/public/workforce/", {**ok, "website": "http://spam"}, REMOTE_ADDR="10.9.9.9")
    assert NeedReport.objects.count() == 5


@pytest.mark.django_db
def test_a_forged_forwarded_for_header_does_not_escape_the_public_limit(client: Any, zhongshan: Any) -> None:
    # The address is REMOTE_ADDR (made the client's by `serve --trusted-proxy` behind a proxy), never a header
    # the client writes itself.
    ok = {"category": "complaint", "village": zhongshan.pk, "description": "高龄津贴两个月未到账"}
    for i in range(6):
        client.post("/public/workforce/", ok, HTTP_X_FORWARDED_FOR=f"203.0.113.{i}")
    assert NeedReport.objects.count() == 5
    assert NeedReport.objects.values("origin_hash").distinct().count() == 1
    assert NeedReport.objects.first().origin_hash == needs.origin_hash("127.0.0.1")


@pytest.mark.django_db
def test_oversized_photo_is_refused(coordinator: Any, zhongshan: Any) -> None:
    from django.core.exceptions import ValidationError

    big = SimpleUploadedFile("big.png", png_bytes((10, 10)) + b"\0" * (6 * 1024 * 1024), content_type="image/png")
    with pytest.raises(ValidationError):
        needs.submit(village=zhongshan, category="other", description="照片太大的上报", source="coordinator",
                     actor=coordinator, photo=big)


@pytest.mark.django_db
def test_overdue_items_escalate_to_the_district_once(login: Any, coordinator: Any, district_admin: Any,
                                                     zhongshan: Any) -> None:
    # given: an item reported three weeks ago, never handled, and a fresh one
    old = needs.submit(village=zhongshan, category="risk", description="后山裂缝需转移住户", source="coordinator",
                       actor=coordinator, now=dates.now() - dt.timedelta(days=21))
    fresh = needs.submit(village=zhongshan, category="request", description="希望开展助餐服务", source="coordinator",
                         actor=coordinator)
    # then: the district queue already shows the overdue one (computed) but not the fresh one
    queue = login(district_admin).get("/workforce/needs/?view=escalated").content.decode()
    assert old.reference in queue and fresh.reference not in queue
    # when: the CLI runs twice
    out = io.StringIO()
    call_command("workforce", "escalate", stdout=out)
    call_command("workforce", "escalate", stdout=out)
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.escalated_at is not None and fresh.escalated_at is None
    assert old.events.filter(action="escalated").count() == 1
    assert "已提级 1 件" in out.getvalue() and "已提级 0 件" in out.getvalue()
    assert needs.escalate_overdue() == 0
    # and the district sees it as a task
    assert f"/workforce/needs/{old.pk}/" in login(district_admin).get("/tasks/").content.decode()


@pytest.mark.django_db
def test_api_round_trip(login: Any, coordinator: Any, meishan_officer: Any, zhongshan: Any) -> None:
    c = login(coordinator)
    resp = c.post("/api/workforce/needs", {"village_code": zhongshan.code, "category": "child",
                                           "description": "留守儿童无人照料"}, content_type="application/json")
    assert resp.status_code == 201, resp.content
    rid = resp.json()["id"]
    o = login(meishan_officer)
    r = o.post(f"/api/workforce/needs/{rid}/resolve", {"resolution": "已联系儿童主任跟进"},
               content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "resolved"
    assert c.get(f"/api/workforce/needs/{rid}").json()["resolution"] == "已联系儿童主任跟进"


@pytest.mark.django_db
def test_statistics_by_category_and_village(zhongshan: Any, coordinator: Any, xiadao_village: Any) -> None:
    for cat in ("risk", "risk", "hardship"):
        needs.submit(village=zhongshan, category=cat, description="统计用的上报内容", source="coordinator",
                     actor=coordinator)
    needs.submit(village=xiadao_village, category="risk", description="统计用的上报内容", source="public",
                 ip="10.1.1.1")
    st = needs.stats(NeedReport.objects.all())
    assert st["by_category"] == {"安全风险隐患": 3, "发现困难家庭": 1}
    assert st["by_village"][0]["village__name"] == zhongshan.name and st["by_village"][0]["n"] == 3


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "data", "field"), [
    ("/workforce/assessment/", {"year": "二〇二六"}, "年度"),
    ("/workforce/coordinators/", {"action": "meeting", "township": "abc", "date": "2026-01-05"}, "乡镇"),
    ("/workforce/coordinators/", {"action": "check", "staff": "-1", "year": "2026", "quarter": "1", "score": "80"},
     "协管员"),
    ("/workforce/training/", {"action": "plan", "title": "培训", "planned_sessions": "1e9"}, "计划场次"),
])
def test_bad_posted_numbers_and_dates_get_a_chinese_400(login: Any, district_admin: Any, url: str,
                                                        data: dict[str, str], field: str) -> None:
    resp = login(district_admin).post(url, data)
    assert resp.status_code == 400 and field in resp.content.decode()
