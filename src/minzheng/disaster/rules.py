"""Validation rules as data, and the small safe expression language they are written in (no eval()).

Grammar (lowest precedence first):
    expr   := or
    or     := and ("or" and)*
    and    := not ("and" not)*
    not    := "not" not | cmp
    cmp    := sum (("<="|"<"|">="|">"|"=="|"!=") sum)?
    sum    := term (("+"|"-") term)*
    term   := unary (("*"|"/") unary)*
    unary  := "-" unary | atom
    atom   := NUMBER | NAME | NAME "(" args ")" | "(" expr ")"
NAME is an indicator code, `prev.<code>` (the division's previous report), `register.<name>` (per-person
registers), `explained` (an explanation was written) or `$` inside an `each` rule. Arithmetic is Decimal.
A rule that reads a name with no value (no previous report) does not apply.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, DivisionByZero, InvalidOperation
from typing import Any

from . import indicators

_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d+)?)|([A-Za-z_$][\w.$]*)|(<=|>=|==|!=|[<>()+\-*/,]))")


class RuleSyntaxError(ValueError):
    pass


class NotApplicable(Exception):  # a signal, not a failure
    """A name has no value here (e.g. prev.* on a first report): the rule is skipped."""


@dataclass(frozen=True)
class Node:
    op: str
    args: tuple[Any, ...] = ()


def tokenize(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise RuleSyntaxError(f"表达式在第 {pos + 1} 个字符处无法识别：{text[pos:pos + 10]!r}")
        num, name, sym = m.groups()
        if num is not None:
            out.append(("num", num))
        elif name is not None:
            out.append(("kw" if name in ("and", "or", "not") else "name", name))
        else:
            out.append(("sym", sym))
        pos = m.end()
    return out


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "is_int": lambda x: Decimal(x) == Decimal(x).to_integral_value(),
    "abs": lambda x: abs(x),
    "min": lambda *xs: min(xs),
    "max": lambda *xs: max(xs),
    "sum": lambda *xs: sum(xs, Decimal(0)),
}
COMPARE = {"<=": lambda a, b: a <= b, "<": lambda a, b: a < b, ">=": lambda a, b: a >= b,
           ">": lambda a, b: a > b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b}


class _Parser:
    def __init__(self, text: str) -> None:
        self.toks = tokenize(text)
        self.i = 0
        self.text = text

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, kind: str | None = None, value: str | None = None) -> tuple[str, str]:
        t = self.peek()
        if t is None or (kind and t[0] != kind) or (value and t[1] != value):
            want = value or kind or "更多内容"
            raise RuleSyntaxError(f"表达式“{self.text}”语法错误：此处应为 {want}")
        self.i += 1
        return t

    def at(self, kind: str, *values: str) -> bool:
        t = self.peek()
        return t is not None and t[0] == kind and (not values or t[1] in values)

    def parse(self) -> Node:
        node = self.or_()
        if self.peek() is not None:
            raise RuleSyntaxError(f"表达式“{self.text}”在“{self.peek()[1]}”处多余")  # type: ignore[index]
        return node

    def or_(self) -> Node:
        node = self.and_()
        while self.at("kw", "or"):
            self.take()
            node = Node("or", (node, self.and_()))
        return node

    def and_(self) -> Node:
        node = self.not_()
        while self.at("kw", "and"):
            self.take()
            node = Node("and", (node, self.not_()))
        return node

    def not_(self) -> Node:
        if self.at("kw", "not"):
            self.take()
            return Node("not", (self.not_(),))
        return self.cmp()

    def cmp(self) -> Node:
        node = self.sum_()
        if self.at("sym", *COMPARE):
            op = self.take()[1]
            node = Node(op, (node, self.sum_()))
        return node

    def sum_(self) -> Node:
        node = self.term()
        while self.at("sym", "+", "-"):
            op = self.take()[1]
            node = Node(op, (node, self.term()))
        return node

    def term(self) -> Node:
        node = self.unary()
        while self.at("sym", "*", "/"):
            op = self.take()[1]
            node = Node(op, (node, self.unary()))
        return node

    def unary(self) -> Node:
        if self.at("sym", "-"):
            self.take()
            return Node("neg", (self.unary(),))
        return self.atom()

    def atom(self) -> Node:
        t = self.peek()
        if t is None:
            raise RuleSyntaxError(f"表达式“{self.text}”不完整")
        if t[0] == "num":
            self.take()
            return Node("num", (Decimal(t[1]),))
        if t[0] == "name":
            self.take()
            if self.at("sym", "("):
                if t[1] not in FUNCTIONS:
                    raise RuleSyntaxError(f"未知函数 {t[1]}")
                self.take()
                args = [self.or_()]
                while self.at("sym", ","):
                    self.take()
                    args.append(self.or_())
                self.take("sym", ")")
                return Node("call", (t[1], *args))
            return Node("name", (t[1],))
        if t == ("sym", "("):
            self.take()
            node = self.or_()
            self.take("sym", ")")
            return node
        raise RuleSyntaxError(f"表达式“{self.text}”在“{t[1]}”处语法错误")


def parse(text: str) -> Node:
    return _Parser(text).parse()


def names(node: Node) -> set[str]:
    if node.op == "name":
        return {node.args[0]}
    out: set[str] = set()
    for a in node.args:
        if isinstance(a, Node):
            out |= names(a)
    return out


def evaluate(node: Node, env: Mapping[str, Any]) -> Any:
    op, args = node.op, node.args
    if op == "num":
        return args[0]
    if op == "name":
        if args[0] not in env or env[args[0]] is None:
            raise NotApplicable(args[0])
        return env[args[0]]
    if op == "and":
        return bool(evaluate(args[0], env)) and bool(evaluate(args[1], env))
    if op == "or":
        return bool(evaluate(args[0], env)) or bool(evaluate(args[1], env))
    if op == "not":
        return not evaluate(args[0], env)
    if op == "neg":
        return -evaluate(args[0], env)
    if op in COMPARE:
        return COMPARE[op](evaluate(args[0], env), evaluate(args[1], env))
    if op == "call":
        return FUNCTIONS[args[0]](*(evaluate(a, env) for a in args[1:]))
    a, b = evaluate(args[0], env), evaluate(args[1], env)
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        try:
            return a / b
        except (DivisionByZero, InvalidOperation) as exc:
            raise NotApplicable("除数为零") from exc
    raise RuleSyntaxError(f"未知运算 {op}")


REGISTER_KEYS = {"dead", "missing", "collapsed_hh", "collapsed_rooms", "severe_hh", "severe_rooms", "minor_hh",
                 "minor_rooms"}


def check_names(text: str, *, each: bool) -> list[str]:
    """Names an expression may read; returns the unknown ones (a typo would make a rule silently never apply)."""
    from . import indicators as ind

    bad = []
    for n in sorted(names(parse(text.replace("$", ind.CODES[0]) if each else text))):
        if n in ind.BY_CODE or n == "explained":
            continue
        prefix, _, rest = n.partition(".")
        if prefix in ("prev", "villages") and rest in ind.BY_CODE:
            continue
        if prefix == "register" and rest in REGISTER_KEYS:
            continue
        bad.append(n)
    return bad


# --- Applying rules to a report ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str  # error | warning
    message: str
    fields: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "severity": self.severity, "message": self.message, "fields": list(self.fields)}


@dataclass
class Outcome:
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def by_field(self) -> dict[str, list[Finding]]:
        out: dict[str, list[Finding]] = {}
        for f in self.findings:
            for code in f.fields or ("__all__",):
                out.setdefault(code, []).append(f)
        return out

    def messages(self, severity: str = "error") -> list[str]:
        return [f.message for f in self.findings if f.severity == severity]


@dataclass(frozen=True)
class RuleSpec:
    """What the engine needs from a ValidationRule row (so it can run without the database in tests)."""

    code: str
    expression: str
    severity: str
    message: str
    each: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()


def spec_of(rule: Any) -> RuleSpec:
    return RuleSpec(rule.code, rule.expression, rule.severity, rule.message, tuple(rule.each or ()),
                    tuple(rule.kinds or ()), tuple(rule.fields or ()))


def build_env(values: Mapping[str, Any], *, prev: Mapping[str, Any] | None = None,
              register: Mapping[str, Any] | None = None, explained: bool = False,
              extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Names a rule may read. Blank current figures count as 0; prev.* exists only when there is a previous
    report; register.* only when the event has per-person registers to compare with."""
    env: dict[str, Any] = dict(indicators.as_numbers({k: str(v) for k, v in values.items() if v is not None}))
    if prev is not None:
        for code, v in indicators.as_numbers({k: str(v) for k, v in prev.items() if v is not None}).items():
            env[f"prev.{code}"] = v
    for k, v in (register or {}).items():
        env[f"register.{k}"] = Decimal(v)
    for k, v in (extra or {}).items():
        env[k] = Decimal(v) if not isinstance(v, bool) else v
    env["explained"] = explained
    return env


def check(rules: list[RuleSpec], env: Mapping[str, Any], *, kind: str = "") -> Outcome:
    out = Outcome()
    for r in rules:
        if r.kinds and kind not in r.kinds:
            continue
        targets: list[str | None] = list(r.each) or [None]
        for target in targets:
            text = r.expression.replace("$", target) if target else r.expression
            node = parse(text)
            try:
                passed = bool(evaluate(node, env))
            except NotApplicable:
                continue
            if passed:
                continue
            flds = tuple(r.fields) or tuple(sorted(
                n for n in names(node) if n in indicators.BY_CODE)) or (() if not target else (target,))
            if target:
                flds = (target,)
            msg = r.message.replace("{label}", indicators.label(target)) if target else r.message
            msg = msg.replace("{value}", str(env.get(target, "")) if target else "")
            if target and "{prev}" in msg:
                msg = msg.replace("{prev}", str(env.get(f"prev.{target}", "")))
            out.findings.append(Finding(r.code, r.severity, msg, flds))
    return out
