"""Eligibility and amount rules of 低保, 特困供养 and 临时救助: plain, typed, side-effect-free functions.

Rules take plain dataclasses (no ORM objects) and a `Params` reader, and return a `Decision` with the inputs, the
amount, a Chinese explanation a township officer can read, the parameter versions used (`ParamValue.ref()`), and
the rule id and version. Nothing here writes. `household_facts()` / `tekun_facts()` at the bottom are the thin
adapters that build inputs from registry models. Every number comes from a parameter declared in `params.py`.

Public API (stable; other apps may import these names):

    Decision(rule, version, eligible, amount, explanation, inputs, params, reasons, details); .as_dict()
    jsonable(value: Any) -> Any                                            (Decimal/date/dataclass → JSON-safe)
    as_bool(value: Any) -> bool; as_list(value: Any) -> list               (parameter values entered as text)
    Params(on: date, division: Division | None = None); Params.fixed(values: Mapping[str, Any], on: date);
    Params.seeded(on: date, **overrides)   (catalogue seed values, no database; key dots → "__")
    Member, IncomeItem, AssetItem, HouseholdFacts, Supporter, TekunFacts   (input dataclasses)
    SELF_CARE_ITEMS: dict[str, str]                                        (six-item codes → Chinese labels)
    money(value: Decimal, params: Params) -> Decimal
    household_members(members: Sequence[Member], *, params: Params) -> Decision
    per_capita_income(incomes: Sequence[IncomeItem], *, member_keys: Sequence[str], params: Params,
                      exclusions_key: str = "dibao.income.exclusions") -> Decision
    asset_test(members: Sequence[Member], assets: Sequence[AssetItem], *, area: str, params: Params) -> Decision
    dibao_standard(area: str, *, params: Params) -> Decimal
    dibao_subsidy(per_capita: Decimal, covered: int, *, area: str, params: Params) -> Decision
    classified_supplements(members: Sequence[Member], *, area: str, params: Params) -> Decision
    dibao_assess(household: HouseholdFacts, *, params: Params) -> Decision
    dibao_edge(household: HouseholdFacts, *, params: Params) -> Decision
    single_person_dibao(member_key: str, household: HouseholdFacts, *, params: Params) -> Decision
    tekun_criteria(person: TekunFacts, *, params: Params) -> Decision
    tekun_continuation(person: TekunFacts, *, params: Params, deceased: bool = False, imprisoned: bool = False,
                       withdrew: bool = False) -> Decision
    self_care_tier(items: Mapping[str, bool], *, params: Params) -> Decision
    tekun_support(tier: str, *, arrangement: str, area: str, params: Params) -> Decision
    linshi_amount(kind: str, *, persons: int, months: int, params: Params, per_capita_income: Decimal | None = None,
                  income_limit: Decimal | None = None, expense: Decimal | None = None) -> Decision
    linshi_months_for_expense(expense: Decimal, *, params: Params) -> Decision
    programme_conflicts(programme: str, current: Iterable[str]) -> Decision
    review_outcome(current_amount: Decimal, assessment: Decision, *, income_rise_from_work: bool,
                   taper_months_used: int, params: Params) -> Decision
    review_cycle(household_type: str, *, area: str, params: Params) -> Decision
    next_review_date(last: date, months: int) -> date
    benefit_start(decided_on: date, *, params: Params) -> date
    household_facts(household: registry.Household, *, on: date, overrides=None, area=None) -> HouseholdFacts
    tekun_facts(person: registry.Person, *, on: date, params: Params, supporters=(), assets_ok=True,
                other_no_work_capacity="", orphan_eligible=False) -> TekunFacts

Areas are "urban" / "rural" (城市/农村 standard). Tiers are "self_care" / "half" / "full" (全自理/半护理/全护理).
Arrangements are "dispersed" / "central" (分散/集中). 临时救助 kinds are "emergency" / "expenditure" (急难型/支出型).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, is_dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal
from typing import Any

from minzheng.core import dates
from minzheng.policy.services import ParamValue, resolve

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


# ------------------------------------------------------------------------------------------------ plumbing


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
        return _jsonable({"rule": self.rule, "version": self.version, "eligible": self.eligible,
                          "amount": self.amount, "explanation": self.explanation, "inputs": self.inputs,
                          "params": self.params, "reasons": self.reasons, "details": self.details})


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decision):
        return value.as_dict()
    if is_dataclass(value) and not isinstance(value, type):
        return _jsonable(asdict(value))
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    return value


def jsonable(value: Any) -> Any:
    """Decimals → str, dates → ISO, dataclasses/Decisions → dicts: safe to store in a JSONField."""
    return _jsonable(value)


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
                self._cache[key] = resolve(key, on=self.on, division=self.division)
        return self._cache[key]


class _Use:
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


def _fmt(value: Decimal) -> str:
    return f"{value.quantize(CENT, rounding=ROUND_HALF_UP):.2f}"


def _ratio_fmt(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _dibao_version(use: _Use) -> str:
    return str(use.val("dibao.rule_version"))


def _tekun_version(use: _Use) -> str:
    return str(use.val("tekun.rule_version"))


# ------------------------------------------------------------------------------------------------ inputs


@dataclass(frozen=True)
class Member:
    """One person in the applying household, as the survey found them."""

    key: str  # stable id: person pk or ID number
    name: str
    age: int
    relation: str = "99"  # GB/T 4761 relation to the 户主 (registry.models.Relation)
    living_together: bool = True  # 长期共同居住
    legal_support_duty: bool = True  # has a 法定赡养/扶养/抚养 relationship with the household
    unable_to_live_independently: bool = False  # adult child incl. full-time student (本科及以下)
    religious_professional: bool = False
    religious_years_away: int = 0  # years lived in a religious venue, away from the family
    imprisoned: bool = False  # 服刑 (2012 also 劳动教养)
    excluded_reason: str = ""  # other exclusion defined by the province
    disability_category: str = ""
    disability_grade: int | None = None
    serious_illness: bool = False  # locally recognised 重特大疾病
    public_employee: bool = False  # 公务员/参公/财政供养
    in_tekun: bool = False  # already supported as 特困 (carved out of the 低保 household)
    employed: bool = False  # has work (for 2012 单人户 "无业")


@dataclass(frozen=True)
class IncomeItem:
    category: str  # wage | business | property | transfer | other (registry.models.IncomeCategory)
    monthly_amount: Decimal
    item: str = ""  # finer label the exclusion list matches (优待抚恤金, 基础养老金 …)
    member_key: str | None = None  # None = household-level income


@dataclass(frozen=True)
class AssetItem:
    kind: str  # vehicle | property | deposit | securities | business | other (registry.models.AssetKind)
    value: Decimal = ZERO
    attributes: Mapping[str, Any] = field(default_factory=dict)  # vehicle_type, use=residential|nonresidential, small
    member_key: str | None = None
    description: str = ""


@dataclass(frozen=True)
class HouseholdFacts:
    area: str  # urban | rural
    members: tuple[Member, ...]
    incomes: tuple[IncomeItem, ...] = ()
    assets: tuple[AssetItem, ...] = ()


@dataclass(frozen=True)
class Supporter:
    """A person with a legal duty to support a 特困 applicant (赡养/抚养/扶养义务人)."""

    name: str
    age: int
    in_tekun: bool = False
    in_dibao: bool = False
    disability_category: str = ""
    disability_grade: int | None = None
    income_below_disposable: bool = False  # own income < 上年人均可支配收入 (2021)
    assets_within_limits: bool = True  # within 特困/低收入 asset limits
    no_legal_capacity: bool = False
    declared_missing: bool = False
    imprisoned: bool = False


@dataclass(frozen=True)
class TekunFacts:
    name: str
    age: int
    area: str
    monthly_income: Decimal = ZERO  # counted income (exclusions already applied)
    assets_ok: bool = True  # within the local 特困 asset rules
    disability_category: str = ""
    disability_grade: int | None = None
    other_no_work_capacity: str = ""  # a ground the province adds (e.g. 重病长期卧床), with its text
    supporters: tuple[Supporter, ...] = ()
    orphan_eligible: bool = False  # also meets 孤儿 criteria
    in_school: bool = False  # 义务教育/普通高中/中职 (support past 18)


# ------------------------------------------------------------------------------------------------ 低保


def household_members(members: Sequence[Member], *, params: Params) -> Decision:
    """共同生活的家庭成员: who counts in the household test.

    Source: 最低生活保障审核审批办法（试行）第六条 (2012) / 最低生活保障审核确认办法 第七条 (2021) [V-sec]:
    配偶; 未成年子女; 已成年但不能独立生活的子女（含在校接受全日制本科及以下学历教育的）; 其他具有法定赡养、扶养、抚养
    义务关系并长期共同居住的人员. Not counted: 宗教教职人员 living in a religious venue ≥ N years (N included), 服刑人员,
    others the province defines. A member already in 特困 is carved out (supported separately, 社会救助暂行办法 第十四条).
    The 户主 counts (the household is the applicant's).
    """
    use = _Use(params)
    away_years = use.int("dibao.household.religious_away_years")
    minor_age = use.int("person.minor_age")
    counted: list[str] = []
    excluded: dict[str, str] = {}
    for m in members:
        reason = ""
        if m.religious_professional and m.religious_years_away >= away_years:
            reason = f"宗教教职人员离家在宗教场所居住已满{away_years}年"
        elif m.imprisoned:
            reason = "服刑人员"
        elif m.excluded_reason:
            reason = m.excluded_reason
        elif m.in_tekun:
            reason = "已纳入特困供养，单独保障"
        elif m.relation in (HEAD, SPOUSE):
            pass
        elif m.relation in (SON, DAUGHTER):
            if m.age >= minor_age and not m.unable_to_live_independently and not (
                    m.living_together and m.legal_support_duty):
                reason = "已成年、能独立生活且不共同居住的子女"
        elif not (m.living_together and m.legal_support_duty):
            reason = "无法定赡养扶养抚养关系或未长期共同居住"
        if reason:
            excluded[m.key] = reason
        else:
            counted.append(m.key)
    names = {m.key: m.name for m in members}
    text = f"共同生活家庭成员 {len(counted)} 人"
    if excluded:
        text += "；不计入：" + "；".join(f"{names[k]}（{r}）" for k, r in excluded.items())
    return Decision("dibao.household_members", _dibao_version(use), bool(counted), Decimal(len(counted)), text,
                    inputs={"members": [asdict(m) for m in members]}, params=use.list(),
                    reasons=[] if counted else ["没有可计入的共同生活家庭成员"],
                    details={"counted": counted, "excluded": excluded})


def _excluded_item(item: str, exclusions: Sequence[str]) -> str | None:
    """The exclusion an income item falls under: the listed name appears in the item's label (so
    "城乡居民基础养老金" is excluded but a retiree's "养老金" is not)."""
    for name in exclusions:
        if name and item and name in item:
            return name
    return None


def per_capita_income(incomes: Sequence[IncomeItem], *, member_keys: Sequence[str], params: Params,
                      exclusions_key: str = "dibao.income.exclusions") -> Decision:
    """家庭月人均收入 over the 共同生活家庭成员.

    Source: 社会救助暂行办法 第九条 [V]; five income categories (工资性、经营净、财产净、转移净、其他) [V-sec];
    exclusions per `dibao.income.exclusions` (优待抚恤金、计划生育奖励与扶助金、奖学金、见义勇为奖励、社会救助款物、
    基础养老金 [M]; 残疾人两项补贴 [V-sec] 国发〔2015〕52号); optional 就业成本 deduction per working member [M].
    Incomes of persons who are not counted members are ignored. Per-capita is rounded half up to the fen.
    `exclusions_key` selects another list (``tekun.income.exclusions`` for 特困 无生活来源).
    """
    use = _Use(params)
    exclusions = [str(x) for x in use.items(exclusions_key)]
    cost = use.dec("dibao.income.employment_cost")
    keys = set(member_keys)
    total = ZERO
    by_category: dict[str, Decimal] = {}
    wages: dict[str, Decimal] = {}
    excluded: list[dict[str, Any]] = []
    for inc in incomes:
        amount = Decimal(inc.monthly_amount)
        if inc.member_key is not None and inc.member_key not in keys:
            excluded.append({"item": inc.item or inc.category, "amount": amount, "why": "非共同生活家庭成员的收入"})
            continue
        hit = _excluded_item(inc.item, exclusions)
        if hit:
            excluded.append({"item": inc.item, "amount": amount, "why": f"{hit}不计入家庭收入"})
            continue
        total += amount
        by_category[inc.category] = by_category.get(inc.category, ZERO) + amount
        if inc.category == "wage" and inc.member_key is not None and amount > 0:
            wages[inc.member_key] = wages.get(inc.member_key, ZERO) + amount
    deduction = sum((min(cost, w) for w in wages.values()), ZERO) if cost > 0 else ZERO
    net = total - deduction
    n = len(keys)
    if n == 0:
        return Decision("dibao.per_capita_income", _dibao_version(use), False, ZERO, "没有共同生活家庭成员，无法计算人均收入",
                        inputs={"member_keys": sorted(keys)}, params=use.list(), reasons=["家庭成员为 0 人"])
    pc = (net / n).quantize(CENT, rounding=ROUND_HALF_UP)
    text = f"家庭月收入合计 {_fmt(net)} 元"
    if deduction:
        text += f"（已扣除就业成本 {_fmt(deduction)} 元）"
    text += f" ÷ {n} 人 = 月人均收入 {_fmt(pc)} 元"
    if excluded:
        text += "；不计入：" + "、".join(f"{e['item']} {_fmt(e['amount'])} 元（{e['why']}）" for e in excluded)
    return Decision("dibao.per_capita_income", _dibao_version(use), True, pc, text,
                    inputs={"incomes": [asdict(i) for i in incomes], "member_keys": sorted(keys)},
                    params=use.list(),
                    details={"total": total, "deduction": deduction, "net": net, "members": n,
                             "by_category": by_category, "excluded": excluded})


def dibao_standard(area: str, *, params: Params) -> Decimal:
    """低保标准 for the area (社会救助暂行办法 第十条: set by the province or 设区的市)."""
    return params.get(_standard_key(area)).decimal


def _standard_key(area: str) -> str:
    if area not in AREA_LABEL:
        raise ValueError(f"未知城乡类别：{area}")
    return f"dibao.standard.{area}"


def asset_test(members: Sequence[Member], assets: Sequence[AssetItem], *, area: str, params: Params) -> Decision:
    """家庭财产 test, configurable.

    Source: 社会救助暂行办法 第九条 (“符合当地最低生活保障家庭财产状况规定”) [V]; the thresholds are local and all
    configurable [M]/[L]: deposits + securities ≤ 标准 × N months × members; homes ≤ max; no non-residential property;
    no vehicle except exempt types or low value; no company or larger 个体工商户; no 财政供养 member.
    """
    use = _Use(params)
    std = use.dec(_standard_key(area))
    months = use.int("dibao.asset.deposit_months")
    max_homes = use.int("dibao.asset.max_homes")
    exempt_types = [str(x) for x in use.items("dibao.asset.vehicle_exempt_types")]
    exempt_value = use.dec("dibao.asset.vehicle_exempt_value")
    n = max(1, len(members))
    fails: list[str] = []
    liquid = sum((Decimal(a.value) for a in assets if a.kind in ("deposit", "securities")), ZERO)
    limit = std * months * n
    if liquid > limit:
        fails.append(f"存款及有价证券 {_fmt(liquid)} 元，超过 低保标准 {_fmt(std)} 元 × {months} 个月 × {n} 人 = "
                     f"{_fmt(limit)} 元")
    homes = [a for a in assets if a.kind == "property" and a.attributes.get("use", "residential") == "residential"]
    if len(homes) > max_homes:
        fails.append(f"拥有住房 {len(homes)} 套，超过 {max_homes} 套")
    if use.flag("dibao.asset.exclude_nonresidential") and any(
            a.kind == "property" and a.attributes.get("use", "residential") != "residential" for a in assets):
        fails.append("拥有商铺、办公用房等非居住类房产")
    for a in assets:
        if a.kind != "vehicle":
            continue
        vtype = str(a.attributes.get("vehicle_type", ""))
        if vtype and vtype in exempt_types:
            continue
        if exempt_value > 0 and Decimal(a.value) <= exempt_value:
            continue
        fails.append(f"拥有机动车辆（{vtype or a.description or '车辆'}，价值 {_fmt(Decimal(a.value))} 元）")
    if use.flag("dibao.asset.exclude_business_owner") and any(
            a.kind == "business" and not a.attributes.get("small") for a in assets):
        fails.append("开办或经营企业、较大规模个体工商户")
    if use.flag("dibao.asset.exclude_public_employee"):
        staff = [m.name for m in members if m.public_employee]
        if staff:
            fails.append(f"家庭成员中有财政供养人员（{'、'.join(staff)}）")
    text = "家庭财产符合当地低保规定" if not fails else "家庭财产不符合当地低保规定：" + "；".join(fails)
    return Decision("dibao.asset_test", _dibao_version(use), not fails, ZERO, text,
                    inputs={"assets": [asdict(a) for a in assets], "members": n, "area": area},
                    params=use.list(), reasons=fails, details={"liquid": liquid, "liquid_limit": limit})


def dibao_subsidy(per_capita: Decimal, covered: int, *, area: str, params: Params) -> Decision:
    """补差: (低保标准 − 家庭月人均收入) × 保障人数, never negative.

    Source: 社会救助暂行办法 第十二条 (“按照…家庭人均收入低于当地最低生活保障标准的差额，按月发给”) [V]; the
    formula is derived from it. Income equal to the standard gets nothing. Rounded per `dibao.rounding`; a positive
    amount below `dibao.min_amount` (保底, 0 = none) is raised to it.
    """
    use = _Use(params)
    std = use.dec(_standard_key(area))
    minimum = use.dec("dibao.min_amount")
    use.pv("dibao.rounding")  # recorded: the amount depends on it
    pc = Decimal(per_capita)
    label = AREA_LABEL[area]
    inputs = {"per_capita_income": pc, "covered": covered, "area": area}
    if covered <= 0:
        return Decision("dibao.subsidy", _dibao_version(use), False, ZERO, "保障人数为 0，不发放", inputs=inputs,
                        params=use.list(), reasons=["保障人数为 0"])
    if pc >= std:
        text = f"家庭月人均收入 {_fmt(pc)} 元 不低于{label}低保标准 {_fmt(std)} 元，不符合低保收入条件"
        return Decision("dibao.subsidy", _dibao_version(use), False, ZERO, text, inputs=inputs, params=use.list(),
                        reasons=[text], details={"standard": std, "gap": ZERO})
    gap = std - pc
    amount = money(gap * covered, params)
    text = (f"家庭月人均收入 {_fmt(pc)} 元 低于{label}低保标准 {_fmt(std)} 元，差额 {_fmt(gap)} 元 × {covered} 人 = "
            f"{_fmt(amount)} 元")
    if 0 < amount < minimum:
        text += f"，低于保底金额，按 {_fmt(minimum)} 元发放"
        amount = minimum
    return Decision("dibao.subsidy", _dibao_version(use), True, amount, text, inputs=inputs, params=use.list(),
                    details={"standard": std, "gap": gap})


def _supplement_categories(m: Member, use: _Use) -> list[str]:
    cats = []
    if m.age >= use.int("dibao.supplement.elderly_age"):
        cats.append("elderly")
    if m.age < use.int("person.minor_age"):
        cats.append("minor")
    if m.disability_grade is not None and m.disability_grade <= use.int("dibao.supplement.severe_max_grade"):
        cats.append("severe_disability")
    if m.serious_illness:
        cats.append("serious_illness")
    return cats


_SUPP_LABEL = {"elderly": "老年人", "minor": "未成年人", "severe_disability": "重度残疾人", "serious_illness": "重病患者"}


def classified_supplements(members: Sequence[Member], *, area: str, params: Params) -> Decision:
    """分类施保: extra monthly support for 老年人、未成年人、重度残疾人、重病患者 among the covered members.

    Source: 社会救助暂行办法 第十二条第二款 [V]; amounts are local ([GAP] for Fujian/南平): each category is a share
    of the 低保标准 (`dibao.supplement.*`); `dibao.supplement.stacking` = max (one category per person) or sum.
    """
    use = _Use(params)
    std = use.dec(_standard_key(area))
    stacking = str(use.val("dibao.supplement.stacking"))
    total = ZERO
    lines: list[str] = []
    per_person: dict[str, Any] = {}
    for m in members:
        cats = _supplement_categories(m, use)
        if not cats:
            continue
        ratios = {c: use.dec(f"dibao.supplement.{c}") for c in cats}
        chosen = [max(ratios, key=lambda c: ratios[c])] if stacking == "max" else cats
        amount = money(sum((std * ratios[c] for c in chosen), ZERO), params)
        if amount <= 0:
            continue
        total += amount
        per_person[m.key] = {"categories": chosen, "amount": amount}
        lines.append(f"{m.name}（{'、'.join(_SUPP_LABEL[c] for c in chosen)}）"
                     f"{' + '.join(_ratio_fmt(ratios[c]) for c in chosen)} × {_fmt(std)} 元 = {_fmt(amount)} 元")
    use.pv("dibao.rounding")
    text = "分类施保：" + "；".join(lines) + f"，合计 {_fmt(total)} 元" if lines else "无分类施保对象"
    return Decision("dibao.supplements", _dibao_version(use), total > 0, total, text,
                    inputs={"members": [m.key for m in members], "area": area}, params=use.list(),
                    details={"per_person": per_person})


def dibao_assess(household: HouseholdFacts, *, params: Params) -> Decision:
    """The whole 低保 household test and amount: 三要件 income + assets (户籍 is the workflow's check).

    Source: 社会救助暂行办法 第九条、第十二条 [V]; 2012 试行 第四条、第六条 / 2021 办法 第七条 [V-sec].
    Steps: 共同生活家庭成员 → 月人均收入 → 财产 → 补差 × 保障人数 → 分类施保. Eligible only if the per-capita income is
    below the standard and the assets pass; amount = 补差 + 分类施保.
    """
    use = _Use(params)
    version = _dibao_version(use)
    m = use.add(household_members(household.members, params=params))
    counted = [x for x in household.members if x.key in m.details["counted"]]
    inc = use.add(per_capita_income(household.incomes, member_keys=[x.key for x in counted], params=params))
    assets = use.add(asset_test(counted, household.assets, area=household.area, params=params))
    steps = [m, inc, assets]
    reasons = list(m.reasons) + list(inc.reasons) + list(assets.reasons)
    amount = ZERO
    subsidy: Decision | None = None
    supp: Decision | None = None
    if counted and inc.eligible:
        subsidy = use.add(dibao_subsidy(inc.amount, len(counted), area=household.area, params=params))
        steps.append(subsidy)
        reasons += subsidy.reasons
    eligible = bool(counted) and inc.eligible and assets.eligible and subsidy is not None and subsidy.eligible
    if eligible and subsidy is not None:
        supp = use.add(classified_supplements(counted, area=household.area, params=params))
        amount = subsidy.amount + supp.amount
        if supp.amount > 0:
            steps.append(supp)
    text = "；".join(s.explanation for s in steps)
    text += f"。结论：{'符合' if eligible else '不符合'}低保条件"
    if eligible:
        text += f"，月保障金 {_fmt(amount)} 元（保障 {len(counted)} 人）"
    return Decision("dibao.assess", version, eligible, amount, text,
                    inputs={"household": asdict(household)}, params=use.list(), reasons=reasons,
                    details={"area": household.area, "covered": [x.key for x in counted],
                             "covered_count": len(counted), "per_capita_income": inc.amount,
                             "subsidy": subsidy.amount if subsidy else ZERO,
                             "supplements": supp.amount if supp else ZERO,
                             "standard": use.dec(_standard_key(household.area)),
                             "steps": [s.as_dict() for s in steps]})


def dibao_edge(household: HouseholdFacts, *, params: Params) -> Decision:
    """低保边缘家庭: not eligible for 低保, per-capita income ≤ N × 低保标准 and assets meet the 低保 rules.

    Source: 中办国办《关于改革完善社会救助制度的意见》(2020) and 2021 implementation texts [V-sec]; N =
    `dibao.edge_multiple` (1.5). details["band"] is "dibao" (below the standard, assets pass), "edge" or "none".
    """
    use = _Use(params)
    multiple = use.dec("dibao.edge_multiple")
    std = use.dec(_standard_key(household.area))
    m = use.add(household_members(household.members, params=params))
    counted = [x for x in household.members if x.key in m.details["counted"]]
    inc = use.add(per_capita_income(household.incomes, member_keys=[x.key for x in counted], params=params))
    assets = use.add(asset_test(counted, household.assets, area=household.area, params=params))
    limit = money(std * multiple, params)
    pc = inc.amount
    band = "none"
    if inc.eligible and assets.eligible:
        band = "dibao" if pc < std else ("edge" if pc <= limit else "none")
    label = AREA_LABEL[household.area]
    text = (f"家庭月人均收入 {_fmt(pc)} 元，{label}低保标准 {_fmt(std)} 元，边缘线 {_ratio_fmt(multiple)} 倍 = "
            f"{_fmt(limit)} 元；财产{'符合' if assets.eligible else '不符合'}规定。")
    text += {"dibao": "符合低保条件（非边缘）", "edge": "属于低保边缘家庭", "none": "不属于低保边缘家庭"}[band]
    reasons = [] if band == "edge" else [text, *assets.reasons]
    return Decision("dibao.edge", _dibao_version(use), band == "edge", ZERO, text,
                    inputs={"household": asdict(household)}, params=use.list(), reasons=reasons,
                    details={"band": band, "per_capita_income": pc, "limit": limit, "standard": std})


def single_person_dibao(member_key: str, household: HouseholdFacts, *, params: Params) -> Decision:
    """单人保: one member included on their own.

    Source, 2021 rules [V-sec] (2021 办法 as restated by 富平/灵璧/广州/益阳): in a 低保边缘家庭, a holder of a 残疾人证
    grade ≤ 2 (重度) or grade ≤ 3 intellectual/mental, or a person with a 重特大疾病; or a 宗教教职人员 living in a
    religious venue ≥ 3 years. Pre-2021 [M] 国发〔2015〕7号: an adult, jobless, severely disabled person (grade ≤ 2).
    Amount (interpretation [M]): the person as a one-person household, 标准 − own counted income, plus 分类施保.
    """
    use = _Use(params)
    version = _dibao_version(use)
    person = next((x for x in household.members if x.key == member_key), None)
    if person is None:
        raise ValueError(f"家庭中没有成员 {member_key}")
    grounds: list[str] = []
    reasons: list[str] = []
    dis_max = use.int("dibao.single.disability_max_grade")
    if version >= "2021":
        int_max = use.int("dibao.single.intellectual_max_grade")
        rel_years = use.int("dibao.single.religious_years")
        g = person.disability_grade
        if person.religious_professional and person.religious_years_away >= rel_years:
            grounds.append(f"宗教教职人员在宗教场所居住满{rel_years}年")
        else:
            edge = use.add(dibao_edge(household, params=params))
            if g is not None and (g <= dis_max or (person.disability_category in (INTELLECTUAL, MENTAL)
                                                   and g <= int_max)):
                grounds.append(f"持证{g}级残疾人")
            if person.serious_illness:
                grounds.append("患重特大疾病")
            if grounds and not edge.eligible:
                reasons.append("所在家庭不属于低保边缘家庭：" + edge.explanation)
                grounds = []
            elif not grounds:
                reasons.append("不属于重度残疾人、三级智力精神残疾人或重病患者")
    else:
        g = person.disability_grade
        if person.age >= use.int("person.minor_age") and not person.employed and g is not None and g <= dis_max:
            grounds.append(f"成年无业{g}级重度残疾人（单人户）")
        else:
            reasons.append("2021 年前仅成年无业重度残疾人可单独提出申请")
    own_keys = [person.key]
    if not grounds:
        text = f"{person.name} 不符合单人保条件：" + "；".join(reasons)
        return Decision("dibao.single_person", version, False, ZERO, text,
                        inputs={"member_key": member_key, "household": asdict(household)}, params=use.list(),
                        reasons=reasons)
    own = [i for i in household.incomes if i.member_key == person.key]
    inc = use.add(per_capita_income(own, member_keys=own_keys, params=params))
    sub = use.add(dibao_subsidy(inc.amount, 1, area=household.area, params=params))
    supp = use.add(classified_supplements([person], area=household.area, params=params)) if sub.eligible else None
    amount = sub.amount + (supp.amount if supp else ZERO)
    text = f"{person.name} 按单人保纳入（{'、'.join(grounds)}）：{sub.explanation}"
    if supp and supp.amount > 0:
        text += "；" + supp.explanation
    return Decision("dibao.single_person", version, sub.eligible, amount, text,
                    inputs={"member_key": member_key, "household": asdict(household)}, params=use.list(),
                    reasons=sub.reasons, details={"grounds": grounds, "subsidy": sub.amount,
                                                  "supplements": supp.amount if supp else ZERO})


# ------------------------------------------------------------------------------------------------ 特困


def _no_work_capacity(p: TekunFacts, use: _Use) -> str:
    if p.age >= use.int("tekun.no_work.age_min"):
        return f"年满{use.int('tekun.no_work.age_min')}周岁"
    if p.age < use.int("tekun.no_work.minor_under"):
        return f"未满{use.int('tekun.no_work.minor_under')}周岁"
    g = p.disability_grade
    if g is not None:
        int_max = use.int("tekun.no_work.intellectual_max_grade")
        phys_max = use.int("tekun.no_work.physical_max_grade")
        vis_max = use.int("tekun.no_work.visual_max_grade")
        if p.disability_category in (INTELLECTUAL, MENTAL) and g <= int_max:
            return f"{g}级智力或精神残疾"
        # 多重残疾 is judged on its grade like a physical disability (the stricter common threshold).
        if p.disability_category in (PHYSICAL, MULTIPLE) and g <= phys_max:
            return f"{g}级肢体（多重）残疾"
        if p.disability_category == VISUAL and vis_max and g <= vis_max:
            return f"{g}级视力残疾"
    if p.other_no_work_capacity:
        return p.other_no_work_capacity
    return ""


def _supporter_unable(s: Supporter, version: str, use: _Use) -> str:
    if s.in_tekun:
        return "本人为特困人员"
    if s.no_legal_capacity:
        return "无民事行为能力"
    if s.declared_missing:
        return "被宣告失踪"
    if s.imprisoned:
        return "在监狱服刑"
    if s.in_dibao and s.age >= use.int("tekun.supporter.elderly_age"):
        return f"年满{use.int('tekun.supporter.elderly_age')}周岁的低保对象"
    severe = s.disability_grade is not None and s.disability_grade <= 2
    if version >= "2021":
        grade3 = (s.disability_category in (INTELLECTUAL, MENTAL) and s.disability_grade is not None
                  and s.disability_grade <= 3)
        limited = s.income_below_disposable and s.assets_within_limits
        if s.age >= use.int("tekun.supporter.old_age_2021") and limited:
            return f"年满{use.int('tekun.supporter.old_age_2021')}周岁且收入低于上年人均可支配收入"
        if (severe or grade3) and limited:
            return "重度残疾或三级智力精神残疾且收入低于上年人均可支配收入"
    elif s.in_dibao and severe and s.assets_within_limits:
        return "重度残疾的低保对象"
    return ""


def tekun_criteria(person: TekunFacts, *, params: Params) -> Decision:
    """特困人员 criteria: 老年人、残疾人 or 未满16周岁 who have 无劳动能力、无生活来源 and no supporter able to support.

    Source: 社会救助暂行办法 第十四条 [V]; 特困人员认定办法 2016 / 2021 第五条（无劳动能力）、第六条（无生活来源）、
    无履行义务能力 clauses [V-sec]. Grades per version (`tekun.no_work.*`). A child under 16 who also meets the 孤儿
    criteria goes to 孤儿基本生活保障 instead (2016 办法 第九条 [V-sec]).
    """
    use = _Use(params)
    version = _tekun_version(use)
    std = use.dec(_standard_key(person.area))
    reasons: list[str] = []
    lines: list[str] = []
    minor_under = use.int("tekun.no_work.minor_under")
    target = (person.age >= use.int("tekun.no_work.age_min") or person.age < minor_under
              or person.disability_grade is not None)
    if not target:
        reasons.append("不属于老年人、残疾人或未满16周岁的未成年人")
    no_work = _no_work_capacity(person, use)
    if no_work:
        lines.append(f"无劳动能力（{no_work}）")
    else:
        reasons.append("不符合无劳动能力条件")
    income = Decimal(person.monthly_income)
    if income < std and person.assets_ok:
        lines.append(f"无生活来源（月收入 {_fmt(income)} 元 低于{AREA_LABEL[person.area]}低保标准 {_fmt(std)} 元，"
                     "财产符合规定）")
    else:
        if income >= std:
            reasons.append(f"月收入 {_fmt(income)} 元 不低于低保标准 {_fmt(std)} 元")
        if not person.assets_ok:
            reasons.append("财产超过当地特困人员财产规定")
    able = [s for s in person.supporters if not _supporter_unable(s, version, use)]
    if not person.supporters:
        lines.append("无法定赡养、抚养、扶养义务人")
    elif able:
        reasons.append("有具备履行义务能力的义务人：" + "、".join(s.name for s in able))
    else:
        lines.append("义务人无履行义务能力（" + "；".join(
            f"{s.name}：{_supporter_unable(s, version, use)}" for s in person.supporters) + "）")
    if person.orphan_eligible and person.age < minor_under:
        reasons.append("同时符合孤儿条件，应纳入孤儿基本生活保障")
    eligible = not reasons
    text = f"{person.name}：" + "；".join(lines + reasons) + f"。结论：{'符合' if eligible else '不符合'}特困人员条件"
    return Decision("tekun.criteria", version, eligible, ZERO, text, inputs={"person": asdict(person)},
                    params=use.list(), reasons=reasons, details={"no_work_ground": no_work})


def tekun_continuation(person: TekunFacts, *, params: Params, deceased: bool = False, imprisoned: bool = False,
                       withdrew: bool = False) -> Decision:
    """Whether a person already supported as 特困 continues (eligible) or support ends (终止).

    Source: 社会救助暂行办法 第十八条 [V] (termination with 公示); 2021 办法 ch. 6 as restated [V-sec]: death or
    declared dead/missing; regains work capacity; imprisoned; income or assets over the limits; a supporter able to
    support; voluntary withdrawal. Minors continue to 18 (`tekun.support_until_age`), and past 18 while in 义务教育、
    普通高中 or 中职 (`TekunFacts.in_school`). The termination 公示 is `tekun.termination.publicity_days` days and
    an objection is decided within `tekun.termination.objection_wd` working days (details).
    """
    use = _Use(params)
    version = _tekun_version(use)
    until = use.int("tekun.support_until_age")
    pub_days = use.int("tekun.termination.publicity_days")
    obj_wd = use.int("tekun.termination.objection_wd")
    grounds: list[str] = []
    if deceased:
        grounds.append("死亡或被宣告死亡、失踪")
    if imprisoned:
        grounds.append("在监狱服刑")
    if withdrew:
        grounds.append("本人自愿申请退出")
    criteria = use.add(tekun_criteria(person, params=params))
    young = person.age < until or person.in_school
    for reason in criteria.reasons:
        if young and reason in ("不符合无劳动能力条件", "不属于老年人、残疾人或未满16周岁的未成年人"):
            continue  # minors stay supported to 18, and past 18 while still at school
        if "孤儿" in reason:
            continue  # the 孤儿 route applies at intake, not to end existing support
        grounds.append(reason)
    keep = not grounds
    if keep:
        text = f"{person.name} 继续符合特困人员条件，继续供养"
        if young and not criteria.eligible:
            text += f"（未满{until}周岁或仍在校就读）"
    else:
        text = (f"{person.name} 拟终止特困供养：{'；'.join(grounds)}。须公示 {pub_days} 天，无异议的自次月起终止；"
                f"有异议的在 {obj_wd} 个工作日内调查核实并作出决定")
    return Decision("tekun.continuation", version, keep, ZERO, text, inputs={"person": asdict(person),
                    "deceased": deceased, "imprisoned": imprisoned, "withdrew": withdrew}, params=use.list(),
                    reasons=grounds, details={"publicity_days": pub_days, "objection_wd": obj_wd})


def self_care_tier(items: Mapping[str, bool], *, params: Params) -> Decision:
    """生活自理能力评估 → care tier, from six items (True = can do it unaided).

    Source: 特困人员认定办法 2021 第五章 [M]; 河南、湖南 provincial texts [V-sec]: 自主吃饭、穿衣、上下床、如厕、室内
    行走、洗澡. All six achieved = 具备生活自理能力 → 全自理; 1 to N−1 not achieved = 部分丧失 → 半护理; N or more
    (`tekun.selfcare.full_loss_min_failed`, 4) = 完全丧失 → 全护理. Tier names from 三明 [L-FJ]; mapping inferred.
    """
    use = _Use(params)
    missing = [k for k in SELF_CARE_ITEMS if k not in items]
    if missing:
        raise ValueError("自理能力评估缺少项目：" + "、".join(SELF_CARE_ITEMS[k] for k in missing))
    unknown = [k for k in items if k not in SELF_CARE_ITEMS]
    if unknown:
        raise ValueError(f"未知评估项目：{unknown}")
    full_min = use.int("tekun.selfcare.full_loss_min_failed")
    failed = [k for k in SELF_CARE_ITEMS if not items[k]]
    n = len(failed)
    if n == 0:
        tier, ability = "self_care", "具备生活自理能力"
    elif n < full_min:
        tier, ability = "half", "部分丧失生活自理能力"
    else:
        tier, ability = "full", "完全丧失生活自理能力"
    text = f"六项指标中 {n} 项不能达到"
    if failed:
        text += f"（{'、'.join(SELF_CARE_ITEMS[k] for k in failed)}）"
    text += f"，{ability}，照料护理等级：{TIER_LABEL[tier]}"
    return Decision("tekun.self_care", _tekun_version(use), True, Decimal(n), text,
                    inputs={"items": dict(items)}, params=use.list(),
                    details={"tier": tier, "failed": failed, "ability": ability})


def tekun_support(tier: str, *, arrangement: str, area: str, params: Params) -> Decision:
    """特困 monthly support = 基本生活标准 + 照料护理标准 (by tier); 集中供养 = 分散 × tier factor.

    Source: 社会救助暂行办法 第十五条 [V]; 国发〔2016〕14号 two components [M]; basic ≥ 1.3 × 低保标准 [V-sec]
    (`tekun.basic_ratio`); care = minimum wage × 10% / 25% / 40% and 集中 ≥ 120% / 130% / 140% of 分散 (三明 [L-FJ]).
    The person chooses 集中 or 分散 (第十九条 [V]).
    """
    if tier not in TIER_LABEL:
        raise ValueError(f"未知护理等级：{tier}")
    if arrangement not in ARRANGEMENT_LABEL:
        raise ValueError(f"未知供养方式：{arrangement}")
    use = _Use(params)
    std = use.dec(_standard_key(area))
    ratio = use.dec("tekun.basic_ratio")
    wage = use.dec("tekun.min_wage")
    care_ratio = use.dec(f"tekun.care.{tier}")
    basic = money(std * ratio, params)
    care = money(wage * care_ratio, params)
    dispersed = basic + care
    text = (f"基本生活标准 = {AREA_LABEL[area]}低保标准 {_fmt(std)} 元 × {_ratio_fmt(ratio)} = {_fmt(basic)} 元；"
            f"照料护理标准（{TIER_LABEL[tier]}）= 最低工资 {_fmt(wage)} 元 × {_ratio_fmt(care_ratio)} = {_fmt(care)} 元；"
            f"分散供养标准 {_fmt(basic)} + {_fmt(care)} = {_fmt(dispersed)} 元")
    amount = dispersed
    if arrangement == "central":
        factor = use.dec(f"tekun.central.{tier}")
        amount = money(dispersed * factor, params)
        text += f"；集中供养 {_fmt(dispersed)} 元 × {_ratio_fmt(factor)} = {_fmt(amount)} 元"
    text += f"。月供养金 {_fmt(amount)} 元"
    return Decision("tekun.support", _tekun_version(use), True, amount, text,
                    inputs={"tier": tier, "arrangement": arrangement, "area": area}, params=use.list(),
                    details={"basic": basic, "care": care, "dispersed": dispersed})


# ------------------------------------------------------------------------------------------------ 临时救助


def linshi_months_for_expense(expense: Decimal, *, params: Params) -> Decision:
    """支出型 months from the family's self-paid medical/education expense, by band (`linshi.expense_bands`, demo).

    Source: 福建省 2018 实施意见 [V-sec]: “也可按自付医疗、教育费用分档” — the bands themselves are local ([GAP],
    demo values); the result is still capped by `linshi.max_months` in `linshi_amount`.
    """
    use = _Use(params)
    bands = sorted(((Decimal(str(b["min"])), int(b["months"])) for b in use.items("linshi.expense_bands")),
                   key=lambda b: b[0])
    cost = Decimal(expense)
    months = 0
    floor = ZERO
    for low, m in bands:
        if cost >= low:
            months, floor = m, low
    text = (f"自付支出 {_fmt(cost)} 元，属于 {_fmt(floor)} 元以上档，救助 {months} 个月" if months
            else f"自付支出 {_fmt(cost)} 元，未达到分档起点")
    return Decision("linshi.expense_band", "FJ2018", months > 0, Decimal(months), text, inputs={"expense": cost},
                    params=use.list(), reasons=[] if months else [text], details={"months": months})


def linshi_amount(kind: str, *, persons: int, months: int, params: Params, per_capita_income: Decimal | None = None,
                  income_limit: Decimal | None = None, expense: Decimal | None = None) -> Decision:
    """临时救助 amount = 临时救助月标准 × 救助人数 × 月数.

    Source: 社会救助暂行办法 第四十七至四十九条 [V]; 福建省 2018 实施意见 [V-sec]: monthly standard within ±25% of
    the urban 低保 monthly standard (`linshi.ratio_min/max`, county choice `linshi.standard_ratio`, clamped into the
    bounds); 支出型 months ≤ 6 (`linshi.max_months`); 急难型 months ≤ `linshi.emergency.max_months` (demo). 支出型
    in principle needs per-capita income below last year's 人均可支配收入 (checked when both figures are given).
    With `expense` given, a 支出型 amount is capped at it when `linshi.cap_at_expense` (demo) is on.
    details: township_may_approve (≤ `linshi.township_approval_max`), quick_max (先行救助 cap).
    """
    if kind not in LINSHI_LABEL:
        raise ValueError(f"未知临时救助类型：{kind}")
    use = _Use(params)
    std = use.dec("dibao.standard.urban")
    lo, hi = use.dec("linshi.ratio_min"), use.dec("linshi.ratio_max")
    chosen = use.dec("linshi.standard_ratio")
    ratio = min(max(chosen, lo), hi)
    cap = use.int("linshi.max_months" if kind == "expenditure" else "linshi.emergency.max_months")
    town_max = use.dec("linshi.township_approval_max")
    quick_max = use.dec("linshi.emergency.quick_max")
    monthly = money(std * ratio, params)
    used_months = max(0, min(months, cap))
    inputs = {"kind": kind, "persons": persons, "months": months, "per_capita_income": per_capita_income,
              "income_limit": income_limit, "expense": expense}
    reasons: list[str] = []
    if persons <= 0:
        reasons.append("救助人数为 0")
    if months <= 0:
        reasons.append("救助月数为 0")
    if kind == "expenditure" and per_capita_income is not None and income_limit is not None \
            and Decimal(per_capita_income) >= Decimal(income_limit):
        reasons.append(f"家庭月人均收入 {_fmt(Decimal(per_capita_income))} 元 不低于上年人均可支配收入月均 "
                       f"{_fmt(Decimal(income_limit))} 元")
    text = f"临时救助月标准 = 城市低保标准 {_fmt(std)} 元 × {_ratio_fmt(ratio)} = {_fmt(monthly)} 元"
    if ratio != chosen:
        text += f"（设定比例 {_ratio_fmt(chosen)} 超出 {_ratio_fmt(lo)}–{_ratio_fmt(hi)}，已按边界计算）"
    if reasons:
        return Decision("linshi.amount", "FJ2018", False, ZERO, text + "；不予救助：" + "；".join(reasons),
                        inputs=inputs, params=use.list(), reasons=reasons, details={"monthly_standard": monthly})
    amount = money(monthly * persons * used_months, params)
    text += f"；{LINSHI_LABEL[kind]} {_fmt(monthly)} 元 × {persons} 人 × {used_months} 个月 = {_fmt(amount)} 元"
    if used_months < months:
        text += f"（申请 {months} 个月，{LINSHI_LABEL[kind]}最多 {cap} 个月）"
    if kind == "expenditure" and expense is not None and use.flag("linshi.cap_at_expense") \
            and amount > Decimal(expense):
        amount = money(Decimal(expense), params)
        text += f"，超过自付支出，按自付支出 {_fmt(amount)} 元救助"
    may_town = amount <= town_max
    text += "；乡镇可直接审批" if may_town else f"；超过乡镇审批额度 {_fmt(town_max)} 元，报区民政局审批"
    return Decision("linshi.amount", "FJ2018", True, amount, text, inputs=inputs, params=use.list(),
                    details={"monthly_standard": monthly, "months": used_months, "ratio": ratio,
                             "township_may_approve": may_town, "quick_max": quick_max})


# ------------------------------------------------------------------------------------------------ exclusions


_CONFLICTS: dict[frozenset[str], str] = {
    frozenset({"tekun_dispersed", "dibao_urban"}): "特困人员不再纳入低保（社会救助暂行办法 第十四条，已单独供养）",
    frozenset({"tekun_dispersed", "dibao_rural"}): "特困人员不再纳入低保（社会救助暂行办法 第十四条，已单独供养）",
    frozenset({"tekun_central", "dibao_urban"}): "特困人员不再纳入低保（社会救助暂行办法 第十四条，已单独供养）",
    frozenset({"tekun_central", "dibao_rural"}): "特困人员不再纳入低保（社会救助暂行办法 第十四条，已单独供养）",
    frozenset({"tekun_dispersed", "tekun_central"}): "同一人只能选择集中或分散一种供养方式（第十九条）",
    frozenset({"dibao_urban", "dibao_rural"}): "城市低保与农村低保不能同时享受",
    frozenset({"tekun_dispersed", "orphan"}): "符合孤儿条件的纳入孤儿基本生活保障，不再认定特困（2016 办法 第九条）",
    frozenset({"tekun_central", "orphan"}): "符合孤儿条件的纳入孤儿基本生活保障，不再认定特困（2016 办法 第九条）",
    frozenset({"tekun_dispersed", "canji_life"}): "特困供养人员不享受残疾人两项补贴（国发〔2015〕52号）",
    frozenset({"tekun_dispersed", "canji_care"}): "特困供养人员不享受残疾人两项补贴（国发〔2015〕52号）",
    frozenset({"tekun_central", "canji_life"}): "特困供养人员不享受残疾人两项补贴（国发〔2015〕52号）",
    frozenset({"tekun_central", "canji_care"}): "特困供养人员不享受残疾人两项补贴（国发〔2015〕52号）",
    frozenset({"orphan", "canji_life"}): "领取孤儿基本生活费的不享受困难残疾人生活补贴（可享受护理补贴）",
}


def programme_conflicts(programme: str, current: Iterable[str]) -> Decision:
    """Mutual exclusions between programmes for the same person.

    Source: 社会救助暂行办法 第十四条 [V] (特困 are supported on their own, not also 低保; a 低保 household member who
    becomes 特困 is carved out of the household); 第十九条 [V] (集中 or 分散); 2016 办法 第九条 (孤儿 first) [V-sec];
    国发〔2015〕52号 as restated (特困 get neither 两项补贴; 孤儿 no 生活补贴) [V-sec]. Legal structure, not a number,
    so it is code rather than a parameter.
    """
    held = sorted(set(current))
    clashes = [(c, _CONFLICTS[frozenset({programme, c})]) for c in held
               if c != programme and frozenset({programme, c}) in _CONFLICTS]
    dup = programme in held
    reasons = [why for _, why in clashes] + (["已在享受该项目"] if dup else [])
    text = "与现有待遇无冲突" if not reasons else "不能同时享受：" + "；".join(reasons)
    return Decision("programme.conflicts", "1", not reasons, ZERO, text,
                    inputs={"programme": programme, "current": held}, reasons=reasons,
                    details={"conflicts_with": [c for c, _ in clashes]})


# ------------------------------------------------------------------------------------------------ dynamic management


def review_outcome(current_amount: Decimal, assessment: Decision, *, income_rise_from_work: bool,
                   taper_months_used: int, params: Params) -> Decision:
    """What a review or change of circumstances means for a 低保 household: increase, decrease, stop, or 渐退.

    Source: 社会救助暂行办法 第十三条 [V] (增发、减发、停发, a stop in writing with reasons); 渐退 for households whose
    income rises above the standard through a member's work, generally ≤ 6 months (2020 意见 / 2021 办法 [M],
    `dibao.taper.months`); `dibao.taper.keep_amount` keeps the old amount or tapers it evenly to zero.
    details["action"]: increase | decrease | unchanged | taper | stop.
    """
    use = _Use(params)
    use.add(assessment)
    current = Decimal(current_amount)
    if assessment.eligible:
        new = assessment.amount
        action = "increase" if new > current else "decrease" if new < current else "unchanged"
        verb = {"increase": "增发", "decrease": "减发", "unchanged": "金额不变"}[action]
        text = f"复核后仍符合条件，月保障金由 {_fmt(current)} 元 调整为 {_fmt(new)} 元（{verb}）"
        return Decision("dibao.review", assessment.version, True, new, text,
                        inputs={"current_amount": current, "assessment": assessment.rule},
                        params=use.list(), details={"action": action, "taper_months_left": 0})
    months = use.int("dibao.taper.months")
    if income_rise_from_work and taper_months_used < months:
        left = months - taper_months_used
        if use.flag("dibao.taper.keep_amount"):
            amount = current
        else:
            amount = money(current * left / (left + 1), params)
        text = (f"因家庭成员就业收入增加不再符合条件，给予渐退期（共 {months} 个月，剩余 {left} 个月），"
                f"本月发放 {_fmt(amount)} 元")
        return Decision("dibao.review", assessment.version, True, amount, text,
                        inputs={"current_amount": current, "taper_months_used": taper_months_used},
                        params=use.list(),
                        details={"action": "taper", "taper_months_left": left - 1})
    why = "；".join(assessment.reasons) or assessment.explanation
    text = f"复核后不再符合条件，停发低保金（原 {_fmt(current)} 元）。理由：{why}"
    if income_rise_from_work:
        text += f"（渐退期 {months} 个月已满）"
    return Decision("dibao.review", assessment.version, False, ZERO, text,
                    inputs={"current_amount": current, "taper_months_used": taper_months_used},
                    params=use.list(), reasons=list(assessment.reasons) or [why],
                    details={"action": "stop", "taper_months_left": 0})


_HOUSEHOLD_TYPES = {"stable": "收入稳定（三无、重病重残等）", "short_term": "短期内收入变化不大",
                    "irregular": "收入不固定且有劳动能力"}


def review_cycle(household_type: str, *, area: str, params: Params) -> Decision:
    """Review cycle in months by household type and rule version.

    Source: 社会救助暂行办法 第十三条 [V]; 2012 rules [V-sec]: 三无/重病重残稳定 yearly, little change half-yearly,
    irregular income with able members monthly (urban) / quarterly (rural); 2021 rules [V-sec]: stable yearly,
    irregular half-yearly (`dibao.review.months.*`, versioned). amount = months.
    """
    if household_type not in _HOUSEHOLD_TYPES:
        raise ValueError(f"未知家庭类型：{household_type}")
    if area not in AREA_LABEL:
        raise ValueError(f"未知城乡类别：{area}")
    use = _Use(params)
    key = f"irregular_{area}" if household_type == "irregular" else household_type
    months = use.int(f"dibao.review.months.{key}")
    every = {1: "每月", 3: "每季度", 6: "每半年", 12: "每年"}.get(months, f"每 {months} 个月")
    text = f"{_HOUSEHOLD_TYPES[household_type]}的{AREA_LABEL[area]}低保家庭，按 {_dibao_version(use)} 年规则{every}复核一次"
    return Decision("dibao.review_cycle", _dibao_version(use), True, Decimal(months), text,
                    inputs={"household_type": household_type, "area": area}, params=use.list(),
                    details={"months": months})



def next_review_date(last: dt.date, months: int) -> dt.date:
    """The date the next periodic review falls due (same day of month, clipped to the month's end)."""
    return dates.shift_months(last, months)


def benefit_start(decided_on: dt.date, *, params: Params) -> dt.date:
    """First paid month: the month after the approval decision (2021 办法, 郑州“下月起” [V-sec];
    `workflow.benefit_start_next_month`), else the decision month. Returns the first day of that month."""
    first = decided_on.replace(day=1)
    return dates.shift_months(first, 1) if as_bool(params.get("workflow.benefit_start_next_month").value) else first


# ------------------------------------------------------------------------------------------------ adapters



def household_facts(household: Any, *, on: dt.date, overrides: Mapping[str, Mapping[str, Any]] | None = None,
                    area: str | None = None) -> HouseholdFacts:
    """Build `HouseholdFacts` from a registry Household on a date (reads only).

    Members are the living persons of the household; incomes those whose period covers `on`; assets not disposed
    of by `on`. `overrides` maps a person key (str(pk)) to Member fields the survey found (living_together,
    imprisoned, religious_professional …), which the registry does not hold. Area comes from the 户籍性质.
    """
    from minzheng.registry.models import Asset, Income, Person

    extra = overrides or {}
    members: list[Member] = []
    in_tekun = set(
        household.enrollments.filter(status="active", programme__code__startswith="tekun", person__isnull=False)
        .values_list("person_id", flat=True))
    for p in Person.objects.filter(household=household, is_deceased=False).order_by("id"):
        key = str(p.pk)
        fields: dict[str, Any] = {
            "key": key, "name": p.name, "age": dates.age_on(p.birth_date, on), "relation": p.relation,
            "disability_category": p.disability_category or "", "disability_grade": p.disability_grade,
            "serious_illness": p.health == "4", "in_tekun": p.pk in in_tekun,
        }
        fields.update(extra.get(key, {}))
        members.append(Member(**fields))
    incomes = tuple(
        IncomeItem(i.category, i.monthly_amount, i.item, str(i.person_id) if i.person_id else None)
        for i in Income.objects.filter(household=household, period_start__lte=on).order_by("id")
        if i.period_end is None or i.period_end >= on)
    assets = tuple(
        AssetItem(a.kind, a.value, dict(a.attributes or {}), str(a.person_id) if a.person_id else None, a.description)
        for a in Asset.objects.filter(household=household).order_by("id")
        if (a.disposed_on is None or a.disposed_on > on) and (a.acquired_on is None or a.acquired_on <= on))
    return HouseholdFacts(area or household.hukou_type, tuple(members), incomes, assets)


def tekun_facts(person: Any, *, on: dt.date, params: Params, supporters: Sequence[Supporter] = (),
                assets_ok: bool = True, other_no_work_capacity: str = "", orphan_eligible: bool = False) -> TekunFacts:
    """Build `TekunFacts` for a registry Person: age, disability and own counted income on `on` (reads only)."""
    from minzheng.registry.models import Income

    own = [IncomeItem(i.category, i.monthly_amount, i.item, str(person.pk))
           for i in Income.objects.filter(person=person, period_start__lte=on)
           if i.period_end is None or i.period_end >= on]
    income = per_capita_income(own, member_keys=[str(person.pk)], params=params,
                               exclusions_key="tekun.income.exclusions").amount
    return TekunFacts(name=person.name, age=dates.age_on(person.birth_date, on), area=person.household.hukou_type,
                      monthly_income=income, assets_ok=assets_ok, disability_category=person.disability_category or "",
                      disability_grade=person.disability_grade, other_no_work_capacity=other_no_work_capacity,
                      supporters=tuple(supporters), orphan_eligible=orphan_eligible)
