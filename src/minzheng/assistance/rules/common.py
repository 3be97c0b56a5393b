"""What every assistance rule shares: the `Decision` it returns, the `Params` it reads, and money formatting.

A rule reads each parameter through a `ParamUse`, which remembers the versions it used so the Decision can name
them (`ParamValue.ref()`). `Params(on, division)` reads the policy tables; `Params.fixed` / `Params.seeded` serve
values without a database (simulations, property tests). Nothing here writes, and no rule module imports a model.

Areas are "urban" / "rural" (城市/农村 standard). Tiers are "self_care" / "half" / "full" (全自理/半护理/全护理).
Arrangements are "dispersed" / "central" (分散/集中). 临时救助 kinds are "emergency" / "expenditure" (急难型/支出型).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, is_dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal
from typing import Any

from minzheng.policy.values import ParamValue

ZERO = Decimal("0")
CENT = Decimal("0.01")

AREA_LABEL = {"urban": "城市", "rural": "农村"}
TIER_LABEL = {"self_care": "全自理", "half": "半护理", "full": "全护理"}
ARRANGEMENT_LABEL = {"dispersed": "分散供养", "central": "集中供养"}
LINSHI_LABEL = {"emergency": "急难型", "expenditure": "支出型"}
SELF_CARE_ITEMS = {"eat": "自主吃饭", "dress": "自主穿衣", "bed": "自主上下床", "toilet": "自主如厕",
                   "walk": "室内行走", "bathe": "自主洗澡"}
# GB/T 4761 family-relation codes (registry.models.Relation) the membership rule needs.
HEAD, SPOUSE, SON, DAUGHTER = "02", "10", "20", "30"
# Disability categories (GB/T 26341, registry.models.DisabilityCategory).
VISUAL, PHYSICAL, INTELLECTUAL, MENTAL, MULTIPLE = "1", "4", "5", "6", "7"


# Each rule's name as a caseworker says it (pages show these, the stored decision keeps the code).
RULE_LABELS = {
    "dibao.assess": "低保审核", "dibao.asset_test": "低保财产核查", "dibao.edge": "低保边缘认定",
    "dibao.household_members": "共同生活家庭成员认定", "dibao.per_capita_income": "家庭人均收入计算",
    "dibao.review": "低保复核", "dibao.review_cycle": "低保复核周期", "dibao.single_person": "单人保认定",
    "dibao.subsidy": "低保补差金额", "dibao.supplements": "分类施保加发", "linshi.amount": "临时救助金额",
    "linshi.expense_band": "支出型救助分档", "programme.conflicts": "待遇互斥检查", "tekun.continuation": "特困延续认定",
    "tekun.criteria": "特困认定", "tekun.self_care": "生活自理能力评估", "tekun.support": "法定义务人履行能力",
}


@dataclass(frozen=True)
class Decision:
    """The outcome of one rule: what was decided, from what, under which parameter versions, and why."""

    rule: str
    version: str
    eligible: bool
    amount: Decimal
    explanation: str
    inputs: dict[str, Any] = field(default_factory=dict)
    params: list[dict[str, Any]] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe form, to store on a case or enrollment (`decided_under`)."""
        return jsonable({"rule": self.rule, "version": self.version, "eligible": self.eligible,
                         "amount": self.amount, "explanation": self.explanation, "inputs": self.inputs,
                         "params": self.params, "reasons": self.reasons, "details": self.details})


_PLAIN = frozenset({str, int, float, bool})


def jsonable(value: Any) -> Any:
    """Decimals → str, dates → ISO, dataclasses/Decisions → dicts: safe to store in a JSONField."""
    if value is None or type(value) in _PLAIN:  # the common case first: batch recomputes call this ~100× a household
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decision):
        return value.as_dict()
    if is_dataclass(value) and not isinstance(value, type):
        return jsonable(asdict(value))
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return value


