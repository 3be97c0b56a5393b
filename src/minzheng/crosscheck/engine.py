"""Running the rules on an engine: DuckDB embedded (default) or Apache Spark (local mode or a cluster).

Both engines get the same inputs (Parquet files), build the same views and run the same SQL text from rules.py;
everything after the query (grouping rows into 疑点, normalising values, fingerprints) is plain Python shared by both,
so identical query results give identical findings. No Django import: the benchmark and a Spark job use this
module as is.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from . import schemas
from .rules import PARAM_TABLE_TYPES, RULES, Rule, RuleParams

Progress = Callable[[float, str], None]
# ID numbers that appear in any (pruned) department table.
MATCHED_IDS = " UNION ".join(f"SELECT id_number FROM dept_{k}" for k in schemas.SCHEMAS)
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
    columns: list[str]
    tuples: list[tuple[Any, ...]]
    evidence_columns: tuple[str, ...]
    evidence_tuples: list[tuple[Any, ...]]
    fingerprint: str
    subject_key: str

    @property
    def rows(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, t, strict=True)) for t in self.tuples]

    @property
    def evidence(self) -> list[dict[str, Any]]:
        return [dict(zip(self.evidence_columns, t, strict=True)) for t in self.evidence_tuples]

    @property
    def first(self) -> dict[str, Any]:
        return dict(zip(self.columns, self.tuples[0], strict=True))


CENT = Decimal("0.01")


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


def _text(value: Any) -> str:
    return "\x00" if value is None else str(value)


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _sort_key(row: tuple[Any, ...]) -> tuple[str, ...]:
    return tuple(_text(v) for v in row)


def group_hits(rule: Rule, rows: Iterable[dict[str, Any]] | None = None, *, columns: list[str] | None = None,
               tuples: Iterable[tuple[Any, ...]] | None = None) -> list[Hit]:
    """Group a rule's result rows into hits: one per (township, subject). Values are canonicalised first, so
    the grouping, the evidence and both hashes are the same whichever engine produced the rows."""
    if rows is not None:
        rows = list(rows)
        columns = list(rows[0].keys()) if rows else list(columns or [])
        tuples = [tuple(r[c] for c in columns) for r in rows]
    assert columns is not None and tuples is not None
    tuples = list(tuples)
    if not tuples:
        return []
    i_town = columns.index("township_code") if "township_code" in columns else -1
    i_subj = [columns.index(c) for c in rule.subject]
    i_ev = [columns.index(c) for c in rule.evidence]
    # Canonicalise column by column: only columns holding money or dates need converting.
    cols = list(zip(*tuples, strict=True))
    for i, col in enumerate(cols):
        sample = next((v for v in col if v is not None), None)
        if sample is None or type(sample) in (str, int, bool):
            continue
        if type(sample) is Decimal:
            cols[i] = tuple(None if v is None else str(v.quantize(CENT)) for v in col)
        elif type(sample) is dt.date:
            cols[i] = tuple(None if v is None else v.isoformat() for v in col)
        else:
            cols[i] = tuple(canonical(v) for v in col)
    groups: dict[tuple[Any, ...], list[tuple[Any, ...]]] = {}
    for row in zip(*cols, strict=True):
        groups.setdefault((row[i_town], *(row[i] for i in i_subj)), []).append(row)
    hits = []
    for key, grp in groups.items():
        if len(grp) == 1:  # the common case: one department row about one subject
            evidence = [tuple(grp[0][i] for i in i_ev)]
        else:
            grp.sort(key=_sort_key)
            evidence = sorted({tuple(r[i] for i in i_ev) for r in grp}, key=_sort_key)
        subject_key = _digest(rule.code, *map(_text, key))
        fingerprint = _digest(subject_key, *("\x1e".join(map(_text, e)) for e in evidence))
        hits.append(Hit(rule.code, key[0], dict(zip(rule.subject, key[1:], strict=True)), columns, grp,
                        rule.evidence, evidence, fingerprint, subject_key))
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
    rules = RULES if rules is None else rules
    say = progress or (lambda f, m: None)
    con = duckdb.connect(config={"preserve_insertion_order": False})
    try:
        if memory_limit:
            con.execute(f"SET memory_limit = {_sql_str(memory_limit)}")
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        con.execute("SET enable_progress_bar = false")
        say(0.02, "读取救助对象快照")
        # The snapshot stays a Parquet view: each rule reads only the columns it needs.
        con.execute(f"CREATE VIEW recipients AS SELECT * FROM read_parquet({_sql_str(inputs.recipients)})")
        con.execute("CREATE TABLE recipient_ids AS SELECT id_number, COUNT(*) AS n_rows FROM recipients "
                    "GROUP BY id_number")
        for name, (cols, rows) in params.tables().items():
            _duck_table(con, name, list(zip(cols, PARAM_TABLE_TYPES[name], strict=True)), rows)
        kinds = list(schemas.SCHEMAS)
        for i, kind in enumerate(kinds):
            say(0.05 + 0.45 * i / len(kinds), f"比对部门数据：{schemas.SCHEMAS[kind].label}")
            path = inputs.departments.get(kind)
            if path:
                # Only department rows about recipients matter; pruning once keeps every rule small.
                con.execute(f"CREATE TABLE dept_{kind} AS SELECT d.* FROM read_parquet({_sql_str(path)}) d "
                            f"SEMI JOIN recipient_ids i ON d.id_number = i.id_number")
            else:
                _duck_table(con, f"dept_{kind}", _columns(schemas.SCHEMAS[kind].arrow_schema), [])
        if inputs.kinship_filed:
            con.execute(f"CREATE TABLE kinship_filed AS SELECT * FROM read_parquet({_sql_str(inputs.kinship_filed)})")
        else:
            _duck_table(con, "kinship_filed", _columns(schemas.KINSHIP_FILED_SCHEMA), [])
        # Recipients named in any department table, and their means-tested part: small, read by most rules.
        con.execute(f"CREATE TABLE matched AS SELECT r.* FROM recipients r SEMI JOIN ({MATCHED_IDS}) m "
                    f"ON r.id_number = m.id_number")
        con.execute("CREATE TABLE mt AS SELECT r.* FROM matched r JOIN p_programmes p "
                    "ON p.programme = r.programme WHERE p.means_tested")
        out: dict[str, list[Hit]] = {}
        for i, rule in enumerate(rules):
            say(0.5 + 0.5 * i / max(1, len(rules)), f"执行规则：{rule.name}")
            cur = con.execute(rule.render(params))
            cols = [d[0] for d in cur.description]
            out[rule.code] = group_hits(rule, columns=cols, tuples=cur.fetchall())
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


_SQL_TYPES = {"string": "VARCHAR", "bool": "BOOLEAN", "int": "BIGINT", "int32": "INTEGER",
              "decimal": "DECIMAL(18,2)", "date": "DATE"}


def _columns(schema: pa.Schema) -> list[tuple[str, str]]:
    def kind(t: pa.DataType) -> str:
        if pa.types.is_decimal(t):
            return f"DECIMAL({t.precision},{t.scale})"
        return {"string": "string", "bool": "bool", "int64": "int", "int32": "int32", "date32[day]": "date"}[str(t)]

    return [(f.name, kind(f.type)) for f in schema]


def _duck_table(con: Any, name: str, columns: list[tuple[str, str]], rows: list[tuple[Any, ...]]) -> None:
    ddl = ", ".join(f"{c} {_SQL_TYPES.get(t, t)}" for c, t in columns)
    con.execute(f"CREATE TABLE {name} ({ddl})")
    if rows:
        con.executemany(f"INSERT INTO {name} VALUES ({', '.join('?' for _ in columns)})", [list(r) for r in rows])


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
        view("recipient_ids", spark.sql("SELECT id_number, COUNT(*) AS n_rows FROM recipients GROUP BY id_number"),
             cache=True)
        for name, (cols, rows) in params.tables().items():
            arrow = _param_arrow(name, cols, rows)
            view(name, spark.createDataFrame([tuple(r.values()) for r in arrow.to_pylist()],
                                             schema=_spark_schema(arrow.schema)))
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
        view("matched", spark.sql(f"SELECT r.* FROM recipients r LEFT SEMI JOIN ({MATCHED_IDS}) m "
                                  f"ON r.id_number = m.id_number"), cache=True)
        view("mt", spark.sql("SELECT r.* FROM matched r JOIN p_programmes p "
                             "ON p.programme = r.programme WHERE p.means_tested"), cache=True)
        out: dict[str, list[Hit]] = {}
        for i, rule in enumerate(rules):
            say(0.5 + 0.5 * i / max(1, len(rules)), f"执行规则：{rule.name}")
            df = spark.sql(rule.render(params))
            out[rule.code] = group_hits(rule, columns=list(df.columns), tuples=[tuple(r) for r in df.collect()])
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
