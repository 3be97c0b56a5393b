"""The 核对 rules, each written once as portable SQL that DuckDB and Spark SQL both run unchanged.

Inputs are standard views: `recipients` (schemas.RECIPIENTS_SCHEMA), `recipient_ids` (id_number, n_rows),
`matched` (the recipients who appear in any department table — every rule that joins department data reads this),
`mt` (its means-tested part), one
`dept_<kind>` view per department schema (already pruned to recipients' ID numbers), `kinship_filed`, and small
parameter tables `p_*` built from policy parameters. Scalars are inlined as validated literals. SQL stays in the
common subset (joins, CASE, COALESCE, GROUP BY, COUNT DISTINCT, DATE literals, CAST to DECIMAL); anything
dialect-specific (dates arithmetic, string aggregation, division) happens in Python after the query, identically
for both engines.

Pure Python: no Django import, so the benchmark and Spark jobs use the very same definitions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from . import schemas

# Severity decides what the township is asked to do.
STOP = "stop"        # 停发/追回: the payment must stop
REVIEW = "review"    # 核实: verify and decide (exclude, recompute, keep)
DATA = "data"        # 数据质量: never an automatic disqualification

SEVERITY_LABELS = {STOP: "停发追回", REVIEW: "核实认定", DATA: "数据质量"}


@dataclass
class RuleParams:
    """Every number and list the rules read, resolved from dated policy parameters (defaults = demo seeds)."""

    as_of: dt.date
    means_tested: list[str] = field(default_factory=lambda: [
        "dibao_urban", "dibao_rural", "tekun_dispersed", "tekun_central"])
    dibao_programmes: list[str] = field(default_factory=lambda: ["dibao_urban", "dibao_rural"])
    tekun_programmes: list[str] = field(default_factory=lambda: ["tekun_dispersed", "tekun_central"])
    vehicle_exempt_types: list[str] = field(default_factory=lambda: ["残疾人机动轮椅车", "残疾人专用车"])
    vehicle_farm_types: list[str] = field(default_factory=lambda: [
        "拖拉机", "变形拖拉机", "三轮汽车", "低速货车", "农用运输车", "农用车"])
    vehicle_farm_value_limit: Decimal = Decimal("30000")
    property_max_homes: int = 1
    property_max_area_per_capita: Decimal = Decimal("60")
    property_home_usages: list[str] = field(default_factory=lambda: ["住宅", "成套住宅", "自建房", "农村宅基地住房"])
    property_ignored_usages: list[str] = field(default_factory=lambda: ["车位", "车库", "储藏室", "杂物间"])
    business_small_capital: Decimal = Decimal("100000")
    pension_excluded_types: list[str] = field(default_factory=lambda: ["城乡居民基本养老保险基础养老金"])
    pension_tolerance: Decimal = Decimal("1")
    gaoling_bands: list[dict[str, Any]] = field(default_factory=lambda: [
        {"from": 80, "to": 89, "amount": "100"}, {"from": 90, "to": 99, "amount": "200"},
        {"from": 100, "to": None, "amount": "500"}])

    def tables(self) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
        """Small parameter tables the SQL joins: name → (columns, rows)."""
        programmes = sorted(set(self.means_tested) | set(self.dibao_programmes) | set(self.tekun_programmes))
        return {
            "p_programmes": (["programme", "grp", "means_tested"], [
                (p, "dibao" if p in self.dibao_programmes else "tekun" if p in self.tekun_programmes else "other",
                 p in self.means_tested) for p in programmes]),
            "p_vehicle_exempt": (["vehicle_type"], [(t,) for t in self.vehicle_exempt_types]),
            "p_vehicle_farm": (["vehicle_type"], [(t,) for t in self.vehicle_farm_types]),
            "p_property_usage": (["usage", "usage_class"], [(u, "home") for u in self.property_home_usages]
                                 + [(u, "ignore") for u in self.property_ignored_usages
                                    if u not in self.property_home_usages]),
            "p_pension_excluded": (["insurance_type"], [(t,) for t in self.pension_excluded_types]),
            "p_gaoling_bands": (["age_from", "age_to", "band_amount"], [
                (int(b["from"]), None if b.get("to") in (None, "") else int(b["to"]), Decimal(str(b["amount"])))
                for b in self.gaoling_bands]),
        }

    def literals(self) -> dict[str, str]:
        """Scalars for the SQL text: numbers re-rendered from Decimal/int, so nothing but digits reaches SQL."""
        return {
            "as_of": f"DATE '{self.as_of.isoformat()}'",
            "farm_value_limit": _num(self.vehicle_farm_value_limit),
            "max_homes": str(int(self.property_max_homes)),
            "max_area": _num(self.property_max_area_per_capita),
            "small_capital": _num(self.business_small_capital),
            "pension_tolerance": _num(self.pension_tolerance),
        }


PARAM_TABLE_TYPES = {
    "p_programmes": ("string", "string", "bool"),
    "p_vehicle_exempt": ("string",),
    "p_vehicle_farm": ("string",),
    "p_property_usage": ("string", "string"),
    "p_pension_excluded": ("string",),
    "p_gaoling_bands": ("int", "int", "decimal"),
}


def _num(value: Decimal | int | float | str) -> str:
    d = Decimal(str(value))
    if not d.is_finite():
        raise ValueError(f"参数值 {value} 不是有限数字")
    return f"CAST({d:f} AS DECIMAL(18,2))"


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    version: int
    severity: str
    sql: str
    # Columns identifying the subject of one 疑点 (rows with equal values are one finding).
    subject: tuple[str, ...]
    # Facts that make up the evidence; a change in any of them is "the data changed" (new fingerprint).
    evidence: tuple[str, ...]
    # Shown but not fingerprinted (e.g. age, which changes every year without the case changing).
    info: tuple[str, ...] = ()
    description: str = ""
    source: str = ""
    # Policy parameter keys the rule reads (recorded on every finding).
    params: tuple[str, ...] = ()

    def render(self, p: RuleParams) -> str:
        return self.sql.format(**p.literals())


BASE = ("township_code", "village_code", "household_id", "enrollment_id", "programme", "person_id", "id_number")

RULES: list[Rule] = [
    Rule(
        "death", "死亡人员仍在享受待遇", 1, STOP,
        """
        SELECT r.township_code, r.village_code, r.household_id, r.enrollment_id, r.programme, r.person_id,
               r.id_number, r.name, r.is_direct, r.monthly_amount, r.covered_persons, r.start_month,
               d.death_date, COALESCE(d.source, '') AS death_source
        FROM matched r JOIN dept_death d ON d.id_number = r.id_number
        """,
        subject=("enrollment_id", "id_number"),
        evidence=("death_date", "death_source", "programme"),
        info=("name", "is_direct", "monthly_amount", "covered_persons", "start_month"),
        description="死亡人员停发待遇，自死亡次月起追回多发资金；家庭成员死亡的，自次月起重新核定保障人数和金额",
        source="社会救助暂行办法 第十三条、第六十八条；特困人员认定办法 终止供养情形",
        params=(),
    ),
    Rule(
        "public_employee", "家庭成员为财政供养人员", 1, REVIEW,
        """
        SELECT r.township_code, r.village_code, r.household_id, r.enrollment_id, r.programme, r.person_id,
               r.id_number, r.name, e.employer, COALESCE(e.position, '') AS position,
               CAST(e.monthly_salary AS DECIMAL(14,2)) AS monthly_salary
        FROM mt r JOIN dept_public_employee e ON e.id_number = r.id_number
        """,
        subject=("enrollment_id",),
        evidence=("id_number", "employer", "position", "monthly_salary"),
        info=("name",),
        description="保障家庭中有公务员或其他财政供养人员",
        source="社会救助暂行办法 第九条（财产状况由当地规定）；各地“家庭成员有财政供养人员的不予纳入”",
        params=("crosscheck.means_tested_programmes",),
    ),
    Rule(
        "vehicle", "家庭拥有机动车辆", 1, REVIEW,
        """
        SELECT r.township_code, r.village_code, r.household_id, r.enrollment_id, r.programme, r.person_id,
               r.id_number, r.name, v.plate_no, v.vehicle_type,
               CAST(v.value AS DECIMAL(14,2)) AS vehicle_value
        FROM mt r JOIN dept_vehicle v ON v.id_number = r.id_number
        LEFT JOIN p_vehicle_exempt x ON x.vehicle_type = v.vehicle_type
        LEFT JOIN p_vehicle_farm f ON f.vehicle_type = v.vehicle_type
        WHERE x.vehicle_type IS NULL
          AND COALESCE(v.status, '') NOT IN ('注销', '已注销', '报废', '已报废')
          AND NOT (f.vehicle_type IS NOT NULL AND v.value IS NOT NULL AND v.value <= {farm_value_limit})
        """,
        subject=("enrollment_id",),
        evidence=("id_number", "plate_no", "vehicle_type", "vehicle_value"),
        info=("name",),
        description="家庭成员名下有机动车（残疾人专用车、低值农用车除外）",
        source="社会救助暂行办法 第九条；各地低保财产认定办法（示例）",
        params=("crosscheck.vehicle.exempt_types", "crosscheck.vehicle.farm_types",
                "crosscheck.vehicle.farm_value_limit"),
    ),
    Rule(
        "property", "房产超过规定", 1, REVIEW,
        """
        WITH hit AS (
          SELECT r.township_code, r.village_code, r.household_id, r.enrollment_id, r.programme, r.person_id,
                 r.id_number, r.name, r.household_size, d.certificate_no, d.usage,
                 CAST(d.area_m2 AS DECIMAL(14,2)) AS area_m2,
                 COALESCE(u.usage_class, 'other') AS usage_class
          FROM mt r JOIN dept_property d ON d.id_number = r.id_number
          LEFT JOIN p_property_usage u ON u.usage = d.usage
        ), certs AS (
          SELECT DISTINCT enrollment_id, certificate_no, usage_class, area_m2 FROM hit
        ), agg AS (
          SELECT enrollment_id,
                 COUNT(DISTINCT CASE WHEN usage_class = 'home' THEN certificate_no END) AS homes,
                 SUM(CASE WHEN usage_class = 'home' THEN COALESCE(area_m2, 0) ELSE 0 END) AS home_area,
                 COUNT(DISTINCT CASE WHEN usage_class = 'other' THEN certificate_no END) AS non_residential
          FROM certs GROUP BY enrollment_id
        )
        SELECT hit.township_code, hit.village_code, hit.household_id, hit.enrollment_id, hit.programme,
               hit.person_id, hit.id_number, hit.name, hit.certificate_no, hit.usage, hit.area_m2,
               hit.household_size, agg.homes, CAST(agg.home_area AS DECIMAL(14,2)) AS home_area,
               agg.non_residential
        FROM hit JOIN agg ON agg.enrollment_id = hit.enrollment_id
        WHERE hit.usage_class <> 'ignore'
          AND (agg.homes > {max_homes} OR agg.non_residential > 0
               OR agg.home_area > {max_area} * hit.household_size)
        """,
        subject=("enrollment_id",),
        evidence=("id_number", "certificate_no", "usage", "area_m2", "household_size"),
        info=("name", "homes", "home_area", "non_residential"),
        description="住房超过规定套数、人均住房面积超过上限，或拥有非住宅类房产",
        source="社会救助暂行办法 第九条；各地低保财产认定办法（示例）",
        params=("crosscheck.property.max_homes", "crosscheck.property.max_area_per_capita",
                "crosscheck.property.home_usages", "crosscheck.property.ignored_usages"),
    ),
    Rule(
        "business", "开办企业或经营较大个体工商户", 1, REVIEW,
        """
        SELECT r.township_code, r.village_code, r.household_id, r.enrollment_id, r.programme, r.person_id,
               r.id_number, r.name, b.entity_name, b.entity_type, COALESCE(b.role, '') AS role,
               CAST(b.registered_capital AS DECIMAL(16,2)) AS registered_capital
        FROM mt r JOIN dept_business b ON b.id_number = r.id_number
        WHERE COALESCE(b.status, '') NOT IN ('注销', '已注销', '吊销', '已吊销')
          AND NOT (b.entity_type = '个体工商户' AND b.registered_capital IS NOT NULL
                   AND b.registered_capital <= {small_capital})
        """,
        subject=("enrollment_id",),
        evidence=("id_number", "entity_name", "entity_type", "role", "registered_capital"),
        info=("name",),
        description="家庭成员开办企业或经营资金数额较大的个体工商户",
        source="各地低保财产认定办法（示例）",
        params=("crosscheck.business.small_capital",),
    ),
    Rule(
        "pension", "领取养老金等社保待遇未如实申报", 1, REVIEW,
        """
        WITH members AS (
          SELECT township_code, village_code, household_id, enrollment_id, programme, person_id,
                 id_number, name, household_size, household_income, declared_pension
          FROM mt
        ), paid AS (
          SELECT m.*, s.insurance_type, CAST(s.monthly_amount AS DECIMAL(14,2)) AS pension_amount
          FROM members m JOIN dept_social_insurance s ON s.id_number = m.id_number
          LEFT JOIN p_pension_excluded x ON x.insurance_type = s.insurance_type
          WHERE x.insurance_type IS NULL
        ), agg AS (
          SELECT enrollment_id, SUM(pension_amount) AS dept_pension FROM paid GROUP BY enrollment_id
        )
        SELECT paid.township_code, paid.village_code, paid.household_id, paid.enrollment_id, paid.programme,
               paid.person_id, paid.id_number, paid.name, paid.insurance_type, paid.pension_amount,
               paid.household_size, CAST(paid.household_income AS DECIMAL(14,2)) AS household_income,
               CAST(paid.declared_pension AS DECIMAL(14,2)) AS declared_pension,
               CAST(agg.dept_pension AS DECIMAL(14,2)) AS dept_pension
        FROM paid JOIN agg ON agg.enrollment_id = paid.enrollment_id
        WHERE agg.dept_pension > COALESCE(paid.declared_pension, 0) + {pension_tolerance}
        """,
        subject=("enrollment_id",),
        evidence=("id_number", "insurance_type", "pension_amount", "household_size", "household_income",
                  "declared_pension"),
        info=("name", "dept_pension"),
        description="部门数据显示领取养老金、失业金等，应计入家庭收入重新计算人均收入",
        source="社会救助暂行办法 第九条、第十一条；收入计算口径见 policy-rules §1.7",
        params=("crosscheck.pension.excluded_types", "crosscheck.pension.tolerance"),
    ),
    Rule(
        "duplicate", "重复享受待遇", 1, STOP,
        """
        WITH multi AS (
          -- only people with more than one snapshot row can be duplicates (recipient_ids counts the rows)
          SELECT id_number FROM recipient_ids WHERE n_rows > 1
        ), bm AS (
          SELECT r.township_code, r.village_code, r.household_id, r.enrollment_id, r.programme, r.person_id,
                 r.id_number, r.name, p.grp
          FROM recipients r JOIN multi ON multi.id_number = r.id_number
          JOIN p_programmes p ON p.programme = r.programme
          WHERE p.grp IN ('dibao', 'tekun')
        ), agg AS (
          SELECT id_number, COUNT(DISTINCT household_id) AS n_households,
                 COUNT(DISTINCT township_code) AS n_townships,
                 COUNT(DISTINCT CASE WHEN grp = 'dibao' THEN programme END) AS n_dibao,
                 COUNT(DISTINCT CASE WHEN grp = 'tekun' THEN programme END) AS n_tekun
          FROM bm GROUP BY id_number
        ), routes AS (
          SELECT DISTINCT bm.id_number, bm.township_code AS route_township FROM bm
        )
        SELECT routes.route_township AS township_code, bm.village_code, bm.household_id, bm.enrollment_id,
               bm.programme, bm.person_id, bm.id_number, bm.name, bm.township_code AS enrolled_township,
               agg.n_households, agg.n_townships, agg.n_dibao, agg.n_tekun
        FROM agg JOIN bm ON bm.id_number = agg.id_number
        JOIN routes ON routes.id_number = agg.id_number
        WHERE agg.n_households > 1 OR agg.n_townships > 1 OR agg.n_dibao > 1 OR agg.n_tekun > 1
           OR (agg.n_dibao > 0 AND agg.n_tekun > 0)
        """,
        subject=("id_number",),
        evidence=("enrolled_township", "household_id", "enrollment_id", "programme"),
        info=("name", "n_households", "n_townships", "n_dibao", "n_tekun"),
        description="同一人在两个家庭、两个乡镇同时享受，或同时享受低保和特困供养",
        source="社会救助暂行办法 第十四条（特困与低保不重复）；重复领取按第六十八条处理",
        params=("crosscheck.means_tested_programmes",),
    ),
    Rule(
        "kinship", "工作人员近亲属未备案", 1, REVIEW,
        """
        SELECT r.township_code, r.village_code, r.household_id, r.enrollment_id, r.programme, r.person_id,
               r.id_number, r.name, k.staff_name, COALESCE(k.staff_unit, '') AS staff_unit,
               COALESCE(k.relation, '') AS relation
        FROM mt r JOIN dept_staff_relatives k ON k.id_number = r.id_number
        LEFT JOIN (SELECT DISTINCT household_id FROM kinship_filed) fh ON fh.household_id = r.household_id
        LEFT JOIN (SELECT DISTINCT id_number FROM kinship_filed) fp ON fp.id_number = r.id_number
        WHERE k.filed_on IS NULL AND fh.household_id IS NULL AND fp.id_number IS NULL
        """,
        subject=("enrollment_id",),
        evidence=("id_number", "staff_name", "staff_unit", "relation"),
        info=("name",),
        description="救助对象是民政经办人员或村(居)委会成员的近亲属，但没有登记近亲属备案",
        source="最低生活保障审核确认办法（民发〔2021〕57号）近亲属备案；policy-rules §1.5",
        params=(),
    ),
    Rule(
        "gaoling_band", "高龄津贴低于年龄段标准", 1, REVIEW,
        """
        SELECT r.township_code, r.village_code, r.household_id, r.enrollment_id, r.programme, r.person_id,
               r.id_number, r.name, r.age, r.monthly_amount, b.age_from, b.age_to, b.band_amount
        FROM recipients r JOIN p_gaoling_bands b
          ON r.age >= b.age_from AND (b.age_to IS NULL OR r.age <= b.age_to)
        WHERE r.programme = 'gaoling' AND r.is_direct AND r.monthly_amount < b.band_amount
        """,
        subject=("enrollment_id",),
        evidence=("monthly_amount", "age_from", "age_to", "band_amount"),
        info=("name", "age"),
        description="按身份证出生日期计算的年龄已进入更高年龄段，发放标准未相应调整",
        source="老年人权益保障法 第三十三条；福建年龄段标准待补（GAP，演示值）",
        params=("payments.gaoling.bands",),
    ),
    Rule(
        "prisoner", "在押服刑人员", 1, REVIEW,
        """
        SELECT r.township_code, r.village_code, r.household_id, r.enrollment_id, r.programme, r.person_id,
               r.id_number, r.name, r.is_direct, COALESCE(p.facility, '') AS facility, p.sentence_start,
               p.sentence_end
        FROM mt r JOIN dept_prisoner p ON p.id_number = r.id_number
        WHERE p.sentence_start <= {as_of} AND (p.sentence_end IS NULL OR p.sentence_end >= {as_of})
        """,
        subject=("enrollment_id", "id_number"),
        evidence=("facility", "sentence_start", "sentence_end"),
        info=("name", "is_direct"),
        description="服刑期间特困人员终止供养；低保家庭中服刑成员不计入保障人数",
        source="特困人员认定办法（2021）终止情形；policy-rules §2.5",
        params=(),
    ),
    Rule(
        "housing_fund", "正常缴存住房公积金", 1, REVIEW,
        """
        SELECT r.township_code, r.village_code, r.household_id, r.enrollment_id, r.programme, r.person_id,
               r.id_number, r.name, h.employer, CAST(h.monthly_deposit AS DECIMAL(14,2)) AS monthly_deposit
        FROM mt r JOIN dept_housing_fund h ON h.id_number = r.id_number
        WHERE COALESCE(h.status, '') NOT IN ('封存', '已封存', '销户', '已销户')
        """,
        subject=("enrollment_id",),
        evidence=("id_number", "employer", "monthly_deposit"),
        info=("name",),
        description="家庭成员正常缴存住房公积金，说明有工资性收入，应核实是否如实申报",
        source="社会救助暂行办法 第五十八条（公积金核对）",
        params=(),
    ),
]


def _name_mismatch_sql() -> str:
    parts = [f"SELECT '{k}' AS dataset_kind, id_number, name AS dept_name FROM dept_{k}" for k in schemas.SCHEMAS]
    union = "\n          UNION ALL ".join(parts)
    # Variant middle dots in minority names (· • ・ ．) are the same name.
    norm = "REPLACE(REPLACE(REPLACE(TRIM({c}), '•', '·'), '・', '·'), '．', '·')"
    return f"""
        WITH dept AS (
          {union}
        ), people AS (
          SELECT DISTINCT township_code, village_code, household_id, person_id, id_number, name FROM matched
        )
        SELECT p.township_code, p.village_code, p.household_id, p.person_id, p.id_number, p.name,
               d.dataset_kind, TRIM(d.dept_name) AS dept_name
        FROM people p JOIN dept d ON d.id_number = p.id_number
        WHERE d.dept_name IS NOT NULL AND TRIM(d.dept_name) <> ''
          AND {norm.format(c='d.dept_name')} <> {norm.format(c='p.name')}
        """


RULES.append(Rule(
    "name_mismatch", "身份证号相同但姓名不一致", 1, DATA, _name_mismatch_sql(),
    subject=("id_number",),
    evidence=("dataset_kind", "dept_name", "name"),
    description="有效身份证号在部门数据中的姓名与登记姓名不同：数据质量问题，需核对更正，不作为取消资格的依据",
    source="tech-notes §5：姓名相似度只能作辅助信号，不能自动取消资格",
))

RULES_BY_CODE: dict[str, Rule] = {r.code: r for r in RULES}
