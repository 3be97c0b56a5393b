"""The rule book the reports are checked against: active rules, their versions, and changes by the 区管理员."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from minzheng.accounts.actor import Principal
from minzheng.accounts.roles import Cap

from .. import indicators, rules
from ..models import RoundKind, ValidationRule


def active_rules() -> list[rules.RuleSpec]:
    return [rules.spec_of(r) for r in ValidationRule.objects.filter(active=True)]


def rules_version() -> list[list[Any]]:
    return [[r.code, r.version] for r in ValidationRule.objects.filter(active=True).order_by("code")]


@transaction.atomic
def save_rule(*, actor: Principal, code: str, name: str, expression: str, severity: str, message: str,
              each: list[str] | None = None, kinds: list[str] | None = None, active: bool = True,
              source: str = "") -> ValidationRule:
    """Add or change a validation rule (区管理员). The expression is parsed and its names checked before saving;
    a change bumps the version that reports record when they are submitted."""
    if not actor.has_cap(Cap.MANAGE_POLICY):
        raise PermissionDenied("只有区管理员可以维护灾情校验规则")
    each = [c for c in (each or []) if c]
    unknown_each = [c for c in each if c not in indicators.BY_CODE]
    if unknown_each:
        raise ValidationError({"each": f"未知指标：{'、'.join(unknown_each)}"})
    if each and "$" not in expression:
        raise ValidationError({"expression": "逐项规则的表达式须用 $ 代表每个指标"})
    if "$" in expression and not each:
        raise ValidationError({"each": "表达式用了 $，请填写逐项适用的指标"})
    try:
        unknown = rules.check_names(expression, each=bool(each))
    except rules.RuleSyntaxError as exc:
        raise ValidationError({"expression": str(exc)}) from exc
    if unknown:
        raise ValidationError({"expression": f"表达式中有未知名称：{'、'.join(unknown)}"})
    if severity not in ("error", "warning"):
        raise ValidationError({"severity": "级别应为错误或警告"})
    bad_kinds = [k for k in (kinds or []) if k not in RoundKind.values]
    if bad_kinds:
        raise ValidationError({"kinds": f"未知报告类型：{'、'.join(bad_kinds)}"})
    if not code.strip() or not message.strip():
        raise ValidationError("请填写规则编号和提示")
    rule = ValidationRule.objects.filter(code=code.strip()).first()
    fields = {"name": name.strip() or code, "expression": expression.strip(), "severity": severity,
              "message": message.strip(), "each": each, "kinds": kinds or [], "active": active, "source": source}
    if rule is None:
        return ValidationRule.objects.create(code=code.strip(), **fields)
    changed = any(getattr(rule, k) != v for k, v in fields.items())
    for k, v in fields.items():
        setattr(rule, k, v)
    if changed:
        rule.version += 1
        rule.save()
    return rule
