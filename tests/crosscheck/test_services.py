"""信息核对 against the real registry tables: loading department files, running the check, routing 疑点 to
townships, idempotent re-runs and the township's outcome."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.http import Http404

from minzheng.accounts.roles import Role
from minzheng.core import dates
from minzheng.crosscheck import services
from minzheng.crosscheck.models import CheckRun, Dataset, Finding, FindingStatus, RunStatus

from . import factory

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2024, 6, 15)



def load_all(w: factory.World, folder: Path) -> list[Dataset]:
    out = []
    for kind, path in factory.write_files(w, folder).items():
        res = services.load_dataset(kind=kind, path=path, as_of=AS_OF)
        assert res.ok, [str(e) for e in res.parsed.errors]
        out.append(res.dataset)
    return out


def register_filed_relatives(w: factory.World) -> None:
    from minzheng.assistance.models import KinshipRegistration

    for rec in w.data.kinship_filed.to_pylist():
        person = w.persons[rec["id_number"]]
        KinshipRegistration.objects.create(division=person.household.division, staff_name="李某",
                                           staff_id_number="350702198001011236", staff_role="village_committee",
                                           relative_name=person.name, relative_id_number=person.id_number,
                                           relation="配偶", registered_on=dt.date(2023, 1, 1))


def findings_set() -> set[tuple[str, str, tuple[Any, ...]]]:
    from minzheng.crosscheck.rules import RULES_BY_CODE

    out = set()
    for f in Finding.objects.select_related("township"):
        subject = []
        for col in RULES_BY_CODE[f.rule_code].subject:
            subject.append(f.enrollment_id if col == "enrollment_id" else f.id_number)
        out.add((f.rule_code, f.township.code, tuple(subject)))
    return out


def test_a_check_routes_each_planted_case_to_its_township(tmp_path: Path) -> None:
    # given: the registry population, department files as departments send them, the 近亲属 register
    w = factory.build(seed=2, households=45)
    register_filed_relatives(w)
    load_all(w, tmp_path / "in")
    # when
    run = services.start_run(as_of=AS_OF)
    # then: exactly the planted cases, each with its township and a deadline in working days
    assert run.status == RunStatus.DONE, run.error
    assert findings_set() == w.expected()
    deadline = dates.add_workdays(dates.today(), 10)
    assert set(Finding.objects.values_list("deadline", flat=True)) == {deadline}
    death = Finding.objects.filter(rule_code="death", enrollment__person__isnull=False).get()
    assert death.computed["recover_from"] == "2024-03-01" and death.computed["months"] == 4
    assert "停发待遇，自 2024年3月 起追回" in death.suggested_action
    pension = Finding.objects.get(rule_code="pension")
    assert pension.computed["dept_pension"] == "1850.00" and "人均" in pension.summary
    assert all(p["key"].startswith("crosscheck.") for p in pension.params)
    assert run.datasets.keys() == set(w.data.departments)


def test_clean_data_raises_no_finding(tmp_path: Path) -> None:
    w = factory.build(seed=2, households=45, clean=True)
    register_filed_relatives(w)
    load_all(w, tmp_path / "in")
    run = services.start_run(as_of=AS_OF)
    assert run.status == RunStatus.DONE and Finding.objects.count() == 0 and sum(run.hits.values()) == 0


def test_rerun_raises_nothing_new_until_the_data_changes(tmp_path: Path, meishan_officer: Any,
                                                         xiadao_officer: Any) -> None:
    w = factory.build(seed=4, households=45)
    register_filed_relatives(w)
    load_all(w, tmp_path / "in")
    first = services.start_run(as_of=AS_OF)
    n = Finding.objects.count()
    # when: the same data is checked again
    second = services.start_run(as_of=AS_OF)
    # then: nothing new, every finding seen again
    assert (second.new_findings, second.updated_findings, second.unchanged_findings) == (0, 0, n)
    assert Finding.objects.count() == n == first.new_findings
    # given: the township clears one death finding with a reason
    deaths = list(Finding.objects.filter(rule_code="death").select_related("township"))
    officer = {"梅山街道": meishan_officer, "夏道镇": xiadao_officer}
    cleared = next(f for f in deaths if f.township.name in officer)
    services.record_outcome(cleared, actor=officer[cleared.township.name], status=FindingStatus.CLEARED,
                            note="户籍核实为同名同号录入错误，本人健在")
    services.start_run(as_of=AS_OF)
    assert Finding.objects.count() == n
    # when: the department sends a corrected death date for everyone
    rows = w.data.departments["death"].to_pylist()
    for r in rows:
        if r["death_date"] is not None:
            r["death_date"] = r["death_date"] - dt.timedelta(days=45)
    import pyarrow as pa

    w.data.departments["death"] = pa.Table.from_pylist(rows, schema=w.data.departments["death"].schema)
    path = factory.write_files(w, tmp_path / "v2")["death"]
    assert services.load_dataset(kind="death", path=path, as_of=AS_OF).dataset.version == 2
    third = services.start_run(as_of=AS_OF)
    # then: the cleared case comes back as a new finding; the open one is updated in place
    assert third.new_findings == 1 and third.updated_findings == len(deaths) - 1
    new = Finding.objects.get(replaces=cleared)
    assert new.status == FindingStatus.OPEN and new.subject_key == cleared.subject_key
    cleared.refresh_from_db()
    assert cleared.status == FindingStatus.CLEARED


def test_outcome_rules(tmp_path: Path, make_user: Any, meishan_officer: Any, xiadao_officer: Any,
                       auditor: Any) -> None:
    w = factory.build(seed=2, households=45)
    load_all(w, tmp_path / "in")
    services.start_run(as_of=AS_OF)
    f = Finding.objects.filter(township__name="梅山街道").first()
    assert f is not None
    # another township cannot see it, the auditor cannot change it
    with pytest.raises(Http404):
        services.record_outcome(f, actor=xiadao_officer, status=FindingStatus.CLEARED, note="x")
    with pytest.raises(PermissionDenied):
        services.record_outcome(f, actor=auditor, status=FindingStatus.CLEARED, note="x")
    # a confirmed case needs the action taken, a cleared one its reason
    with pytest.raises(ValidationError):
        services.record_outcome(f, actor=meishan_officer, status=FindingStatus.CONFIRMED, note="属实")
    with pytest.raises(ValidationError):
        services.record_outcome(f, actor=meishan_officer, status=FindingStatus.CLEARED, note="  ")
    done = services.record_outcome(f, actor=meishan_officer, status=FindingStatus.CONFIRMED, action="recovered",
                                   note="已入户核实，停发并追回", recovered_amount=3600)
    assert (done.status, done.outcome_action, done.decided_by) == ("confirmed", "recovered", meishan_officer.username)
    with pytest.raises(ValidationError):
        services.record_outcome(done, actor=meishan_officer, status=FindingStatus.CLEARED, note="改判")


def test_a_bad_file_reports_rows_and_columns_and_stores_nothing(tmp_path: Path) -> None:
    path = tmp_path / "death.csv"
    path.write_text("公民身份号码,姓名,死亡日期,信息来源\n"
                    "11010519491231002X,张三,2024-01-05,公安\n"
                    "110105194912310021,李四,2024-01-05,公安\n"
                    "11010519491231002X,,2024/13/01,殡葬\n"
                    "440524188001010014,王五,2024年2月3日,殡葬\n", encoding="utf-8")
    res = services.load_dataset(kind="death", path=path, as_of=AS_OF)
    assert not res.ok and Dataset.objects.count() == 0
    errs = [(e.row, e.column) for e in res.parsed.errors]
    assert errs == [(3, "公民身份号码"), (4, "姓名"), (4, "死亡日期")]
    assert "校验码" in res.parsed.errors[0].message and "必填" in res.parsed.errors[1].message
    assert not (Path(settings.HOME) / "crosscheck" / "death").exists()


def test_a_good_file_is_stored_once_as_parquet(tmp_path: Path) -> None:
    path = tmp_path / "death.csv"
    path.write_bytes("身份证号,姓 名,死亡日期\n11010519491231002x,张三,20240105\n".encode("gb18030"))
    res = services.load_dataset(kind="death", path=path, as_of=AS_OF)
    assert res.ok and res.created and res.dataset.row_count == 1
    assert (Path(settings.HOME) / res.dataset.parquet_path).exists()
    again = services.load_dataset(kind="death", path=path, as_of=AS_OF)
    assert again.ok and not again.created and Dataset.objects.count() == 1


def test_only_county_users_load_and_run(tmp_path: Path, meishan_officer: Any, district_admin: Any,
                                        approver: Any) -> None:
    path = tmp_path / "d.csv"
    path.write_text("公民身份号码,姓名,死亡日期\n11010519491231002X,张三,2024-01-05\n", encoding="utf-8")
    with pytest.raises(PermissionDenied):
        services.load_dataset(kind="death", path=path, actor=meishan_officer)
    with pytest.raises(PermissionDenied):
        services.start_run(actor=meishan_officer)
    assert services.load_dataset(kind="death", path=path, actor=district_admin).ok
    assert services.start_run(actor=approver, as_of=AS_OF).status == RunStatus.DONE


def test_cli_load_and_run_json(tmp_path: Path, capsys: Any) -> None:
    bad = tmp_path / "vehicle.csv"
    bad.write_text("公民身份号码,姓名,号牌号码\n11010519491231002X,张三,闽H1\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        call_command("crosscheck", "load", "vehicle", str(bad), "--json")
    assert exc.value.code == 1
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is False and out["errors"][0]["message"].startswith("找不到表头")
    good = tmp_path / "death.csv"
    good.write_text("公民身份号码,姓名,死亡日期\n11010519491231002X,张三,2024-01-05\n", encoding="utf-8")
    call_command("crosscheck", "load", "death", str(good), "--as-of", "2024-06-01", "--json")
    assert json.loads(capsys.readouterr().out)["dataset"]["version"] == 1
    call_command("crosscheck", "run", "--as-of", "2024-06-15", "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "done" and out["engine"] == "duckdb" and CheckRun.objects.count() == 1


def test_township_officer_sees_only_own_findings(tmp_path: Path, meishan_officer: Any, xiadao_officer: Any,
                                                 district_admin: Any) -> None:
    w = factory.build(seed=2, households=45)
    load_all(w, tmp_path / "in")
    services.start_run(as_of=AS_OF)
    mine = services.findings_for(meishan_officer)
    assert mine.exists() and {f.township.name for f in mine} == {"梅山街道"}
    total = services.summary_for(district_admin).total["total"]
    assert total == Finding.objects.count()
    assert services.summary_for(meishan_officer).total["total"] == mine.count()
    tasks = services.tasks_for(meishan_officer)
    assert len(tasks) == mine.filter(status="open").count() and tasks[0].kind == "核对疑点"


def test_handover_moves_assigned_findings(tmp_path: Path, make_user: Any, meishan: Any,
                                          meishan_officer: Any) -> None:
    w = factory.build(seed=2, households=45)
    load_all(w, tmp_path / "in")
    services.start_run(as_of=AS_OF)
    f = Finding.objects.filter(township=meishan).first()
    leaver = make_user(Role.TOWNSHIP_OFFICER, meishan)
    services.assign(f, actor=meishan_officer, to_user=leaver)
    assert services.count_assigned(leaver) == {"核对疑点": 1}
    assert services.move_assigned(leaver, meishan_officer) == {"核对疑点": 1}
    assert services.count_assigned(leaver) == {"核对疑点": 0}
