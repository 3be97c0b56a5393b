"""Worked examples of the 低保/特困/临时救助 rules against the seeded parameters (policy-rules.md sections cited)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from minzheng.assistance import rules as r
from minzheng.policy import services as policy

D = Decimal
ON_2022 = dt.date(2022, 6, 1)  # 2021 rules; demo standards 760 urban / 740 rural
ON_2020 = dt.date(2020, 6, 1)  # 2012 rules; demo standards 700 urban / 650 rural


def head(age: int = 45, **kw: object) -> r.Member:
    return r.Member("h", "张建国", age, "02", **kw)  # type: ignore[arg-type]


def family(*extra: r.Member) -> tuple[r.Member, ...]:
    return (head(), r.Member("s", "李秀英", 43, "10"), r.Member("c", "张小明", 10, "20"), *extra)


@pytest.fixture
def p22(db: None) -> r.Params:
    return r.Params(ON_2022)


@pytest.fixture
def p20(db: None) -> r.Params:
    return r.Params(ON_2020)


# ------------------------------------------------------------------------------------------------ 补差 §1.6


def test_subsidy_worked_example(p22: r.Params) -> None:
    """§1.6 [V] 社会救助暂行办法 第十二条: a 3-person urban household with 960 元 a month (320 per head) under a
    760 元 standard gets (760 − 320) × 3 = 1320 元."""
    d = r.dibao_subsidy(D("320"), 3, area="urban", params=p22)
    assert d.eligible and d.amount == D("1320.00")
    assert d.explanation == "家庭月人均收入 320.00 元 低于城市低保标准 760.00 元，差额 440.00 元 × 3 人 = 1320.00 元"
    keys = {ref["key"] for ref in d.params}
    assert {"dibao.standard.urban", "dibao.rounding", "dibao.min_amount"} <= keys
    std_ref = next(ref for ref in d.params if ref["key"] == "dibao.standard.urban")
    assert std_ref["demo"] is True and std_ref["effective_from"] == "2022-01-01" and std_ref["version_id"] > 0
    assert d.version == "2021"


def test_income_equal_to_standard_gets_nothing(p22: r.Params) -> None:
    """§1.1/§1.6: eligibility needs income *below* the standard; equal gets nothing, one fen below gets a fen each."""
    equal = r.dibao_subsidy(D("760.00"), 2, area="urban", params=p22)
    assert not equal.eligible and equal.amount == 0 and "不低于" in equal.explanation
    below = r.dibao_subsidy(D("759.99"), 2, area="urban", params=p22)
    assert below.eligible and below.amount == D("0.02")


def test_rural_standard_used_for_rural_household(p22: r.Params) -> None:
    """§1.1 [V] Art 10: the standard of the area applies (rural demo 740 in 2022)."""
    d = r.dibao_subsidy(D("240"), 1, area="rural", params=p22)
    assert d.amount == D("500.00") and "农村低保标准 740.00 元" in d.explanation


def test_minimum_amount_raises_tiny_subsidy(db: None) -> None:
    """§1.6 [GAP] 保底: when a local minimum is configured, a positive amount below it is raised to it."""
    p = r.Params.seeded(ON_2022, dibao__min_amount="50")
    d = r.dibao_subsidy(D("759.00"), 2, area="urban", params=p)
    assert d.amount == D("50") and "保底" in d.explanation
    assert r.dibao_subsidy(D("760"), 2, area="urban", params=p).amount == 0


def test_rounding_to_yuan_when_configured() -> None:
    """No source found for rounding; default 四舍五入到分, switchable to whole yuan by parameter."""
    p = r.Params.seeded(ON_2022, dibao__rounding={"quantum": "1", "mode": "ROUND_HALF_UP"})
    assert r.dibao_subsidy(D("759.75"), 2, area="urban", params=p).amount == D("1.00")
    assert r.dibao_subsidy(D("759.80"), 2, area="urban", params=p).amount == D("0.00")


# ------------------------------------------------------------------------------------------------ members §1.1


def test_household_members_inclusions_and_exclusions(p22: r.Params) -> None:
    """§1.1 [V-sec] 2012 Art 6 / 2021 Art 7: spouse, minor children, dependent adult children (students), others
    with a support duty living together count; 宗教教职人员 away ≥3 years (3 included) and 服刑人员 do not."""
    members = (
        head(),
        r.Member("s", "配偶", 43, "10", living_together=False),  # spouse counts even if working away
        r.Member("m", "未成年子女", 12, "30", living_together=False),
        r.Member("u", "在读大学生", 20, "20", living_together=False, unable_to_live_independently=True),
        r.Member("a", "成年外出子女", 26, "20", living_together=False),
        r.Member("g", "同住老人", 78, "50"),
        r.Member("x", "不同住兄弟", 40, "70", living_together=False),
        r.Member("rel3", "出家三年", 50, "70", religious_professional=True, religious_years_away=3),
        r.Member("rel2", "出家两年", 30, "20", religious_professional=True, religious_years_away=2),
        r.Member("p", "服刑人员", 35, "20", imprisoned=True),
    )
    d = r.household_members(members, params=p22)
    assert d.details["counted"] == ["h", "s", "m", "u", "g", "rel2"]
    assert set(d.details["excluded"]) == {"a", "x", "rel3", "p"}
    assert "宗教教职人员离家在宗教场所居住已满3年" in d.explanation and "服刑人员" in d.explanation
    assert d.amount == 6


# ------------------------------------------------------------------------------------------------ income §1.7


@pytest.mark.parametrize("item", ["优待抚恤金", "计划生育奖励与扶助金", "奖学金", "见义勇为奖励", "社会救助款物",
                                  "城乡居民基本养老保险基础养老金", "困难残疾人生活补贴", "重度残疾人护理补贴"])
def test_excluded_income_items(p22: r.Params, item: str) -> None:
    """§1.7 [M]/[V-sec]: the national exclusion list (and 残疾人两项补贴, 国发〔2015〕52号) is not counted."""
    incomes = [r.IncomeItem("wage", D("900"), "务工", "h"), r.IncomeItem("transfer", D("300"), item, "s")]
    d = r.per_capita_income(incomes, member_keys=["h", "s", "c"], params=p22)
    assert d.amount == D("300.00")
    assert item in d.explanation


def test_pension_counts_but_basic_pension_does_not(p22: r.Params) -> None:
    """§1.7 [M]: only the central 城乡居民基本养老保险基础养老金 is excluded; a retiree's 养老金 is income."""
    incomes = [r.IncomeItem("transfer", D("2000"), "企业职工养老金", "h"),
               r.IncomeItem("transfer", D("150"), "城乡居民基础养老金", "s")]
    assert r.per_capita_income(incomes, member_keys=["h", "s"], params=p22).amount == D("1000.00")


