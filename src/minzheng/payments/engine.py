"""The payroll engine: set-based SQL that turns enrollments into payroll lines.

Everything here is `INSERT … SELECT` over the whole scope (all programmes and townships of a month at once), never a
Python loop over enrollments, so a province-scale month (a million enrollments) is a handful of statements.

Rules encoded (policy-rules §1.6 monthly payment; §2.5 "终止 from the next month"; 社会救助暂行办法 Art 68 recovery):
- a month is due for an enrollment when start_month ≤ month < end_month (end_month exclusive) and it is active, or
  ended with an end month; the amount is the EnrollmentAmount version in force that month (latest from_month ≤ month),
  falling back to Enrollment.monthly_amount when no version exists;
- the payee (the enrollment's person, else the household head) must be alive: a person who died is paid for the month
  of death and not from the month after ("stop payment and recover from the month after death");
- for the months already on a committed roster (within the look-back window), what is due now is compared with what
  was paid: a positive difference is paid as arrears (补发: a retroactive raise, a late approval), a negative one is
  recovered (追回: a retroactive cut, a death or exit discovered late);
- failed bank payments of earlier rosters are paid again as reissue lines, with today's bank details; lines held
  (挂起) and then released once fixed are paid again the same way (补发), and until then the month they belong to is
  left out of the arrears/recovery reckoning (nothing is recovered that was never paid);
- a payee under guardianship is paid into the guardian's account, named as the payee on the line;
- pre-flight: every payment line carries, from the same INSERT, the reason it cannot be paid (no or invalid account,
  payee dead or no longer in the household, guardian without an account, amount zero); duplicate accounts across
  unrelated payees are marked by one UPDATE afterwards (see preflight.py for the messages).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection

from minzheng.core import dates, sealed
from minzheng.regions.models import Division
from minzheng.registry.models import Enrollment, EnrollmentAmount, Household, Person, Programme

from . import accounts
from .models import (
    COMMITTED,
    Guardianship,
    LineKind,
    LineProblem,
    LineStatus,
    Payroll,
    PayrollLine,
    PayrollStatus,
)


def parse_month(text: str) -> dt.date:
    """'2024-05' (or 2024-05-01) → date(2024, 5, 1); a clear Chinese error otherwise."""
    from django.core.exceptions import ValidationError

    from minzheng.core.inputs import MAX_YEAR, MIN_YEAR

    raw = str(text).strip()
    try:
        month = dt.datetime.strptime(raw, "%Y-%m").date() if len(raw) == 7 else \
            dates.month_start(dt.date.fromisoformat(raw))
    except ValueError as exc:
        raise ValidationError(f"月份“{text}”格式不对，应为 YYYY-MM，例如 2024-05") from exc
    if not MIN_YEAR <= month.year <= MAX_YEAR:
        raise ValidationError(f"月份“{text}”超出范围，应在 {MIN_YEAR}–{MAX_YEAR} 年之间")
    return month


@dataclass(frozen=True)
class Tables:
    line: str = PayrollLine._meta.db_table
    payroll: str = Payroll._meta.db_table
    enrollment: str = Enrollment._meta.db_table
    amount: str = EnrollmentAmount._meta.db_table
    household: str = Household._meta.db_table
    person: str = Person._meta.db_table
    division: str = Division._meta.db_table
    guardian: str = Guardianship._meta.db_table


T = Tables()
LINE_COLUMNS = ("payroll_id, paid_month, enrollment_id, household_id, person_id, village_id, payee_name, id_number, "
                "bank_name, bank_account, bank_account_index, bank_account_last4, amount, kind, period_month, status, "
                "amount_version_id, covered_persons, due_amount, previously_paid, bank_message, problem")
_COMMITTED_SQL = ", ".join(f"'{s}'" for s in COMMITTED)
# Lines kept out of payment: held, or released and waiting to be paid again.
_PARKED_SQL = f"'{LineStatus.HELD}', '{LineStatus.RELEASED}'"


def _d(day: dt.date) -> str:
    # Dates and integer ids are the only values inlined; both come from Python objects, never from user text.
    # PostgreSQL needs a typed literal in a SELECT list; SQLite stores dates as ISO text.
    if connection.vendor == "postgresql":
        return f"DATE '{day.isoformat()}'"
    return f"'{day.isoformat()}'"


def _ids(values: Iterable[int]) -> str:
    vals = [str(int(v)) for v in values]
    return ", ".join(vals) if vals else "NULL"


def outer_join() -> str:
    """SQLite's planner would start from the small division table (an index probe per household); CROSS JOIN keeps
    enrollments the outer loop there, a sequential scan like the floor. PostgreSQL plans joins itself."""
    return "CROSS JOIN" if connection.vendor == "sqlite" else "JOIN"


def township_expr(alias: str = "d") -> str:
    """The township a household belongs to: its village's parent, or the division itself when at township level."""
    return f"CASE WHEN {alias}.level = 'township' THEN {alias}.id ELSE {alias}.parent_id END"


