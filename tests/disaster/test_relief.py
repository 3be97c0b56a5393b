"""Relief supplies: stock cards, allocation, distribution with signatures, reconciliation, and the public 公示."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from minzheng.audit.models import AuditEntry
from minzheng.disaster import relief
from minzheng.disaster.models import DistributionLine, Item, MoveKind, StockMove
from minzheng.regions.models import Division, Level

pytestmark = pytest.mark.django_db


@pytest.fixture
def quilt(db: None) -> Item:
    return Item.objects.get(code="JZ02")


@pytest.fixture
def rice(db: None) -> Item:
    return Item.objects.get(code="JZ06")


@pytest.fixture
def depot(district_admin: Any, county: Any, quilt: Item, rice: Item) -> Any:
    w = relief.create_warehouse(actor=district_admin, name="区救灾物资储备库", division=county, keeper="李保管")
    relief.stock_in(actor=district_admin, warehouse=w, item=quilt, quantity=100, doc_no="RK-001",
                    moved_on=dt.date(2026, 6, 1))
    relief.stock_in(actor=district_admin, warehouse=w, item=rice, quantity=40, kind=MoveKind.DONATION,
                    moved_on=dt.date(2026, 6, 2))
    return w


@pytest.fixture
def setting(depot: Any, district_admin: Any, meishan_officer: Any, meishan: Any, zhongshan: Any, quilt: Item,
            make_household: Any) -> dict[str, Any]:
    """30 quilts to 梅山, 10 of them passed down to 中山社区, and three households there."""
    town = relief.allocate(actor=district_admin, division=meishan, item=quilt, quantity=30, warehouse=depot,
                           purpose="6·5 洪涝")
    relief.allocate(actor=meishan_officer, division=zhongshan, item=quilt, quantity=10, parent=town)
    hhs = [make_household(zhongshan, n, phone="13905990001") for n in ("陈志富", "林美华", "黄大山")]
    dist = relief.create_distribution(actor=meishan_officer, division=zhongshan, title="中山社区棉被发放",
                                      distributed_on=dt.date(2026, 6, 6))
    return {"town": town, "households": hhs, "dist": dist}


def test_stock_card_keeps_a_running_balance(depot: Any, district_admin: Any, quilt: Item) -> None:
    relief.stock_out(actor=district_admin, warehouse=depot, item=quilt, quantity=3, note="受潮报损")
    card = relief.stock_card(depot, quilt)
    assert [m.balance_after for m in card] == [Decimal(100), Decimal(97)]
    assert relief.balance(depot, quilt) == 97
    with pytest.raises(ValidationError, match="库存不足"):
        relief.stock_out(actor=district_admin, warehouse=depot, item=quilt, quantity=98, note="报损")
    with pytest.raises(ValidationError, match="须写明原因"):
        relief.stock_out(actor=district_admin, warehouse=depot, item=quilt, quantity=1)
    assert relief.reconcile_warehouse(depot).clean


def test_allocation_moves_stock_and_cannot_exceed_it(depot: Any, district_admin: Any, meishan: Any,
                                                     meishan_officer: Any, zhongshan: Any, xiadao_village: Any,
                                                     quilt: Item) -> None:
    town = relief.allocate(actor=district_admin, division=meishan, item=quilt, quantity=30, warehouse=depot)
    assert relief.balance(depot, quilt) == 70 and town.moves.get().kind == MoveKind.ALLOCATE
    with pytest.raises(ValidationError, match="库存不足"):
        relief.allocate(actor=district_admin, division=meishan, item=quilt, quantity=71, warehouse=depot)
    # a township passes part of its share down, never more than it has, and only to its own villages
    relief.allocate(actor=meishan_officer, division=zhongshan, item=quilt, quantity=25, parent=town)
    with pytest.raises(ValidationError, match="只剩 5"):
        relief.allocate(actor=meishan_officer, division=zhongshan, item=quilt, quantity=6, parent=town)
    with pytest.raises(ValidationError, match="所辖"):
        relief.allocate(actor=district_admin, division=xiadao_village, item=quilt, quantity=1, parent=town)
    assert relief.available(meishan, quilt) == 5 and relief.available(zhongshan, quilt) == 25


def test_a_clean_distribution_reconciles_to_zero(setting: dict[str, Any], meishan_officer: Any, quilt: Item,
                                                 login: Any) -> None:
    dist, hhs = setting["dist"], setting["households"]
    for hh in hhs:
        relief.add_line(actor=meishan_officer, distribution=dist, household=hh, item=quilt, quantity=2,
                        sign_method="sign", signer_name=hh.head.name)
    rec = relief.reconcile_distribution(dist)
    assert rec.count == 0 and rec.clean
    assert rec.items[0]["allocated"] == 10 and rec.items[0]["distributed"] == 6 and rec.items[0]["remaining"] == 4
    page = login(meishan_officer).get(f"/disaster/distributions/{dist.pk}/reconciliation/").content.decode()
    assert "差异 <strong class=\"stat\">0</strong>" in page


def test_double_serving_is_refused_unless_allowed(setting: dict[str, Any], meishan_officer: Any, quilt: Item,
                                                  zhongshan: Any, login: Any) -> None:
    dist, hh = setting["dist"], setting["households"][0]
    relief.add_line(actor=meishan_officer, distribution=dist, household=hh, item=quilt, quantity=1)
    with pytest.raises(ValidationError, match="不能重复发放"):
        relief.add_line(actor=meishan_officer, distribution=dist, household=hh, item=quilt, quantity=1)
    # the API refuses it too, with the same message
    resp = login(meishan_officer).post(f"/api/disaster/distributions/{dist.pk}/lines", data=json.dumps(
        {"household_id": hh.pk, "item_code": quilt.code, "quantity": 1}), content_type="application/json")
    assert resp.status_code == 422 and "不能重复发放" in resp.json()["errors"]["household"][0]
    # and so does the database, whatever the code path
    with pytest.raises(IntegrityError), transaction.atomic():
        DistributionLine.objects.create(distribution=dist, household=hh, item=quilt, quantity=1)
    # a distribution that allows repeats (e.g. daily water) needs a reason for the second serving
    daily = relief.create_distribution(actor=meishan_officer, division=zhongshan, title="每日饮水",
                                       distributed_on=dt.date(2026, 6, 7), allow_repeat=True)
    relief.add_line(actor=meishan_officer, distribution=daily, household=hh, item=quilt, quantity=1)
    with pytest.raises(ValidationError, match="原因"):
        relief.add_line(actor=meishan_officer, distribution=daily, household=hh, item=quilt, quantity=1)
    second = relief.add_line(actor=meishan_officer, distribution=daily, household=hh, item=quilt, quantity=1,
                             repeat_reason="次日补发")
    assert second.serving_no == 2


def test_distribution_cannot_exceed_allocation_or_leave_the_division(setting: dict[str, Any], meishan_officer: Any,
                                                                     quilt: Item, rice: Item, make_household: Any,
                                                                     meishan: Any) -> None:
    dist, hhs = setting["dist"], setting["households"]
    relief.add_line(actor=meishan_officer, distribution=dist, household=hhs[0], item=quilt, quantity=9)
    with pytest.raises(ValidationError, match="超出分配数"):
        relief.add_line(actor=meishan_officer, distribution=dist, household=hhs[1], item=quilt, quantity=2)
    with pytest.raises(ValidationError, match="只剩 0"):
        relief.add_line(actor=meishan_officer, distribution=dist, household=hhs[1], item=rice, quantity=1)
    other = Division.objects.filter(parent=meishan, level=Level.VILLAGE).exclude(pk=dist.division_id).first()
    with pytest.raises(ValidationError, match="不在本次发放"):
        relief.add_line(actor=meishan_officer, distribution=dist, household=make_household(other, "郑外村"),
                        item=quilt, quantity=1)


def test_reconciliation_pinpoints_each_discrepancy(setting: dict[str, Any], meishan_officer: Any, quilt: Item,
                                                   depot: Any) -> None:
    dist, hhs = setting["dist"], setting["households"]
    signed = relief.add_line(actor=meishan_officer, distribution=dist, household=hhs[0], item=quilt, quantity=2,
                             sign_method="thumb", signer_name="陈志富")
    unsigned = relief.add_line(actor=meishan_officer, distribution=dist, household=hhs[1], item=quilt, quantity=2)
    assert signed.signed and not unsigned.signed
    # planted: a line written around the service (served twice, beyond the allocation) and a tampered stock card
    DistributionLine.objects.create(distribution=dist, household=hhs[0], item=quilt, quantity=7, serving_no=2)
    move = StockMove.objects.filter(warehouse=depot, item=quilt).order_by("id").last()
    StockMove.objects.filter(pk=move.pk).update(balance_after=move.balance_after + 5)
    rec = relief.reconcile_distribution(dist)
    kinds = sorted(d.kind for d in rec.discrepancies)
    assert kinds == ["over", "stock", "stock", "twice", "unsigned", "unsigned"]
    refs = {d.ref for d in rec.discrepancies}
    assert f"line:{unsigned.pk}" in refs and f"household:{hhs[0].pk}" in refs and f"move:{move.pk}" in refs
    assert any("超过分配数 10" in d.message for d in rec.discrepancies)
    # signing the open line removes exactly that discrepancy
    relief.sign_line(actor=meishan_officer, line=unsigned, method="sign", signer_name="林美华")
    assert relief.reconcile_distribution(dist).count == rec.count - 1


def test_signature_is_recorded_in_the_ui_with_name_and_time(setting: dict[str, Any], meishan_officer: Any,
                                                            quilt: Item, login: Any) -> None:
    dist, hh = setting["dist"], setting["households"][2]
    c = login(meishan_officer)
    page = c.get(f"/disaster/distributions/{dist.pk}/?q=黄大山").content.decode()
    assert "黄大山" in page and "本人签字/按手印" in page
    c.post(f"/disaster/distributions/{dist.pk}/", {"household": hh.pk, "item": quilt.pk, "quantity": "1"})
    line = dist.lines.get()
    assert not line.signed
    # the box must be ticked
    c.post(f"/disaster/distribution-lines/{line.pk}/sign/", {"signer_name": "黄大山", "sign_method": "thumb"})
    line.refresh_from_db()
    assert not line.signed
    c.post(f"/disaster/distribution-lines/{line.pk}/sign/", {"signed": "1", "signer_name": "黄大山",
                                                             "sign_method": "thumb"})
    line.refresh_from_db()
    assert line.signed and line.sign_method == "thumb" and line.signer_name == "黄大山" and line.signed_at
    with pytest.raises(ValidationError, match="不能更改"):
        relief.sign_line(actor=meishan_officer, line=line, method="sign", signer_name="别人")


def test_signature_roster_pdf_is_audited(setting: dict[str, Any], meishan_officer: Any, quilt: Item,
                                         login: Any) -> None:
    dist = setting["dist"]
    for hh in setting["households"]:
        relief.add_line(actor=meishan_officer, distribution=dist, household=hh, item=quilt, quantity=1)
    resp = login(meishan_officer).get(f"/disaster/distributions/{dist.pk}/roster.pdf")
    assert resp.status_code == 200 and resp.content[:4] == b"%PDF"
    entry = AuditEntry.objects.filter(action__startswith="print.").latest("seq")
    assert "签领表" in entry.summary and "3 条" in entry.summary  # one row per household


def test_public_notice_shows_only_permitted_fields(setting: dict[str, Any], meishan_officer: Any, quilt: Item,
                                                   client: Any) -> None:
    dist, hhs = setting["dist"], setting["households"]
    for hh in hhs:
        relief.add_line(actor=meishan_officer, distribution=dist, household=hh, item=quilt, quantity=2,
                        sign_method="sign", signer_name=hh.head.name)
    url = f"/public/disaster/distributions/{dist.public_token}/"
    assert client.get(url).status_code == 404  # not published yet
    relief.publish(actor=meishan_officer, distribution=dist)
    page = client.get(url).content.decode()  # no login
    assert "陈*富" in page and "林*华" in page and "中山社区居委会" in page and "棉被" in page
    for hh in hhs:
        assert hh.head.name not in page and hh.head.id_number not in page
        assert hh.head.id_number[-4:] not in page  # not even a masked ID
    assert "13905990001" not in page and "1390" not in page and "签字" not in page
    assert client.get(f"/public/disaster/distributions/{'0' * 32}/").status_code == 404
    relief.publish(actor=meishan_officer, distribution=dist, published=False)
    assert client.get(url).status_code == 404


def test_cli_reconcile_exits_non_zero_on_discrepancies(setting: dict[str, Any], meishan_officer: Any,
                                                       quilt: Item) -> None:
    import io

    from django.core.management import call_command

    dist, hh = setting["dist"], setting["households"][0]
    relief.add_line(actor=meishan_officer, distribution=dist, household=hh, item=quilt, quantity=1,
                    sign_method="sign", signer_name="陈志富")
    out = io.StringIO()
    call_command("disaster", "reconcile", "--distribution", str(dist.pk), stdout=out)
    assert "差异 0 项" in out.getvalue()
    relief.add_line(actor=meishan_officer, distribution=dist, household=setting["households"][1], item=quilt,
                    quantity=1)
    with pytest.raises(SystemExit) as exc:
        call_command("disaster", "reconcile", "--distribution", str(dist.pk), "--json", stdout=io.StringIO())
    assert exc.value.code == 1


@pytest.mark.django_db
def test_stock_card_balance_is_always_in_minus_out(district_admin: Any, county: Any) -> None:
    """Property: for any sequence of receipts and issues, the running balance equals receipts − issues, issues
    beyond the balance are refused, and the card reconciles to zero."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    item = Item.objects.get(code="JZ09")
    counter = {"n": 0}

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(st.tuples(st.booleans(), st.integers(1, 50)), min_size=1, max_size=12))
    def run(ops: list[tuple[bool, int]]) -> None:
        counter["n"] += 1
        w = relief.create_warehouse(actor=district_admin, name=f"性质测试{counter['n']}", division=county)
        expected = 0
        for is_in, qty in ops:
            if is_in:
                relief.stock_in(actor=district_admin, warehouse=w, item=item, quantity=qty)
                expected += qty
            elif qty > expected:
                with pytest.raises(ValidationError):
                    relief.stock_out(actor=district_admin, warehouse=w, item=item, quantity=qty, note="报损")
            else:
                relief.stock_out(actor=district_admin, warehouse=w, item=item, quantity=qty, note="报损")
                expected -= qty
        assert relief.balance(w, item) == expected
        assert relief.check_stock_card(w, item) == []

    run()


def test_allocation_api(depot: Any, district_admin: Any, meishan: Any, quilt: Item, login: Any,
                        xiadao_officer: Any) -> None:
    body = {"item_code": quilt.code, "quantity": "12", "division_code": meishan.code, "warehouse_id": depot.pk}
    resp = login(district_admin).post("/api/disaster/allocations", data=json.dumps(body),
                                      content_type="application/json")
    assert resp.status_code == 201 and Decimal(resp.json()["available"]) == 12
    assert relief.balance(depot, quilt) == 88
    # another township cannot allocate from the district depot or to 梅山
    resp = login(xiadao_officer).post("/api/disaster/allocations", data=json.dumps(body),
                                      content_type="application/json")
    assert resp.status_code in (403, 404, 422) and relief.balance(depot, quilt) == 88