def test_income_of_non_members_ignored_and_categories_summed(p22: r.Params) -> None:
    """§1.7 [V-sec] five categories; income of a person who is not a counted member is not household income."""
    incomes = [r.IncomeItem("wage", D("1000"), "务工", "h"), r.IncomeItem("business", D("150.50"), "小卖部", "s"),
               r.IncomeItem("property", D("100"), "土地流转", None), r.IncomeItem("other", D("20"), "", "c"),
               r.IncomeItem("wage", D("5000"), "工资", "a")]
    d = r.per_capita_income(incomes, member_keys=["h", "s", "c"], params=p22)
    assert d.details["net"] == D("1270.50") and d.amount == D("423.50")
    assert "非共同生活家庭成员的收入" in d.explanation


def test_employment_cost_deduction(db: None) -> None:
    """§1.7 [M]: where set, necessary 就业成本 is deducted per working member, never below zero."""
    p = r.Params.seeded(ON_2022, dibao__income__employment_cost="200")
    incomes = [r.IncomeItem("wage", D("1000"), "务工", "h"), r.IncomeItem("wage", D("150"), "零工", "s")]
    d = r.per_capita_income(incomes, member_keys=["h", "s"], params=p)
    assert d.details["deduction"] == D("350") and d.amount == D("400.00")


# ------------------------------------------------------------------------------------------------ assets §1.8