def version_lookup(month_sql: str, enrollment: str = "e") -> str:
    """The id of the EnrollmentAmount version in force in `month_sql` for `enrollment`."""
    return (f"(SELECT v2.id FROM {T.amount} v2 WHERE v2.enrollment_id = {enrollment}.id "
            f"AND v2.from_month <= {month_sql} ORDER BY v2.from_month DESC, v2.id DESC LIMIT 1)")


def due_condition(month_sql: str) -> str:
    """Enrollment e (payee py) is payable in month `month_sql`."""
    return (f"e.start_month <= {month_sql} AND (e.end_month IS NULL OR e.end_month > {month_sql}) "
            f"AND (e.status = 'active' OR (e.status = 'ended' AND e.end_month IS NOT NULL) "
            # 存量核查: an imported record is paid only in the months a district carry-over names.
            f"OR (e.status = 'verifying' AND e.carry_until > {month_sql})) "
            f"AND ((py.death_date IS NULL AND NOT py.is_deceased) OR py.death_date >= {month_sql})")


# The payee's details as copied onto a line: the guardian's when one is recorded (g), else the person's (py).
PAYEE_SQL = ("COALESCE(g.guardian_name, py.name), CASE WHEN g.id IS NULL THEN py.id_number ELSE g.guardian_id_number END, "
             "COALESCE(g.bank_name, py.bank_name), COALESCE(g.bank_account, py.bank_account), "
             "COALESCE(g.bank_account_index, py.bank_account_index), COALESCE(g.bank_account_last4, py.bank_account_last4)")
GUARDIAN_JOIN = f"LEFT JOIN {T.guardian} g ON g.person_id = py.id"


def problem_sql(amount: str, scheme_list: list[accounts.Scheme]) -> str:
    """Why a payment line cannot be paid, first reason first ('' when it can); payee py, guardian g, enrollment e."""
    account = "COALESCE(g.bank_account, py.bank_account)"
    shape = "COALESCE(g.bank_account_shape, py.bank_account_shape)"   # the account is sealed: see accounts.py
    P = LineProblem
    return f"""CASE WHEN {amount} <= 0 THEN '{P.AMOUNT}'
     WHEN py.is_deceased OR py.death_date IS NOT NULL THEN '{P.DECEASED}'
     WHEN py.household_id <> e.household_id THEN '{P.MOVED}'
     WHEN g.id IS NOT NULL AND g.bank_account = '' THEN '{P.GUARDIAN_ACCOUNT}'
     WHEN {account} = '' THEN '{P.NO_ACCOUNT}'
     WHEN NOT {accounts.sql_valid_shape(shape, scheme_list)} THEN '{P.BAD_ACCOUNT}'
     ELSE '' END"""


def regular_select(month: dt.date, *, payroll_join: str, where_extra: str = "",
                   scheme_list: list[accounts.Scheme] | None = None) -> str:
    """SELECT producing the regular lines of `month`; `payroll_join` supplies `pr.id` (the draft roster). An amount of
    zero is kept as a line with a problem rather than dropped unseen."""
    m = _d(month)
    amount = "COALESCE(v.monthly_amount, e.monthly_amount)"
    problem = problem_sql(amount, scheme_list if scheme_list is not None else accounts.schemes(month))
    return f"""
SELECT pr.id, {m}, e.id, e.household_id, e.person_id, h.division_id, {PAYEE_SQL}, {amount}, 'regular', {m}, 'pending',
       v.id, COALESCE(v.covered_persons, e.covered_persons), {amount}, 0, '', {problem}
FROM {T.enrollment} e
{outer_join()} {T.household} h ON h.id = e.household_id
JOIN {T.division} d ON d.id = h.division_id
JOIN {T.person} py ON py.id = COALESCE(e.person_id, h.head_id)
{payroll_join}
LEFT JOIN {T.amount} v ON v.id = {version_lookup(m)}
{GUARDIAN_JOIN}
WHERE {due_condition(m)} {where_extra}"""


