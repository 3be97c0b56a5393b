"""Pre-flight at draft: every line that cannot be paid is found when the roster is generated — on the page, in
`minzheng payroll generate --json` and in the API — and a roster with one cannot be submitted until it is fixed or
held."""

from __future__ import annotations

import datetime as dt
import io
import json
import random
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection

from minzheng.core import sealed
from minzheng.core.worker import runner
from minzheng.payments import accounts, guardians, preflight, services
from minzheng.payments.models import Guardianship, LineProblem, PayrollLine
from minzheng.policy.services import add_version
from minzheng.registry.models import EnrollmentAmount

from .conftest import card, enroll, make_person

JAN, FEB = dt.date(2026, 1, 1), dt.date(2026, 2, 1)


# --- account schemes ------------------------------------------------------------------------------------------

def test_luhn_and_schemes_say_why() -> None:
    schemes = accounts.parse_schemes([
        {"code": "unionpay", "name": "银联卡", "prefixes": ["62"], "lengths": ["16-19"], "luhn": True},
        {"code": "passbook", "name": "存折", "prefixes": [], "lengths": ["8-25"], "luhn": False}])
    assert accounts.luhn_ok("4111111111111111") and not accounts.luhn_ok("4111111111111112")
    good = "622848001234567" + accounts.luhn_digit("622848001234567")
    assert accounts.check(good, schemes).ok
    typo = good[:-1] + str((int(good[-1]) + 1) % 10)   # one digit mistyped
    bad = accounts.check(typo, schemes)
    assert not bad.ok and "校验位" in bad.message and typo[-4:] in bad.message
    # a passbook number has no check digit: any 8–25 digits not matching a card scheme pass
    assert accounts.check("62284800123", schemes).scheme == "passbook"
    assert accounts.check("91350702000012345", schemes).ok
    assert "数字以外" in accounts.check("6228-4800", schemes).message
    assert "位数或号段" in accounts.check("1234567", schemes).message
    assert accounts.check("", schemes).message == "没有银行账号"


def _sql_verdicts(samples: list[str], schemes: list[accounts.Scheme]) -> list[bool]:
    # From a table, as in the engine, which sees the shape stored beside each sealed account, never the account.
    with connection.cursor() as cur:
        cur.execute("CREATE TEMPORARY TABLE acct_samples (n integer, a varchar(40))")
        cur.executemany("INSERT INTO acct_samples (n, a) VALUES (%s, %s)",
                        [(i, sealed.account_shape(s)) for i, s in enumerate(samples)])
        cur.execute(f"SELECT n, CASE WHEN {accounts.sql_valid_shape('a', schemes)} THEN 1 ELSE 0 END FROM acct_samples "
                    "ORDER BY n")
        rows = [bool(r[1]) for r in cur.fetchall()]
        cur.execute("DROP TABLE acct_samples")
    return rows


@pytest.mark.django_db
def test_sql_check_agrees_with_python_check() -> None:
    # given: cards with and without a correct check digit, passbooks, odd lengths, letters, the empty account
    rng = random.Random(7)
    schemes = accounts.schemes(JAN)
    samples = ["", "6228 4800", "12ab5678", "4111111111111111", "5500005555555559", "2221000000000009"]
    for _ in range(150):
        prefix = rng.choice(["62", "4", "51", "9", "1", "622848", "27"])
        body = prefix + "".join(rng.choice("0123456789") for _ in range(rng.randint(4, 24)))
        samples += [body, body[:-1] + accounts.luhn_digit(body[:-1])]
    # when / then: the SQL expression the engine uses says exactly what the Python check says
    assert _sql_verdicts(samples, schemes) == [accounts.check(s, schemes).ok for s in samples]


@pytest.mark.django_db
def test_scheme_rules_are_a_parameter(hh: Any, meishan_officer: Any) -> None:
    # given: a township bank's 20-digit passbooks starting 62 (no check digit), unknown to the default rules
    h = hh(bank_account="62000000000000000001")
    enroll(h, "dibao_urban", "300", JAN)
    assert services.generate(month=JAN, user=meishan_officer).blocking_count == 0   # 8–25 digits: a passbook
    add_version(key="payments.account_schemes", effective_from=JAN, source_document="测试：本地银行账号规则",
                value=[{"code": "unionpay", "name": "银联卡", "prefixes": ["62"], "lengths": ["16-20"], "luhn": True}])
    # when: from January 62… with 20 digits is a card, so its check digit counts (the draft is generated again)
    res = services.generate(month=JAN, user=meishan_officer)
    # then
    assert [b.problem for rows in res.blocking.values() for b in rows] == [LineProblem.BAD_ACCOUNT]


