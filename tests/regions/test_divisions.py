"""The real 延平区 tree, other counties' CSVs, and clear errors for bad files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from minzheng.regions import selectors, services
from minzheng.regions.models import Division, DivisionDataset, Level

pytestmark = pytest.mark.django_db


def test_bundled_yanping_tree_is_complete(county: Any) -> None:
    assert county.code == "350702" and county.parent.name == "南平市" and county.parent.parent.name == "福建省"
    towns = selectors.townships(county)
    assert towns.count() == 21
    assert towns.filter(code__regex=r"^350702[0][0-9]{2}").count() == 6  # 6 街道
    vill = selectors.villages(county)
    assert vill.count() == 317
    assert sum(v.is_urban for v in vill) == 72 and sum(not v.is_urban for v in vill) == 245
    assert DivisionDataset.objects.filter(version="统计用区划代码2023").exists()


def test_subtree_and_ancestors(meishan: Any, zhongshan: Any) -> None:
    ids = selectors.subtree_ids(meishan)
    assert zhongshan.pk in ids and meishan.pk in ids
    assert len(ids) == 1 + Division.objects.filter(parent=meishan).count()
    assert [d.name for d in selectors.ancestors(zhongshan)] == ["福建省", "南平市", "延平区", "梅山街道"]
    assert zhongshan.short_name == "中山社区"


def test_short_names_for_ledgers() -> None:
    assert services.short_name("梅山街道") == "梅山"
    assert services.short_name("某某村委会") == "某某村"
    assert services.short_name("中山社区居委会") == "中山社区"
    assert services.short_name("夏道镇") == "夏道镇"


OTHER_COUNTY = """code,name,level,parent_code
35,福建省,province,
3507,南平市,city,35
350703,建阳区,county,3507
350703001000,潭城街道,township,350703
350703001001,城东社区居委会,village,350703001000
350703100000,童游街道,township,350703
350703100201,某某村委会,village,350703100000
"""


def test_another_county_in_the_same_shape_loads(tmp_path: Path) -> None:
    f = tmp_path / "divisions_350703.csv"
    f.write_text(OTHER_COUNTY, encoding="utf-8")
    call_command("divisions", "load", str(f))
    jy = Division.objects.get(code="350703")
    assert jy.parent.code == "3507" and jy.level == Level.COUNTY
    assert selectors.villages(jy).count() == 2
    # loading it again changes nothing
    r = services.load_file(f)
    assert (r.created, r.updated) == (0, 0)


@pytest.mark.parametrize("text,message", [
    ("code,name\n35,福建省\n", "表头"),
    ("code,name,level,parent_code\n35A,福建省,province,\n", "第 2 行 code 列"),
    ("code,name,level,parent_code\n35,福建省,planet,\n", "第 2 行 level 列"),
    ("code,name,level,parent_code\n350799001000,某街道,township,350799\n", "上级区划代码 350799 不存在"),
    ("code,name,level,parent_code\n35,福建省,province,\n35,福建省,province,\n", "第 3 行 code 列"),
])
def test_malformed_csv_is_refused_with_the_line_and_nothing_changes(tmp_path: Path, text: str, message: str) -> None:
    before = Division.objects.count()
    f = tmp_path / "bad.csv"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        call_command("divisions", "load", str(f))
    assert Division.objects.count() == before


def test_unknown_division_code_in_createuser_is_refused() -> None:
    with pytest.raises(CommandError, match="区划代码 999999 不存在"):
        call_command("createuser", "someone", "--role", "township_officer", "--division", "999999", "--password-stdin")