def test_asset_rules(p22: r.Params) -> None:
    """§1.8 [M]/[L] all configurable: deposits ≤ 24 × standard × members; one home; exempt vehicles; business;
    财政供养 member."""
    members = family()
    limit = D("760") * 24 * 3
    ok = r.asset_test(members, [r.AssetItem("deposit", limit)], area="urban", params=p22)
    assert ok.eligible
    over = r.asset_test(members, [r.AssetItem("deposit", limit - 1), r.AssetItem("securities", D("1.01"))],
                        area="urban", params=p22)
    assert not over.eligible and "存款及有价证券" in over.reasons[0]
    homes = r.asset_test(members, [r.AssetItem("property", D("1")), r.AssetItem("property", D("1"))],
                         area="urban", params=p22)
    assert not homes.eligible and "住房 2 套" in homes.explanation
    shop = r.asset_test(members, [r.AssetItem("property", D("1"), {"use": "shop"})], area="urban", params=p22)
    assert not shop.eligible
    wheelchair = r.AssetItem("vehicle", D("45000"), {"vehicle_type": "残疾人机动轮椅车"})
    cheap = r.AssetItem("vehicle", D("30000"), {"vehicle_type": "小型货车"})
    assert r.asset_test(members, [wheelchair, cheap], area="urban", params=p22).eligible
    car = r.AssetItem("vehicle", D("30000.01"), {"vehicle_type": "小型轿车"})
    assert not r.asset_test(members, [car], area="urban", params=p22).eligible
    assert not r.asset_test(members, [r.AssetItem("business", D("0"))], area="urban", params=p22).eligible
    assert r.asset_test(members, [r.AssetItem("business", D("0"), {"small": True})], area="urban", params=p22).eligible
    staff = (*members, r.Member("e", "公务员", 30, "20", public_employee=True))
    assert "财政供养" in r.asset_test(staff, [], area="urban", params=p22).explanation


# ------------------------------------------------------------------------------------------------ full assessment


def test_dibao_assess_with_supplement_and_tekun_carve_out(p22: r.Params) -> None:
    """§1.6 + §1.1 + 社会救助暂行办法 第十四条: the 特困 member is carved out; the rest get 补差 plus 分类施保
    (未成年人 demo 10% of the standard)."""
    hh = r.HouseholdFacts("urban", family(r.Member("t", "特困叔叔", 66, "70", in_tekun=True)),
                          (r.IncomeItem("wage", D("960"), "务工", "h"), r.IncomeItem("other", D("500"), "", "t")))
    d = r.dibao_assess(hh, params=p22)
    assert d.eligible
    assert d.details["covered"] == ["h", "s", "c"]
    assert d.details["subsidy"] == D("1320.00") and d.details["supplements"] == D("76.00")
    assert d.amount == D("1396.00")
    assert "已纳入特困供养" in d.explanation and "月保障金 1396.00 元" in d.explanation
    assert d.as_dict()["amount"] == "1396.00"


def test_dibao_assess_refuses_on_assets(p22: r.Params) -> None:
    """§1.1 [V] Art 9: income *and* assets; a low-income family with a car is refused with the reason."""
    hh = r.HouseholdFacts("urban", family(), (r.IncomeItem("wage", D("300"), "", "h"),),
                          (r.AssetItem("vehicle", D("80000"), {"vehicle_type": "小型轿车"}),))
    d = r.dibao_assess(hh, params=p22)
    assert not d.eligible and d.amount == 0
    assert any("机动车辆" in x for x in d.reasons)


def test_supplement_stacking(db: None) -> None:
    """§1.6 [V] Art 12 ¶2 (amounts [GAP]): a severely disabled 70-year-old gets the highest category (max) or both
    (sum)."""
    old = r.Member("o", "老人", 70, "50", disability_grade=1, disability_category="4")
    p_max = r.Params.seeded(ON_2022)
    assert r.classified_supplements([old], area="urban", params=p_max).amount == D("152.00")  # 0.20 × 760
    p_sum = r.Params.seeded(ON_2022, dibao__supplement__stacking="sum")
    assert r.classified_supplements([old], area="urban", params=p_sum).amount == D("228.00")  # 0.30 × 760


# ------------------------------------------------------------------------------------------------ 边缘 / 单人保


def test_edge_household_band(p22: r.Params) -> None:
    """§1.10 [V-sec]: 低保边缘 = income ≤ 1.5 × standard (1140 in 2022 urban) and assets pass."""
    def hh(pc: str) -> r.HouseholdFacts:
        return r.HouseholdFacts("urban", (head(),), (r.IncomeItem("wage", D(pc), "", "h"),))

    assert r.dibao_edge(hh("1140.00"), params=p22).details["band"] == "edge"
    assert r.dibao_edge(hh("760.00"), params=p22).eligible
    assert r.dibao_edge(hh("1140.01"), params=p22).details["band"] == "none"
    assert r.dibao_edge(hh("759.99"), params=p22).details["band"] == "dibao"