# --- the check at generation ----------------------------------------------------------------------------------

@pytest.fixture
def troubled(hh: Any, zhongshan: Any) -> dict[str, Any]:
    """One household of each kind of trouble, and two that look alike but are fine."""
    out: dict[str, Any] = {}
    out["ok"] = enroll(hh(head_name="陈好"), "dibao_urban", "500", JAN)
    out["no_account"] = enroll(hh(head_name="林无卡", bank_account=""), "dibao_urban", "400", JAN)
    typo = card(900)
    out["bad_account"] = enroll(hh(head_name="王抄错", bank_account=typo[:-1] + str((int(typo[-1]) + 1) % 10)),
                                "dibao_urban", "300", JAN)
    h = hh(head_name="张已故")
    h.head.is_deceased, h.head.death_date = True, dt.date(2026, 1, 20)   # died this month: still due, not payable
    h.head.save()
    out["deceased"] = enroll(h, "tekun_dispersed", "1000", JAN, person=h.head)
    moved_from, moved_to = hh(head_name="赵户主"), hh(head_name="赵新户")
    mover = make_person(moved_from, name="赵迁出", relation="20")
    out["moved"] = enroll(moved_from, "tekun_dispersed", "900", JAN, person=mover)
    mover.household = moved_to   # moved without the enrollment following (an import left it behind)
    mover.save()
    ward_home = hh(head_name="刘监护")
    ward = make_person(ward_home, name="刘小", relation="40", birth=dt.date(2015, 3, 1))
    Guardianship.objects.create(person=ward, guardian_name="刘监护", bank_account="")
    out["guardian_account"] = enroll(ward_home, "orphan", "1500", JAN, person=ward)
    zero = enroll(hh(head_name="钱为零"), "dibao_rural", "200", JAN)
    EnrollmentAmount.objects.create(enrollment=zero, from_month=JAN, monthly_amount=0, reason="收入已超标准，待停保")
    out["amount"] = zero
    shared = card(901)
    out["dup_a"] = enroll(hh(head_name="孙甲", bank_account=shared), "dibao_urban", "100", JAN)
    out["dup_b"] = enroll(hh(head_name="孙乙", bank_account=shared), "dibao_urban", "100", JAN)
    # fine: a couple sharing one card (one household), and a guardian paid for two wards in two households
    couple = hh(head_name="周夫", birth=dt.date(1940, 1, 1))
    wife = make_person(couple, name="周妻", relation="10", birth=dt.date(1941, 1, 1), bank_account=couple.head.bank_account)
    out["couple_1"] = enroll(couple, "gaoling", "100", JAN, person=couple.head)
    out["couple_2"] = enroll(couple, "gaoling", "100", JAN, person=wife)
    for i in range(2):
        home = hh(head_name=f"吴家{i}")
        child = make_person(home, name=f"吴孤{i}", relation="40", birth=dt.date(2016, 1, 1))
        Guardianship.objects.create(person=child, guardian_name="吴姑", guardian_id_number="350702198001010011",
                                    bank_account=card(950))
        out[f"ward_{i}"] = enroll(home, "orphan", "1500", JAN, person=child)
    return out


@pytest.mark.django_db
def test_generation_lists_every_line_that_cannot_be_paid(troubled: dict[str, Any], meishan_officer: Any) -> None:
    # when
    res = services.generate(month=JAN, user=meishan_officer)
    # then: each trouble is found once, with a sentence saying why; the look-alikes are not
    found = {b.enrollment_id: b for rows in res.blocking.values() for b in rows}
    want = {k: troubled[k].pk for k in ("no_account", "bad_account", "deceased", "moved", "guardian_account",
                                        "amount", "dup_a", "dup_b")}
    assert {found[e].problem for e in want.values()} == {
        "no_account", "bad_account", "deceased", "moved", "guardian_account", "amount", "dup_account"}
    assert set(found) == set(want.values())
    assert found[want["bad_account"]].problem == LineProblem.BAD_ACCOUNT and "校验位" in found[want["bad_account"]].message
    assert "孙乙" in found[want["dup_a"]].message and "孙甲" in found[want["dup_b"]].message
    assert "2026-01-20" in found[want["deceased"]].message and found[want["no_account"]].fix
    # a guardian is the payee of the ward's line
    ward_line = PayrollLine.objects.get(enrollment=troubled["ward_0"])
    assert (ward_line.payee_name, ward_line.bank_account, ward_line.problem) == ("吴姑", card(950), "")
    # the zero amount is a line to look at, not a family silently dropped
    assert PayrollLine.objects.get(enrollment=troubled["amount"]).amount == 0
    assert res.blocking_count == 8 and res.as_dict()["blocking_lines"] == 8


