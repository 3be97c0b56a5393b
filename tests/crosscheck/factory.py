"""Put a generated population (crosscheck.synth) into the real registry tables, and its department data into files.

The mapping from generated ids to database ids lets tests state what each rule must find in database terms.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import xlsxwriter

from minzheng.crosscheck import schemas, synth
from minzheng.regions.models import Division
from minzheng.registry.models import (
    Enrollment,
    Household,
    Income,
    IncomeCategory,
    Person,
    Programme,
    Relation,
    Sex,
)

TOWNSHIP_NAMES = ["梅山街道", "夏道镇", "水南街道"]


@dataclass
class World:
    data: synth.Synth
    townships: dict[str, Division]               # generated code → real township
    households: dict[int, Household] = field(default_factory=dict)
    enrollments: dict[int, Enrollment] = field(default_factory=dict)
    persons: dict[str, Person] = field(default_factory=dict)   # by id_number

    def expected(self) -> set[tuple[str, str, tuple[Any, ...]]]:
        """synth.expected in database terms (real township codes and enrollment ids)."""
        out = set()
        for rule, township, subject in self.data.expected:
            real = self.townships[township].code
            mapped = tuple(self.enrollments[v].pk if isinstance(v, int) and v in self.enrollments else v
                           for v in subject)
            out.add((rule, real, mapped))
        return out


def build(seed: int = 1, households: int = 40, *, clean: bool = False) -> World:
    data = synth.generate(seed, households, clean=clean)
    real = [Division.objects.get(name=n) for n in TOWNSHIP_NAMES]
    townships = dict(zip(synth.TOWNSHIPS, real, strict=True))
    villages = {t.pk: Division.objects.filter(parent=t).order_by("code").first() for t in real}
    progs = {p.code: p for p in Programme.objects.all()}
    w = World(data, townships)
    rows = data.recipients.to_pylist()
    # A person's birth date: the 高龄 row wins (the generator ages one 高龄 recipient there).
    births: dict[str, dt.date] = {}
    for r in sorted(rows, key=lambda r: r["programme"] == "gaoling"):
        births[r["id_number"]] = r["birth_date"]
    home: dict[str, int] = {}
    for r in rows:
        if not r["is_direct"] or r["programme"] != "tekun_dispersed" or r["household_id"] < 9000:
            home.setdefault(r["id_number"], r["household_id"])
    for r in rows:
        home.setdefault(r["id_number"], r["household_id"])

    def household(hid: int, township_code: str, income: Decimal) -> Household:
        if hid not in w.households:
            t = townships[township_code]
            h = Household.objects.create(division=villages[t.pk], hukou_type="rural")
            if income:
                Income.objects.create(household=h, category=IncomeCategory.WAGE, monthly_amount=income,
                                      period_start=dt.date(2024, 1, 1))
            w.households[hid] = h
        return w.households[hid]

    for r in rows:
        if r["id_number"] in w.persons or home[r["id_number"]] != r["household_id"]:
            continue
        h = household(r["household_id"], r["township_code"], r["household_income"])
        idn = r["id_number"]
        w.persons[idn] = Person.objects.create(
            household=h, name=r["name"], id_number=idn, birth_date=births[idn],
            sex=Sex.MALE if int(idn[16]) % 2 else Sex.FEMALE, relation=Relation.OTHER)
    for r in rows:
        if r["enrollment_id"] in w.enrollments:
            continue
        h = household(r["household_id"], r["township_code"], Decimal("0"))
        w.enrollments[r["enrollment_id"]] = Enrollment.objects.create(
            programme=progs[r["programme"]], household=h, person=w.persons[r["id_number"]] if r["is_direct"] else None,
            monthly_amount=r["monthly_amount"], covered_persons=r["covered_persons"], start_month=r["start_month"],
            source="test")
    return w


def _cell(v: Any) -> Any:
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    return "" if v is None else v


def write_files(w: World, folder: Path) -> dict[str, Path]:
    """Each department table as a file a department would send: CSV with Chinese headers, one XLSX with a title
    row above the header, one Parquet."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for kind, table in w.data.departments.items():
        schema = schemas.SCHEMAS[kind]
        headers = [c.label for c in schema.columns]
        recs = table.to_pylist()
        if kind == "vehicle":
            path = folder / f"{kind}.xlsx"
            wb = xlsxwriter.Workbook(str(path))
            ws = wb.add_worksheet("车辆登记")
            ws.write_string(0, 0, "机动车登记信息（比对用）")
            for c, h in enumerate(headers):
                ws.write_string(1, c, h)
            for r, rec in enumerate(recs, start=2):
                for c, col in enumerate(schema.columns):
                    v = _cell(rec[col.name])
                    if v != "":
                        ws.write_string(r, c, str(v))
            wb.add_worksheet("说明").write_string(0, 0, "本表由公安交管部门提供")
            wb.close()
        elif kind == "housing_fund":
            path = folder / f"{kind}.parquet"
            pq.write_table(pa.Table.from_pylist(recs, schema=schema.arrow_schema), str(path))
        else:
            path = folder / f"{kind}.csv"
            with path.open("w", newline="", encoding="utf-8-sig") as f:
                wr = csv.writer(f)
                wr.writerow(headers)
                for rec in recs:
                    wr.writerow([_cell(rec[c.name]) for c in schema.columns])
        out[kind] = path
    return out