def test_single_person_2021_severe_disability_in_edge_household(p22: r.Params) -> None:
    """§1.11 [V-sec] 2021: a grade-1 disabled member of a 低保边缘 household is included alone; the amount treats them
    as a one-person household (interpretation [M])."""
    disabled = r.Member("d", "重残儿子", 30, "20", disability_category="4", disability_grade=1)
    hh = r.HouseholdFacts("urban", (head(), r.Member("s", "妻", 50, "10"), disabled),
                          (r.IncomeItem("wage", D("3000"), "", "h"), r.IncomeItem("transfer", D("100"), "", "d")))
    d = r.single_person_dibao("d", hh, params=p22)
    assert d.eligible
    # 760 − 100 = 660; 重度残疾 supplement 0.20 × 760 = 152
    assert d.details["subsidy"] == D("660.00") and d.amount == D("812.00")
    grade3 = r.Member("d", "三级肢残", 30, "20", disability_category="4", disability_grade=3)
    assert not r.single_person_dibao("d", r.HouseholdFacts("urban", (head(), grade3), hh.incomes), params=p22).eligible
    mental3 = r.Member("d", "三级精神残疾", 30, "20", disability_category="6", disability_grade=3)
    rich = r.HouseholdFacts("urban", (head(), mental3), (r.IncomeItem("wage", D("9000"), "", "h"),))
    refused = r.single_person_dibao("d", rich, params=p22)
    assert not refused.eligible and "不属于低保边缘家庭" in refused.explanation


def test_single_person_pre_2021(p20: r.Params) -> None:
    """§1.11 [M] 国发〔2015〕7号: before 2021 only an adult, jobless, severely disabled person could form a 单人户."""
    disabled = r.Member("d", "重残", 30, "20", disability_category="5", disability_grade=2)
    hh = r.HouseholdFacts("rural", (head(), disabled), (r.IncomeItem("wage", D("4000"), "", "h"),))
    d = r.single_person_dibao("d", hh, params=p20)
    assert d.eligible and d.version == "2012" and d.details["subsidy"] == D("650.00")
    working = r.Member("d", "重残", 30, "20", disability_category="5", disability_grade=2, employed=True)
    assert not r.single_person_dibao("d", r.HouseholdFacts("rural", (head(), working)), params=p20).eligible


# ------------------------------------------------------------------------------------------------ 特困 §2


def test_tekun_elderly_without_supporters(p22: r.Params) -> None:
    """§2.1 [V] Art 14: a 72-year-old with 200 元 a month, no supporters, assets within limits qualifies."""
    d = r.tekun_criteria(r.TekunFacts("王五保", 72, "rural", D("200")), params=p22)
    assert d.eligible and "年满60周岁" in d.explanation and "无法定赡养" in d.explanation


def test_tekun_income_at_standard_fails(p22: r.Params) -> None:
    """§2.1 [V-sec] 2021 Art 6: 无生活来源 means income below the 低保标准 (740 rural in 2022)."""
    assert not r.tekun_criteria(r.TekunFacts("甲", 72, "rural", D("740")), params=p22).eligible
    assert r.tekun_criteria(r.TekunFacts("甲", 72, "rural", D("739.99")), params=p22).eligible
    assert not r.tekun_criteria(r.TekunFacts("甲", 72, "rural", assets_ok=False), params=p22).eligible


@pytest.mark.parametrize(("category", "grade", "in_2016", "in_2021"), [
    ("5", 2, True, True), ("5", 3, False, True), ("6", 3, False, True), ("4", 1, True, True),
    ("4", 2, False, True), ("1", 1, False, True), ("4", 3, False, False), ("2", 1, False, False)])
def test_tekun_disability_grades_by_version(db: None, category: str, grade: int, in_2016: bool,
                                            in_2021: bool) -> None:
    """§2.1 [V-sec]: 无劳动能力 widened on 2021-07-01 (智力/精神 1–3, 肢体 1–2, 视力 1)."""
    person = r.TekunFacts("残疾人", 40, "urban", disability_category=category, disability_grade=grade)
    assert r.tekun_criteria(person, params=r.Params(dt.date(2020, 1, 1))).eligible is in_2016
    assert r.tekun_criteria(person, params=r.Params(dt.date(2021, 7, 1))).eligible is in_2021


