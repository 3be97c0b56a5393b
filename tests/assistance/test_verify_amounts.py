"""`verify amounts`: each live enrollment recomputed by the rules, disagreements listed with both explanations."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command

from minzheng.assistance.amount_check import verify
from minzheng.core import dates
from tests.payments.conftest import enroll, make_household

pytestmark = pytest.mark.django_db
JAN = dt.date(2026, 1, 1)


def test_disagreements_are_listed_with_both_explanations(zhongshan: Any) -> None:
    right = enroll(make_household(zhongshan, birth=dt.date(1990, 3, 1)), "dibao_urban", "870", JAN)
    wrong = enroll(make_household(zhongshan, birth=dt.date(1991, 3, 1)), "dibao_urban", "1200", JAN)
    dead = make_household(zhongshan, birth=dt.date(1992, 3, 1))
    enroll(dead, "dibao_urban", "500", JAN)
    dead.head.death_date, dead.head.is_deceased = dates.add_months(dates.month_start(dates.today()), -2), True
    dead.head.save()
    report = verify()
    assert [d.enrollment_id for d in report.disagreements] == [wrong.pk]
    d = report.disagreements[0]
    assert (d.paid, d.expected) == (Decimal("1200"), Decimal("870.00"))
    assert "初次核定" in d.paid_explanation and "城市低保标准 870.00 元" in d.expected_explanation
    assert report.checked["dibao_urban"] == 3 and right.pk not in {x.enrollment_id for x in report.disagreements}
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("verify", "amounts", "--json", "--programme", "dibao", stdout=out)
    assert json.loads(out.getvalue())["disagreement_count"] == 1
