"""The demo loader: runs through the services (so its figures pass the rules), is idempotent, and copes with an
empty registry."""

from __future__ import annotations

import io
from typing import Any

import pytest

from minzheng.disaster import demo, relief, services
from minzheng.disaster.models import Event, Report, ReportStatus, Warehouse

pytestmark = pytest.mark.django_db


def test_demo_is_consistent_and_idempotent(make_household: Any, zhongshan: Any) -> None:
    for name in ("演示甲", "演示乙"):
        make_household(zhongshan, name)
    out = io.StringIO()
    demo.load(out)
    counts = (Event.objects.count(), Report.objects.count())
    demo.load(out)
    assert (Event.objects.count(), Report.objects.count()) == counts
    assert "跳过" in out.getvalue()
    flood = Event.objects.get(name=demo.FLOOD)
    # every sent report passes every error rule, and the final reports are locked
    for rep in Report.objects.filter(event=flood, status__in=[ReportStatus.SUBMITTED, ReportStatus.APPROVED]):
        assert services.validate(rep).ok, rep
    assert Report.objects.filter(event=flood, round__kind="final", locked=True).count() == 3
    assert all(relief.reconcile_warehouse(w).clean for w in Warehouse.objects.all())
