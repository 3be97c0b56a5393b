"""The ledger import pages: upload → preview → confirm, progress polling, error workbook, jurisdiction."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from minzheng.audit.models import AuditEntry
from minzheng.core.worker import runner
from minzheng.registry.ledger import jobs
from minzheng.registry.models import Household, Person
from tests.leakcheck import Planted
from tests.leakcheck.ledger import NAME_OK, plant

from .test_ledger_files import HUANG, build_messy_ledger
from .test_ledger_import import plant_existing_person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _inline(settings: Any) -> None:
    # the worker runs in this process (runner.drain) over the test's transaction: no second writer process
    settings.MINZHENG_IMPORT_INLINE = True


def upload(client: Client, path: Path, **extra: str) -> Any:
    """Upload, then let the worker run the queued preview (the web request itself only queues it)."""
    with path.open("rb") as fh:
        resp = client.post(reverse("registry:import_upload"), {"file": fh, **extra})
    runner.drain()
    return resp


def test_officer_previews_then_imports_the_valid_households(login: Any, meishan_officer: Any, tmp_path: Path) -> None:
    # given: a 梅山街道 officer and the messy ledger (梅山 households in 城市低保, 夏道镇 households elsewhere)
    plant_existing_person()
    client = login(meishan_officer)
    assert client.get(reverse("registry:import_upload")).status_code == 200
    # when: uploaded
    resp = upload(client, build_messy_ledger(tmp_path / "台账.xlsx"))
    assert resp.status_code == 302
    job_url = resp["Location"]
    page = client.get(job_url).content.decode()
    # then: the preview shows counts and the errors, nothing is written yet
    assert "预检完成（未写入）" in page and "乡镇(街道)“夏道镇”不在您的辖区内" in page
    assert not Person.objects.filter(id_number=HUANG).exists()
    assert "跳过有错误的家庭，导入其余 2 户" in page
    # when: the officer imports the valid households
    job_id = job_url.rstrip("/").rsplit("/", 1)[-1]
    resp = client.post(reverse("registry:import_job_commit", kwargs={"importjob_id": job_id}), {"mode": "skip"})
    assert resp.status_code == 302
    assert "正在导入" in client.get(job_url).content.decode()   # queued, not run by the web request
    assert runner.drain() == 1
    page = client.get(job_url).content.decode()
    assert "已导入：2 户 3 人" in page
    huang = Person.objects.get(id_number=HUANG)
    assert huang.household.division.parent.name == "梅山街道"
    assert AuditEntry.objects.filter(action="registry.import", actor=meishan_officer.username).count() == 1
    # and the uploaded ledger (personal data) is gone from disk once imported
    assert not (jobs.root() / job_id / "ledger.xlsx").exists()
    # the error workbook downloads, and the download is audited
    resp = client.get(reverse("registry:import_job_errors", kwargs={"importjob_id": job_id}))
    assert resp.status_code == 200 and resp.content[:2] == b"PK"
    assert AuditEntry.objects.filter(action="export.台账导入错误清单").exists()


def test_atomic_confirm_of_a_clean_ledger(login: Any, xiadao_officer: Any, tmp_path: Path) -> None:
    from minzheng.registry.idnumber import check_char

    idn = "35070219600101001" + check_char("35070219600101001")
    path = tmp_path / "ok.csv"
    path.write_bytes(f"姓名,身份证号,与户主关系,村,月保障金额\n邓良,{idn},户主,小鸠村,450元\n".encode("gbk"))
    client = login(xiadao_officer)
    job_url = upload(client, path, programme="农村低保")["Location"]
    page = client.get(job_url).content.decode()
    assert "确认导入" in page
    job_id = job_url.rstrip("/").rsplit("/", 1)[-1]
    client.post(reverse("registry:import_job_commit", kwargs={"importjob_id": job_id}), {"mode": "atomic"})
    runner.drain()
    assert Household.objects.filter(members__id_number=idn, enrollments__programme__code="dibao_rural").exists()


def test_progress_partial_polls_until_done(login: Any, meishan_officer: Any, zhongshan: Any) -> None:
    planted = plant(zhongshan, meishan_officer)
    job_id = planted.scoped["importjob_id"]
    client = login(meishan_officer)
    url = reverse("registry:import_job", kwargs={"importjob_id": job_id})
    # a job still running answers the HTMX poll with the progress bar …
    job = jobs.get_job(meishan_officer, job_id)
    job.state.update(status=jobs.Status.RUNNING, phase="validate", done=5000, total=20000)
    job.save()
    resp = client.get(url, HTTP_HX_REQUEST="true")
    assert resp.status_code == 200 and b'<progress max="100" value="25"' in resp.content and "HX-Refresh" not in resp
    # … and a finished one tells the page to reload
    job.state.update(status=jobs.Status.DONE)
    job.save()
    resp = client.get(url, HTTP_HX_REQUEST="true")
    assert resp["HX-Refresh"] == "true"


def test_other_townships_and_other_roles_see_nothing(login: Any, meishan_officer: Any, xiadao_officer: Any,
                                                     coordinator: Any, zhongshan: Any) -> None:
    planted = plant(zhongshan, meishan_officer)
    job_id = planted.scoped["importjob_id"]
    owner, outsider = login(meishan_officer), login(xiadao_officer)
    urls = [reverse(n, kwargs={"importjob_id": job_id})
            for n in ("registry:import_job", "registry:import_job_errors")]
    for url in urls:
        assert owner.get(url).status_code == 200
        assert outsider.get(url).status_code == 404
    commit = reverse("registry:import_job_commit", kwargs={"importjob_id": job_id})
    assert outsider.post(commit, {"mode": "skip"}).status_code == 404
    page = outsider.get(reverse("registry:import_upload")).content.decode()
    assert NAME_OK not in page and "泄露测试台账" not in page
    assert planted.secrets[3] in owner.get(urls[0]).content.decode()   # the invalid ID number in its error
    # a village coordinator has no import capability at all
    assert login(coordinator).get(reverse("registry:import_upload")).status_code == 403
    assert login(coordinator).get(urls[0]).status_code == 403


def test_a_forged_job_id_is_404(login: Any, meishan_officer: Any) -> None:
    client = login(meishan_officer)
    for bad in ("../../etc", "0" * 32, "zz"):
        assert client.get(f"/registry/import/{bad}/").status_code == 404


def test_unsupported_upload_is_refused(login: Any, meishan_officer: Any, tmp_path: Path) -> None:
    p = tmp_path / "a.pdf"
    p.write_bytes(b"%PDF")
    resp = upload(login(meishan_officer), p)
    assert resp.status_code == 200 and "不支持的文件类型" in resp.content.decode()


def test_planter_is_compatible_with_the_core_leak_test(meishan_officer: Any, zhongshan: Any) -> None:
    planted = plant(zhongshan, meishan_officer)
    assert isinstance(planted, Planted) and set(planted.scoped) == {"importjob_id", "job_id"}