def test_tekun_supporters(p22: r.Params, p20: r.Params) -> None:
    """§2.1 [V-sec]: supporters unable to support (特困, 低保 60+, 2021: 70+ with low income, in prison …) do not
    block; an able supporter does."""
    old_low = r.Supporter("老伴", 71, income_below_disposable=True)
    jailed = r.Supporter("儿子", 40, imprisoned=True)
    p = r.TekunFacts("甲", 68, "rural", D("100"), supporters=(old_low, jailed))
    assert r.tekun_criteria(p, params=p22).eligible
    assert not r.tekun_criteria(p, params=p20).eligible  # the 70+ ground is 2021-only
    able = r.TekunFacts("甲", 68, "rural", supporters=(r.Supporter("女儿", 45),))
    d = r.tekun_criteria(able, params=p22)
    assert not d.eligible and "女儿" in d.explanation


def test_tekun_working_age_not_target_and_orphan_routed(p22: r.Params) -> None:
    """§2.1 [V] Art 14 target groups; 2016 Art 9 [V-sec]: a child meeting 孤儿 criteria goes to 孤儿保障."""
    assert not r.tekun_criteria(r.TekunFacts("青壮年", 35, "urban"), params=p22).eligible
    orphan = r.tekun_criteria(r.TekunFacts("孤儿", 8, "urban", orphan_eligible=True), params=p22)
    assert not orphan.eligible and "孤儿基本生活保障" in orphan.explanation
    assert r.tekun_criteria(r.TekunFacts("儿童", 8, "urban"), params=p22).eligible


@pytest.mark.parametrize(("age", "in_school", "keeps"), [(17, False, True), (18, False, False), (19, True, True),
                                                       (60, False, True)])
def test_tekun_continuation_for_minors(p22: r.Params, age: int, in_school: bool, keeps: bool) -> None:
    """§2.5 [V-sec]: minors in 特困 continue to 18, and past 18 while in 义务教育/普通高中/中职."""
    d = r.tekun_continuation(r.TekunFacts("小明", age, "rural", in_school=in_school), params=p22)
    assert d.eligible is keeps


def test_tekun_termination_grounds(p22: r.Params) -> None:
    """§2.5 [V] Art 18 / [V-sec] ch. 6: death, prison, income over the standard, an able supporter → 终止 with a
    7-day 公示 and 15 working days to decide an objection."""
    elder = r.TekunFacts("王五保", 75, "rural", D("100"))
    assert r.tekun_continuation(elder, params=p22).eligible
    dead = r.tekun_continuation(elder, params=p22, deceased=True)
    assert not dead.eligible and "死亡" in dead.explanation and "公示 7 天" in dead.explanation
    assert dead.details["objection_wd"] == 15
    richer = r.TekunFacts("王五保", 75, "rural", D("900"))
    assert not r.tekun_continuation(richer, params=p22).eligible
    son_back = r.TekunFacts("王五保", 75, "rural", supporters=(r.Supporter("儿子", 45),))
    assert "儿子" in r.tekun_continuation(son_back, params=p22).explanation


@pytest.mark.parametrize(("failed", "tier"), [(0, "self_care"), (1, "half"), (3, "half"), (4, "full"), (6, "full")])
def test_self_care_tiers(p22: r.Params, failed: int, tier: str) -> None:
    """§2.3 [V-sec]: all 6 = 自理; ≤3 not achieved (3 included) = 部分丧失 → 半护理; ≥4 = 完全丧失 → 全护理."""
    items = {k: i >= failed for i, k in enumerate(r.SELF_CARE_ITEMS)}
    d = r.self_care_tier(items, params=p22)
    assert d.details["tier"] == tier and d.amount == failed


def test_self_care_requires_all_six_items(p22: r.Params) -> None:
    """§2.3: an assessment with a missing item is refused rather than guessed."""
    with pytest.raises(ValueError, match="自主洗澡"):
        r.self_care_tier({k: True for k in list(r.SELF_CARE_ITEMS)[:5]}, params=p22)