class Params:
    """Reads parameters for one date and division, remembering which versions each rule used.

    `Params(on, division)` resolves from the database (policy.services.resolve); `Params.fixed(values, on)` serves
    given values without a database (simulations, property tests); its refs carry version_id 0.
    """

    def __init__(self, on: dt.date, division: Any = None, *, values: Mapping[str, Any] | None = None) -> None:
        self.on = on
        self.division = division
        self._fixed = dict(values) if values is not None else None
        self._cache: dict[str, ParamValue] = {}

    @classmethod
    def fixed(cls, values: Mapping[str, Any], on: dt.date) -> Params:
        return cls(on, values=values)

    @classmethod
    def seeded(cls, on: dt.date, **overrides: Any) -> Params:
        """The catalogue's seed values in force on `on` (no database): for simulations, benches and tests.
        Keyword overrides use the key with dots replaced by double underscores (dibao__min_amount=...)."""
        from minzheng.policy.catalog import catalog

        best: dict[str, tuple[dt.date, Any]] = {}
        for seed in catalog.seeds:
            if seed.division_code is None and seed.effective_from <= on:
                if seed.key not in best or best[seed.key][0] <= seed.effective_from:
                    best[seed.key] = (seed.effective_from, seed.value)
        values = {k: v for k, (_, v) in best.items()}
        values.update({k.replace("__", "."): v for k, v in overrides.items()})
        return cls(on, values=values)

    def get(self, key: str) -> ParamValue:
        if key not in self._cache:
            if self._fixed is not None:
                if key not in self._fixed:
                    raise KeyError(f"缺少参数 {key}")
                self._cache[key] = ParamValue(key, self._fixed[key], 0, self.on, "给定值（模拟）", False)
            else:
                # The policy tables are read only here, when a rule runs against the database.
                from minzheng.policy.services import resolve

                self._cache[key] = resolve(key, on=self.on, division=self.division)
        return self._cache[key]


class ParamUse:
    """Per-rule view of Params that records the refs it read, in order, once each."""

    def __init__(self, params: Params) -> None:
        self.params = params
        self.refs: dict[str, dict[str, Any]] = {}

    def pv(self, key: str) -> ParamValue:
        pv = self.params.get(key)
        self.refs.setdefault(key, pv.ref())
        return pv

    def dec(self, key: str) -> Decimal:
        return self.pv(key).decimal

    def int(self, key: str) -> int:
        return int(self.pv(key).value)

    def val(self, key: str) -> Any:
        return self.pv(key).value

    def flag(self, key: str) -> bool:
        return as_bool(self.pv(key).value)

    def items(self, key: str) -> list[Any]:
        return as_list(self.pv(key).value)

    def obj(self, key: str) -> dict[str, Any]:
        value = _maybe_json(self.pv(key).value)
        return dict(value) if isinstance(value, Mapping) else {}

    def add(self, decision: Decision) -> Decision:
        for ref in decision.params:
            self.refs.setdefault(ref["key"], ref)
        return decision

    def list(self) -> list[dict[str, Any]]:
        return list(self.refs.values())


def _maybe_json(value: Any) -> Any:
    if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def as_bool(value: Any) -> bool:
    """A bool parameter, also when it was entered as text ("false", "0", "否")."""
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes", "y", "on", "是")
    return bool(value)


def as_list(value: Any) -> list[Any]:
    """A list parameter, also when it was entered as JSON text or as names separated by 、，, or new lines."""
    value = _maybe_json(value)
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [part.strip() for part in re.split(r"[、，,;；\n]+", value) if part.strip()]
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


_MODES = {"ROUND_HALF_UP": ROUND_HALF_UP, "ROUND_UP": ROUND_UP, "ROUND_DOWN": ROUND_DOWN}


def money(value: Decimal, params: Params) -> Decimal:
    """Round a money amount per `dibao.rounding` (default 四舍五入到分; no source found for 取整到元)."""
    rule = _maybe_json(params.get("dibao.rounding").value) or {}
    if not isinstance(rule, Mapping):
        rule = {"quantum": str(rule)}
    quantum = Decimal(str(rule.get("quantum", "0.01")))
    mode = _MODES.get(str(rule.get("mode", "ROUND_HALF_UP")), ROUND_HALF_UP)
    return Decimal(value).quantize(quantum, rounding=mode).quantize(CENT)


def yuan(value: Decimal) -> str:
    """A money amount as the explanations print it: two decimals, half up (123.45)."""
    return f"{value.quantize(CENT, rounding=ROUND_HALF_UP):.2f}"


def fmt_ratio(value: Decimal) -> str:
    """A ratio without trailing zeros (1.3, 0.25)."""
    return f"{value.normalize():f}"


def dibao_version(use: ParamUse) -> str:
    """The 低保 rule set in force ("2012" / "2021"), recorded as a parameter read."""
    return str(use.val("dibao.rule_version"))


def tekun_version(use: ParamUse) -> str:
    """The 特困 rule set in force ("2016" / "2021"), recorded as a parameter read."""
    return str(use.val("tekun.rule_version"))


def standard_key(area: str) -> str:
    """The parameter holding the 低保标准 of an area (urban / rural)."""
    if area not in AREA_LABEL:
        raise ValueError(f"未知城乡类别：{area}")
    return f"dibao.standard.{area}"