def draft_join(month: dt.date) -> str:
    return (f"JOIN {T.payroll} pr ON pr.programme_id = e.programme_id AND pr.township_id = {township_expr()} "
            f"AND pr.month = {_d(month)} AND pr.status = 'draft'")


def insert_regular(month: dt.date, payroll_ids: list[int]) -> int:
    """Regular lines for the given draft rosters of `month`. The unary + keeps SQLite from driving the join from the
    roster ids (one enrollment scan per roster); enrollments stay the outer loop, as in the bare-SQL floor.
    NOT EXISTS skips a month already paid on another roster (a household that moved township mid-month) — cheaper
    than ON CONFLICT, whose speculative insertion doubles PostgreSQL's cost per row."""
    sql = (f"INSERT INTO {T.line} ({LINE_COLUMNS}) {regular_select(month, payroll_join=draft_join(month))} "
           f"AND +pr.id IN ({_ids(payroll_ids)}) AND NOT EXISTS (SELECT 1 FROM {T.line} x WHERE x.enrollment_id = e.id "
           f"AND x.period_month = {_d(month)} AND x.kind = 'regular')")
    with connection.cursor() as cur:
        cur.execute(sql)
        return max(cur.rowcount, 0)


def insert_adjustments(month: dt.date, payroll_ids: list[int], lookback_months: int) -> int:
    """Arrears and recoveries: for each month on a committed roster in the window, what is due now − what was paid.
    Held and released lines were not paid; a month with one still parked waits until it is paid again."""
    m = _d(month)
    since = _d(dates.add_months(month, -lookback_months))
    amount = "COALESCE(v.monthly_amount, e.monthly_amount)"
    sql = f"""
WITH drafts AS (
    SELECT id, programme_id, township_id FROM {T.payroll} WHERE id IN ({_ids(payroll_ids)})
),
months AS (
    SELECT DISTINCT p.programme_id, p.township_id, p.month FROM {T.payroll} p
    JOIN drafts dr ON dr.programme_id = p.programme_id AND dr.township_id = p.township_id
    WHERE p.status IN ({_COMMITTED_SQL}) AND p.month < {m} AND p.month >= {since}
),
paid AS (
    SELECT l.enrollment_id, l.period_month, SUM(l.amount) AS amount
    FROM {T.payroll} p JOIN {T.line} l ON l.payroll_id = p.id
    WHERE p.status IN ({_COMMITTED_SQL}) AND p.month < {m} AND p.month >= {since}
      AND p.programme_id IN (SELECT programme_id FROM drafts)
      AND l.kind <> 'reissue' AND l.status NOT IN ({_PARKED_SQL}) AND l.period_month >= {since}
    GROUP BY l.enrollment_id, l.period_month
),
parked AS (
    SELECT DISTINCT l.enrollment_id, l.period_month
    FROM {T.line} l JOIN {T.payroll} p ON p.id = l.payroll_id
    WHERE l.status IN ({_PARKED_SQL}) AND p.status IN ({_COMMITTED_SQL}) AND p.month < {m}
      AND p.programme_id IN (SELECT programme_id FROM drafts)
      AND NOT EXISTS (SELECT 1 FROM {T.line} r WHERE r.reissue_of_id = l.id)
),
cand AS (
    SELECT e.id AS enrollment_id, mo.month AS period_month FROM {T.enrollment} e
    {outer_join()} {T.household} h ON h.id = e.household_id
    JOIN {T.division} d ON d.id = h.division_id
    {outer_join()} months mo ON mo.programme_id = e.programme_id AND mo.township_id = {township_expr()}
         AND e.start_month <= mo.month AND (e.end_month IS NULL OR e.end_month > mo.month)
    UNION
    SELECT enrollment_id, period_month FROM paid
),
calc AS (
    SELECT pr.id AS payroll_id, e.id AS enrollment_id, e.household_id, e.person_id, h.division_id AS village_id,
           COALESCE(g.guardian_name, py.name) AS name,
           CASE WHEN g.id IS NULL THEN py.id_number ELSE g.guardian_id_number END AS id_number,
           COALESCE(g.bank_name, py.bank_name) AS bank_name, COALESCE(g.bank_account, py.bank_account) AS bank_account,
           COALESCE(g.bank_account_index, py.bank_account_index) AS bank_account_index,
           COALESCE(g.bank_account_last4, py.bank_account_last4) AS bank_account_last4,
           c.period_month, CASE WHEN {due_condition('c.period_month')} THEN {amount} ELSE 0 END AS due,
           COALESCE(pd.amount, 0) AS paid, v.id AS version_id, COALESCE(v.covered_persons, e.covered_persons) AS cp,
           {problem_sql(f"(CASE WHEN {due_condition('c.period_month')} THEN {amount} ELSE 0 END "
                        f"- COALESCE(pd.amount, 0))", accounts.schemes(month))} AS problem
    FROM cand c
    JOIN {T.enrollment} e ON e.id = c.enrollment_id
    JOIN {T.household} h ON h.id = e.household_id
    JOIN {T.division} d ON d.id = h.division_id
    JOIN {T.person} py ON py.id = COALESCE(e.person_id, h.head_id)
    JOIN drafts pr ON pr.programme_id = e.programme_id AND pr.township_id = {township_expr()}
    LEFT JOIN paid pd ON pd.enrollment_id = c.enrollment_id AND pd.period_month = c.period_month
    LEFT JOIN {T.amount} v ON v.id = {version_lookup('c.period_month')}
    LEFT JOIN {T.guardian} g ON g.person_id = py.id
    WHERE NOT EXISTS (SELECT 1 FROM parked k WHERE k.enrollment_id = c.enrollment_id
                      AND k.period_month = c.period_month)
)
INSERT INTO {T.line} ({LINE_COLUMNS})
SELECT payroll_id, {m}, enrollment_id, household_id, person_id, village_id, name, id_number, bank_name, bank_account,
       bank_account_index, bank_account_last4,
       ROUND(due - paid, 2), CASE WHEN due > paid THEN 'arrears' ELSE 'recovery' END, period_month, 'pending',
       version_id, cp, due, paid, '', CASE WHEN due > paid THEN problem ELSE '' END
FROM calc WHERE ABS(due - paid) >= 0.005
ON CONFLICT DO NOTHING"""
    with connection.cursor() as cur:
        cur.execute(sql)
        return max(cur.rowcount, 0)


