"""文件精神下达 with read receipts per recipient."""

from __future__ import annotations

from typing import Any

import pytest

from minzheng.workforce import circulars
from minzheng.workforce.models import CircularReceipt


@pytest.mark.django_db
def test_district_publishes_and_sees_who_read(login: Any, district_admin: Any, meishan: Any, xiadao: Any,
                                              meishan_officer: Any, coordinator: Any, zhongshan: Any) -> None:
    c = circulars.publish(actor=district_admin, issuer=district_admin.division, title="关于低保专项治理的通知",
                          recipients=[meishan, xiadao, zhongshan], doc_number="延民〔2024〕18号")
    assert c.receipts.count() == 3
    # the district looking does not count as reading
    page = login(district_admin).get(f"/workforce/circulars/{c.pk}/").content.decode()
    assert "梅山街道" in page and "未阅单位（3）" in page
    # the township opens it from its inbox
    rc = CircularReceipt.objects.get(circular=c, recipient=meishan)
    inbox = login(meishan_officer).get("/workforce/circulars/").content.decode()
    assert "关于低保专项治理的通知" in inbox
    assert login(meishan_officer).get(f"/workforce/receipts/{rc.pk}/").status_code == 200
    rc.refresh_from_db()
    assert rc.read_at is not None and rc.read_by
    # the village coordinator reads the village copy on the phone
    vrc = CircularReceipt.objects.get(circular=c, recipient=zhongshan)
    login(coordinator).get(f"/workforce/receipts/{vrc.pk}/")
    vrc.refresh_from_db()
    assert vrc.read_at is not None
    # the township officer opening the village's copy does not mark it for the village
    page = login(district_admin).get(f"/workforce/circulars/{c.pk}/").content.decode()
    assert "未阅单位（1）" in page and "夏道镇" in page


@pytest.mark.django_db
def test_publish_through_the_form_to_townships_and_their_villages(login: Any, district_admin: Any,
                                                                  meishan: Any) -> None:
    resp = login(district_admin).post("/workforce/circulars/new/", {
        "title": "汛期灾情报送通知", "recipients": [meishan.pk], "include_villages": "on", "body": "请落实"})
    assert resp.status_code == 302
    n = CircularReceipt.objects.count()
    assert n == 1 + meishan.children.count()


@pytest.mark.django_db
def test_township_can_only_send_down_to_its_villages(meishan_officer: Any, xiadao_village: Any,
                                                     zhongshan: Any) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        circulars.publish(actor=meishan_officer, issuer=meishan_officer.division, title="通知",
                          recipients=[xiadao_village])
    c = circulars.publish(actor=meishan_officer, issuer=meishan_officer.division, title="通知",
                          recipients=[zhongshan, xiadao_village])
    assert list(c.receipts.values_list("recipient", flat=True)) == [zhongshan.pk]
