"""孤儿 and 事实无人抚养儿童 on the monthly return: the children 孤儿基本生活费 paid in the month, split by their 儿童档案
category when the facts were computed, frozen by the close, drillable to the list; the money lines unchanged."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.db.models import Sum

from minzheng.care.models import CareFile, ChildCategory, Group
from minzheng.care.services import files
from minzheng.core import dates
from minzheng.payments.models import PayrollLine
from minzheng.registry.models import Person, Relation
from minzheng.stats import closing, drill, facts, returns
from minzheng.stats.models import Indicator, Measure, VillageFact
from tests.payments.conftest import enroll, make_household, make_person

from .conftest import World

pytestmark = pytest.mark.django_db

ORPHAN, UNSUPPORTED = "YZH012311000", "YZH012320000"
BOTH_DEAD = {"father_status": "dead", "mother_status": "dead", "guardian_name": "叔叔", "guardian_relation": "叔叔"}
NOBODY = {"father_status": "detained", "father_months": 14, "mother_status": "lost_contact", "mother_months": 9,
          "guardian_name": "祖父", "guardian_relation": "祖父"}


def child(world: World, name: str, case: dict[str, Any] | None, start: dt.date | None = None,
          end: dt.date | None = None) -> Person:
    """A child in 中山社区 paid 孤儿基本生活费 from `start` (default three months ago), with a 儿童档案 describing
    `case` (None: no file)."""
    today = dates.today()
    h = make_household(world.village, head_name=f"{name}祖父", birth=dt.date(today.year - 70, 1, 1))
    kid = make_person(h, name=name, birth=dt.date(today.year - 9, 3, 1), relation=Relation.GRANDCHILD)
    enroll(h, "orphan", "1200.00", start or world.m3, person=kid, end=end)
    if case is not None:
        f = files.open_file(actor=None, person=kid, group=Group.CHILD, on=world.m3)
        files.save_child(actor=None, file=f, data=case, on=world.m3)
    return kid


@pytest.fixture
def children(world: World) -> dict[str, Person]:
    return {
        "orphan": child(world, "孤儿甲", BOTH_DEAD),
        "unsupported": child(world, "无人抚养乙", NOBODY),
        "unsupported2": child(world, "无人抚养丙", NOBODY),
        "unfiled": child(world, "无档案丁", None),
        # filed as 事实无人抚养 but no longer paid last month (ended): not on last month's return
        "ended": child(world, "已停发戊", NOBODY, end=world.m1),
    }


def test_the_two_lines_count_the_children_paid_by_their_file_category(
        world: World, children: dict[str, Person], paid: Any, county: Any, district_admin: Any) -> None:
    assert set(CareFile.objects.get(person=children["unsupported"]).categories) >= {ChildCategory.UNSUPPORTED}
    paid(world.m1)
    # when
    r = returns.compute(county, world.m1)
    by = returns.lines_by_code(r)
    # then: two children filed 事实无人抚养 and paid; 孤儿 the one filed so plus the one without a file
    assert by[UNSUPPORTED].value == 2
    assert by[ORPHAN].value == 2
    assert "其中 1 人尚无儿童档案认定" in by[ORPHAN].note
    # and they add up to every person the programme paid (the figure is the payroll's, only split)
    paid_children = PayrollLine.objects.filter(payroll__month=world.m1, payroll__programme__code="orphan").count()
    assert by[UNSUPPORTED].value + by[ORPHAN].value == paid_children == 4
    fact = VillageFact.objects.get(month=world.m1, village=world.village, programme__code="orphan")
    assert (fact.persons, fact.children_orphan, fact.children_unsupported, fact.children_unclassified) == (4, 2, 2, 1)
    # and the money lines did not move: still reconciled, 社会福利 holds all 孤儿基本生活费
    assert r.reconciled
    welfare = PayrollLine.objects.filter(payroll__month__year=world.m1.year, payroll__month__lte=world.m1,
                                         payroll__programme__code__in=["gaoling", "orphan"]).aggregate(t=Sum("amount"))
    assert by["YZH011210000"].value == returns.money(int(Decimal(welfare["t"]) * 100), "万元", 1)
    # and each figure opens the list it counts
    u = drill.drill(district_admin, division=county, month=world.m1, measure=Measure.CHILDREN_UNSUPPORTED,
                    programme_ids=returns.programme_ids(["orphan"]))
    assert u.count == 2 and {e.person.name for e in u.rows} == {"无人抚养乙", "无人抚养丙"}
    o = drill.drill(district_admin, division=county, month=world.m1, measure=Measure.CHILDREN_ORPHAN,
                    programme_ids=returns.programme_ids(["orphan"]))
    assert o.count == 2 and {e.person.name for e in o.rows} == {"孤儿甲", "无档案丁"}


def test_the_figure_page_lists_the_children(world: World, children: dict[str, Person], paid: Any, login: Any,
                                            district_admin: Any) -> None:
    paid(world.m1)
    c = login(district_admin)
    month = f"{world.m1:%Y-%m}"
    page = c.get(f"/stats/?month={month}").content.decode()
    assert "事实无人抚养儿童" in page and f"/stats/figure/?code={UNSUPPORTED}" in page
    body = c.get(f"/stats/figure/?code={UNSUPPORTED}&month={month}").content.decode()
    assert "无人抚养乙" in body and "无人抚养丙" in body and "孤儿甲" not in body


def test_a_closed_month_keeps_its_figures_when_a_childs_category_changes(
        world: World, children: dict[str, Person], paid: Any, county: Any) -> None:
    paid(world.m1)
    closing.close_month(month=world.m1)
    # when: a 事实无人抚养 child's mother is found to have died and the father to be lost for good — now 孤儿
    f = CareFile.objects.get(person=children["unsupported"])
    files.save_child(actor=None, file=f, data=BOTH_DEAD)
    f.refresh_from_db()
    assert ChildCategory.ORPHAN in f.categories
    # then: the closed month still says what it was closed with
    by = returns.lines_by_code(returns.compute(county, world.m1, final=True))
    assert (by[UNSUPPORTED].value, by[ORPHAN].value) == (2, 2)
    # and this month's (open) facts read the file as it is now
    facts.compute(dates.current_month())
    now = returns.lines_by_code(returns.compute(county, dates.current_month()))
    assert (now[UNSUPPORTED].value, now[ORPHAN].value) == (1, 3)


def test_the_migration_fixes_the_lines_as_seeded_and_leaves_edited_ones(db: None) -> None:
    from importlib import import_module

    migration = import_module("minzheng.stats.migrations.0002_child_categories")
    Indicator.objects.filter(code__in=[ORPHAN, UNSUPPORTED]).delete()
    Indicator.objects.create(code=ORPHAN, name="孤儿", unit="人", measure="persons", programmes=["orphan"], note="")
    edited = Indicator.objects.create(code=UNSUPPORTED, name="事实无人抚养儿童", unit="人", measure="persons",
                                      programmes=["orphan"], note="区里自定")
    # when
    migration.upgrade_lines(apps, None)
    # then
    orphan = Indicator.objects.get(code=ORPHAN)
    assert (orphan.measure, orphan.programmes) == (Measure.CHILDREN_ORPHAN, ["orphan"]) and "儿童关爱档案" in orphan.note
    edited.refresh_from_db()
    assert (edited.measure, edited.note) == ("persons", "区里自定")
    # and the seeded line as the first seed wrote it is fixed too
    edited.delete()
    Indicator.objects.create(code=UNSUPPORTED, name="事实无人抚养儿童", unit="人", measure="persons", programmes=[],
                             note="尚无对应的发放项目：待儿童关爱模块提供")
    migration.upgrade_lines(apps, None)
    fixed = Indicator.objects.get(code=UNSUPPORTED)
    assert (fixed.measure, fixed.programmes) == (Measure.CHILDREN_UNSUPPORTED, ["orphan"])