def insert_repayments(month: dt.date, payroll_ids: list[int], *, same_month: bool = False) -> int:
    """Lines of committed rosters still owed — failed at the bank, or held and then released once fixed — paid again
    in the given draft(s) with today's payee details. A failed transfer is reissued line by line (a netted recovery
    included); a released line becomes 补发 (or a recovery again). With `same_month` (a 补充花名册) the month's own
    rosters count too. Each owed line is paid again once (payline_reissued_once)."""
    m = _d(month)
    months = f"p.month <= {m} AND p.id NOT IN ({_ids(payroll_ids)})" if same_month else f"p.month < {m}"
    kind = (f"CASE WHEN l.status = '{LineStatus.FAILED}' OR l.kind = '{LineKind.REISSUE}' THEN '{LineKind.REISSUE}' "
            f"WHEN l.amount < 0 THEN '{LineKind.RECOVERY}' ELSE '{LineKind.ARREARS}' END")
    problem = f"CASE WHEN l.amount < 0 THEN '' ELSE {problem_sql('l.amount', accounts.schemes(month))} END"
    sql = f"""
INSERT INTO {T.line} ({LINE_COLUMNS}, reissue_of_id)
SELECT dr.id, {m}, l.enrollment_id, l.household_id, l.person_id, l.village_id, {PAYEE_SQL}, l.amount, {kind},
       l.period_month, 'pending', l.amount_version_id, l.covered_persons, l.amount, 0, '', {problem}, l.id
FROM {T.line} l
JOIN {T.payroll} p ON p.id = l.payroll_id
JOIN {T.payroll} dr ON dr.programme_id = p.programme_id AND dr.township_id = p.township_id AND dr.month = {m}
JOIN {T.enrollment} e ON e.id = l.enrollment_id
JOIN {T.household} h ON h.id = e.household_id
JOIN {T.person} py ON py.id = COALESCE(e.person_id, h.head_id)
{GUARDIAN_JOIN}
WHERE dr.id IN ({_ids(payroll_ids)}) AND p.status IN ({_COMMITTED_SQL}) AND {months}
  AND l.status IN ('{LineStatus.FAILED}', '{LineStatus.RELEASED}')
  AND NOT EXISTS (SELECT 1 FROM {T.line} r WHERE r.reissue_of_id = l.id)"""
    with connection.cursor() as cur:
        cur.execute(sql)
        return max(cur.rowcount, 0)


