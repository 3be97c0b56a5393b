"""Benchmark: importing a 500,000-person household ledger (.xlsx) — minzheng vs django-import-export vs the floor.

One run of --repeat rounds (default 3); each round measures the floor, minzheng and django-import-export once, each
in its own child process (so peak RSS is that phase's own), and the fastest of each counts, as timeit takes the
minimum (noise on a shared machine only adds time; every run is printed, and peak RSS is the largest seen):
  1. generate a realistic ledger in a temp dir: title and unit rows, households over several rows (household
     fields on the first row only), 15 columns, dates as Excel dates and as text, synthetic checksum-valid IDs;
  2. floor: only reading every row of the file with python-calamine;
  3. minzheng: `import_ledger` (what `minzheng import households FILE` runs) into a fresh SQLite database under a
     private MINZHENG_HOME: households, persons, memberships, enrollments and amount versions, atomic; files
     over MINZHENG_IMPORT_PROCESS_MIN_BYTES (3 MB) are written by a second process while the first reads, and a
     sheet over MINZHENG_IMPORT_PARTS_MIN_BYTES (32 MB of XML) is read in parts on background threads so that
     checking starts early (ledger/xlsx_parts.py); peak RSS counts both processes together; the time ends
     when the import has committed (SQLite's WAL checkpoint, which the writer does after answering, is shown
     apart);
  4. django-import-export 4 (tablib → openpyxl), what a Django team would otherwise write: ModelResources for
     Household and Person with its fastest options (use_bulk, skip_diff, force_init_instance), the ledger's
     multi-row households grouped by hand, both imports in one transaction. It writes less than minzheng (no
     memberships or enrollments). At full size it is measured on a subset ledger generated the same way and
     extrapolated linearly (its cost is per row); the output says so.

    python bench/import.py [--quick] [--persons N] [--dji-persons N] [--repeat N]

Last line: `import: persons=N x_vs_django_import_export=X floor_ratio=R peak_rss_mb=M`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

HEADERS = ["序号", "乡镇", "村(居)", "户主姓名", "姓名", "身份证号码", "与户主关系", "性别", "出生日期", "民族", "联系电话",
           "保障人数", "月保障金额(元)", "开户银行", "银行账号"]
SURNAMES = "陈林黄张李王吴刘蔡杨郑许谢邱曾赖周叶苏庄吕江何罗高潘朱钟徐游施沈余卢詹翁傅彭魏"
GIVEN = "志富秀英明华建国丽芳伟强军平玉兰金花春梅德福永清海燕红霞文斌俊杰敏静淑珍桂荣宝生水发"
BANKS = ["延平区农村信用合作联社", "中国农业银行南平延平支行", "中国邮政储蓄银行南平市分行", "福建南平延平郑元村镇银行"]
CHECK = "10X98765432"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_id(region: str, birth: dt.date, order: int) -> str:
    first17 = f"{region}{birth:%Y%m%d}{order:03d}"
    return first17 + CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


# ---------------------------------------------------------------- ledger generation

def villages() -> list[tuple[str, str, bool]]:
    """(township as written, village as written, urban) over the real 延平区 divisions, short and full forms."""
    import csv

    rows = list(csv.DictReader((ROOT / "src/minzheng/regions/data/divisions_350702.csv").open(encoding="utf-8")))
    towns = {r["code"]: r["name"] for r in rows if r["level"] == "township"}
    out = []
    for r in rows:
        if r["level"] != "village":
            continue
        town = towns[r["parent_code"]]
        short_town = town.removesuffix("街道").removesuffix("镇").removesuffix("乡")
        name = r["name"]
        short = name.replace("社区居委会", "社区").replace("村委会", "村")
        urban = int(r["code"][9:12]) < 200
        out.append((town, name, urban))
        out.append((short_town, short, urban))
    return out


def generate(path: Path, persons: int, seed: int = 20240501) -> dict[str, int]:
    import xlsxwriter

    rnd = random.Random(seed)
    places = villages()
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    ws = wb.add_worksheet("低保台账")
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    text_fmt = wb.add_format({"num_format": "@"})
    ws.write_string(0, 0, "延平区2024年城乡最低生活保障对象花名册")
    ws.write_string(1, 12, "单位：元、人")
    for c, h in enumerate(HEADERS):
        ws.write_string(2, c, h)
    used: dict[dt.date, int] = {}
    r = 3
    n = households = 0
    sizes = [1] * 30 + [2] * 28 + [3] * 20 + [4] * 14 + [5] * 6 + [6] * 2
    while n < persons:
        households += 1
        size = min(rnd.choice(sizes), persons - n)
        town, village, _urban = rnd.choice(places)
        head_age = rnd.randint(35, 90)
        surname = rnd.choice(SURNAMES)
        members = [("户主", head_age, rnd.random() < 0.6)]
        if size > 1:
            members.append(("配偶", head_age + rnd.randint(-5, 3), not members[0][2]))
        for _ in range(size - len(members)):
            rel = rnd.choice(["子", "女", "孙子", "孙女", "母亲"])
            age = {"子": head_age - 28, "女": head_age - 27, "孙子": head_age - 55, "孙女": head_age - 54,
                   "母亲": head_age + 25}[rel] + rnd.randint(-3, 3)
            members.append((rel, max(1, min(100, age)), rel in ("子", "孙子")))
        amount = f"{size * rnd.choice([450, 480, 510, 560, 620]):.2f}"
        head_name = ""
        for i, (rel, age, male) in enumerate(members):
            birth = dt.date(2024 - age, 1, 1) + dt.timedelta(days=rnd.randint(0, 364))
            order = used.get(birth, 0) + 1
            used[birth] = order
            seq3 = order * 2 - (1 if male else 0)          # odd for men
            if seq3 > 999:
                birth += dt.timedelta(days=1)
                continue
            region = "350702" if rnd.random() < 0.9 else "352101"
            idn = make_id(region, birth, seq3)
            name = (surname if rel not in ("配偶", "母亲") else rnd.choice(SURNAMES)) + "".join(
                rnd.choice(GIVEN) for _ in range(rnd.choice((1, 2, 2))))
            if i == 0:
                head_name = name
                ws.write_number(r, 0, households)
                ws.write_string(r, 1, town)
                ws.write_string(r, 2, village)
                ws.write_string(r, 3, head_name)
                ws.write_number(r, 11, size)
                ws.write_string(r, 12, amount) if rnd.random() < 0.3 else ws.write_number(r, 12, float(amount))
                ws.write_string(r, 13, rnd.choice(BANKS))
                ws.write_string(r, 14, "62284800" + f"{rnd.randrange(10**11):011d}", text_fmt)
            ws.write_string(r, 4, name)
            ws.write_string(r, 5, idn, text_fmt)
            ws.write_string(r, 6, rel)
            ws.write_string(r, 7, "男" if male else "女")
            if rnd.random() < 0.7:
                ws.write_datetime(r, 8, dt.datetime.combine(birth, dt.time()), date_fmt)
            else:
                ws.write_string(r, 8, f"{birth.year}.{birth.month}.{birth.day}")
            ws.write_string(r, 9, "汉族" if rnd.random() < 0.97 else "畲族")
            if i == 0 or rnd.random() < 0.2:
                ws.write_string(r, 10, f"139{rnd.randrange(10**8):08d}", text_fmt)
            r += 1
            n += 1
    ws.write_string(r + 1, 0, "制表人：            审核人：            制表日期：")
    wb.close()
    return {"persons": n, "households": households, "rows": r}


# ---------------------------------------------------------------- phases (child processes)

def _django(home: str) -> None:
    os.environ["MINZHENG_HOME"] = home
    os.environ["DATABASE_URL"] = ""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minzheng.settings")
    import django

    django.setup()


def phase_floor(ledger: str) -> dict[str, Any]:
    from python_calamine import CalamineWorkbook

    t, c = time.perf_counter(), time.process_time()
    wb = CalamineWorkbook.from_path(ledger)
    rows = cells = 0
    for name in wb.sheet_names:
        for row in wb.get_sheet_by_name(name).iter_rows():
            rows += 1
            cells += len(row)
    return {"seconds": time.perf_counter() - t, "cpu": time.process_time() - c, "rows": rows, "cells": cells,
            "rss_mb": rss_mb()}


def phase_setup(home: str) -> dict[str, Any]:
    _django(home)
    import io

    from minzheng.core.setup import initialise

    initialise(io.StringIO(), verbosity=0)
    return {"rss_mb": rss_mb()}


def phase_minzheng(home: str, ledger: str) -> dict[str, Any]:
    _django(home)
    from minzheng.audit.context import Actor, acting
    from minzheng.registry.ledger import import_ledger
    from minzheng.registry.ledger.writer_process import wait_for_background
    from minzheng.registry.models import Enrollment, Person

    base = rss_mb()
    t, c = time.perf_counter(), time.process_time()
    with acting(Actor("bench", "operator")):
        result = import_ledger(ledger)
    seconds = time.perf_counter() - t
    cpu = time.process_time() - c
    # Not timed: the writer process copies SQLite's write-ahead log into the database file after answering.
    checkpoint = wait_for_background()
    assert result.imported and result.error_count == 0, result.errors[:5]
    return {"seconds": seconds, "cpu": cpu, "checkpoint_seconds": checkpoint, "persons": Person.objects.count(), "households": result.stats.households,
            "enrollments": Enrollment.objects.count(), "warnings": result.warning_count, "rss_mb": rss_mb(),
            "rss_before_mb": base, "writer": result.writer, "timings": result.timings}


def phase_dji(home: str, ledger: str) -> dict[str, Any]:
    _django(home)
    import tablib
    from django.db import transaction
    from import_export import fields, resources

    from minzheng.regions.models import Division
    from minzheng.registry.models import Household, Person
    from minzheng.registry.pinyin import initials

    class HouseholdResource(resources.ModelResource):
        head_id = fields.Field(attribute="head_id", column_name="head_id")

        class Meta:
            model = Household
            fields = ("id", "division", "hukou_type", "address", "phone", "head_id")
            import_id_fields = ("id",)
            use_bulk = True
            batch_size = 1000
            skip_diff = True
            force_init_instance = True

    class PersonResource(resources.ModelResource):
        class Meta:
            model = Person
            fields = ("id", "household", "name", "id_number", "birth_date", "sex", "name_initials", "ethnicity",
                      "relation", "phone", "bank_name", "bank_account")
            import_id_fields = ("id",)
            use_bulk = True
            batch_size = 1000
            skip_diff = True
            force_init_instance = True

    base = rss_mb()
    t, c = time.perf_counter(), time.process_time()
    with open(ledger, "rb") as fh:
        data = tablib.Dataset().load(fh, format="xlsx", headers=True, skip_lines=2)
    t_read = time.perf_counter() - t
    # The hand-written part: map places and codes, group rows into households.
    place: dict[tuple[str, str], int] = {}
    for v in Division.objects.filter(level="village").select_related("parent"):
        town = v.parent.name
        for tn in (town, town.removesuffix("街道").removesuffix("镇").removesuffix("乡")):
            for vn in (v.name, v.name.replace("社区居委会", "社区").replace("村委会", "村")):
                place[(tn, vn)] = v.pk
    relation = {"户主": "02", "配偶": "10", "子": "20", "女": "30", "孙子": "40", "孙女": "40", "母亲": "50"}
    hh = tablib.Dataset(headers=["id", "division", "hukou_type", "address", "phone", "head_id"])
    people = tablib.Dataset(headers=["id", "household", "name", "id_number", "birth_date", "sex", "name_initials",
                                     "ethnicity", "relation", "phone", "bank_name", "bank_account"])
    hid = (Household.objects.order_by("-id").values_list("id", flat=True).first() or 0)
    pid = (Person.objects.order_by("-id").values_list("id", flat=True).first() or 0)
    for row in data:
        name, idn = row[4], row[5]
        if not name or not idn:
            continue
        pid += 1
        if row[0] not in (None, ""):
            hid += 1
            hh.append([hid, place[(row[1], row[2])], "rural", "", row[10] or "", pid])
            bank, account = row[13], row[14]
        else:
            bank = account = ""
        birth = dt.date(int(idn[6:10]), int(idn[10:12]), int(idn[12:14]))
        people.append([pid, hid, name, idn, birth, "1" if int(idn[16]) % 2 else "2", initials(name), "01",
                       relation.get(row[6], "99"), row[10] or "", bank or "", account or ""])
    with transaction.atomic():
        r1 = HouseholdResource().import_data(hh, dry_run=False, raise_errors=True, use_transactions=True)
        r2 = PersonResource().import_data(people, dry_run=False, raise_errors=True, use_transactions=True)
    seconds = time.perf_counter() - t
    cpu = time.process_time() - c
    assert not r1.has_errors() and not r2.has_errors()
    return {"seconds": seconds, "cpu": cpu, "read_seconds": t_read, "persons": Person.objects.count(),
            "households": Household.objects.count(), "rss_mb": rss_mb(), "rss_before_mb": base}


def child(args: list[str], env_home: str | None = None) -> dict[str, Any]:
    env = dict(os.environ)
    env["DATABASE_URL"] = ""
    if env_home:
        env["MINZHENG_HOME"] = env_home
    peak = {"mb": 0.0}
    proc = subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE, env=env, text=True)

    def rss_kb(pid: int) -> int:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def sample() -> None:   # RSS seen from outside: the phase and its children (the writer process) together
        while proc.poll() is None:
            try:
                total = rss_kb(proc.pid)
                kids = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
                for kid in kids.read_text().split() if kids.exists() else ():
                    try:
                        total += rss_kb(int(kid))
                    except (FileNotFoundError, ProcessLookupError):
                        pass
                peak["mb"] = max(peak["mb"], total / 1024)
            except (FileNotFoundError, ProcessLookupError):
                break
            time.sleep(0.2)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    out, _ = proc.communicate()
    th.join(1)
    if proc.returncode != 0:
        raise SystemExit(f"phase {args} failed ({proc.returncode})")
    data = json.loads(out.strip().splitlines()[-1])
    data["rss_mb"] = max(data.get("rss_mb", 0.0), peak["mb"])
    return data


def best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The fastest of the runs, as timeit takes the minimum: noise on a shared machine only ever adds time."""
    return min(runs, key=lambda r: r["seconds"])


