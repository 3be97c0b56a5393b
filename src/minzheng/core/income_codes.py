"""The coded list of income items (收入项目代码) an income record is chosen from, and the mapping of legacy
free-text items onto it. Pure data (no model), so the assistance rules can read it too.

Whether an item counts as household income is not decided here: it is a policy parameter per programme
(`income.excluded_codes.dibao`, `income.excluded_codes.tekun`) naming codes from this list.
"""

from __future__ import annotations

# code → (label, income category of registry.models.IncomeCategory)
INCOME_ITEMS: dict[str, tuple[str, str]] = {
    "wage": ("工资薪金", "wage"),
    "labour": ("劳务报酬、务工收入", "wage"),
    "farming": ("种植养殖收入", "business"),
    "business": ("个体经营收入", "business"),
    "rent": ("出租房屋、土地收入", "property"),
    "interest": ("存款利息、股息红利", "property"),
    "pension": ("离退休金、职工养老金", "transfer"),
    "basic_pension": ("城乡居民基础养老金", "transfer"),
    "support": ("赡养费、抚养费、扶养费", "transfer"),
    "youdai": ("优待抚恤金", "transfer"),
    "disability_allowance": ("残疾人两项补贴", "transfer"),
    "family_planning": ("计划生育奖励与扶助金", "transfer"),
    "scholarship": ("奖学金、助学金", "transfer"),
    "hero": ("见义勇为奖励", "transfer"),
    "assistance": ("社会救助款物", "transfer"),
    "gaoling": ("高龄津贴", "transfer"),
    "medical_insurance": ("医疗保险报销", "transfer"),
    "social_insurance": ("其他社会保险待遇", "transfer"),
    "unemployment": ("失业保险金", "transfer"),
    "other": ("其他收入", "other"),
}
CHOICES: list[tuple[str, str]] = [(k, v[0]) for k, v in INCOME_ITEMS.items()]

# Legacy free text (收入项目 as typed before the list existed) → code: the longest phrase found in the text wins,
# so “城乡居民基础养老金” is basic_pension while a retiree's “养老金” is pension. Text matching none is flagged.
LEGACY: dict[str, str] = {
    "工资": "wage", "薪金": "wage", "务工": "labour", "劳务": "labour", "打工": "labour", "零工": "labour",
    "种植": "farming", "养殖": "farming", "农业": "farming", "经营": "business", "小卖部": "business",
    "个体": "business", "出租": "rent", "租金": "rent", "土地流转": "rent", "利息": "interest", "股息": "interest",
    "红利": "interest", "退休金": "pension", "养老金": "pension", "基础养老金": "basic_pension",
    "城乡居民养老金": "basic_pension", "赡养费": "support", "抚养费": "support", "扶养费": "support",
    "优待抚恤金": "youdai", "抚恤金": "youdai", "两项补贴": "disability_allowance",
    "残疾人生活补贴": "disability_allowance", "残疾人护理补贴": "disability_allowance",
    "计划生育": "family_planning", "奖学金": "scholarship", "助学金": "scholarship", "见义勇为": "hero",
    "社会救助": "assistance", "救助金": "assistance", "高龄津贴": "gaoling", "高龄补贴": "gaoling",
    "医疗保险": "medical_insurance", "医保报销": "medical_insurance", "社会保险": "social_insurance",
    "失业保险": "unemployment", "失业金": "unemployment",
}
_BY_LENGTH = sorted(LEGACY.items(), key=lambda kv: -len(kv[0]))
_LABELS = {label: code for code, (label, _) in INCOME_ITEMS.items()}


def legacy_code(item: str) -> str:
    """The code a legacy free-text item maps to, or "" when it maps to none (to be flagged)."""
    text = (item or "").strip()
    if not text:
        return ""
    if text in INCOME_ITEMS:
        return text
    if text in _LABELS:
        return _LABELS[text]
    for phrase, code in _BY_LENGTH:
        if phrase in text:
            return code
    return ""


def label(code: str) -> str:
    return INCOME_ITEMS[code][0] if code in INCOME_ITEMS else code


def check_code(code: str) -> str:
    """A code from the list, or ValueError with the message the user sees."""
    if code not in INCOME_ITEMS:
        raise ValueError(f"收入项目代码“{code}”不在收入项目代码表中（可选：{'、'.join(f'{k}={v[0]}' for k, v in INCOME_ITEMS.items())}）")
    return code
