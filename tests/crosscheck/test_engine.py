"""The rules on generated data, without the Django database: each rule finds exactly its planted cases, nothing
fires on clean data, fingerprints move only with the evidence, and DuckDB and Spark agree."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minzheng.crosscheck import engine, rules, synth
from minzheng.crosscheck.describe import month_after, months_paid, overpayment

pytestmark = pytest.mark.engine_only


def inputs_for(data: synth.Synth, folder: Path) -> engine.Inputs:
    return engine.Inputs(
        engine.write_parquet(data.recipients, str(folder / "recipients.parquet")),
        {k: engine.write_parquet(t, str(folder / f"{k}.parquet")) for k, t in data.departments.items()},
        engine.write_parquet(data.kinship_filed, str(folder / "kinship_filed.parquet")))


def found(out: dict[str, list[engine.Hit]]) -> set[tuple[str, str, tuple[object, ...]]]:
    return {(h.rule, h.township_code, tuple(h.subject.values())) for hs in out.values() for h in hs}


def test_each_rule_finds_exactly_its_planted_cases(tmp_path: Path) -> None:
    # given: a population with one or two planted cases per rule, next to exempt look-alikes
    data = synth.generate(seed=7, households=60)
    # when
    out = engine.run_duckdb(inputs_for(data, tmp_path), rules.RuleParams(as_of=data.as_of))
    # then: every rule fires, on exactly the planted subjects
    assert found(out) == data.expected
    assert {r.code for r in rules.RULES} == {rule for rule, _, _ in data.expected}


def test_clean_data_raises_nothing(tmp_path: Path) -> None:
    data = synth.generate(seed=7, households=60, clean=True)
    out = engine.run_duckdb(inputs_for(data, tmp_path), rules.RuleParams(as_of=data.as_of))
    assert found(out) == set()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), households=st.integers(30, 120), clean=st.booleans())
def test_rules_find_the_plants_whatever_the_population(tmp_path: Path, seed: int, households: int,
                                                       clean: bool) -> None:
    data = synth.generate(seed=seed, households=households, clean=clean)
    folder = tmp_path / f"{seed}-{households}-{clean}"
    out = engine.run_duckdb(inputs_for(data, folder), rules.RuleParams(as_of=data.as_of))
    assert found(out) == data.expected


def test_a_parameter_change_moves_the_threshold(tmp_path: Path) -> None:
    # given: the 52,000 元 tractor is flagged under a 30,000 元 limit
    data = synth.generate(seed=3, households=50)
    inputs = inputs_for(data, tmp_path)
    vehicle = [r for r in rules.RULES if r.code == "vehicle"]
    p = rules.RuleParams(as_of=data.as_of)
    before = engine.run_duckdb(inputs, p, vehicle)["vehicle"]
    # when: the limit is raised to 60,000 元
    p.vehicle_farm_value_limit = Decimal("60000")
    after = engine.run_duckdb(inputs, p, vehicle)["vehicle"]
    # then: only the car is left
    assert len(before) == 2
    assert [e["vehicle_type"] for h in after for e in h.evidence] == ["小型轿车"]


def test_fingerprint_changes_with_evidence_only(tmp_path: Path) -> None:
    data = synth.generate(seed=5, households=40)
    p = rules.RuleParams(as_of=data.as_of)
    first = engine.run_duckdb(inputs_for(data, tmp_path / "a"), p)
    again = engine.run_duckdb(inputs_for(data, tmp_path / "b"), p)
    assert [h.fingerprint for hs in first.values() for h in hs] == [h.fingerprint for hs in again.values() for h in hs]
    # a later check date changes the overpayment, not the facts: same fingerprints
    later = engine.run_duckdb(inputs_for(data, tmp_path / "c"), rules.RuleParams(as_of=data.as_of))
    assert {h.fingerprint for h in first["death"]} == {h.fingerprint for h in later["death"]}
    # a different death date is different evidence
    death = data.departments["death"].to_pylist()
    for row in death:
        if row["death_date"] is not None and row["death_date"].year >= 2023:
            row["death_date"] = row["death_date"] - dt.timedelta(days=40)
    import pyarrow as pa

    data.departments["death"] = pa.Table.from_pylist(death, schema=data.departments["death"].schema)
    moved = engine.run_duckdb(inputs_for(data, tmp_path / "d"), p)
    assert {h.subject_key for h in moved["death"]} == {h.subject_key for h in first["death"]}
    assert not {h.fingerprint for h in moved["death"]} & {h.fingerprint for h in first["death"]}


def test_death_recovery_starts_the_month_after_death() -> None:
    # 社会救助暂行办法 第六十八条: the month of death is still due, recovery starts the next month
    c = overpayment(death_date=dt.date(2024, 2, 10), start_month=dt.date(2022, 1, 1), on=dt.date(2024, 6, 15),
                    monthly_amount=Decimal("900"), covered_persons=1, is_direct=True)
    assert c == {"recover_from": "2024-03-01", "months": 4, "monthly_share": "900.00", "overpaid": "3600.00"}
    # a household member's death recovers only that member's share
    c = overpayment(death_date=dt.date(2023, 12, 31), start_month=dt.date(2023, 3, 1), on=dt.date(2024, 6, 15),
                    monthly_amount=Decimal("900"), covered_persons=3, is_direct=False)
    assert (c["recover_from"], c["months"], c["overpaid"]) == ("2024-01-01", 6, "1800.00")


@given(death=st.dates(dt.date(2015, 1, 1), dt.date(2030, 12, 31)),
       start=st.dates(dt.date(2015, 1, 1), dt.date(2030, 12, 1)),
       on=st.dates(dt.date(2015, 1, 1), dt.date(2030, 12, 31)),
       amount=st.decimals(0, 5000, places=2), covered=st.integers(1, 8), direct=st.booleans())
def test_recovery_never_includes_the_month_of_death_or_months_before_enrollment(
        death: dt.date, start: dt.date, on: dt.date, amount: Decimal, covered: int, direct: bool) -> None:
    c = overpayment(death_date=death, start_month=start.replace(day=1), on=on, monthly_amount=amount,
                    covered_persons=covered, is_direct=direct)
    rf = dt.date.fromisoformat(c["recover_from"])
    assert rf >= month_after(death) and rf >= start.replace(day=1) and rf.day == 1
    assert c["months"] == months_paid(rf, on) >= 0
    assert Decimal(c["overpaid"]) == Decimal(c["monthly_share"]) * c["months"]
    assert Decimal(c["overpaid"]) <= amount * max(c["months"], 0) + Decimal("0.01") * c["months"]


# ------------------------------------------------------------------------------------------- Spark


@pytest.fixture(scope="module")
def spark() -> object:
    pytest.importorskip("pyspark")
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    # Tiny data: one shuffle partition keeps the dozens of small jobs quick.
    os.environ.setdefault("MINZHENG_SPARK_PARTITIONS", "1")
    session = engine.spark_session(master="local[1]")
    yield session
    engine.stop_spark()


@pytest.mark.slow
def test_duckdb_and_spark_raise_identical_findings(spark: object, tmp_path: Path) -> None:
    # given: the same generated inputs, with every rule's planted cases and their exempt look-alikes
    data = synth.generate(seed=11, households=50)
    inputs = inputs_for(data, tmp_path)
    p = rules.RuleParams(as_of=data.as_of)
    # when
    duck = engine.run_duckdb(inputs, p)
    sprk = engine.run_spark(inputs, p)
    # then: the same findings, with the same evidence rows and fingerprints
    assert found(sprk) == found(duck) == data.expected
    for code in duck:
        assert [(h.fingerprint, h.rows) for h in duck[code]] == [(h.fingerprint, h.rows) for h in sprk[code]], code
