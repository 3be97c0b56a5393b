"""Parameters added for issue 14: 存量核查 (imported ledgers), income item codes and their exclusion status, and
the bounds policy places on other parameters. Declarations and seeds only (see params.py for the conventions)."""

from __future__ import annotations

from minzheng.policy.catalog import declare

from .params import DEMO_DOC, SSA, SSA_2014, _s

G_LEDGER = "存量核查"
declare("ledger.carry_over_max_months", "存量核查过渡期最长月数", unit="月", kind="int", group=G_LEDGER,
        help="区级决定对未完成核查的导入记录过渡发放时，最多可发放的月数",
        seeds=[_s("ledger.carry_over_max_months", 3, SSA_2014, DEMO_DOC, "DEMO", demo=True)])

G_INCOME = "收入项目"
# The coded income items (收入项目代码): code → (label, category). Whether an item counts is a parameter per
# programme (dibao/tekun `*.income.excluded_codes`), never a match on free text.
INCOME_ITEMS: dict[str, tuple[str, str]] = {
    "wage": ("工资薪金", "wage"),
    "labour": ("劳务报酬", "wage"),
    "farming": ("种植养殖经营收入", "business"),
    "business": ("个体经营收入", "business"),
    "rent": ("出租房屋、土地收入", "property"),
    "interest": ("存款利息、股息", "property"),
    "pension": ("离退休金、养老金（职工）", "transfer"),
    "basic_pension": ("城乡居民基础养老金", "transfer"),
    "support": ("赡养费、抚养费、扶养费", "transfer"),
    "youdai": ("优待抚恤金", "transfer"),
    "disability_allowance": ("残疾人两项补贴", "transfer"),
    "family_planning": ("计划生育奖励与扶助金", "transfer"),
    "scholarship": ("奖学金、助学金", "transfer"),
    "hero": ("见义勇为奖励", "transfer"),
    "assistance": ("社会救助款物", "transfer"),
    "gaoling": ("高龄津贴", "transfer"),
    "unemployment": ("失业保险金", "transfer"),
    "other": ("其他收入", "other"),
}
EXCLUDED = ["youdai", "disability_allowance", "family_planning", "scholarship", "hero", "assistance",
            "basic_pension"]
declare("income.excluded_codes.dibao", "低保不计入家庭收入的收入项目（代码）", kind="json", group=G_INCOME,
        help="收入项目代码列表：" + "、".join(f"{k}={v[0]}" for k, v in INCOME_ITEMS.items()),
        seeds=[_s("income.excluded_codes.dibao", EXCLUDED, SSA_2014, SSA + "；国发〔2015〕52号", "M")])
declare("income.excluded_codes.tekun", "特困“无生活来源”不计入的收入项目（代码）", kind="json", group=G_INCOME,
        help="同上，特困人员认定时不计入收入的项目",
        seeds=[_s("income.excluded_codes.tekun", [*EXCLUDED, "gaoling"], SSA_2014, SSA, "M")])

G_BOUNDS = "参数约束"
declare("tekun.basic_ratio.minimum", "特困基本生活标准下限（倍低保标准）", unit="倍", group=G_BOUNDS,
        help="特困人员基本生活标准不得低于低保标准的该倍数；低于时拒绝新的参数版本",
        seeds=[_s("tekun.basic_ratio.minimum", "1.3", SSA_2014, "国发〔2016〕14号（不低于当地低保标准的1.3倍）", "V-sec")])