def test_tekun_support_worked_example(p22: r.Params) -> None:
    """§2.4 [V-sec] basic ≥ 1.3 × 低保标准; 三明 [L-FJ] care 10/25/40% of minimum wage, 集中 120/130/140%.
    2022 rural: 740 × 1.3 = 962; 半护理 1810 × 0.25 = 452.50; 分散 1414.50; 集中 × 1.3 = 1838.85."""
    dispersed = r.tekun_support("half", arrangement="dispersed", area="rural", params=p22)
    assert dispersed.amount == D("1414.50") and dispersed.details["basic"] == D("962.00")
    central = r.tekun_support("half", arrangement="central", area="rural", params=p22)
    assert central.amount == D("1838.85")
    amounts = [r.tekun_support(t, arrangement="dispersed", area="rural", params=p22).amount
               for t in ("self_care", "half", "full")]
    assert amounts == sorted(amounts) and len(set(amounts)) == 3


# ------------------------------------------------------------------------------------------------ 临时救助 §3


def test_linshi_expenditure_capped_at_six_months(p22: r.Params) -> None:
    """§3 [V-sec] Fujian 2018: 支出型 = 标准 × 人数 × 月数, months ≤ 6; standard = urban 低保 × county ratio (demo 1.0)."""
    d = r.linshi_amount("expenditure", persons=3, months=8, params=p22)
    assert d.amount == D("760.00") * 3 * 6 and d.details["months"] == 6
    assert not d.details["township_may_approve"]
    small = r.linshi_amount("emergency", persons=1, months=1, params=p22)
    assert small.amount == D("760.00") and small.details["township_may_approve"]


def test_linshi_ratio_clamped_to_25_percent(db: None) -> None:
    """§3 [V-sec]: the county may choose only within ±25% of the urban standard; out-of-range ratios are clamped."""
    high = r.linshi_amount("emergency", persons=1, months=1, params=r.Params.seeded(ON_2022, linshi__standard_ratio="1.5"))
    assert high.amount == D("950.00") and "已按边界计算" in high.explanation
    low = r.linshi_amount("emergency", persons=1, months=1, params=r.Params.seeded(ON_2022, linshi__standard_ratio="0.5"))
    assert low.amount == D("570.00")


def test_linshi_expenditure_income_condition(p22: r.Params) -> None:
    """§3 [V-sec]: 支出型 needs per-capita income below last year's 人均可支配收入 (when the figures are supplied)."""
    d = r.linshi_amount("expenditure", persons=2, months=2, params=p22, per_capita_income=D("3000"),
                        income_limit=D("3000"))
    assert not d.eligible and d.amount == 0


@pytest.mark.parametrize(("expense", "months"), [("4999.99", 1), ("5000", 2), ("19999", 3), ("45000", 6)])
def test_linshi_expense_bands(p22: r.Params, expense: str, months: int) -> None:
    """§3 [V-sec] Fujian 2018: amounts may be banded by self-paid medical or education cost (bands are demo)."""
    assert r.linshi_months_for_expense(D(expense), params=p22).details["months"] == months


def test_linshi_expenditure_capped_at_expense(p22: r.Params) -> None:
    """§3 (demo rule): a 支出型 grant does not exceed what the family paid itself."""
    d = r.linshi_amount("expenditure", persons=3, months=2, params=p22, expense=D("3000"))
    assert d.amount == D("3000.00") and "按自付支出" in d.explanation
    assert r.linshi_amount("expenditure", persons=1, months=2, params=p22, expense=D("3000")).amount == D("1520.00")


# ------------------------------------------------------------------------------------------------ exclusions


def test_programme_conflicts() -> None:
    """§2 / §4 [V]/[V-sec]: 特困 is not also 低保; 集中 or 分散; 特困 get neither 两项补贴; 孤儿 first."""
    assert not r.programme_conflicts("dibao_rural", ["tekun_dispersed"]).eligible
    assert not r.programme_conflicts("tekun_central", ["tekun_dispersed", "gaoling"]).eligible
    assert not r.programme_conflicts("canji_care", ["tekun_central"]).eligible
    assert r.programme_conflicts("canji_care", ["orphan"]).eligible
    assert not r.programme_conflicts("canji_life", ["orphan"]).eligible
    assert r.programme_conflicts("dibao_urban", ["gaoling", "canji_life", "linshi"]).eligible
    assert not r.programme_conflicts("dibao_urban", ["dibao_urban"]).eligible


