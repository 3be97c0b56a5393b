"""Bank account checks: which account schemes exist and whether an account number is well formed.

The schemes are data (parameter `payments.account_schemes`), tried in order; the first whose prefix and length match
decides. Bank cards (银联 62…, Visa 4…, MasterCard 5…, ISO/IEC 7812) carry a Luhn check digit; passbook (存折) and
other settlement accounts do not, so they are only checked for digits and length. The same rules run in Python (one
account, with a message) and as SQL (every line of a month's rosters in one statement, see `sql_valid`); the tests
check that both agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection

from minzheng.core import dates
from minzheng.policy.services import resolve


@dataclass(frozen=True)
class Scheme:
    code: str
    name: str
    prefixes: tuple[str, ...]      # empty: any prefix
    lengths: tuple[int, ...]
    luhn: bool

    def matches(self, account: str) -> bool:
        return len(account) in self.lengths and (not self.prefixes or account.startswith(self.prefixes))


@dataclass(frozen=True)
class AccountCheck:
    ok: bool
    message: str = ""
    scheme: str = ""


def parse_schemes(raw: list[dict[str, Any]]) -> list[Scheme]:
    out = []
    for s in raw:
        lengths: list[int] = []
        for x in s.get("lengths") or []:
            if isinstance(x, str) and "-" in x:
                lo, hi = (int(v) for v in x.split("-", 1))
                lengths.extend(range(lo, hi + 1))
            else:
                lengths.append(int(x))
        out.append(Scheme(str(s["code"]), str(s.get("name") or s["code"]),
                          tuple(str(p) for p in s.get("prefixes") or []), tuple(sorted(set(lengths))),
                          bool(s.get("luhn"))))
    return out


def schemes(on: dt.date | None = None) -> list[Scheme]:
    return parse_schemes(resolve("payments.account_schemes", on=on or dates.today()).value or [])


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d >= 5 else d * 2
        total += d
    return total % 10 == 0


def luhn_digit(payload: str) -> str:
    """The check digit that makes `payload` + digit pass the Luhn test (used by the demo and the benchmark)."""
    for d in "0123456789":
        if luhn_ok(payload + d):
            return d
    raise AssertionError("unreachable")


def check(account: str, scheme_list: list[Scheme] | None = None) -> AccountCheck:
    """Is `account` a payable account number? A readable Chinese reason when not."""
    account = (account or "").strip()
    if not account:
        return AccountCheck(False, "没有银行账号")
    if not account.isascii() or not account.isdigit():
        return AccountCheck(False, f"账号“{account}”含有数字以外的字符")
    for s in scheme_list if scheme_list is not None else schemes():
        if s.matches(account):
            if s.luhn and not luhn_ok(account):
                return AccountCheck(False, f"{s.name}账号的校验位不对（{len(account)} 位，尾号 {account[-4:]}），"
                                           "可能抄错了一位数字", s.code)
            return AccountCheck(True, "", s.code)
    return AccountCheck(False, f"账号位数或号段不符合任何已登记的账户类型（{len(account)} 位）")


# --- the same rules as one SQL expression ---------------------------------------------------------------------


INT64_MAX = 2**63 - 1


def _fits_int64(s: Scheme, length: int) -> bool:
    """Every account of this scheme and length is below 2⁶³, so the database can read it as one integer."""
    widest = max((p + "9" * (length - len(p)) for p in s.prefixes), default="9" * length)
    return int(widest) <= INT64_MAX


def _digit(expr: str, k: int, as_integer: bool, length: int) -> str:
    """The k-th digit from the right (k = 0 is the check digit)."""
    if as_integer:
        # Integer arithmetic is a few VDBE steps where SUBSTR() is a function call: about three times faster.
        cast = "BIGINT" if connection.vendor == "postgresql" else "INTEGER"
        return f"(CAST({expr} AS {cast}) / {10 ** k} % 10)"
    code = "ascii" if connection.vendor == "postgresql" else "unicode"
    return f"({code}(SUBSTR({expr}, {length - k}, 1)) - 48)"


def _luhn_sql(expr: str, length: int, as_integer: bool) -> str:
    terms = []
    for k in range(length):
        d = _digit(expr, k, as_integer, length)
        terms.append(f"(2 * {d} - CASE WHEN {d} >= 5 THEN 9 ELSE 0 END)" if k % 2 else d)   # every 2nd doubled
    return f"(({' + '.join(terms)}) % 10 = 0)"


def _digits_only(expr: str) -> str:
    if connection.vendor == "postgresql":
        return f"({expr} ~ '^[0-9]+$')"
    return f"({expr} NOT GLOB '*[^0-9]*')"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def sql_valid(expr: str, scheme_list: list[Scheme]) -> str:
    """A boolean SQL expression: is the account in `expr` valid under `scheme_list`? Nested CASEs keep the
    evaluation order, so the digit arithmetic only ever sees digits. Scheme values are parameter data, quoted."""
    branches = []
    for s in scheme_list:
        if not s.lengths:
            continue
        cond = f"LENGTH({expr}) IN ({', '.join(str(n) for n in s.lengths)})"
        if s.prefixes:
            cond += " AND (" + " OR ".join(f"SUBSTR({expr}, 1, {len(p)}) = {_quote(p)}" for p in s.prefixes) + ")"
        if s.luhn:
            by_len = " ".join(f"WHEN {n} THEN {_luhn_sql(expr, n, _fits_int64(s, n))}" for n in s.lengths)
            branches.append(f"WHEN {cond} THEN CASE LENGTH({expr}) {by_len} ELSE FALSE END")
        else:
            branches.append(f"WHEN {cond} THEN TRUE")
    inner = f"CASE {' '.join(branches)} ELSE FALSE END" if branches else "FALSE"
    return f"(CASE WHEN {expr} = '' OR NOT {_digits_only(expr)} THEN FALSE ELSE {inner} END)"
