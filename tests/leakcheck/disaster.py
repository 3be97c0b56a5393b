"""Plant disaster records in one village for the jurisdiction leak test (tests/core/test_jurisdiction.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from minzheng.core import dates
from minzheng.disaster import relief, services, winter
from minzheng.disaster.models import DisasterType, Item, WinterRound
from minzheng.registry import idnumber
from minzheng.registry import services as registry

from .planted import Planted


def plant(village: Any, owner: Any) -> Planted:
    now = dates.now()
    head_name, head_id = "灾户甲乙", idnumber.make("350702", dt.date(1961, 3, 5), 517)
    victim_name = "失联丙丁"
    hh = registry.create_household(actor=owner, division=village, hukou_type="rural",
                                   head={"name": head_name, "id_number": head_id})
    ev = services.register_event(actor=owner, name="泄漏测试洪涝", dtype=DisasterType.objects.get(code="010200"),
                                 started_at=now - dt.timedelta(hours=1), areas=[village], now=now)
    rnd = ev.rounds.get()
    rep = services.open_report(actor=owner, round=rnd, division=village)
    services.save_report(actor=owner, report=rep, values={"pop_affected": "7", "pop_missing": "1"})
    services.add_casualty(actor=owner, event=ev, division=village, name=victim_name, status="missing",
                          occurred_on=now.date())
    township = village.parent
    item = Item.objects.get(code="JZ02")
    wh = relief.create_warehouse(actor=owner, name="泄漏测试仓库", division=township)
    relief.stock_in(actor=owner, warehouse=wh, item=item, quantity=10)
    relief.allocate(actor=owner, division=village, item=item, quantity=5, warehouse=wh)
    dist = relief.create_distribution(actor=owner, division=village, title="泄漏测试发放", distributed_on=now.date())
    line = relief.add_line(actor=owner, distribution=dist, household=hh, item=item, quantity=1, sign_method="thumb",
                           signer_name=head_name)
    relief.publish(actor=owner, distribution=dist)
    wr = WinterRound.objects.filter(year=2098).first()
    if wr is None:
        wr = WinterRound.objects.create(year=2098, title="泄漏测试冬春救助", survey_start=dt.date(2098, 9, 20),
                                        survey_end=dt.date(2098, 10, 15), period_start=dt.date(2098, 12, 1),
                                        period_end=dt.date(2099, 5, 31), notice_days=7)
    case = winter.add_case(actor=owner, round=wr, household=hh, source="application", persons=2,
                           surveyed_on=dt.date(2098, 9, 25))
    winter.record_evaluation(actor=owner, case=case, held_on=dt.date(2098, 9, 28), attendees=9, votes_for=8,
                             passed=True)
    winter.start_notice(actor=owner, cases=[case], start=dt.date(2098, 9, 29))
    return Planted(
        scoped={"event_id": ev.pk, "report_id": rep.pk, "warehouse_id": wh.pk, "distribution_id": dist.pk,
                "distribution_line_id": line.pk, "winter_case_id": case.pk},
        # A season is district-wide (its cases are scoped); 公示 pages are public by design and show masked names.
        plain={"winter_round_id": wr.pk, "relief_notice": dist.public_token, "winter_notice": wr.public_token},
        secrets=[head_name, head_id, victim_name],
    )