def spread(runs: list[dict[str, Any]]) -> str:
    return ", ".join(f"{r['seconds']:.2f}" for r in runs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="about 20,000 persons, under a minute")
    ap.add_argument("--persons", type=int, default=500_000)
    ap.add_argument("--dji-persons", type=int, default=20_000,
                    help="django-import-export is measured on a ledger of this many persons and extrapolated")
    ap.add_argument("--repeat", type=int, default=3,
                    help="rounds; each importer and the floor run once per round, the fastest run counts")
    ap.add_argument("--phase", help=argparse.SUPPRESS)
    ap.add_argument("--ledger", help=argparse.SUPPRESS)
    ap.add_argument("--home", help=argparse.SUPPRESS)
    ap.add_argument("--keep", action="store_true", help="keep the temp dir")
    a = ap.parse_args()
    if a.phase:
        fn = {"floor": lambda: phase_floor(a.ledger), "setup": lambda: phase_setup(a.home),
              "minzheng": lambda: phase_minzheng(a.home, a.ledger), "dji": lambda: phase_dji(a.home, a.ledger)}
        print(json.dumps(fn[a.phase]()))
        return
    persons = 20_000 if a.quick else a.persons
    dji_persons = min(persons, 3_000 if a.quick else a.dji_persons)
    tmp = Path(tempfile.mkdtemp(prefix="mz-bench-import-"))
    try:
        ledger = tmp / "ledger.xlsx"
        t = time.perf_counter()
        info = generate(ledger, persons)
        print(f"generated {ledger.name}: {info['persons']} persons in {info['households']} households, "
              f"{info['rows']} rows, {ledger.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - t:.1f} s",
              flush=True)
        small = ledger
        if dji_persons < persons:
            small = tmp / "ledger-subset.xlsx"
            generate(small, dji_persons)
        # One initialised database, copied for each import (setup is not timed).
        base = tmp / "base"
        child(["--phase", "setup", "--home", str(base)])

        def fresh(name: str) -> str:
            home = tmp / name
            shutil.rmtree(home, ignore_errors=True)
            shutil.copytree(base, home)
            return str(home)

        floors: list[dict[str, Any]] = []
        mzs: list[dict[str, Any]] = []
        djis: list[dict[str, Any]] = []
        mz_smalls: list[dict[str, Any]] = []
        # Rounds, each running everything once, so that a slow stretch of the machine hits all of them alike.
        for n in range(1, max(1, a.repeat) + 1):
            floor = child(["--phase", "floor", "--ledger", str(ledger)])
            floors.append(floor)
            mz = child(["--phase", "minzheng", "--home", fresh("mz"), "--ledger", str(ledger)])
            assert mz["persons"] == info["persons"]
            mzs.append(mz)
            dji = child(["--phase", "dji", "--home", fresh("dji"), "--ledger", str(small)])
            djis.append(dji)
            if dji_persons < persons:
                mz_smalls.append(child(["--phase", "minzheng", "--home", fresh("mz_small"), "--ledger", str(small)]))
            print(f"round {n}: floor {floor['seconds']:.2f} s, minzheng {mz['seconds']:.2f} s, "
                  f"django-import-export ({dji['persons']} persons) {dji['seconds']:.2f} s", flush=True)
        floor, mz, dji = best(floors), best(mzs), best(djis)
        print(f"floor (python-calamine read only): {floor['seconds']:.2f} s (CPU {floor['cpu']:.2f} s), "
              f"{floor['rows']} rows, peak RSS {floor['rss_mb']:.0f} MB; runs: {spread(floors)}", flush=True)
        print(f"minzheng import: {mz['seconds']:.2f} s (CPU {mz['cpu']:.2f} s in the reading process; written "
              f"{'by a second process' if mz['writer'] == 'process' else 'in the same process'}) for "
              f"{mz['persons']} persons, {mz['households']} households, "
              f"{mz['enrollments']} enrollments ({mz['persons'] / mz['seconds']:,.0f} persons/s), "
              f"peak RSS {mz['rss_mb']:.0f} MB; runs: {spread(mzs)}", flush=True)
        print("  phases (s): " + ", ".join(f"{k} {v:.1f}" for k, v in mz["timings"].items())
              + f"; after returning, the writer's WAL checkpoint took {mz['checkpoint_seconds']:.1f} more",
              flush=True)
        dji_seconds = dji["seconds"] * persons / dji["persons"]
        dji_cpu = dji["cpu"] * persons / dji["persons"]
        note = ""
        if dji_persons < persons:
            mz_small = best(mz_smalls)
            note = (f" — measured on a {dji['persons']}-person ledger ({dji['seconds']:.2f} s, runs: {spread(djis)}; "
                    f"minzheng on the same file {mz_small['seconds']:.2f} s, {dji['seconds'] / mz_small['seconds']:.1f}x; "
                    f"CPU {dji['cpu']:.2f} s vs {mz_small['cpu']:.2f} s) and extrapolated linearly to {persons}")
        print(f"django-import-export: {dji_seconds:.2f} s (CPU {dji_cpu:.2f} s) for {persons} persons "
              f"(file read {dji['read_seconds']:.2f} s "
              f"of {dji['seconds']:.2f} s){note}; peak RSS {dji['rss_mb']:.0f} MB", flush=True)
        print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs "
              "(wall-clock ratios are only comparable on an otherwise idle machine)", flush=True)
        x = dji_seconds / mz["seconds"]
        ratio = mz["seconds"] / floor["seconds"]
        print(f"phase (best of {len(mzs)})    wall s    CPU s   peak RSS MB", flush=True)
        for label, w, cpu_s, rss in (("floor (calamine)", floor["seconds"], floor["cpu"], floor["rss_mb"]),
                                     ("minzheng", mz["seconds"], mz["cpu"], mz["rss_mb"]),
                                     ("django-import-export*", dji_seconds, dji_cpu, dji["rss_mb"])):
            print(f"{label:<21} {w:>7.1f} {cpu_s:>8.1f} {rss:>12.0f}", flush=True)
        worst = max(r["seconds"] for r in mzs) / min(r["seconds"] for r in floors)
        print(f"(* extrapolated from {dji['persons']} persons; minzheng RSS above the floor's own: "
              f"{mz['rss_mb'] - floor['rss_mb']:.0f} MB; CPU ratios: x_vs_dji={dji_cpu / mz['cpu']:.1f} "
              f"floor={mz['cpu'] / floor['cpu']:.1f}; slowest minzheng run over fastest floor: {worst:.1f})",
              flush=True)
        print(f"import: persons={mz['persons']} x_vs_django_import_export={x:.1f} floor_ratio={ratio:.1f} "
              f"peak_rss_mb={max(r['rss_mb'] for r in mzs):.0f}")
    finally:
        if not a.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
