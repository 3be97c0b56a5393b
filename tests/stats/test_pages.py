"""The statistics pages and API as each role sees them: the county's return with drill-down and exports, the
township's own villages, nothing for a village coordinator; bad input refused in Chinese; the boundary upload."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from minzheng.accounts.roles import Role
from minzheng.stats.models import Boundary, Indicator, RiskFlag, StatMonth

from .conftest import World

pytestmark = pytest.mark.django_db


def test_county_return_page_drills_down_and_exports(world: World, paid: Any, login: Any, district_admin: Any) -> None:
    paid(world.m1)
    c = login(district_admin)
    month = f"{world.m1:%Y-%m}"
    page = c.get(f"/stats/?month={month}")
    body = page.content.decode()
    assert page.status_code == 200 and "民政事业统计月报" in body and "一致（精确到分）" in body
    assert "关账" in body   # the district may close last month
    # the 城市低保人数 figure opens its list: the two urban households
    drill = c.get(f"/stats/figure/?code=LOC012411100&month={month}&division=350702")
    assert drill.status_code == 200
    assert "甲户主" in drill.content.decode() and "乙户主" in drill.content.decode()
    persons = c.get(f"/stats/figure/?code=YZH012311000&month={month}")
    assert persons.status_code == 200
    money = c.get(f"/stats/figure/?code=YZH011221100&month={month}").content.decode()
    assert "甲户主" in money   # payroll lines of the month
    assert c.get(f"/stats/figure/?code=LOC012411100&month={month}&export=xlsx")["Content-Type"].startswith(
        "application/vnd.openxmlformats")
    assert c.get(f"/stats/return.xlsx?month={month}").status_code == 200
    assert c.get(f"/stats/return.pdf?month={month}").content.startswith(b"%PDF")
    assert c.get(f"/stats/dibao/?month={month}").status_code == 200
    assert c.get(f"/stats/dibao.pdf?month={month}").content.startswith(b"%PDF")
    # closing through the page
    resp = c.post("/stats/close/", {"month": month})
    assert resp.status_code == 302
    assert StatMonth.objects.get(month=world.m1).closed
    final = c.get(f"/stats/?month={month}&final=1")
    assert final.status_code == 200 and "已关账" in final.content.decode()


def test_bad_input_is_a_chinese_4xx(world: World, login: Any, district_admin: Any, meishan_officer: Any) -> None:
    c = login(district_admin)
    bad = c.get("/stats/?month=2026-13")
    assert bad.status_code == 400 and "月份" in bad.content.decode()
    final = c.get(f"/stats/?month={world.m1:%Y-%m}&final=1")
    assert final.status_code == 400 and "尚未关账" in final.content.decode()
    t = login(meishan_officer)
    other = t.get("/stats/?division=350702102000")     # 夏道镇, not 梅山街道's
    assert other.status_code == 404 and "辖区" in other.content.decode()
    assert t.get("/stats/dibao/?division=350702102000").status_code == 404
    api = t.get("/api/stats/return?division=350702102000")
    assert api.status_code == 404 and "辖区" in api.json()["detail"]
    api = c.get(f"/api/stats/return?month={world.m1:%Y-%m}&final=true")
    assert api.status_code == 422 and "尚未关账" in json.dumps(api.json(), ensure_ascii=False)
    assert c.post("/api/stats/close", {"month": "2026-1"}, content_type="application/json").status_code == 422
    assert not StatMonth.objects.filter(closed_at__isnull=False).exists()


def test_township_sees_its_villages_and_cannot_close(world: World, paid: Any, login: Any, meishan_officer: Any,
                                                   make_user: Any, zhongshan: Any) -> None:
    paid(world.m1)
    t = login(meishan_officer)
    page = t.get(f"/stats/trends/?month={world.m1:%Y-%m}")
    assert page.status_code == 200
    body = page.content.decode()
    assert world.village.name in body and "示意图" in body
    assert t.post("/stats/close/", {"month": f"{world.m1:%Y-%m}"}).status_code == 403
    api = t.get(f"/api/stats/return?month={world.m1:%Y-%m}").json()
    assert api["division"] == "350702001000" and api["reconciled"]
    # the township's home shows its villages against each other once a month is computed
    home = t.get("/").content.decode()
    assert "各村对比" in home
    # a village coordinator acts on none of this: no menu entry, and the pages refuse
    coord = login(make_user(Role.VILLAGE_COORDINATOR, zhongshan))
    assert coord.get("/stats/").status_code == 403
    assert "统计月报" not in coord.get("/").content.decode()


def test_bureau_head_home_shows_the_month_at_a_glance(world: World, paid: Any, login: Any, make_user: Any,
                                                    county: Any, approver: Any) -> None:
    from minzheng.stats import closing

    paid(world.m1)
    closing.close_month(month=world.m1, actor=approver)
    head = login(make_user(Role.BUREAU_HEAD, county))
    body = head.get("/").content.decode()
    assert "本月统计" in body and "低保人数" in body and "疑点提示" in body


def test_flags_pages_and_sampling_through_the_page(world: World, login: Any, approver: Any) -> None:
    flag = RiskFlag.objects.create(kind="shared", division=world.village, month=world.m1, key="k",
                                   explanation="3 户低保对象的联系电话相同（尾号 1234）",
                                   households=[e.household_id for e in world.dibao[:2]])
    c = login(approver)
    assert "尾号 1234" in c.get(f"/stats/flags/?month={world.m1:%Y-%m}").content.decode()
    detail = c.get(f"/stats/flags/{flag.pk}/").content.decode()
    assert "甲户主" in detail and "转为入户抽查" in detail
    resp = c.post(f"/stats/flags/{flag.pk}/sample/")
    assert resp.status_code == 302
    flag.refresh_from_db()
    assert flag.status == "sampled"
    sample_page = c.get(resp["Location"])
    assert sample_page.status_code == 200 and "随机种子" in sample_page.content.decode()
    assert c.post("/stats/flags/detect/", {"month": f"{world.m1:%Y-%m}"}).status_code == 302


def test_indicators_are_edited_by_the_district_admin(world: World, login: Any, district_admin: Any,
                                                    approver: Any) -> None:
    line = Indicator.objects.get(code="LOC012411100")
    form = {"indicator": line.pk, "order": line.order, "code": "YZH012411100", "name": "城市低保对象人数", "unit": "人",
            "measure": "persons", "programmes": "dibao_urban", "active": "1"}
    assert login(approver).post("/stats/indicators/", form).status_code == 403
    assert login(district_admin).post("/stats/indicators/", form).status_code == 302
    line.refresh_from_db()
    assert (line.code, line.name) == ("YZH012411100", "城市低保对象人数")
    bad = login(district_admin).post("/stats/indicators/", {**form, "programmes": "nonsense"}, follow=True)
    assert "未知的救助项目" in bad.content.decode()


def _feature(code: str) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"code": code},
            "geometry": {"type": "Polygon", "coordinates": [[[118.1, 26.6], [118.2, 26.6], [118.2, 26.7],
                                                             [118.1, 26.6]]]}}


def test_boundary_upload_is_validated_whole(world: World, login: Any, district_admin: Any, meishan: Any,
                                           county: Any) -> None:
    from minzheng.regions.models import Division, Level

    c = login(district_admin)
    towns = list(Division.objects.filter(level=Level.TOWNSHIP).values_list("code", flat=True))

    def up(doc: Any, name: str = "map.geojson") -> str:
        data = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
        return c.post("/stats/boundary/", {"file": SimpleUploadedFile(name, data)}, follow=True).content.decode()

    assert "不是有效的 GeoJSON" in up(b"not json")
    assert "FeatureCollection" in up({"type": "Feature"})
    wrong = up({"type": "FeatureCollection", "features": [_feature(towns[0]), _feature("999999999999")]})
    assert "999999999999" in wrong and not Boundary.objects.exists()
    broken = {"type": "FeatureCollection", "features": [{**_feature(towns[0]), "geometry": {"type": "Point",
                                                                                          "coordinates": [1, 2]}}]}
    assert "Polygon" in up(broken) and not Boundary.objects.exists()
    ok = up({"type": "FeatureCollection", "features": [_feature(code) for code in towns]})
    assert "已上传边界地图" in ok
    b = Boundary.objects.get()
    assert b.features == 21 and b.level == "township"
    trends = c.get("/stats/trends/").content.decode()
    assert "data-stats-map" in trends


def test_trends_flags_and_indicators_export_what_the_page_lists(world: World, paid: Any, login: Any,
                                                                 district_admin: Any) -> None:
    from io import BytesIO

    from python_calamine import CalamineWorkbook

    c = login(district_admin)
    for url, header in (("/stats/trends/?export=xlsx", "覆盖率（%）"), ("/stats/flags/?export=xlsx", "偏离程度"),
                        ("/stats/indicators/?export=xlsx", "指标代码"), ("/care/institutions/?export=xlsx", "床位数")):
        resp = c.get(url)
        assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxml"), url
        sheet = CalamineWorkbook.from_filelike(BytesIO(resp.content)).get_sheet_by_index(0).to_python()
        assert any(header in [str(v) for v in row] for row in sheet[:5]), (url, sheet[:3])
    rows = CalamineWorkbook.from_filelike(BytesIO(c.get("/stats/indicators/?export=xlsx").content)) \
        .get_sheet_by_index(0).to_python()
    assert len(rows) >= Indicator.objects.filter(form="monthly").count()
