"""民情直通车 page: the coordinator follows their report; the township officer is offered 受理, 办结 and 转交."""

from __future__ import annotations

from typing import Any

import pytest

from minzheng.workforce import needs
from minzheng.workforce.models import NeedStatus

pytestmark = pytest.mark.django_db


def test_only_the_officer_is_offered_to_handle_a_report(login: Any, coordinator: Any, meishan_officer: Any,
                                                        zhongshan: Any) -> None:
    r = needs.submit(village=zhongshan, category="risk", description="危房有倒塌风险", source="coordinator",
                     actor=coordinator)
    url = f"/workforce/needs/{r.pk}/"
    # the coordinator gets their way back to "my reports", no handling forms (the service refuses them)
    phone = login(coordinator).get(url).content.decode()
    assert "返回我的上报" in phone
    assert 'value="accept"' not in phone and 'value="resolve"' not in phone
    # the officer is offered 受理 and 办结 while new, then only 办结 once accepted
    office = login(meishan_officer)
    body = office.get(url).content.decode()
    assert 'value="accept"' in body and 'value="resolve"' in body and "返回我的上报" not in body
    office.post(url, {"action": "accept"})
    body = office.get(url).content.decode()
    assert 'value="accept"' not in body and 'value="resolve"' in body
    office.post(url, {"action": "resolve", "resolution": "已入户核查并报修"})
    r.refresh_from_db()
    assert r.status == NeedStatus.RESOLVED and 'value="resolve"' not in office.get(url).content.decode()
