"""Facts are gathered from the registry in one place (assistance/facts.py) and decided in another (the rules,
which import no model); "current income" and "assets held" have one definition each on the registry models."""

from __future__ import annotations

import ast
import datetime as dt
from decimal import Decimal
from pathlib import Path

from minzheng.assistance import facts
from minzheng.assistance import rules as r
from minzheng.registry.models import Asset, Enrollment, Household, Income, Person, Programme

D = Decimal
ON_2022 = dt.date(2022, 6, 1)  # 2021 rules; demo standards 760 urban / 740 rural
RULES_DIR = Path(r.__file__).parent


def test_rule_modules_import_no_model_and_no_django() -> None:
    """Rules stay pure: no module of the rules package imports Django or a models module at import time."""
    for path in sorted(RULES_DIR.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [("." * node.level) + (node.module or "")]
            for name in names:
                assert not name.startswith("django"), f"{path.name} imports {name}"
                assert "models" not in name.split("."), f"{path.name} imports {name}"
                assert not name.startswith(("minzheng.registry", "minzheng.assistance.facts")), \
                    f"{path.name} imports {name}"


def test_household_facts_from_registry(db: None, xiadao_village: object) -> None:
    """The facts come from registry rows (members, incomes in period, assets held) and the rules decide."""
    hh = Household.objects.create(division=xiadao_village, hukou_type="rural")
    h = Person.objects.create(household=hh, name="林大山", id_number="350702198001011234",
                              birth_date=dt.date(1980, 1, 1), sex="1", relation="02")
    Person.objects.create(household=hh, name="林小妹", id_number="350702201501011221",
                          birth_date=dt.date(2015, 1, 1), sex="2", relation="30")
    uncle = Person.objects.create(household=hh, name="林五保", id_number="350702195001011231",
                                  birth_date=dt.date(1950, 1, 1), sex="1", relation="70")
    Income.objects.create(household=hh, person=h, category="wage", item="务工", monthly_amount=D("440"),
                          period_start=dt.date(2022, 1, 1))
    Income.objects.create(household=hh, person=h, category="wage", item="旧工资", monthly_amount=D("3000"),
                          period_start=dt.date(2020, 1, 1), period_end=dt.date(2021, 12, 31))
    Asset.objects.create(household=hh, kind="vehicle", value=D("90000"), attributes={"vehicle_type": "轿车"},
                         disposed_on=dt.date(2021, 5, 1))
    Enrollment.objects.create(programme=Programme.objects.get(code="tekun_dispersed"), household=hh, person=uncle,
                              monthly_amount=D("1200"), start_month=dt.date(2021, 1, 1))
    found = facts.household_facts(hh, on=ON_2022)
    assert found.area == "rural" and len(found.members) == 3 and len(found.incomes) == 1 and not found.assets
    d = r.dibao_assess(found, params=r.Params(ON_2022, xiadao_village))
    # 林五保 is 特困 → carved out; (740 − 220) × 2 + 未成年人 74 = 1114
    assert d.eligible and d.details["covered_count"] == 2 and d.amount == D("1114.00")
    Income.objects.create(household=hh, person=uncle, category="transfer", item="城乡居民基础养老金",
                          monthly_amount=D("150"), period_start=dt.date(2021, 1, 1))
    Income.objects.create(household=hh, person=uncle, category="property", item="土地流转",
                          monthly_amount=D("80"), period_start=dt.date(2021, 1, 1))
    t = facts.tekun_facts(uncle, on=ON_2022, params=r.Params(ON_2022))
    # §2.1 [V-sec]: 基础养老金 is not income for 特困 无生活来源; the land rent is
    assert t.age == 72 and t.monthly_income == D("80.00")
    assert r.tekun_criteria(t, params=r.Params(ON_2022)).eligible


def test_current_income_and_held_assets_on_a_date(db: None, xiadao_village: object) -> None:
    """An income is current from its first day to its last (open end = still current); an asset is held from
    its acquisition (or an unknown date) until the day before its disposal."""
    hh = Household.objects.create(division=xiadao_village, hukou_type="rural")
    jan, jun, dec = dt.date(2022, 1, 1), dt.date(2022, 6, 30), dt.date(2022, 12, 31)
    ended = Income.objects.create(household=hh, category="wage", monthly_amount=D("100"), period_start=jan,
                                  period_end=jun)
    open_ = Income.objects.create(household=hh, category="wage", monthly_amount=D("200"), period_start=jun)

    def current(day: dt.date) -> set[int]:
        return set(Income.objects.current_on(day).filter(household=hh).values_list("id", flat=True))

    assert current(dt.date(2021, 12, 31)) == set()
    assert current(jan) == {ended.pk}
    assert current(jun) == {ended.pk, open_.pk}
    assert current(dt.date(2022, 7, 1)) == {open_.pk}
    assert set(hh.incomes.current_on(dec).values_list("id", flat=True)) == {open_.pk}

    sold = Asset.objects.create(household=hh, kind="vehicle", value=D("5000"), disposed_on=jun)
    bought = Asset.objects.create(household=hh, kind="deposit", value=D("8000"), acquired_on=jun)

    def held(day: dt.date) -> set[int]:
        return set(hh.assets.held_on(day).values_list("id", flat=True))

    assert held(dt.date(2022, 6, 29)) == {sold.pk}
    assert held(jun) == {bought.pk}


def test_current_income_and_held_assets_are_defined_once() -> None:
    """Nothing outside the registry's Income and Asset querysets spells out which incomes are current and which
    assets are held."""
    src = RULES_DIR.parents[1]
    offenders = [str(p.relative_to(src)) for p in src.rglob("*.py")
                 if p.name != "models.py" and "migrations" not in p.parts
                 and any(s in p.read_text(encoding="utf-8")
                         for s in ("period_start__lte", "period_end__lt", "period_end IS NULL", "period_end is None",
                                   "disposed_on__", "disposed_on is None", "acquired_on__"))]
    assert offenders == []
