"""Running the rules on an engine: DuckDB embedded (default) or Apache Spark (local mode or a cluster).

Both engines get the same inputs (Parquet files), build the same views and run the same SQL text from rules.py;
everything after the query (grouping rows into 疑点, normalising values, fingerprints) is plain Python shared by both,
so identical query results give identical findings. No Django import: the benchmark and a Spark job use this
module as is.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from . import schemas
from .rules import PARAM_TABLE_TYPES, RULES, Rule, RuleParams

Progress = Callable[[float, str], None]
ENGINES = ("duckdb", "spark")


@dataclass
class Inputs:
    """Parquet paths: the recipients snapshot, department datasets by kind (absent kinds count as empty) and the
    近亲属备案 register."""

    recipients: str
    departments: dict[str, str] = field(default_factory=dict)
    kinship_filed: str | None = None


@dataclass
class Hit:
    """One 疑点 as the rules see it: rows of evidence grouped by the rule's subject within one township."""

    rule: str
    township_code: str
    subject: dict[str, Any]
    rows: list[dict[str, Any]]
    evidence: list[dict[str, Any]]
    fingerprint: str
    subject_key: str

    @property
    def first(self) -> dict[str, Any]:
        return self.rows[0]


def canonical(value: Any) -> Any:
    """A value as both engines must agree on it: money as a 2-place string, dates as ISO text."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.01")))
    if isinstance(value, float):
        return str(Decimal(repr(value)).quantize(Decimal("0.01")))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _digest(*parts: Any) -> str:
    text = json.dumps(parts, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def group_hits(rule: Rule, rows: Iterable[dict[str, Any]]) -> list[Hit]:
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for raw in rows:
        row = {k: canonical(v) for k, v in raw.items()}
        key = (row["township_code"], *(row[c] for c in rule.subject))
        groups.setdefault(key, []).append(row)
    hits = []
    for key, grp in groups.items():
        grp.sort(key=lambda r: json.dumps(r, ensure_ascii=False, sort_keys=True))
        evidence = sorted({json.dumps({c: r.get(c) for c in rule.evidence}, ensure_ascii=False, sort_keys=True)
                           for r in grp})
        ev = [json.loads(e) for e in evidence]
        subject = dict(zip(rule.subject, key[1:], strict=True))
        subject_key = _digest(rule.code, key[0], subject)
        hits.append(Hit(rule.code, key[0], subject, grp, ev, _digest(rule.code, key[0], subject, ev), subject_key))
    hits.sort(key=lambda h: (h.township_code, h.subject_key))
    return hits


def write_parquet(table: pa.Table, path: str) -> str:
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    pq.write_table(table, path, compression="zstd")
    return path


def empty_table(schema: pa.Schema) -> pa.Table:
    return schema.empty_table()


# ----------------------------------------------------------------------------------------------- DuckDB


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def run_duckdb(inputs: Inputs, params: RuleParams, rules: list[Rule] | None = None, *,
               memory_limit: str | None = None, threads: int | None = None,
               progress: Progress | None = None) -> dict[str, list[Hit]]:
    import duckdb

    rules = RULES if rules is None else rules
    say = progress or (lambda f, m: None)
    con = duckdb.connect(config={"preserve_insertion_order": False})
    try:
        if memory_limit:
            con.execute(f"SET memory_limit = {_sql_str(memory_limit)}")
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        say(0.02, "读取救助对象快照")
        con.execute(f"CREATE TABLE recipients AS SELECT * FROM read_parquet({_sql_str(inputs.recipients)})")
        con.execute("CREATE TABLE recipient_ids AS SELECT DISTINCT id_number FROM recipients")
        for name, (cols, rows) in params.tables().items():
            _duck_param_table(con, name, cols, rows)
        con.execute("CREATE VIEW mt AS SELECT r.* FROM recipients r JOIN p_programmes p "
                    "ON p.programme = r.programme WHERE p.means_tested")
        kinds = list(schemas.SCHEMAS)
        for i, kind in enumerate(kinds):
            say(0.05 + 0.45 * i / len(kinds), f"比对部门数据：{schemas.SCHEMAS[kind].label}")
            path = inputs.departments.get(kind)
            if path:
                # Only department rows about recipients matter; pruning once keeps every rule small.
                con.execute(f"CREATE TABLE dept_{kind} AS SELECT d.* FROM read_parquet({_sql_str(path)}) d "
                            f"WHERE d.id_number IN (SELECT id_number FROM recipient_ids)")
            else:
                con.register(f"_empty_{kind}", empty_table(schemas.SCHEMAS[kind].arrow_schema))
                con.execute(f"CREATE TABLE dept_{kind} AS SELECT * FROM _empty_{kind}")
        if inputs.kinship_filed:
            con.execute(f"CREATE TABLE kinship_filed AS SELECT * FROM read_parquet({_sql_str(inputs.kinship_filed)})")
        else:
            con.register("_empty_kin", empty_table(schemas.KINSHIP_FILED_SCHEMA))
            con.execute("CREATE TABLE kinship_filed AS SELECT * FROM _empty_kin")
        out: dict[str, list[Hit]] = {}
        for i, rule in enumerate(rules):
            say(0.5 + 0.5 * i / max(1, len(rules)), f"执行规则：{rule.name}")
            cur = con.execute(rule.render(params))
            cols = [d[0] for d in cur.description]
            out[rule.code] = group_hits(rule, (dict(zip(cols, r, strict=True)) for r in cur.fetchall()))
        say(1.0, "完成")
        return out
    finally:
        con.close()


def _arrow_type(kind: str) -> pa.DataType:
    return {"string": pa.string(), "bool": pa.bool_(), "int": pa.int64(), "decimal": pa.decimal128(18, 2)}[kind]


def _param_arrow(name: str, cols: list[str], rows: list[tuple[Any, ...]]) -> pa.Table:
    types = PARAM_TABLE_TYPES[name]
    schema = pa.schema([pa.field(c, _arrow_type(t)) for c, t in zip(cols, types, strict=True)])
    return pa.Table.from_pylist([dict(zip(cols, r, strict=True)) for r in rows], schema=schema)


def _duck_param_table(con: Any, name: str, cols: list[str], rows: list[tuple[Any, ...]]) -> None:
    con.register(f"_{name}", _param_arrow(name, cols, rows))
    con.execute(f"CREATE TABLE {name} AS SELECT * FROM _{name}")
    con.unregister(f"_{name}")


# ----------------------------------------------------------------------------------------------- Spark


_spark_session: Any = None


def spark_session(master: str | None = None) -> Any:
    """One local SparkSession per process (start-up costs ~10 s). A cluster is used when SPARK_MASTER is set."""
    global _spark_session
    if _spark_session is not None:
        return _spark_session
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYARROW_IGNORE_TIMEZONE", "1")
    from pyspark.sql import SparkSession

    builder = (SparkSession.builder.appName("minzheng-crosscheck")
               .master(master or os.environ.get("SPARK_MASTER", "local[2]"))
               .config("spark.sql.shuffle.partitions", os.environ.get("MINZHENG_SPARK_PARTITIONS", "4"))
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.driver.memory", os.environ.get("MINZHENG_SPARK_DRIVER_MEMORY", "2g"))
               .config("spark.sql.session.timeZone", "UTC"))
    _spark_session = builder.getOrCreate()
    _spark_session.sparkContext.setLogLevel("ERROR")
    return _spark_session


def stop_spark() -> None:
    global _spark_session
    if _spark_session is not None:
        _spark_session.stop()
        _spark_session = None


def _spark_schema(schema: pa.Schema) -> Any:
    from pyspark.sql import types as T

    def conv(t: pa.DataType) -> Any:
        if pa.types.is_string(t):
            return T.StringType()
        if pa.types.is_date32(t):
            return T.DateType()
        if pa.types.is_decimal(t):
            return T.DecimalType(t.precision, t.scale)
        if pa.types.is_int64(t):
            return T.LongType()
        if pa.types.is_int32(t):
            return T.IntegerType()
        if pa.types.is_boolean(t):
            return T.BooleanType()
        raise TypeError(f"unsupported type {t}")

    return T.StructType([T.StructField(f.name, conv(f.type), True) for f in schema])


def run_spark(inputs: Inputs, params: RuleParams, rules: list[Rule] | None = None, *,
              progress: Progress | None = None) -> dict[str, list[Hit]]:
    rules = RULES if rules is None else rules
    say = progress or (lambda f, m: None)
    say(0.01, "启动 Spark")
    spark = spark_session()
    say(0.05, "读取救助对象快照")
    views: list[str] = []

    def view(name: str, df: Any, cache: bool = False) -> None:
        if cache:
            df = df.cache()
        df.createOrReplaceTempView(name)
        views.append(name)

    try:
        view("recipients", spark.read.parquet(inputs.recipients), cache=True)
        view("recipient_ids", spark.sql("SELECT DISTINCT id_number FROM recipients"), cache=True)
        for name, (cols, rows) in params.tables().items():
            arrow = _param_arrow(name, cols, rows)
            view(name, spark.createDataFrame([tuple(r.values()) for r in arrow.to_pylist()],
                                             schema=_spark_schema(arrow.schema)))
        view("mt", spark.sql("SELECT r.* FROM recipients r JOIN p_programmes p "
                             "ON p.programme = r.programme WHERE p.means_tested"))
        kinds = list(schemas.SCHEMAS)
        for i, kind in enumerate(kinds):
            say(0.05 + 0.45 * i / len(kinds), f"比对部门数据：{schemas.SCHEMAS[kind].label}")
            path = inputs.departments.get(kind)
            if path:
                view(f"_raw_{kind}", spark.read.parquet(path))
                view(f"dept_{kind}", spark.sql(f"SELECT d.* FROM _raw_{kind} d LEFT SEMI JOIN recipient_ids i "
                                               f"ON d.id_number = i.id_number"), cache=True)
            else:
                view(f"dept_{kind}", spark.createDataFrame(
                    [], schema=_spark_schema(schemas.SCHEMAS[kind].arrow_schema)))
        if inputs.kinship_filed:
            view("kinship_filed", spark.read.parquet(inputs.kinship_filed))
        else:
            view("kinship_filed", spark.createDataFrame([], schema=_spark_schema(schemas.KINSHIP_FILED_SCHEMA)))
        out: dict[str, list[Hit]] = {}
        for i, rule in enumerate(rules):
            say(0.5 + 0.5 * i / max(1, len(rules)), f"执行规则：{rule.name}")
            rows = [r.asDict() for r in spark.sql(rule.render(params)).collect()]
            out[rule.code] = group_hits(rule, rows)
        say(1.0, "完成")
        return out
    finally:
        for name in views:
            spark.catalog.dropTempView(name)
        spark.catalog.clearCache()


def run(engine: str, inputs: Inputs, params: RuleParams, rules: list[Rule] | None = None, *,
        progress: Progress | None = None, memory_limit: str | None = None) -> dict[str, list[Hit]]:
    if engine == "duckdb":
        return run_duckdb(inputs, params, rules, progress=progress, memory_limit=memory_limit)
    if engine == "spark":
        return run_spark(inputs, params, rules, progress=progress)
    raise ValueError(f"未知的核对引擎“{engine}”，可用：{'、'.join(ENGINES)}")
