"""The 核对 rules: their parameters in force on a date, the catalogue rows for the rules in code, and switching
a rule on or off."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from minzheng.accounts.actor import Actor
from minzheng.accounts.roles import Cap
from minzheng.policy import services as policy

from .. import rules
from ..models import Rule

PARAM_FIELDS: dict[str, tuple[str, str]] = {
    # policy key → (RuleParams field, kind)
    "crosscheck.means_tested_programmes": ("means_tested", "list"),
    "crosscheck.vehicle.exempt_types": ("vehicle_exempt_types", "list"),
    "crosscheck.vehicle.farm_types": ("vehicle_farm_types", "list"),
    "crosscheck.vehicle.farm_value_limit": ("vehicle_farm_value_limit", "decimal"),
    "crosscheck.property.max_homes": ("property_max_homes", "int"),
    "crosscheck.property.max_area_per_capita": ("property_max_area_per_capita", "decimal"),
    "crosscheck.property.home_usages": ("property_home_usages", "list"),
    "crosscheck.property.ignored_usages": ("property_ignored_usages", "list"),
    "crosscheck.business.small_capital": ("business_small_capital", "decimal"),
    "crosscheck.pension.excluded_types": ("pension_excluded_types", "list"),
    "crosscheck.pension.tolerance": ("pension_tolerance", "decimal"),
    "payments.gaoling.bands": ("gaoling_bands", "bands"),
}


def rule_params(on: dt.date) -> tuple[rules.RuleParams, list[dict[str, Any]]]:
    """The parameters in force on `on` (county-wide), and their version references."""
    p = rules.RuleParams(as_of=on)
    refs = []
    for key, (attr, kind) in PARAM_FIELDS.items():
        pv = policy.resolve(key, on=on)
        value: Any = pv.value
        if kind == "list":
            if not isinstance(value, list):
                raise ValidationError(f"政策参数 {key} 应为列表")
            value = [str(v) for v in value]
        elif kind == "decimal":
            value = Decimal(str(value))
        elif kind == "int":
            value = int(value)
        elif kind == "bands":
            if not isinstance(value, list) or not all(isinstance(b, dict) and "amount" in b for b in value):
                raise ValidationError(f"政策参数 {key} 应为 [{{min_age, max_age, amount}}] 列表")
            value = [{"from": b.get("min_age", b.get("from")), "to": b.get("max_age", b.get("to")),
                      "amount": str(b["amount"])} for b in value]
        setattr(p, attr, value)
        refs.append(pv.ref())
    return p, refs


def sync_rules() -> int:
    """Make sure the catalogue has a row for every rule version defined in code (run by init)."""
    created = 0
    for r in rules.RULES:
        _, made = Rule.objects.get_or_create(code=r.code, version=r.version, defaults={
            "name": r.name, "severity": r.severity, "description": r.description, "source_document": r.source,
            "effective_from": dt.date(2014, 5, 1), "param_keys": list(r.params)})
        created += made
    return created


def enabled_rules(on: dt.date) -> list[rules.Rule]:
    sync_rules()
    off = set(Rule.objects.filter(enabled=False).values_list("code", "version"))
    future = set(Rule.objects.filter(effective_from__gt=on).values_list("code", "version"))
    return [r for r in rules.RULES if (r.code, r.version) not in off | future]


@transaction.atomic
def set_rule_enabled(*, actor: Actor | None, code: str, enabled: bool) -> Rule:
    if actor is not None and not actor.has_cap(Cap.MANAGE_POLICY):
        raise PermissionDenied("只有区管理员可以启用或停用核对规则")
    rule = Rule.objects.filter(code=code).order_by("-version").first()
    if rule is None:
        raise ValidationError({"code": f"未知规则：{code}"})
    rule.enabled = enabled
    rule.save()
    return rule
