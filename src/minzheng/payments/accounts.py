"""Bank account checks: which account schemes exist and whether an account number is well formed.

The schemes are data (parameter `payments.account_schemes`), tried in order; the first whose prefix and length match
decides. Bank cards (银联 62…, Visa 4…, MasterCard 5…, ISO/IEC 7812) carry a Luhn check digit; passbook (存折) and
other settlement accounts do not, so they are only checked for digits and length. The same rules run in Python (one
account, with a message) and as SQL over the account's stored shape (every line of a month's rosters in one
statement, see `sql_valid_shape`); the tests
check that both agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

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
# Accounts are sealed at rest (core/sealed.py): SQL sees the shape kept beside each one instead — leading digits (up
# to six), length and whether the Luhn check digit holds, computed when the account is written (sealed.account_shape).


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def sql_valid_shape(expr: str, scheme_list: list[Scheme]) -> str:
    """A boolean SQL expression: is the account whose shape is in `expr` valid under `scheme_list`? A prefix
    longer than the six leading digits kept is compared on those six (the bank file's Python check has the rest)."""
    lead = sealed_prefix_digits()
    length = f"SUBSTR({expr}, {lead + 1}, 2)"
    branches = []
    for s in scheme_list:
        if not s.lengths:
            continue
        cond = f"{length} IN ({', '.join(_quote(f'{n:02d}') for n in s.lengths)})"
        if s.prefixes:
            cond += " AND (" + " OR ".join(
                f"SUBSTR({expr}, 1, {min(len(p), lead)}) = {_quote(p[:lead])}" for p in s.prefixes) + ")"
        then = f"SUBSTR({expr}, {lead + 3}, 1) = '1'" if s.luhn else "TRUE"
        branches.append(f"WHEN {cond} THEN {then}")
    inner = f"CASE {' '.join(branches)} ELSE FALSE END" if branches else "FALSE"
    return f"(CASE WHEN {expr} = '' OR {expr} = 'x' THEN FALSE ELSE {inner} END)"


def sealed_prefix_digits() -> int:
    from minzheng.core.sealed import PREFIX_DIGITS

    return PREFIX_DIGITS