# ------------------------------------------------------------------------------------------------ dynamic §1.9/§1.10


def test_review_outcomes_and_taper(p22: r.Params) -> None:
    """§1.9 [V] Art 13 (增发/减发/停发) and §1.10 [M] 渐退 ≤ 6 months when income rises through work."""
    poor = r.dibao_assess(r.HouseholdFacts("urban", family(), (r.IncomeItem("wage", D("960"), "", "h"),)), params=p22)
    assert r.review_outcome(D("1000"), poor, income_rise_from_work=False, taper_months_used=0,
                            params=p22).details["action"] == "increase"
    assert r.review_outcome(D("2000"), poor, income_rise_from_work=False, taper_months_used=0,
                            params=p22).details["action"] == "decrease"
    richer = r.dibao_assess(r.HouseholdFacts("urban", family(), (r.IncomeItem("wage", D("3000"), "", "h"),)),
                            params=p22)
    assert not richer.eligible
    taper = r.review_outcome(D("1396"), richer, income_rise_from_work=True, taper_months_used=0, params=p22)
    assert taper.details["action"] == "taper" and taper.amount == D("1396") and taper.eligible
    last = r.review_outcome(D("1396"), richer, income_rise_from_work=True, taper_months_used=5, params=p22)
    assert last.details["action"] == "taper" and last.details["taper_months_left"] == 0
    stop = r.review_outcome(D("1396"), richer, income_rise_from_work=True, taper_months_used=6, params=p22)
    assert stop.details["action"] == "stop" and stop.amount == 0 and "渐退期 6 个月已满" in stop.explanation
    plain_stop = r.review_outcome(D("1396"), richer, income_rise_from_work=False, taper_months_used=0, params=p22)
    assert plain_stop.details["action"] == "stop" and "不低于" in plain_stop.explanation


def test_tapering_amount_when_configured(db: None) -> None:
    """§1.10 [GAP] whether the amount tapers: with keep_amount off it falls evenly to zero over the period."""
    p = r.Params.seeded(ON_2022, dibao__taper__keep_amount=False)
    richer = r.dibao_assess(r.HouseholdFacts("urban", family(), (r.IncomeItem("wage", D("3000"), "", "h"),)), params=p)
    first = r.review_outcome(D("700"), richer, income_rise_from_work=True, taper_months_used=0, params=p)
    assert first.amount == D("600.00")  # 700 × 6/7


@pytest.mark.parametrize(("on", "kind", "area", "months"), [
    (ON_2020, "stable", "urban", 12), (ON_2020, "short_term", "rural", 6), (ON_2020, "irregular", "urban", 1),
    (ON_2020, "irregular", "rural", 3), (ON_2022, "stable", "rural", 12), (ON_2022, "irregular", "urban", 6),
    (ON_2022, "irregular", "rural", 6)])
def test_review_cycle_by_rule_version(db: None, on: dt.date, kind: str, area: str, months: int) -> None:
    """§1.9 [V-sec]: 2012 yearly / half-yearly / monthly-urban / quarterly-rural; 2021 yearly / half-yearly."""
    d = r.review_cycle(kind, area=area, params=r.Params(on))
    assert d.details["months"] == months


def test_benefit_start_and_next_review(p22: r.Params) -> None:
    """§1.3 [V-sec]: benefit from the month after approval."""
    assert r.benefit_start(dt.date(2024, 1, 31), params=p22) == dt.date(2024, 2, 1)
    assert r.benefit_start(dt.date(2024, 12, 2), params=p22) == dt.date(2025, 1, 1)
    assert r.next_review_date(dt.date(2024, 8, 31), 6) == dt.date(2025, 2, 28)


# ------------------------------------------------------------------------------------------------ versions


