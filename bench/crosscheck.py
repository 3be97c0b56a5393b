"""Benchmark: 信息核对 of 1,000,000 recipients against six department tables with 30,000,000 rows in all.

In one run, on the same generated Parquet files (DuckDB writes them into a temp dir, with planted matches):

* minzheng — the crosscheck engine (DuckDB) running every rule from rules.py, grouping hits into 疑点;
* pandas  — the same checks as an analyst would write them in pandas (read_parquet + merge + filters);
* floor   — bare DuckDB joins of the recipients with each department table (matched rows to Arrow), the least
  work any engine must do.

Each contender runs in its own process so its peak RSS is its own. A scaling table runs minzheng and the floor on
3M, 10M and 30M department rows. pandas runs on the full data unless --pandas-rows says otherwise (then its time
is extrapolated linearly and the line says so). Last line:

crosscheck: recipients=1000000 registry_rows=30000000 x_vs_pandas=… floor_ratio=… peak_rss_mb=…
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

AS_OF = dt.date(2024, 6, 15)
KINDS = ["death", "public_employee", "vehicle", "property", "business", "social_insurance"]
SURNAMES = "['陈','林','黄','张','李','王','吴','刘','蔡','杨','郑','许','谢','郭','洪','邱','曾','廖','赖','徐']"
GIVEN = ("['志明','秀英','国华','建平','美玲','文辉','春梅','金水','丽娟','德福','玉兰','建国','淑贞','荣发','桂英',"
         "'明辉','雪梅','永福','丽华','开发','清水','秀兰','志强','美华','金花','福生','阿珠','细妹','水生','宝珠']")


def person_name(expr: str) -> str:
    """The recipient's name as a function of the person index, so department rows can repeat it without a join."""
    return f"(list_extract({SURNAMES}, ({expr}) % 20 + 1) || list_extract({GIVEN}, (({expr}) // 20) % 30 + 1))"


