"""Allowance facts as data people maintain: recorded on the person with their source, imported from 残联 and
退役军人事务 files through the cross-check loader; a refresh never ends an enrollment because a fact is simply
missing — it lists it for the township."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from minzheng.crosscheck import services as crosscheck
from minzheng.crosscheck.models import Dataset
from minzheng.payments import allowances, facts
from minzheng.payments.models import BeneficiaryFacts, FactSource
from minzheng.registry import idnumber
from minzheng.registry.models import Enrollment

from .conftest import enroll, make_person

JAN, FEB = dt.date(2026, 1, 1), dt.date(2026, 2, 1)
pytestmark = pytest.mark.django_db


def write(path: Path, rows: list[list[Any]]) -> Path:
    path.write_text("\n".join(",".join(str(c) for c in r) for r in rows) + "\n", encoding="utf-8-sig")
    return path


@pytest.fixture
def people(hh: Any) -> dict[str, Any]:
    """A grade-1 person and a 优抚 veteran already enrolled (as an import would leave them), with no facts."""
    h = hh(head_name="残户")
    disabled = make_person(h, name="残一", relation="20", birth=dt.date(1980, 1, 1), disability_grade=1,
                           disability_category="4")
    care = enroll(h, "canji_care", "90", dt.date(2025, 6, 1), person=disabled)
    vet = hh(head_name="老兵", birth=dt.date(1950, 3, 3))
    youfu = enroll(vet, "youfu", "820", dt.date(2025, 6, 1), person=vet.head)
    return {"disabled": disabled, "care": care, "veteran": vet.head, "youfu": youfu}


def test_missing_facts_never_end_an_enrollment(people: dict[str, Any], meishan_officer: Any) -> None:
    # when: the allowances are refreshed with nothing recorded about care need or 优抚 category
    res = allowances.refresh(month=JAN, user=meishan_officer)
    # then: both stay as they were, listed for the township with what is missing
    assert not res.ended
    assert Enrollment.objects.get(pk=people["care"].pk).status == "active"
    assert Enrollment.objects.get(pk=people["youfu"].pk).status == "active"
    missing = res.missing_by_township()["梅山街道"]
    assert {(m["programme"], m["missing"]) for m in missing} == {
        ("canji_care", "是否需长期照护（残联认定）"), ("youfu", "优抚对象类别（退役军人事务数据）")}
    listed = facts.missing(meishan_officer, on=JAN)
    assert {(m.person.name, m.programme, m.township) for m in listed} == {("残一", "canji_care", "梅山街道"),
                                                                           ("老兵", "youfu", "梅山街道")}
    # but a known "no" ends it, with the reason
    facts.set_manual(person=people["disabled"], user=meishan_officer, needs_long_term_care=False)
    res = allowances.refresh(month=FEB, user=meishan_officer)
    ended = Enrollment.objects.get(pk=people["care"].pk)
    assert ended.status == "ended" and "未认定需长期照护" in ended.end_reason and [c for c, _, _ in res.ended] == [
        "canji_care"]
    f = BeneficiaryFacts.objects.get(person=people["disabled"])
    assert (f.disability_source, f.disability_checked_on) == (FactSource.MANUAL, f.disability_checked_on)


def test_department_files_record_facts_through_the_loader(people: dict[str, Any], meishan_officer: Any,
                                                           tmp_path: Path) -> None:
    # given: the 残联 and 退役军人事务 files as the departments send them
    d, v = people["disabled"], people["veteran"]
    cdpf = write(tmp_path / "残联.csv", [["身份证号", "姓名", "残疾等级", "残疾类别", "是否需长期照护", "残疾证号"],
                                         [d.id_number, d.name, "二级", "肢体", "是", d.id_number + "42"],
                                         [idnumber.make("350721", dt.date(1990, 1, 1), 123), "外区人", "一级", "视力",
                                          "是", ""]])
    vet = write(tmp_path / "优抚.csv", [["身份证号", "姓名", "优抚对象类别", "状态", "认定日期", "服役年限"],
                                        [v.id_number, v.name, "在乡老复员军人", "在册", "1990-05-01", ""]])
    # when: loaded with `minzheng crosscheck load`
    out = io.StringIO()
    call_command("crosscheck", "load", "disability", str(cdpf), "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert result["ok"] and "已记入待遇认定信息 1 人" in result["message"] and "1 人不在本区档案中" in result["message"]
    res = crosscheck.load_dataset(kind="veteran", path=vet, as_of=JAN)
    assert res.ok and Dataset.objects.filter(kind="veteran").count() == 1
    # then: the facts are on the persons with their source, the grade follows the department
    d.refresh_from_db()
    assert (d.disability_grade, d.disability_category, d.disability_cert_no) == (2, "4", d.id_number + "42")
    fd, fv = BeneficiaryFacts.objects.get(person=d), BeneficiaryFacts.objects.get(person=v)
    assert (fd.needs_long_term_care, fd.disability_source) == (True, FactSource.CDPF)
    assert (fv.youfu_category, fv.youfu_status, fv.youfu_source, fv.youfu_since) == (
        "demobilised", "active", FactSource.VETERANS, dt.date(1990, 5, 1))
    # and the refresh now decides both by the rules (grade 2 care standard, 在乡老复员军人 standard)
    allowances.refresh(month=JAN, user=meishan_officer)
    assert Enrollment.objects.get(pk=people["care"].pk).monthly_amount == 80
    assert Enrollment.objects.get(pk=people["youfu"].pk).monthly_amount == 1200
    assert facts.missing(meishan_officer, on=JAN) == []


def test_a_file_with_a_bad_value_is_refused_whole(people: dict[str, Any], tmp_path: Path) -> None:
    v = people["veteran"]
    bad = write(tmp_path / "优抚.csv", [["身份证号", "姓名", "优抚对象类别", "状态"],
                                        [v.id_number, v.name, "在乡老复员军人", "在册"],
                                        [people["disabled"].id_number, "残一", "志愿者", "在册"]])
    res = crosscheck.load_dataset(kind="veteran", path=bad, as_of=JAN)
    assert not res.ok and "志愿者" in str(res.parsed.errors[0]) and "在乡老复员军人" in str(res.parsed.errors[0])
    assert not BeneficiaryFacts.objects.exists() and not Dataset.objects.exists()


def test_suspended_status_ends_and_says_so(people: dict[str, Any], meishan_officer: Any) -> None:
    facts.set_manual(person=people["veteran"], user=meishan_officer, youfu_category="demobilised",
                     youfu_status="suspended")
    allowances.refresh(month=JAN, user=meishan_officer)
    e = Enrollment.objects.get(pk=people["youfu"].pk)
    assert e.status == "ended" and "暂停" in e.end_reason


def test_allowances_page_lists_missing_facts(people: dict[str, Any], meishan_officer: Any, login: Any) -> None:
    c = login(meishan_officer)
    page = c.get("/payments/allowances/").content.decode()
    assert "缺认定信息" in page and "残一" in page and "优抚对象类别（退役军人事务数据）" in page
    assert c.get("/api/payments/allowances/facts-missing").json()[0]["township"] == "梅山街道"
    # the officer records the care need by hand: "未认定" leaves it alone, "是" sets it
    c.post("/payments/allowances/", {"id_number": people["disabled"].id_number, "needs_long_term_care": "true"})
    assert BeneficiaryFacts.objects.get(person=people["disabled"]).needs_long_term_care is True
    c.post("/payments/allowances/", {"id_number": people["disabled"].id_number, "needs_long_term_care": "unknown"})
    assert BeneficiaryFacts.objects.get(person=people["disabled"]).needs_long_term_care is True


def test_refresh_from_the_page_and_the_api_runs_in_the_worker(people: dict[str, Any], meishan_officer: Any,
                                                              login: Any) -> None:
    from minzheng.core.models import Job
    from minzheng.core.worker import runner

    c = login(meishan_officer)
    before = Enrollment.objects.count()
    resp = c.post("/payments/allowances/refresh/", {"month": "2026-01"})
    job = Job.objects.get(kind="payments.allowances")
    assert resp.status_code == 302 and resp["Location"] == f"/jobs/{job.pk}/"
    assert Enrollment.objects.count() == before  # nothing in the request itself
    runner.drain()
    job.refresh_from_db()
    assert job.status == "done" and "核定完成" in job.result["summary"]
    # the API queues the same job (202) and refuses what the job would refuse, with nothing queued
    api = c.post("/api/payments/allowances/refresh", {"month": "2026-02"}, content_type="application/json")
    assert api.status_code == 202 and api.json()["kind"] == "payments.allowances"
    refused = c.post("/api/payments/allowances/refresh", {"month": "2000-01"}, content_type="application/json")
    assert refused.status_code == 422 and "缺少政策参数" in refused.json()["detail"]
    assert Job.objects.filter(kind="payments.allowances").count() == 2
    page = c.post("/payments/allowances/refresh/", {"month": "2000-01"}, follow=True).content.decode()
    assert "缺少政策参数" in page