def test_decision_keeps_the_version_it_was_made_under(db: None) -> None:
    """§0 / §12: every number is a versioned parameter; a case decided under the 2020 standard keeps it after the
    standard is raised, and a later date uses the new version."""
    before = r.dibao_subsidy(D("300"), 2, area="urban", params=r.Params(ON_2020))
    assert before.amount == D("800.00")  # (700 − 300) × 2
    old_ref = next(x for x in before.params if x["key"] == "dibao.standard.urban")
    policy.add_version(key="dibao.standard.urban", value="720", effective_from=dt.date(2020, 9, 1),
                       source_document="测试：2020 年下半年提标", certainty="DEMO", is_demo=True)
    again = r.dibao_subsidy(D("300"), 2, area="urban", params=r.Params(ON_2020))
    assert again.amount == before.amount
    assert next(x for x in again.params if x["key"] == "dibao.standard.urban") == old_ref
    later = r.dibao_subsidy(D("300"), 2, area="urban", params=r.Params(dt.date(2020, 10, 1)))
    assert later.amount == D("840.00")
    assert next(x for x in later.params if x["key"] == "dibao.standard.urban")["version_id"] != old_ref["version_id"]


def test_township_specific_standard_wins(db: None, xiadao: object, meishan: object) -> None:
    """§1.1 [V] Art 10: a standard can differ by area; the most specific division's version applies."""
    policy.add_version(key="dibao.standard.rural", value="800", effective_from=dt.date(2022, 1, 1),
                       source_document="测试：夏道镇单列标准", division=xiadao, certainty="DEMO", is_demo=True)
    assert r.dibao_standard("rural", params=r.Params(ON_2022, xiadao)) == D("800")
    assert r.dibao_standard("rural", params=r.Params(ON_2022, meishan)) == D("740")


def test_parameters_entered_as_text_still_work(db: None) -> None:
    """§12: staff maintain parameters through a one-line form; a list typed as “youdai、scholarship” and a switch
    typed as “false” are read as a list and a bool, not character by character or as a true string."""
    on = dt.date(2023, 3, 1)
    policy.add_version(key="income.excluded_codes.dibao", value="youdai、scholarship", effective_from=on,
                       source_document="测试：文本录入")
    policy.add_version(key="dibao.asset.exclude_public_employee", value="false", effective_from=on,
                       source_document="测试：文本录入")
    policy.add_version(key="kin.relations", value='[{"code": "spouse", "label": "配偶"}]', effective_from=on,
                       source_document="测试：JSON 文本录入")
    p = r.Params(on)
    incomes = [r.IncomeItem("wage", D("600"), "务工", "h"), r.IncomeItem("transfer", D("100"), "奖学金", "h"),
               r.IncomeItem("transfer", D("100"), "基础养老金", "h")]
    assert r.per_capita_income(incomes, member_keys=["h"], params=p).amount == D("700.00")
    staff = (head(), r.Member("e", "公务员", 30, "20", public_employee=True))
    assert r.asset_test(staff, [], area="urban", params=p).eligible
    assert r.as_list(p.get("kin.relations").value) == [{"code": "spouse", "label": "配偶"}]


def test_rule_version_switches_on_2021_07_01(db: None) -> None:
    """§0 [V-sec]: 2012 低保 rules until 2021-06-30, 2021 rules from 2021-07-01; 特困 2016 → 2021 the same day."""
    m = (head(),)
    assert r.household_members(m, params=r.Params(dt.date(2021, 6, 30))).version == "2012"
    assert r.household_members(m, params=r.Params(dt.date(2021, 7, 1))).version == "2021"
    t = r.TekunFacts("甲", 70, "urban")
    assert r.tekun_criteria(t, params=r.Params(dt.date(2021, 6, 30))).version == "2016"
    assert r.tekun_criteria(t, params=r.Params(dt.date(2021, 7, 1))).version == "2021"


def test_every_parameter_has_source_and_certainty(db: None) -> None:
    """§12: each seeded parameter carries its source document and certainty; demo values are marked."""
    from minzheng.policy.catalog import catalog
    from minzheng.policy.models import Parameter

    prefixes = ("dibao.", "tekun.", "linshi.", "workflow.", "kin.", "publicity.", "person.")
    keys = [k for k in catalog.specs if k.startswith(prefixes)]
    assert len(keys) > 70
    rows = Parameter.objects.filter(key__in=keys)
    assert set(rows.values_list("key", flat=True)) == set(keys)
    for row in rows:
        assert row.source_document.strip()
        assert row.certainty in {"V", "V-sec", "L", "L-FJ", "M", "GAP", "DEMO"}
        if row.is_demo:
            assert row.certainty in {"DEMO", "GAP"} or "演示" in row.source_document
    assert rows.filter(key="dibao.standard.urban", is_demo=True).count() >= 9