def generate(folder: Path, recipients: int, rows: int, *, threads: int) -> dict[str, Any]:
    import duckdb

    folder.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(config={"threads": threads, "preserve_insertion_order": False})
    con.execute("SET enable_progress_bar = false")
    n = recipients
    rid = "('350702' || lpad(CAST(i AS VARCHAR), 12, '0'))"
    t0 = time.perf_counter()
    # Recipients: 低保 households of three, 特困 (every 50th person), 高龄 (every 40th, aged 80–95), and a few
    # people enrolled twice (another township, 特困) to exercise the duplicate rule.
    con.execute(f"""
    COPY (
      WITH p AS (SELECT range AS i FROM range({n})),
      base AS (
        SELECT i, {rid} AS id_number, {person_name('i')} AS name, i // 3 AS household_id,
               '350702' || lpad(CAST((i // 3) % 21 + 1 AS VARCHAR), 3, '0') || '000' AS township_code,
               CASE WHEN i % 50 = 0 THEN 'tekun_dispersed' WHEN i % 40 = 1 THEN 'gaoling'
                    WHEN (i // 3) % 21 < 8 THEN 'dibao_urban' ELSE 'dibao_rural' END AS programme,
               CASE WHEN i % 40 = 1 THEN 80 + i % 16 ELSE 20 + i % 55 END AS age
        FROM p)
      SELECT CAST(CASE WHEN programme LIKE 'dibao%' THEN household_id ELSE 100000000 + i END AS BIGINT)
               AS enrollment_id,
             programme, CAST(household_id AS BIGINT) AS household_id, CAST(i AS BIGINT) AS person_id, id_number,
             name, DATE '2024-06-15' - INTERVAL (age * 365 + 100) DAY AS birth_date, CAST(age AS INTEGER) AS age,
             township_code[1:9] || '201' AS village_code, township_code,
             CAST(CASE programme WHEN 'tekun_dispersed' THEN 900 WHEN 'gaoling' THEN
                    CASE WHEN age >= 90 AND i % 7 = 0 THEN 100 WHEN age >= 90 THEN 200 ELSE 100 END
                  ELSE 1800 END AS DECIMAL(12,2)) AS monthly_amount,
             CAST(CASE WHEN programme LIKE 'dibao%' THEN 3 ELSE 1 END AS INTEGER) AS covered_persons,
             DATE '2023-03-01' AS start_month, programme NOT LIKE 'dibao%' AS is_direct,
             CAST(3 AS INTEGER) AS household_size, CAST(500 AS DECIMAL(14,2)) AS household_income,
             CAST(0 AS DECIMAL(14,2)) AS declared_pension
      FROM base
      UNION ALL
      SELECT CAST(200000000 + i AS BIGINT), 'tekun_dispersed', CAST(50000000 + i AS BIGINT), CAST(i AS BIGINT),
             id_number, name, DATE '1950-01-01', CAST(74 AS INTEGER), '350702022201', '350702022000',
             CAST(900 AS DECIMAL(12,2)), CAST(1 AS INTEGER), DATE '2023-03-01', TRUE, CAST(1 AS INTEGER),
             CAST(0 AS DECIMAL(14,2)), CAST(0 AS DECIMAL(14,2))
      FROM base WHERE i % 997 = 5 AND programme LIKE 'dibao%'
    ) TO '{folder / "recipients.parquet"}' (FORMAT parquet, COMPRESSION zstd)
    """)
    per = rows // len(KINDS)
    matches = max(10, min(per // 100, 10000))
    stride = max(1, n // matches)
    for t, kind in enumerate(KINDS):
        # Rows j < matches are about recipients (spread over the population, name differs for 1 in 50);
        # the rest are people who receive nothing.
        pidx = f"((j * {stride} + {t * 7}) % {n})"
        ident = (f"CASE WHEN j < {matches} THEN '350702' || lpad(CAST({pidx} AS VARCHAR), 12, '0') "
                 f"ELSE '350702' || lpad(CAST({n} + j * {len(KINDS)} + {t} AS VARCHAR), 12, '0') END")
        name = (f"CASE WHEN j < {matches} AND j % 50 = 7 THEN '王' || {person_name(pidx)} "
                f"WHEN j < {matches} THEN {person_name(pidx)} ELSE {person_name('j + ' + str(t))} END")
        extra = {
            "death": "DATE '2023-01-01' + INTERVAL (j % 500) DAY AS death_date, "
                     "CASE WHEN j % 2 = 0 THEN '公安' ELSE '殡葬' END AS source",
            "public_employee": "'单位' || CAST(j % 1000 AS VARCHAR) AS employer, '科员' AS position, "
                               "CAST(4000 + j % 3000 AS DECIMAL(16,2)) AS monthly_salary",
            "vehicle": "'闽H' || CAST(j AS VARCHAR) AS plate_no, list_extract(['小型轿车','拖拉机',"
                       "'残疾人机动轮椅车','小型普通客车','二轮摩托车'], j % 5 + 1) AS vehicle_type, "
                       "CAST(5000 + (j * 37) % 90000 AS DECIMAL(16,2)) AS value, DATE '2020-01-01' AS registered_on, "
                       "CASE WHEN j % 13 = 0 THEN '报废' ELSE '正常' END AS status",
            "property": "'C' || CAST(j AS VARCHAR) AS certificate_no, list_extract(['住宅','住宅','商业','车位'], "
                        "j % 4 + 1) AS usage, CAST(40 + j % 120 AS DECIMAL(16,2)) AS area_m2, '某路' AS address",
            "business": "'某某公司' || CAST(j AS VARCHAR) AS entity_name, list_extract(['有限责任公司','个体工商户',"
                        "'个体工商户'], j % 3 + 1) AS entity_type, '经营者' AS role, "
                        "CAST((j * 13) % 300000 AS DECIMAL(16,2)) AS registered_capital, "
                        "CASE WHEN j % 11 = 0 THEN '注销' ELSE '存续' END AS status",
            "social_insurance": "list_extract(['城镇职工基本养老保险','城乡居民基本养老保险基础养老金','失业保险金'], "
                                "j % 3 + 1) AS insurance_type, CAST(150 + j % 3000 AS DECIMAL(16,2)) AS monthly_amount, "
                                "'2024-05' AS paid_month",
        }[kind]
        con.execute(f"COPY (SELECT {ident} AS id_number, {name} AS name, {extra} FROM range({per}) r(j)) "
                    f"TO '{folder / (kind + '.parquet')}' (FORMAT parquet, COMPRESSION zstd)")
    con.close()
    return {"seconds": time.perf_counter() - t0, "rows_per_table": per, "matches_per_table": matches}


# ------------------------------------------------------------------------------------------- workers


def worker_minzheng(folder: Path, threads: int, memory: str, repeat: int) -> dict[str, Any]:
    from minzheng.crosscheck import engine, rules

    inputs = engine.Inputs(str(folder / "recipients.parquet"),
                           {k: str(folder / f"{k}.parquet") for k in KINDS})
    best = float("inf")
    out: dict[str, Any] = {}
    for _ in range(repeat):
        t0 = time.perf_counter()
        hits = engine.run_duckdb(inputs, rules.RuleParams(as_of=AS_OF), memory_limit=memory, threads=threads)
        best = min(best, time.perf_counter() - t0)
        out = {code: len(h) for code, h in hits.items()}
    return {"seconds": best, "hits": out}


def worker_floor(folder: Path, threads: int, memory: str, repeat: int) -> dict[str, Any]:
    import duckdb

    best = float("inf")
    matched = 0
    for _ in range(repeat):
        con = duckdb.connect(config={"threads": threads, "memory_limit": memory})
        con.execute("SET enable_progress_bar = false")
        t0 = time.perf_counter()
        matched = 0
        for kind in KINDS:
            t = con.sql(f"SELECT r.id_number, r.township_code, d.* EXCLUDE (id_number) "
                            f"FROM read_parquet('{folder / 'recipients.parquet'}') r "
                            f"JOIN read_parquet('{folder / (kind + '.parquet')}') d ON d.id_number = r.id_number"
                            ).to_arrow_table()
            matched += t.num_rows
        best = min(best, time.perf_counter() - t0)
        con.close()
    return {"seconds": best, "matched_rows": matched}


def worker_pandas(folder: Path, limit_rows: int | None) -> dict[str, Any]:
    """The same checks, as an analyst would write them with pandas."""
    import pandas as pd
    import pyarrow.parquet as pq

    from minzheng.crosscheck.rules import RuleParams

    p = RuleParams(as_of=AS_OF)
    t0 = time.perf_counter()

    def read(kind: str) -> pd.DataFrame:
        if limit_rows is None:
            return pd.read_parquet(folder / f"{kind}.parquet")
        batch = next(pq.ParquetFile(folder / f"{kind}.parquet").iter_batches(batch_size=limit_rows))
        return batch.to_pandas()

    rec = pd.read_parquet(folder / "recipients.parquet")
    mt = rec[rec["programme"].isin(p.means_tested)]
    hits: dict[str, int] = {}
    names = []
    d = read("death")
    m = rec.merge(d, on="id_number", suffixes=("", "_dept"))
    hits["death"] = m.groupby(["township_code", "enrollment_id", "id_number"]).ngroups
    names.append(m[["township_code", "id_number", "name", "name_dept"]])
    del d, m
    d = read("public_employee")
    m = mt.merge(d, on="id_number", suffixes=("", "_dept"))
    hits["public_employee"] = m.groupby(["township_code", "enrollment_id"]).ngroups
    names.append(rec.merge(d[["id_number", "name"]], on="id_number", suffixes=("", "_dept"))
                 [["township_code", "id_number", "name", "name_dept"]])
    del d, m
    d = read("vehicle")
    m = mt.merge(d, on="id_number", suffixes=("", "_dept"))
    farm = m["vehicle_type"].isin(p.vehicle_farm_types) & m["value"].notna() & (
        m["value"].astype(float) <= float(p.vehicle_farm_value_limit))
    keep = ~m["vehicle_type"].isin(p.vehicle_exempt_types) & ~m["status"].fillna("").isin(
        ["注销", "已注销", "报废", "已报废"]) & ~farm
    hits["vehicle"] = m[keep].groupby(["township_code", "enrollment_id"]).ngroups
    names.append(rec.merge(d[["id_number", "name"]], on="id_number", suffixes=("", "_dept"))
                 [["township_code", "id_number", "name", "name_dept"]])
    del d, m
    d = read("property")
    m = mt.merge(d, on="id_number", suffixes=("", "_dept"))
    usage = m["usage"].map({**{u: "ignore" for u in p.property_ignored_usages},
                            **{u: "home" for u in p.property_home_usages}}).fillna("other")
    m = m.assign(usage_class=usage)
    certs = m.drop_duplicates(["enrollment_id", "certificate_no"])
    certs = certs.assign(is_home=certs["usage_class"] == "home", is_other=certs["usage_class"] == "other",
                         area=certs["area_m2"].astype(float).where(certs["usage_class"] == "home", 0.0))
    agg = certs.groupby("enrollment_id").agg(homes=("is_home", "sum"), home_area=("area", "sum"),
                                             non_res=("is_other", "sum"))
    m = m.merge(agg, left_on="enrollment_id", right_index=True)
    flag = (m["usage_class"] != "ignore") & ((m["homes"] > p.property_max_homes) | (m["non_res"] > 0) | (
        m["home_area"] > float(p.property_max_area_per_capita) * m["household_size"]))
    hits["property"] = m[flag].groupby(["township_code", "enrollment_id"]).ngroups
    names.append(rec.merge(d[["id_number", "name"]], on="id_number", suffixes=("", "_dept"))
                 [["township_code", "id_number", "name", "name_dept"]])
    del d, m
    d = read("business")
    m = mt.merge(d, on="id_number", suffixes=("", "_dept"))
    small = (m["entity_type"] == "个体工商户") & m["registered_capital"].notna() & (
        m["registered_capital"].astype(float) <= float(p.business_small_capital))
    keep = ~m["status"].fillna("").isin(["注销", "已注销", "吊销", "已吊销"]) & ~small
    hits["business"] = m[keep].groupby(["township_code", "enrollment_id"]).ngroups
    names.append(rec.merge(d[["id_number", "name"]], on="id_number", suffixes=("", "_dept"))
                 [["township_code", "id_number", "name", "name_dept"]])
    del d, m
    d = read("social_insurance")
    members = mt.drop_duplicates(["enrollment_id", "id_number"])
    m = members.merge(d, on="id_number", suffixes=("", "_dept"))
    m = m[~m["insurance_type"].isin(p.pension_excluded_types)]
    m = m.assign(amount=m["monthly_amount_dept"].astype(float))
    total = m.groupby("enrollment_id")["amount"].sum()
    m = m.merge(total.rename("dept_pension"), left_on="enrollment_id", right_index=True)
    m = m[m["dept_pension"] > m["declared_pension"].astype(float) + float(p.pension_tolerance)]
    m = m.assign(per_capita=(m["household_income"].astype(float) - m["declared_pension"].astype(float)
                             + m["dept_pension"]) / m["household_size"])
    hits["pension"] = m.groupby(["township_code", "enrollment_id"]).ngroups
    names.append(rec.merge(d[["id_number", "name"]], on="id_number", suffixes=("", "_dept"))
                 [["township_code", "id_number", "name", "name_dept"]])
    del d, m
    # duplicate: the same ID in two households / townships, or 低保 and 特困 together
    b = rec[rec["programme"].isin(p.dibao_programmes + p.tekun_programmes)].copy()
    b["grp"] = b["programme"].map({**{x: "dibao" for x in p.dibao_programmes},
                                   **{x: "tekun" for x in p.tekun_programmes}})
    b["is_dibao"] = b["grp"] == "dibao"
    multi = b[b["id_number"].duplicated(keep=False)]
    g = multi.groupby("id_number").agg(nh=("household_id", "nunique"), nt=("township_code", "nunique"))
    g["nd"] = multi[multi["is_dibao"]].groupby("id_number")["programme"].nunique()
    g["nk"] = multi[~multi["is_dibao"]].groupby("id_number")["programme"].nunique()
    g = g.fillna(0)
    dup = g[(g.nh > 1) | (g.nt > 1) | (g.nd > 1) | (g.nk > 1) | ((g.nd > 0) & (g.nk > 0))]
    hits["duplicate"] = b[b["id_number"].isin(dup.index)].groupby(["township_code", "id_number"]).ngroups
    # 高龄 band
    bands = p.tables()["p_gaoling_bands"][1]
    ga = rec[(rec["programme"] == "gaoling") & rec["is_direct"]]
    under = pd.Series(False, index=ga.index)
    for lo, hi, amount in bands:
        inband = (ga["age"] >= lo) & ((ga["age"] <= hi) if hi is not None else True)
        under |= inband & (ga["monthly_amount"].astype(float) < float(amount))
    hits["gaoling_band"] = int(under.sum())
    # name mismatch over every department table
    allnames = pd.concat(names).drop_duplicates()
    mism = allnames[allnames["name_dept"].str.strip() != allnames["name"].str.strip()]
    hits["name_mismatch"] = mism.groupby(["township_code", "id_number"]).ngroups
    return {"seconds": time.perf_counter() - t0, "hits": hits}


def run_worker(name: str, folder: Path, args: argparse.Namespace, extra: list[str] | None = None) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--worker", name, "--dir", str(folder), "--threads", str(args.threads),
           "--memory-limit", args.memory_limit, *(extra or [])]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONWARNINGS": "ignore"})
    out, err = proc.communicate()
    if proc.returncode:
        raise SystemExit(f"{name} worker failed:\n{err[-3000:]}")
    return json.loads(out.strip().splitlines()[-1])


def worker_main(args: argparse.Namespace) -> None:
    folder = Path(args.dir)
    if args.worker == "minzheng":
        res = worker_minzheng(folder, args.threads, args.memory_limit, args.repeat)
    elif args.worker == "floor":
        res = worker_floor(folder, args.threads, args.memory_limit, args.repeat)
    else:
        res = worker_pandas(folder, args.pandas_rows)
    res["self_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(res))


# ------------------------------------------------------------------------------------------- main


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="100k recipients, 3M rows, no scaling table (< 1 min)")
    ap.add_argument("--recipients", type=int, default=1_000_000)
    ap.add_argument("--rows", type=int, default=30_000_000, help="department rows in all (six tables)")
    ap.add_argument("--scaling", default="3000000,10000000,30000000", help="department row counts, comma-separated")
    ap.add_argument("--pandas-rows", type=int, default=None,
                    help="rows per table for pandas (subset; time extrapolated linearly)")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--memory-limit", default="4GB", help="DuckDB memory_limit")
    ap.add_argument("--repeat", type=int, default=2, help="best of N for the DuckDB contenders")
    ap.add_argument("--dir", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker_main(args)
        return
    if args.quick:
        args.recipients, args.rows, args.scaling = 100_000, 3_000_000, ""
    base = Path(tempfile.mkdtemp(prefix="bench-crosscheck-"))
    print(f"crosscheck bench: {args.recipients:,} recipients, {args.rows:,} department rows, threads={args.threads}, "
          f"DuckDB memory_limit={args.memory_limit}, data in {base}", flush=True)
    try:
        main_dir = base / f"rows-{args.rows}"
        g = generate(main_dir, args.recipients, args.rows, threads=args.threads)
        print(f"generated in {g['seconds']:.1f} s: {g['rows_per_table']:,} rows × {len(KINDS)} tables, "
              f"{g['matches_per_table']:,} planted matches per table", flush=True)
        mz = run_worker("minzheng", main_dir, args, ["--repeat", str(args.repeat)])
        fl = run_worker("floor", main_dir, args, ["--repeat", str(args.repeat)])
        extra = ["--pandas-rows", str(args.pandas_rows)] if args.pandas_rows else []
        pdr = run_worker("pandas", main_dir, args, extra)
        pandas_seconds = pdr["seconds"]
        note = ""
        if args.pandas_rows and args.pandas_rows < g["rows_per_table"]:
            pandas_seconds *= g["rows_per_table"] / args.pandas_rows
            note = f" (pandas ran on {args.pandas_rows:,} rows per table; time extrapolated linearly)"
        else:
            same = {k: v for k, v in pdr["hits"].items() if mz["hits"].get(k) != v}
            if same:
                print(f"WARNING: pandas and minzheng disagree on {same} vs "
                      f"{ {k: mz['hits'].get(k) for k in same} }", flush=True)
            else:
                print("pandas and minzheng raise the same number of 疑点 for every rule", flush=True)
        print(f"\n{'contender':<10} {'seconds':>9} {'peak RSS MB':>12}  notes")
        print(f"{'minzheng':<10} {mz['seconds']:>9.2f} {mz['self_rss_mb']:>12.0f}  all {len(mz['hits'])} rules, "
              f"{sum(mz['hits'].values()):,} 疑点")
        print(f"{'floor':<10} {fl['seconds']:>9.2f} {fl['self_rss_mb']:>12.0f}  bare joins, "
              f"{fl['matched_rows']:,} matched rows")
        print(f"{'pandas':<10} {pandas_seconds:>9.2f} {pdr['self_rss_mb']:>12.0f}  same checks{note}")
        print("hits per rule:", json.dumps(mz["hits"], ensure_ascii=False), flush=True)
        scaling = [int(x) for x in args.scaling.split(",") if x.strip()]
        if scaling:
            print(f"\nscaling (minzheng and floor, {args.recipients:,} recipients)")
            print(f"{'dept rows':>12} {'minzheng s':>11} {'floor s':>9} {'s per 10M rows':>15} {'RSS MB':>8}")
            for rows in scaling:
                if rows == args.rows:
                    r_mz, r_fl = mz, fl
                else:
                    d = base / f"rows-{rows}"
                    generate(d, args.recipients, rows, threads=args.threads)
                    r_mz = run_worker("minzheng", d, args, ["--repeat", str(args.repeat)])
                    r_fl = run_worker("floor", d, args, ["--repeat", str(args.repeat)])
                print(f"{rows:>12,} {r_mz['seconds']:>11.2f} {r_fl['seconds']:>9.2f} "
                      f"{r_mz['seconds'] / rows * 1e7:>15.2f} {r_mz['self_rss_mb']:>8.0f}", flush=True)
        print(f"\ncrosscheck: recipients={args.recipients} registry_rows={args.rows} "
              f"x_vs_pandas={pandas_seconds / mz['seconds']:.1f} floor_ratio={mz['seconds'] / fl['seconds']:.2f} "
              f"peak_rss_mb={mz['self_rss_mb']:.0f}")
    finally:
        import shutil

        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
