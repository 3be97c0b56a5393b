"""The disaster 初报 from a phone: validated on the device by the rules the server ships (the same rule data, a
generic evaluator in JavaScript — never a hand copy), checked again by the server, and a conflict when the report
changed on the server since the phone's copy."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from minzheng.disaster import indicators, rules
from minzheng.disaster import services as disaster
from minzheng.disaster.models import Report, ReportStatus
from minzheng.fieldapp import work

from .conftest import Phone, record

pytestmark = pytest.mark.django_db

RULES_JS = Path(__file__).resolve().parents[2] / "src" / "minzheng" / "fieldapp" / "static" / "fieldapp" / "rules.js"


def test_a_phone_files_the_initial_report_checked_by_the_same_rules(
        phone: Callable[[Any], Phone], coordinator: Any, zhongshan: Any, flood: Any) -> None:
    p = phone(coordinator)
    w = p.work()
    [due] = w["disaster"]
    assert due["kind"] == "initial" and due["version"] == ""
    assert {r["code"] for r in w["disaster_rules"]["rules"]} >= {"E10", "E20"}
    # when: 绝收 larger than 成灾 — refused with the rule's own message, nothing sent up
    bad = {"crop_affected": "10", "crop_damaged": "4", "crop_lost": "6", "pop_affected": "30"}
    [refused] = p.send(record("disaster", {"round": due["round"], "values": bad}, base_version=""))
    assert refused["status"] == "rejected" and "绝收" in refused["message"]
    assert not Report.objects.filter(status=ReportStatus.SUBMITTED).exists()
    # then corrected, it is 报送
    good = {**bad, "crop_lost": "3"}
    [ok] = p.send(record("disaster", {"round": due["round"], "values": good}, base_version=""))
    assert ok["status"] == "accepted"
    rep = Report.objects.get(division=zhongshan)
    assert rep.status == ReportStatus.SUBMITTED and rep.values["crop_lost"] == "3"


def test_a_report_changed_on_the_server_meanwhile_is_a_conflict(
        phone: Callable[[Any], Phone], coordinator: Any, zhongshan: Any, meishan_officer: Any, flood: Any) -> None:
    p = phone(coordinator)
    [due] = p.work()["disaster"]
    # when: the township keys figures into the village's draft while the phone is offline
    rep = disaster.open_report(actor=meishan_officer, round=flood.rounds.get(), division=zhongshan)
    disaster.save_report(actor=meishan_officer, report=rep, values={"pop_affected": "12"})
    [answer] = p.send(record("disaster", {"round": due["round"], "values": {"pop_affected": "40"}},
                             base_version=due["version"]))
    # then: a conflict that shows the server's figures; the server's draft is untouched
    assert answer["status"] == "conflict" and answer["server"]["values"] == {"pop_affected": "12"}
    rep.refresh_from_db()
    assert rep.values == {"pop_affected": "12"} and rep.status == ReportStatus.DRAFT
    # the worker looked and keeps their figures: sent again on the server's version, it goes through
    [kept] = p.send(record("disaster", {"round": due["round"], "values": {"pop_affected": "40"}},
                           base_version=answer["server_version"]))
    assert kept["status"] == "accepted"
    rep.refresh_from_db()
    assert rep.values == {"pop_affected": "40"} and rep.status == ReportStatus.SUBMITTED


def _cases(n: int, seed: int) -> list[dict[str, Any]]:
    rnd = random.Random(seed)

    def figure(integer: bool) -> str:
        roll = rnd.random()
        if roll < 0.15:
            return ""
        if roll < 0.2:
            return rnd.choice(["-3", "abc", "1,200", " 7 ", "0.50", "1e2", "3.", ".5"])
        if integer:
            return str(rnd.randint(0, 60)) if rnd.random() < 0.9 else f"{rnd.randint(0, 60)}.5"
        return f"{rnd.randint(0, 500) / rnd.choice([1, 10, 100])}"

    # Forms that pass every rule: blank, consistent figures, a decrease that is explained.
    base = {"values": {}, "prev": None, "register": {}, "villages": {}, "explained": False, "kind": "initial"}
    fine = {"pop_affected": "120", "pop_relocated": "30", "crop_affected": "12.5", "crop_damaged": "4.25",
            "crop_lost": "1", "loss_total": "80", "loss_agri": "50.5", "loss_house": "29.5"}
    out = [base, {**base, "values": fine},
           {**base, "values": fine, "prev": {"pop_affected": "150"}, "explained": True, "kind": "update"}]
    for _ in range(n):
        values = {i.code: figure(i.integer) for i in indicators.INDICATORS if rnd.random() < 0.8}
        prev = ({i.code: str(rnd.randint(0, 50)) for i in indicators.INDICATORS} if rnd.random() < 0.5 else None)
        register = {k: rnd.randint(0, 5) for k in sorted(rules.REGISTER_KEYS)} if rnd.random() < 0.6 else {}
        villages = ({i.code: str(rnd.randint(0, 60)) for i in indicators.INDICATORS} if rnd.random() < 0.3 else {})
        out.append({"values": values, "prev": prev, "register": register, "villages": villages,
                    "explained": rnd.random() < 0.3, "kind": rnd.choice(["initial", "update", "final"])})
    return out


def _server(case: dict[str, Any]) -> dict[str, Any]:
    """As save_report + validate do it: parse the figures, then run every active rule."""
    cleaned, errors = indicators.clean_values(case["values"])
    if errors:
        return {"errors": errors}
    env = rules.build_env(cleaned, prev=case["prev"], register=case["register"], explained=case["explained"],
                          extra={f"villages.{c}": v for c, v in case["villages"].items()})
    outcome = rules.check(disaster.active_rules(), env, kind=case["kind"])
    return {"findings": [f.as_dict() for f in outcome.findings]}


DEVICE = """
const R = require(process.argv[1]);
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
const out = input.cases.map(c => {
  let env;
  try { env = R.buildEnv(input.book, c.values, c); } catch (e) { if (e.errors) return {errors: e.errors}; throw e; }
  return {findings: R.check(input.book, env, c.kind)};
});
process.stdout.write(JSON.stringify(out));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed (it comes with npm, used at build)")
def test_the_device_and_the_server_agree_on_every_case() -> None:
    # given: the rule book as the phone receives it, and 400 generated forms (blanks, decimals, typos, prev/none)
    book = work.rules_data()
    cases = _cases(400, seed=21)
    # when: the phone's evaluator (rules.js, under node) and the server's engine judge each
    run = subprocess.run(["node", "-e", DEVICE, str(RULES_JS)], input=json.dumps({"book": book, "cases": cases}),
                         capture_output=True, text=True, check=True, timeout=60)
    device = json.loads(run.stdout)
    server = [_server(c) for c in cases]
    # then: the same errors, the same findings with the same messages and fields, case by case
    disagreements = [(i, cases[i], s, d) for i, (s, d) in enumerate(zip(server, device, strict=True)) if s != d]
    assert not disagreements, disagreements[:3]
    # and the cases exercise the rules: refusals, warnings and passes all occur
    severities = {f["severity"] for s in server for f in s.get("findings", [])}
    assert severities == {"error", "warning"} and any("errors" in s for s in server)
    assert any(s.get("findings") == [] for s in server)