@pytest.mark.django_db
def test_a_roster_with_blocking_lines_cannot_be_submitted(troubled: dict[str, Any], meishan_officer: Any) -> None:
    res = services.generate(month=JAN, user=meishan_officer)
    p = next(p for p in res.payrolls if p.programme.code == "dibao_urban")
    with pytest.raises(ValidationError, match="不能发放的明细"):
        services.prepare(payroll=p, user=meishan_officer)


@pytest.mark.django_db
def test_cli_generate_json_reports_the_blocking_lines(troubled: dict[str, Any], meishan_officer: Any) -> None:
    out = io.StringIO()
    call_command("payroll", "generate", "--month", "2026-01", "--json", "--as", meishan_officer.username, stdout=out)
    data = json.loads(out.getvalue())
    assert data["blocking_lines"] == 8
    rows = {b["payee_name"]: b for p in data["payrolls"] for b in p["blocking"]}
    assert rows["林无卡"]["problem"] == "no_account" and rows["林无卡"]["message"] == "林无卡 没有银行账号"
    assert rows["王抄错"]["account"].endswith(rows["王抄错"]["account"][-4:]) and "*" in rows["王抄错"]["account"]
    text = io.StringIO()
    call_command("payroll", "preflight", "--month", "2026-01", stdout=text)
    assert "不能发放" in text.getvalue() and "林无卡" in text.getvalue()


@pytest.mark.django_db
def test_api_and_page_show_the_check(troubled: dict[str, Any], meishan_officer: Any, login: Any) -> None:
    c = login(meishan_officer)
    resp = c.post("/api/payments/payrolls/generate", json.dumps({"month": "2026-01"}), content_type="application/json")
    assert resp.status_code == 202
    runner.drain()
    result = c.get(f"/api/core/tasks/{resp.json()['id']}").json()["result"]
    assert result["blocking_lines"] == 8
    rosters = [c.get(f"/api/payments/payrolls/{pk}").json() for pk in result["payrolls"]]
    p = next(x for x in rosters if x["programme"] == "dibao_urban")
    pre = c.get(f"/api/payments/payrolls/{p['id']}/preflight").json()
    assert pre["blocking_count"] > 0
    assert "prepare" not in pre["actions"] and "hold_blocked" in pre["actions"]
    page = c.get(f"/payments/payroll/{p['id']}/").content.decode()
    assert "发放前检查" in page and "林无卡 没有银行账号" in page and "挂起" in page


@pytest.mark.django_db
def test_family_left_off_because_the_head_died_is_listed(hh: Any, meishan_officer: Any) -> None:
    # given: a 低保 family whose head (the payee) died in December; the spouse lives on
    h = hh(head_name="郑户主")
    make_person(h, name="郑妻", relation="10")
    enroll(h, "dibao_urban", "600", dt.date(2025, 6, 1), covered=2)
    enroll(hh(), "dibao_urban", "300", JAN)
    h.head.is_deceased, h.head.death_date = True, dt.date(2025, 12, 3)
    h.head.save()
    # when
    res = services.generate(month=JAN, user=meishan_officer)
    # then: no line for them, but the officer is told why
    assert [u.head_name for u in res.unrostered] == ["郑户主"] and "变更户主" in res.unrostered[0].message


@pytest.mark.django_db
def test_guardian_with_an_invalid_account_is_refused(hh: Any, meishan_officer: Any) -> None:
    h = hh()
    ward = make_person(h, name="小明", relation="40", birth=dt.date(2016, 1, 1))
    with pytest.raises(ValidationError) as err:
        guardians.set_guardian(person=ward, user=meishan_officer, guardian_name="大明",
                               bank_account=card(77)[:-1] + str((int(card(77)[-1]) + 1) % 10))
    assert "校验位" in str(err.value)
    g = guardians.set_guardian(person=ward, user=meishan_officer, guardian_name="大明", bank_account=card(77))
    assert g.bank_account == card(77)
    assert preflight.blocking([]) == []