def mark_duplicate_accounts(month: dt.date, payroll_ids: list[int]) -> int:
    """One account paid to unrelated payees in the month (different households and different people): every such
    line of the drafts is marked. A guardian paid for two wards is one person, a couple sharing a card one household.
    The shared accounts are found first (one pass over the month's lines; usually none), so the drafts' lines are
    only touched when there is something to mark. Accounts are sealed: their blind index stands for them."""
    if sealed.keyring().rotating:
        # Mid-rotation, lines carry indexes under two keys: equal accounts would not group. Nothing half-written:
        # the caller's transaction rolls back.
        from django.core.exceptions import ValidationError

        raise ValidationError("银行账号加密密钥正在轮换，尚未完成：请先运行 minzheng keys rotate 完成轮换，再生成花名册")
    # MIN <> MAX says "more than one" without COUNT(DISTINCT)'s per-group sets.
    find = f"""
SELECT l.bank_account_index FROM {T.line} l JOIN {T.payroll} p ON p.id = l.payroll_id
WHERE p.month = {_d(month)} AND l.bank_account_index <> '' AND l.amount > 0 AND l.status NOT IN ({_PARKED_SQL})
GROUP BY l.bank_account_index HAVING MIN(l.household_id) <> MAX(l.household_id) AND MIN(l.id_number) <> MAX(l.id_number)"""
    with connection.cursor() as cur:
        cur.execute(find)
        shared = [r[0] for r in cur.fetchall()]
        marked = 0
        for i in range(0, len(shared), 500):
            chunk = shared[i:i + 500]   # accounts are data: passed as parameters, never inlined
            cur.execute(f"UPDATE {T.line} SET problem = %s WHERE payroll_id IN ({_ids(payroll_ids)}) "
                        f"AND problem = '' AND amount > 0 AND bank_account_index IN ({', '.join(['%s'] * len(chunk))})",
                        [LineProblem.DUPLICATE_ACCOUNT, *chunk])
            marked += max(cur.rowcount, 0)
    return marked


def mark_conflicts(month: dt.date, payroll_ids: list[int]) -> int:
    """Person-level exclusions across programmes (特困 and 低保 incl. 单人保, 特困 and 孤儿, the allowance
    exclusions): a line of the drafts whose person also holds, in the month, an earlier enrollment of a programme
    the two cannot be held together with is marked (before any other problem: it is not due at all) and so
    cannot be paid until one of them is ended or held."""
    from minzheng.assistance.rules.conflicts import conflict_pairs

    ids = dict(Programme.objects.values_list("code", "id"))
    pairs = [(ids[a], ids[b]) for pair in conflict_pairs() for a, b in (tuple(pair), tuple(pair)[::-1])
             if a in ids and b in ids]
    if not pairs or not payroll_ids:
        return 0
    m = _d(month)
    clash = " OR ".join(f"(e.programme_id = {int(a)} AND o.programme_id = {int(b)})" for a, b in pairs)
    sql = f"""
UPDATE {T.line} SET problem = %s
WHERE payroll_id IN ({_ids(payroll_ids)}) AND amount > 0 AND person_id IS NOT NULL
  AND EXISTS (SELECT 1 FROM {T.enrollment} e JOIN {T.enrollment} o ON o.person_id = e.person_id AND o.id < e.id
              WHERE e.id = {T.line}.enrollment_id AND o.status IN ('active', 'verifying')
                AND o.start_month <= {m} AND (o.end_month IS NULL OR o.end_month > {m}) AND ({clash}))"""
    with connection.cursor() as cur:
        cur.execute(sql, [LineProblem.CONFLICT])
        return max(cur.rowcount, 0)


def refresh_totals(payroll_ids: list[int]) -> None:
    sql = f"""
UPDATE {T.payroll} SET
  line_count = (SELECT COUNT(*) FROM {T.line} l WHERE l.payroll_id = {T.payroll}.id),
  total = COALESCE((SELECT ROUND(SUM(l.amount), 2) FROM {T.line} l WHERE l.payroll_id = {T.payroll}.id), 0)
WHERE id IN ({_ids(payroll_ids)})"""
    with connection.cursor() as cur:
        cur.execute(sql)


def delete_lines(payroll_ids: list[int]) -> int:
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {T.line} WHERE payroll_id IN ({_ids(payroll_ids)})")
        return max(cur.rowcount, 0)


def kind_counts(payroll_ids: list[int]) -> dict[str, dict[str, str | int]]:
    from django.db.models import Count, Sum

    out: dict[str, dict[str, str | int]] = {}
    rows = (PayrollLine.objects.filter(payroll_id__in=payroll_ids).values("kind")
            .annotate(n=Count("id"), total=Sum("amount")))
    for r in rows:
        out[r["kind"]] = {"count": r["n"], "total": str(r["total"])}
    return out


__all__ = ["LineKind", "PayrollStatus", "Programme", "parse_month"]
