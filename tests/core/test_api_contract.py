"""The API is a contract: schemathesis fuzzes every operation of /api/openapi.json in-process (WSGI, no port)
over demo data with a business user's token, positive and negative examples, and finds no server error and no
response that contradicts the published document."""

from __future__ import annotations

import io
import os
import time
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation.drivers import CoverageGenerator
from schemathesis.generation.feedback import NO_FEEDBACK
from schemathesis.generation.overrides import Override
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

# Transactional, as in production: a request the database refuses (too long for a column …) rolls back alone
# instead of poisoning one test-wide transaction on PostgreSQL.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.single_db]

# Per operation: up to COVERAGE_CASES of schemathesis' deterministic boundary cases (negative ids, huge numbers,
# malformed dates, missing fields …), spread over its whole list, then fuzzed examples up to 25 in all.
EXAMPLES_PER_OPERATION = 25
COVERAGE_CASES = int(os.environ.get("MINZHENG_FUZZ_COVERAGE", "15"))
TIME_BUDGET_SECONDS = 300
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]


@dataclass
class Tally:
    operations: int = 0
    examples: int = 0
    out_of_time: int = 0        # operations the time budget left untested (reported, so a slow CI run shows)
    failures: dict[str, str] = field(default_factory=dict)


def _demo_token() -> str:
    from minzheng.accounts import services as accounts
    from minzheng.accounts.roles import Role
    from minzheng.core.setup import load_demo_data
    from minzheng.regions.models import Division, Level
    from tests.conftest import ensure_reference_data

    ensure_reference_data()   # an earlier transactional test may have emptied every table
    load_demo_data(io.StringIO(), scale=0.002)
    user = accounts.create_user(username="fuzz_admin", password="Fuzz-Passw0rd!", role=Role.DISTRICT_ADMIN,
                                division=Division.objects.get(level=Level.COUNTY), full_name="接口测试")
    return accounts.issue_token(user=user, name="schemathesis")


def _coverage_cases(operation: Any) -> list[Any]:
    generation = operation.schema.config.generation_for(operation=operation, phase="coverage")
    cases = list(CoverageGenerator(operation=operation, generation_modes=list(schemathesis.GenerationMode),
                                   generation_config=generation, auth_storage=None, override=Override(),
                                   feedback=NO_FEEDBACK))
    if len(cases) <= COVERAGE_CASES:
        return cases
    step = len(cases) / COVERAGE_CASES
    return [cases[int(i * step)] for i in range(COVERAGE_CASES)]


def _call(case: Any, headers: dict[str, str], tally: Tally) -> None:
    tally.examples += 1
    try:
        case.call_and_validate(headers=headers, checks=CHECKS)
    except (Exception, BaseExceptionGroup) as exc:  # every failure is collected and reported together
        tally.failures[case.operation.label] = f"{type(exc).__name__}: {exc}"[:1500]


def _fuzz(operation: Any, headers: dict[str, str], tally: Tally, deadline: float) -> None:
    label = operation.label
    if time.monotonic() > deadline:
        tally.out_of_time += 1
        return
    explicit = _coverage_cases(operation)
    for case in explicit:
        if label in tally.failures or time.monotonic() > deadline:
            return
        _call(case, headers, tally)
    strategy = st.one_of(operation.as_strategy(generation_mode=schemathesis.GenerationMode.POSITIVE),
                         operation.as_strategy(generation_mode=schemathesis.GenerationMode.NEGATIVE))

    @settings(max_examples=max(EXAMPLES_PER_OPERATION - len(explicit), 1), deadline=None, database=None, derandomize=True,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def run(case: Any) -> None:
        if label not in tally.failures and time.monotonic() < deadline:
            _call(case, headers, tally)

    run()


def test_api_conforms_to_its_openapi_document() -> None:
    from minzheng.wsgi import application

    headers = {"Authorization": f"Bearer {_demo_token()}"}
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
    tally = Tally()
    deadline = time.monotonic() + TIME_BUDGET_SECONDS
    for result in schema.get_all_operations():
        operation = result.ok()
        tally.operations += 1
        _fuzz(operation, headers, tally, deadline)
    report = "\n\n".join(f"{k}\n{v}" for k, v in sorted(tally.failures.items()))
    print(f"schemathesis: operations={tally.operations} examples={tally.examples} failures={len(tally.failures)} "
          f"untested_for_time={tally.out_of_time}")
    assert not tally.failures, report
    assert tally.out_of_time < tally.operations / 2, "the time budget left most operations untested"
