"""Small generated populations with planted cases, for tests and engine comparisons (no Django).

`generate(seed, households)` returns a recipients table, department tables and the 疑点 each rule must raise,
as (rule, township_code, subject) keys. `clean=True` keeps the same population and department tables whose rows
either match nobody or are exempt (a disability vehicle, a cheap tractor, a filed relative …), so nothing may fire.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pyarrow as pa

from minzheng.core import dates
from minzheng.registry.idnumber import check_char

from . import schemas

# The 低保 programmes the generator enrols families in (single persons get 特困, the over-80s 高龄津贴).
DIBAO = ("dibao_rural", "dibao_urban")
TOWNSHIPS = ["350702001000", "350702002000", "350702100000"]
SURNAMES = "陈林黄张李王吴刘蔡杨郑许谢郭洪邱曾廖赖徐周叶苏庄"
GIVEN = "志明秀英国华建平美玲文辉春梅金水丽娟德福玉兰建国淑贞荣发"


def make_id(rng: random.Random, birth: dt.date, used: set[str]) -> str:
    while True:
        first17 = f"350702{birth:%Y%m%d}{rng.randint(0, 999):03d}"
        n = first17 + check_char(first17)
        if n not in used:
            used.add(n)
            return n


def make_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


@dataclass
class Synth:
    as_of: dt.date
    recipients: pa.Table
    departments: dict[str, pa.Table]
    kinship_filed: pa.Table
    expected: set[tuple[str, str, tuple[Any, ...]]] = field(default_factory=set)



def generate(seed: int = 1, households: int = 60, *, clean: bool = False,
             as_of: dt.date = dt.date(2024, 6, 15)) -> Synth:
    rng = random.Random(seed)
    used: set[str] = set()
    rows: list[dict[str, Any]] = []
    enrollment_id = 1000
    person_id = 1
    members_by_household: dict[int, list[dict[str, Any]]] = {}
    for h in range(1, max(households, 40) + 1):
        township = TOWNSHIPS[h % len(TOWNSHIPS)]
        village = township[:9] + f"{200 + h % 5:03d}"
        size = 1 if h % 4 == 0 else rng.randint(2, 4)
        people = []
        for m in range(size):
            if m == 0 and h % 6 == 1:
                birth = as_of.replace(year=as_of.year - 85) - dt.timedelta(days=rng.randint(1, 300))
            else:
                birth = dt.date(rng.randint(1950, 2015), rng.randint(1, 12), rng.randint(1, 28))
            people.append({"person_id": person_id, "id_number": make_id(rng, birth, used), "name": make_name(rng),
                           "birth_date": birth, "age": dates.age_on(birth, as_of), "household_id": h,
                           "township_code": township, "village_code": village})
            person_id += 1
        members_by_household[h] = people
        income = Decimal(rng.randint(0, 800))
        common = {"household_size": size, "household_income": income, "declared_pension": Decimal("0")}
        if size == 1:
            enrollment_id += 1
            p = people[0]
            rows.append({**p, **common, "enrollment_id": enrollment_id, "programme": "tekun_dispersed",
                         "monthly_amount": Decimal("900"), "covered_persons": 1,
                         "start_month": dt.date(2022, 1, 1), "is_direct": True})
        else:
            enrollment_id += 1
            prog = DIBAO[0] if village[9] == "2" else DIBAO[1]
            for p in people:
                rows.append({**p, **common, "enrollment_id": enrollment_id, "programme": prog,
                             "monthly_amount": Decimal(300 * size), "covered_persons": size,
                             "start_month": dt.date(2023, 3, 1), "is_direct": False})
        for p in people:
            if p["age"] >= 80:
                enrollment_id += 1
                band = Decimal("100") if p["age"] < 90 else Decimal("200") if p["age"] < 100 else Decimal("500")
                rows.append({**p, **common, "enrollment_id": enrollment_id, "programme": "gaoling",
                             "monthly_amount": band, "covered_persons": 1, "start_month": dt.date(2020, 1, 1),
                             "is_direct": True})

    dept: dict[str, list[dict[str, Any]]] = {k: [] for k, s in schemas.SCHEMAS.items() if not s.records_facts}
    kin_filed: list[dict[str, Any]] = []
    expected: set[tuple[str, str, tuple[Any, ...]]] = set()
    by_prog = {}
    for r in rows:
        by_prog.setdefault(r["programme"], []).append(r)
    dibao = [r for r in rows if r["programme"] in DIBAO]
    tekun = by_prog.get("tekun_dispersed", [])
    pick_pool = list(dibao)
    rng.shuffle(pick_pool)
    taken: set[int] = set()

    def pick(pool: list[dict[str, Any]]) -> dict[str, Any]:
        for r in pool:
            if r["household_id"] not in taken:
                taken.add(r["household_id"])
                return r
        raise RuntimeError("population too small for the planted cases")

    def outsider(birth_year: int = 1970) -> tuple[str, str]:
        return make_id(rng, dt.date(birth_year, 5, 5), used), make_name(rng)

    def expect(rule: str, r: dict[str, Any], *subject: Any) -> None:
        if not clean:
            expected.add((rule, r["township_code"], subject))

    def row(r: dict[str, Any], **kw: Any) -> dict[str, Any]:
        return {"id_number": r["id_number"], "name": r["name"], **kw}

    # Noise every dataset has: people who are not recipients at all.
    for kind in dept:
        for _ in range(5):
            i, n = outsider()
            filler = {"date": dt.date(2024, 1, 1), "decimal": Decimal("100"), "text": "某单位", "int": 1}
            dept[kind].append({"id_number": i, "name": n, **{
                c.name: filler[c.type] for c in schemas.SCHEMAS[kind].columns[2:] if c.required}})

    # 死亡: a 特困 person (direct) and a member of a 低保 household.
    t1 = pick(rng.sample(tekun, len(tekun)))
    d1 = pick(pick_pool)
    if not clean:
        dept["death"].append(row(t1, death_date=dt.date(2024, 2, 10), source="殡葬"))
        dept["death"].append(row(d1, death_date=dt.date(2023, 12, 31), source="公安"))
        for dead in (t1, d1):  # every benefit the person draws (a 低保 member may also draw 高龄津贴)
            for r in rows:
                if r["id_number"] == dead["id_number"]:
                    expect("death", r, r["enrollment_id"], r["id_number"])

    # 财政供养
    p1 = pick(pick_pool)
    dept["public_employee"].append(row(p1, employer="某镇人民政府", position="科员", monthly_salary=Decimal("5200"))
                                   if not clean else {**row(p1), "id_number": outsider()[0], "employer": "某局"})
    expect("public_employee", p1, p1["enrollment_id"])

    # 车辆: a car flags; a disability vehicle, a cheap tractor and a scrapped car do not.
    v1, v2, v3, v4 = pick(pick_pool), pick(pick_pool), pick(pick_pool), pick(pick_pool)
    if not clean:
        dept["vehicle"].append(row(v1, plate_no="闽H12345", vehicle_type="小型轿车", value=Decimal("68000")))
        dept["vehicle"].append(row(v4, plate_no="闽H7T001", vehicle_type="拖拉机", value=Decimal("52000")))
        expect("vehicle", v1, v1["enrollment_id"])
        expect("vehicle", v4, v4["enrollment_id"])
    dept["vehicle"].append(row(v2, plate_no="闽H0C001", vehicle_type="残疾人机动轮椅车", value=Decimal("9000")))
    dept["vehicle"].append(row(v3, plate_no="闽H7T002", vehicle_type="拖拉机", value=Decimal("8000")))
    dept["vehicle"].append(row(v1 if clean else v2, plate_no="闽H99999", vehicle_type="小型轿车", value=None,
                               status="报废"))

    # 不动产: two homes flag; a shop flags; one home and a parking space do not.
    h1, h2, h3 = pick(pick_pool), pick(pick_pool), pick(pick_pool)
    if not clean:
        dept["property"].append(row(h1, certificate_no="闽(2019)延平区不动产权第001号", usage="住宅",
                                    area_m2=Decimal("60")))
        dept["property"].append(row(h1, certificate_no="闽(2021)延平区不动产权第002号", usage="住宅",
                                    area_m2=Decimal("45")))
        dept["property"].append(row(h2, certificate_no="闽(2020)延平区不动产权第003号", usage="商业",
                                    area_m2=Decimal("30")))
        expect("property", h1, h1["enrollment_id"])
        expect("property", h2, h2["enrollment_id"])
    dept["property"].append(row(h3, certificate_no="闽(2018)延平区不动产权第004号", usage="住宅",
                                area_m2=Decimal("50")))
    dept["property"].append(row(h3, certificate_no="闽(2018)延平区不动产权第005号", usage="车位",
                                area_m2=Decimal("12")))

    # 工商: a company flags; a small shop and a cancelled company do not.
    b1, b2 = pick(pick_pool), pick(pick_pool)
    if not clean:
        dept["business"].append(row(b1, entity_name="南平某贸易有限公司", entity_type="有限责任公司",
                                    role="法定代表人", registered_capital=Decimal("500000"), status="存续"))
        expect("business", b1, b1["enrollment_id"])
    dept["business"].append(row(b2, entity_name="某某小吃店", entity_type="个体工商户", role="经营者",
                                registered_capital=Decimal("20000"), status="存续"))
    dept["business"].append(row(b2, entity_name="某某建材有限公司", entity_type="有限责任公司", role="股东",
                                registered_capital=Decimal("1000000"), status="注销"))

    # 社保: an undeclared pension flags; the basic pension (excluded) does not.
    s1, s2 = pick(pick_pool), pick(pick_pool)
    if not clean:
        dept["social_insurance"].append(row(s1, insurance_type="城镇职工基本养老保险", monthly_amount=Decimal("1850")))
        expect("pension", s1, s1["enrollment_id"])
    dept["social_insurance"].append(row(s2, insurance_type="城乡居民基本养老保险基础养老金",
                                        monthly_amount=Decimal("150")))

    # 重复享受: a 低保 member also paid 特困 in another household and township.
    if not clean:
        dup = pick(pick_pool)
        other = next(t for t in TOWNSHIPS if t != dup["township_code"])
        enrollment_id += 1
        fake_household = 9000 + dup["household_id"]
        rows.append({**dup, "enrollment_id": enrollment_id, "programme": "tekun_dispersed", "is_direct": True,
                     "household_id": fake_household, "township_code": other, "village_code": other[:9] + "201",
                     "monthly_amount": Decimal("900"), "covered_persons": 1, "household_size": 1})
        expected.add(("duplicate", dup["township_code"], (dup["id_number"],)))
        expected.add(("duplicate", other, (dup["id_number"],)))

    # 近亲属: an unfiled relative flags; relatives filed in the register or in the dataset do not.
    k1, k2, k3 = pick(pick_pool), pick(pick_pool), pick(pick_pool)
    if not clean:
        dept["staff_relatives"].append(row(k1, staff_name="王某", staff_unit="某镇民政办", relation="子女"))
        expect("kinship", k1, k1["enrollment_id"])
    dept["staff_relatives"].append(row(k2, staff_name="李某", staff_unit="某村委会", relation="配偶"))
    kin_filed.append({"household_id": k2["household_id"], "id_number": k2["id_number"]})
    dept["staff_relatives"].append(row(k3, staff_name="张某", staff_unit="区民政局", relation="兄弟姐妹",
                                       filed_on=dt.date(2023, 3, 1)))

    # 高龄: someone who turned 90 is still paid the 80–89 amount.
    old = [r for r in by_prog.get("gaoling", []) if r["household_id"] not in taken]
    if old and not clean:
        g = old[0]
        taken.add(g["household_id"])
        born = as_of.replace(year=as_of.year - 91)
        g["birth_date"], g["age"] = born, 91
        expect("gaoling_band", g, g["enrollment_id"])

    # 服刑: serving now flags; released before the check does not.
    j1, j2 = pick(pick_pool), pick(pick_pool)
    if not clean:
        dept["prisoner"].append(row(j1, facility="福建省某监狱", sentence_start=dt.date(2023, 5, 1),
                                    sentence_end=dt.date(2026, 4, 30)))
        expect("prisoner", j1, j1["enrollment_id"], j1["id_number"])
    dept["prisoner"].append(row(j2, facility="福建省某监狱", sentence_start=dt.date(2020, 1, 1),
                                sentence_end=dt.date(2022, 12, 31)))

    # 公积金: normal deposits flag; a sealed account does not.
    f1, f2 = pick(pick_pool), pick(pick_pool)
    if not clean:
        dept["housing_fund"].append(row(f1, employer="南平某制造有限公司", monthly_deposit=Decimal("420"),
                                        status="正常"))
        expect("housing_fund", f1, f1["enrollment_id"])
    dept["housing_fund"].append(row(f2, employer="某公司", monthly_deposit=Decimal("300"), status="封存"))

    # 姓名不一致: a different name flags; a middle-dot variant of the same name does not.
    n1 = pick(pick_pool)
    if not clean:
        dept["vehicle"].append(row(n1, plate_no="闽H0C777", vehicle_type="残疾人机动轮椅车", value=Decimal("5000"))
                               | {"name": n1["name"] + "某"})
        expected.add(("name_mismatch", n1["township_code"], (n1["id_number"],)))
    n2 = pick(pick_pool)
    n2["name"] = "阿依古丽·买买提"
    for r in rows:
        if r["person_id"] == n2["person_id"]:
            r["name"] = n2["name"]
    dept["housing_fund"].append(row(n2, employer="某公司", monthly_deposit=Decimal("300"), status="封存")
                                | {"name": "阿依古丽•买买提"})

    recipients = pa.Table.from_pylist(
        [{f.name: r.get(f.name) for f in schemas.RECIPIENTS_SCHEMA} for r in rows], schema=schemas.RECIPIENTS_SCHEMA)
    departments = {
        kind: pa.Table.from_pylist([{c.name: r.get(c.name) for c in schemas.SCHEMAS[kind].columns} for r in recs],
                                   schema=schemas.SCHEMAS[kind].arrow_schema)
        for kind, recs in dept.items()}
    kin = pa.Table.from_pylist(kin_filed, schema=schemas.KINSHIP_FILED_SCHEMA)
    return Synth(as_of, recipients, departments, kin, expected)
