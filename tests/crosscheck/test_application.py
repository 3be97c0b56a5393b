"""信息核对 during an application: the assistance case gets one CheckResult per department answered."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from minzheng.crosscheck import services
from minzheng.registry.models import Household, Person

pytestmark = pytest.mark.django_db



def test_an_application_gets_the_departments_answers(tmp_path: Path, zhongshan: Any, meishan_officer: Any,
                                                     district_admin: Any) -> None:
    from minzheng.assistance import services as assistance

    # given: an applying household whose member has a car, and vehicle and death data loaded
    h = Household.objects.create(division=zhongshan, hukou_type="urban")
    p = Person.objects.create(household=h, name="林秀英", id_number="11010519491231002X",
                              birth_date=dt.date(1949, 12, 31), sex="2")
    app = assistance.create_application(actor=meishan_officer, programme_code="dibao_urban", household=h,
                                        applicant=p)
    cars = tmp_path / "v.csv"
    cars.write_text("公民身份号码,姓名,号牌号码,车辆类型,车辆价值\n11010519491231002X,林秀英,闽H12345,小型轿车,80000\n",
                    encoding="utf-8")
    dead = tmp_path / "d.csv"
    dead.write_text("公民身份号码,姓名,死亡日期\n440524188001010014,王五,2024-01-05\n", encoding="utf-8")
    assert services.load_dataset(kind="vehicle", path=cars, actor=district_admin).ok
    assert services.load_dataset(kind="death", path=dead, actor=district_admin).ok
    # when
    results = services.check_application(app, actor=meishan_officer)
    # then: the vehicle department found the car, 公安 found nothing
    by_source = {r.source: r for r in results}
    assert set(by_source) == {"vehicle", "hukou"}
    assert by_source["vehicle"].matched and "闽H12345" in by_source["vehicle"].summary
    assert not by_source["hukou"].matched and by_source["hukou"].summary == "未发现疑点"
    assert app.checks.count() == 2
