"""导出 Excel on every list: same filters and jurisdiction as the page, audited, refused to roles without export."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from minzheng.accounts.roles import Role
from minzheng.audit.models import AuditEntry
from minzheng.registry.idnumber import make

pytestmark = pytest.mark.django_db

LISTS = ["/assistance/", "/assistance/queue/", "/assistance/publicity/?status=", "/assistance/reviews/?days=90",
         "/workforce/needs/", "/disaster/",
         # issue 17: the lists that had none
         "/purchased/", "/purchased/providers/", "/purchased/supervision/", "/purchased/callbacks/",
         "/purchased/evaluations/", "/payments/", "/payments/approvals/", "/crosscheck/?status=", "/crosscheck/runs/",
         "/crosscheck/datasets/", "/crosscheck/rules/", "/disaster/warehouses/", "/disaster/allocations/",
         "/disaster/distributions/", "/disaster/winter/", "/disaster/rules/"]


def rows_of(resp: Any) -> list[list[Any]]:
    assert resp.status_code == 200, resp.content[:300]
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    book = CalamineWorkbook.from_filelike(io.BytesIO(resp.content))
    return book.get_sheet_by_index(0).to_python()


@pytest.fixture
def case(make_user: Callable[..., Any], meishan: Any, zhongshan: Any) -> Any:
    from minzheng.assistance import services as assistance
    from minzheng.registry import services as registry

    officer = make_user(Role.TOWNSHIP_OFFICER, meishan)
    hh = registry.create_household(actor=officer, division=zhongshan, hukou_type="urban", address="中山路3号",
                                   head={"name": "郑三江", "id_number": make("350702", dt.date(1970, 3, 3), 31)})
    return assistance.create_application(actor=officer, programme_code="dibao_urban", household=hh,
                                         applicant=hh.head)


@pytest.mark.parametrize("url", LISTS)
def test_every_list_exports_what_it_shows(url: str, approver: Any, login: Callable[[Any], Any], case: Any) -> None:
    c = login(approver)
    page = c.get(url).content.decode()
    assert "export=xlsx" in page and "导出 Excel" in page
    sep = "&" if "?" in url else "?"
    rows = rows_of(c.get(f"{url}{sep}export=xlsx"))
    assert len(rows) >= 2 and all(isinstance(h, str) and h for h in rows[1])  # title line, then the headers
    assert AuditEntry.objects.filter(action__startswith="export.").exists()


def test_case_export_follows_filters_and_jurisdiction(make_user: Callable[..., Any], login: Callable[[Any], Any],
                                                      xiadao: Any, approver: Any, case: Any) -> None:
    mine = rows_of(login(approver).get("/assistance/?export=xlsx"))
    assert any(case.number in [str(v) for v in r] for r in mine)
    other = rows_of(login(make_user(Role.TOWNSHIP_OFFICER, xiadao)).get("/assistance/?export=xlsx"))
    assert not any(case.number in [str(v) for v in r] for r in other)
    filtered = rows_of(login(approver).get("/assistance/?programme=tekun_dispersed&export=xlsx"))
    assert not any(case.number in [str(v) for v in r] for r in filtered)


def test_roles_without_export_are_refused(make_user: Callable[..., Any], login: Callable[[Any], Any],
                                          zhongshan: Any) -> None:
    c = login(make_user(Role.VILLAGE_COORDINATOR, zhongshan))
    assert "导出 Excel" not in c.get("/assistance/").content.decode()
    assert c.get("/assistance/?export=xlsx").status_code == 403
