"""Demo: department files with planted cases over the demo population, loaded the way the bureau would load them,
then one 核对 run, so the demo shows 疑点 in several townships (and a township that has already worked two of them).

Deterministic (seeded) and idempotent: a second `minzheng demo` finds the demo datasets and adds nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

import pyarrow as pa
import pyarrow.parquet as pq
import xlsxwriter
from django.conf import settings

from minzheng.core import dates
from minzheng.registry.idnumber import check_char
from minzheng.registry.models import Programme, ProgrammeFamily

from . import schemas, services, snapshot
from .models import Dataset, Finding, FindingStatus

NOTE = "演示数据"


def _fake_id(rng: random.Random, used: set[str]) -> str:
    while True:
        birth = dt.date(rng.randint(1955, 2000), rng.randint(1, 12), rng.randint(1, 28))
        first17 = f"350702{birth:%Y%m%d}{rng.randint(0, 999):03d}"
        n = first17 + check_char(first17)
        if n not in used:
            used.add(n)
            return n


def _cell(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, Decimal | dt.date):
        return str(v)
    return v


def _write(kind: str, rows: list[dict[str, Any]], folder: Path, fmt: str) -> Path:
    schema = schemas.SCHEMAS[kind]
    headers = [c.label for c in schema.columns]
    path = folder / f"{schema.label.replace('/', '_')}.{fmt}"
    if fmt == "xlsx":
        wb = xlsxwriter.Workbook(str(path))
        ws = wb.add_worksheet(schema.label.replace("/", "_")[:31])
        ws.write_string(0, 0, f"{schema.department}：{schema.label}（信息核对用，{dates.today():%Y年%m月}）")
        for c, h in enumerate(headers):
            ws.write_string(1, c, h)
        for r, rec in enumerate(rows, start=2):
            for c, col in enumerate(schema.columns):
                v = _cell(rec.get(col.name))
                if v != "":
                    ws.write_string(r, c, str(v))
        wb.close()
    elif fmt == "parquet":
        pq.write_table(pa.Table.from_pylist([{c.name: rec.get(c.name) for c in schema.columns} for rec in rows],
                                            schema=schema.arrow_schema), str(path))
    else:
        # Several departments still export GBK CSV; the loader reads both.
        with path.open("w", newline="", encoding="gb18030" if kind == "vehicle" else "utf-8-sig") as f:
            w = csv.writer(f)
            w.writerow(headers)
            for rec in rows:
                w.writerow([_cell(rec.get(c.name)) for c in schema.columns])
    return path


def load(out: TextIO, *, scale: float) -> None:
    if Dataset.objects.filter(note=NOTE).exists():
        out.write("信息核对演示数据已存在，跳过\n")
        return
    today = dates.today()
    people = snapshot.recipients(today).to_pylist()
    if len(people) < 50:
        out.write("信息核对演示：在保对象太少（请先加载登记演示数据），跳过\n")
        return
    rng = random.Random(20240615)
    people.sort(key=lambda r: (r["enrollment_id"], r["person_id"]))
    family = dict(Programme.objects.values_list("code", "family"))
    means = [r for r in people if family.get(r["programme"]) in (ProgrammeFamily.DIBAO, ProgrammeFamily.TEKUN)]
    dibao = [r for r in means if family.get(r["programme"]) == ProgrammeFamily.DIBAO]
    used = {r["id_number"] for r in people}
    taken: set[int] = set()

    def pick(pool: list[dict[str, Any]], n: int) -> list[dict[str, Any]]:
        chosen = []
        for r in rng.sample(pool, min(len(pool), n * 4)):
            if r["household_id"] not in taken and len(chosen) < n:
                taken.add(r["household_id"])
                chosen.append(r)
        return chosen

    def me(r: dict[str, Any], **kw: Any) -> dict[str, Any]:
        return {"id_number": r["id_number"], "name": r["name"], **kw}

    noise_n = max(20, int(400 * scale))
    data: dict[str, list[dict[str, Any]]] = {k: [] for k, s in schemas.SCHEMAS.items() if not s.records_facts}
    from .synth import make_name

    for kind, recs in data.items():
        for _ in range(noise_n):
            filler = {"date": dt.date(2023, 1, 1) + dt.timedelta(days=rng.randint(0, 500)),
                      "decimal": Decimal(rng.randint(100, 5000)), "text": "某单位", "int": 1}
            recs.append({"id_number": _fake_id(rng, used), "name": make_name(rng), **{
                c.name: filler[c.type] for c in schemas.SCHEMAS[kind].columns[2:] if c.required}})
    month_start = today.replace(day=1)
    for r in pick(means, 8):
        data["death"].append(me(r, death_date=month_start - dt.timedelta(days=rng.randint(20, 200)),
                                source=rng.choice(["公安", "殡葬", "卫健"])))
    for r in pick(dibao, 3):
        data["public_employee"].append(me(r, employer=rng.choice(["延平区某局", "某镇人民政府", "某中学"]),
                                          position="工作人员", monthly_salary=Decimal(rng.randint(4500, 7000))))
    for r in pick(dibao, 4):
        data["vehicle"].append(me(r, plate_no=f"闽H{rng.randint(10000, 99999)}", vehicle_type="小型轿车",
                                  value=Decimal(rng.randint(40000, 150000))))
    for r in pick(dibao, 2):
        data["vehicle"].append(me(r, plate_no=f"闽H{rng.randint(10000, 99999)}", vehicle_type="残疾人机动轮椅车",
                                  value=Decimal("6000")))
    for r in pick(dibao, 2):
        data["vehicle"].append(me(r, plate_no=f"闽H{rng.randint(10000, 99999)}", vehicle_type="拖拉机",
                                  value=Decimal("9000")))
    for i, r in enumerate(pick(dibao, 4)):
        data["property"].append(me(r, certificate_no=f"闽(2019)延平区不动产权第{1000 + i * 2}号", usage="住宅",
                                   area_m2=Decimal("75"), address="延平区某小区"))
        data["property"].append(me(r, certificate_no=f"闽(2021)延平区不动产权第{1001 + i * 2}号",
                                   usage="商业" if i == 3 else "住宅", area_m2=Decimal("60"), address="延平区某街"))
    for r in pick(dibao, 3):
        data["business"].append(me(r, entity_name=f"南平市延平区{make_name(rng)}贸易有限公司",
                                   entity_type="有限责任公司", role="法定代表人",
                                   registered_capital=Decimal("500000"), status="存续"))
    for r in pick(dibao, 2):
        data["business"].append(me(r, entity_name="某某小吃店", entity_type="个体工商户", role="经营者",
                                   registered_capital=Decimal("20000"), status="存续"))
    for r in pick(dibao, 5):
        data["social_insurance"].append(me(r, insurance_type="城镇职工基本养老保险",
                                           monthly_amount=Decimal(rng.randint(1500, 2800)), paid_month=f"{today:%Y-%m}"))
    for r in pick(means, 3):
        data["social_insurance"].append(me(r, insurance_type="城乡居民基本养老保险基础养老金",
                                           monthly_amount=Decimal("150"), paid_month=f"{today:%Y-%m}"))
    for r in pick(means, 2):
        data["prisoner"].append(me(r, facility="福建省某监狱", sentence_start=today - dt.timedelta(days=300),
                                   sentence_end=today + dt.timedelta(days=700)))
    for r in pick(dibao, 3):
        data["housing_fund"].append(me(r, employer="南平市某制造有限公司", monthly_deposit=Decimal(rng.randint(200, 600)),
                                       status="正常"))
    for r in pick(dibao, 3):
        data["staff_relatives"].append(me(r, staff_name=make_name(rng), staff_unit="某村民委员会委员",
                                          relation=rng.choice(["配偶", "子女", "兄弟姐妹"])))
    for r in pick(means, 3):  # a name typed differently by the department
        data["housing_fund"].append(me(r, employer="某公司", monthly_deposit=Decimal("300"), status="封存")
                                    | {"name": r["name"][:-1] + "某"})
    folder = Path(settings.HOME) / "crosscheck" / "demo_input"
    folder.mkdir(parents=True, exist_ok=True)
    formats = {"public_employee": "xlsx", "property": "xlsx", "staff_relatives": "xlsx", "social_insurance": "parquet"}
    for kind, recs in data.items():
        path = _write(kind, recs, folder, formats.get(kind, "csv"))
        res = services.load_dataset(kind=kind, path=path, as_of=today, note=NOTE)
        if not res.ok:
            raise RuntimeError(f"演示数据 {kind} 加载失败：{[str(e) for e in res.parsed.errors[:5]]}")
    run = services.start_run(as_of=today, background=False)
    out.write(f"信息核对演示：加载部门数据 {len(data)} 类，核对 {run.recipients} 行，发现疑点 {run.new_findings} 条\n")
    _work_two(out)


def _work_two(out: TextIO) -> None:
    """A township officer has already handled two 疑点, so the list shows every status."""
    from minzheng.accounts.models import User

    officer = User.objects.filter(role="township_officer", is_demo=True, division__isnull=False).order_by("id").first()
    if officer is None:
        return
    mine = services.findings_for(officer, status=FindingStatus.OPEN).order_by("id")
    f = mine.filter(rule_code="vehicle").first()
    if f is not None:
        services.record_outcome(f, actor=officer, status=FindingStatus.CLEARED,
                                note="入户核实：车辆已于去年过户给他人，部门数据未及时更新")
    f = mine.filter(rule_code="death").first()
    if f is not None:
        services.record_outcome(f, actor=officer, status=FindingStatus.CONFIRMED, action="recovered",
                                note="已核实死亡，自次月起停发并追回", recovered_amount=Decimal(
                                    str(f.computed.get("overpaid") or "0")))
    done = Finding.objects.exclude(status=FindingStatus.OPEN).count()
    if done:
        out.write(f"信息核对演示：{officer.division.name} 已处理疑点 {done} 条\n")
