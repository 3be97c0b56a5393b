"""Statistics: indicator definitions (data, editable), monthly facts per village × programme, the month close that
freezes them, 人情保 risk flags with their spot-check samples, and an uploaded boundary map.

Facts are small: one row per village, programme and month (≈ 317 × 10 per month), computed set-based from the
registry and the approved payroll (facts.py). Pages, returns and trends read only these tables.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minzheng.core.scoping import ScopedManager


class Measure(models.TextChoices):
    """How an indicator's value is computed from the monthly facts (the list the figure drills down to)."""

    HEADER = "header", _("标题行（无数值）")
    TOWNSHIPS = "townships", _("乡级行政区划个数")
    HOUSEHOLDS = "households", _("户数")
    PERSONS = "persons", _("人数")
    PERSONS_URBAN = "persons_urban", _("人数（城镇户籍）")
    PERSONS_RURAL = "persons_rural", _("人数（农村户籍）")
    ELDERLY = "elderly", _("老年人（60 周岁以上）")
    ADULTS = "adults", _("成年人（18–59 周岁）")
    MINORS = "minors", _("未成年人（18 周岁以下）")
    NEW_HOUSEHOLDS = "new_households", _("本月新增户数")
    EXITED_HOUSEHOLDS = "exited_households", _("本月退出户数")
    AMOUNT = "amount", _("本月支出（已审批花名册）")
    AMOUNT_CUM = "amount_cum", _("累计支出（1 月起）")
    AVG_PER_PERSON = "avg_per_person", _("月人均补助水平")
    # Persons paid one by one, split by their 儿童档案 (care module) category as of the facts' computation.
    CHILDREN_ORPHAN = "children_orphan", _("人数：孤儿（未经儿童档案认定的按孤儿）")
    CHILDREN_UNSUPPORTED = "children_unsupported", _("人数：事实无人抚养儿童（儿童档案认定）")


# Measures whose value is money (fen in the facts; shown in the indicator's unit, 元 or 万元).
MONEY_MEASURES = frozenset({Measure.AMOUNT, Measure.AMOUNT_CUM, Measure.AVG_PER_PERSON})


class Indicator(models.Model):
    """One line of a statistical form (民政事业统计月报): its code, name and unit as the current form prints them,
    and how minzheng computes it. Seeded from policy-rules §6.2 by `minzheng init`; the district edits it when the
    form changes (a changed line applies to returns not yet closed — a closed month keeps the lines it was
    closed with)."""

    form = models.CharField(_("报表"), max_length=16, default="monthly", db_default="monthly",
                            choices=[("monthly", _("民政事业统计月报"))])
    code = models.CharField(_("指标代码"), max_length=24)
    name = models.CharField(_("指标名称"), max_length=80)
    unit = models.CharField(_("计量单位"), max_length=8, blank=True)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    indent = models.PositiveSmallIntegerField(_("缩进层级"), default=0)
    measure = models.CharField(_("计算方法"), max_length=24, choices=Measure.choices)
    # Programme codes the figure counts ("family:dibao" for a whole policy family); empty = no source yet.
    programmes = models.JSONField(_("统计的救助项目"), default=list, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("统计指标")
        ordering = ["form", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["form", "code"], name="stats_indicator_code_once")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class StatMonth(models.Model):
    """A month whose facts were computed; once closed (关账) they are frozen and its return is final. Corrections
    found later (a supplement roster approved for the month, a late decision) appear in the next month's figures,
    as the forms require. An open month is recomputed on demand."""

    # Derived from the registry and the payroll: the close is audited (stats.close), recomputations are not.
    audit_exempt = True

    month = models.DateField(_("统计月份"), unique=True)
    computed_at = models.DateTimeField(_("计算时间"))
    closed_at = models.DateTimeField(_("关账时间"), null=True, blank=True)
    closed_by = models.CharField(_("关账人"), max_length=150, blank=True)
    # What the facts were reconciled against: approved payroll of the month (fen), and their own sum.
    payroll_fen = models.BigIntegerField(_("已审批花名册实发(分)"), default=0)
    facts_fen = models.BigIntegerField(_("统计支出(分)"), default=0)
    late_fen = models.BigIntegerField(_("往月更正(分)"), default=0)
    rows = models.PositiveIntegerField(_("事实表行数"), default=0)
    unapproved_rosters = models.PositiveIntegerField(_("未审批花名册"), default=0)
    # The indicator lines the return was closed with ([{code, name, unit, measure, programmes, ...}]).
    indicators = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("统计月份")
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"

    @property
    def closed(self) -> bool:
        return self.closed_at is not None


class VillageFact(models.Model):
    """Per village, programme and month: who was covered and what the approved payroll paid. Rows of a closed
    month are never rewritten; the open month's rows are recomputed on demand."""

    scope_path = "village"
    audit_exempt = True   # derived rows, written in bulk; the close is audited

    month = models.DateField(_("月份"))
    village = models.ForeignKey("regions.Division", on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("村(社区)"))
    # The village's township, copied so a township's figures are one indexed range.
    township = models.ForeignKey("regions.Division", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("乡镇(街道)"))
    programme = models.ForeignKey("registry.Programme", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("项目"))
    households = models.PositiveIntegerField(_("户数"), default=0)
    persons = models.PositiveIntegerField(_("人数"), default=0)
    persons_urban = models.PositiveIntegerField(_("城镇户籍人数"), default=0)
    households_urban = models.PositiveIntegerField(_("城镇户籍户数"), default=0)
    elderly = models.PositiveIntegerField(_("老年人"), default=0)
    adults = models.PositiveIntegerField(_("成年人"), default=0)
    minors = models.PositiveIntegerField(_("未成年人"), default=0)
    new_households = models.PositiveIntegerField(_("新增户数"), default=0)
    new_persons = models.PositiveIntegerField(_("新增人数"), default=0)
    exited_households = models.PositiveIntegerField(_("退出户数"), default=0)
    exited_persons = models.PositiveIntegerField(_("退出人数"), default=0)
    # Persons enrolled one by one (孤儿基本生活费 pays each child) by their 儿童档案's category when the facts were
    # computed: 事实无人抚养儿童, and the rest counted as 孤儿 — of which `children_unclassified` had no child file
    # saying either (no file yet, or a file whose category is neither). See facts._child_categories.
    children_orphan = models.PositiveIntegerField(_("孤儿人数"), default=0)
    children_unsupported = models.PositiveIntegerField(_("事实无人抚养儿童人数"), default=0)
    children_unclassified = models.PositiveIntegerField(_("未经儿童档案认定人数"), default=0)
    # Approved payroll of the month, lines held back excluded (what left the fund), in fen.
    amount_fen = models.BigIntegerField(_("本月支出(分)"), default=0)
    lines = models.PositiveIntegerField(_("发放笔数"), default=0)
    # Corrections to earlier closed months first seen in this month (late supplements, regenerated rosters).
    late_fen = models.BigIntegerField(_("往月更正(分)"), default=0)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("月度统计事实")
        indexes = [models.Index(fields=["month", "township"]), models.Index(fields=["village", "month"])]
        constraints = [models.UniqueConstraint(fields=["month", "village", "programme"], name="stats_fact_once")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.village_id} {self.programme_id}"


class VillageMonth(models.Model):
    """A village's registered residents at a month's end: the denominator of coverage rates."""

    scope_path = "village"
    audit_exempt = True

    month = models.DateField(_("月份"))
    village = models.ForeignKey("regions.Division", on_delete=models.PROTECT, related_name="+")
    township = models.ForeignKey("regions.Division", on_delete=models.PROTECT, related_name="+")
    urban = models.BooleanField(_("城镇社区"))
    residents = models.PositiveIntegerField(_("户籍人口"))

    objects = ScopedManager()

    class Meta:
        verbose_name = _("村(社区)月度人口")
        indexes = [models.Index(fields=["month", "township"])]
        constraints = [models.UniqueConstraint(fields=["month", "village"], name="stats_village_month_once")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.village_id} {self.residents}"


class FlagKind(models.TextChoices):
    COVERAGE = "coverage", _("覆盖率明显高于同类村(社区)")
    GROWTH = "growth", _("某日后新增异常")
    CADRE_KIN = "cadre_kin", _("与村干部或工作人员有关联")
    NEAR_MAX = "near_max", _("金额集中在最高档附近")
    FAST = "fast", _("审批快于调查所需时间")
    SHARED = "shared", _("多户共用银行账号或电话")


class FlagStatus(models.TextChoices):
    OPEN = "open", _("待核实")
    SAMPLED = "sampled", _("已抽查")
    CLOSED = "closed", _("已核实")


class RiskFlag(models.Model):
    """A pattern worth checking (人情保 risk) — to check, not to accuse. It explains itself (`explanation`,
    `evidence`) and lists the households behind it."""

    scope_path = "division"

    kind = models.CharField(_("类型"), max_length=16, choices=FlagKind.choices)
    division = models.ForeignKey("regions.Division", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("区划"))
    month = models.DateField(_("统计月份"))
    # What identifies the pattern within its kind and division (e.g. the shared account's index), for idempotency.
    key = models.CharField(max_length=64, blank=True)
    score = models.DecimalField(_("偏离程度"), max_digits=10, decimal_places=2, default=0)
    explanation = models.TextField(_("说明"))
    evidence = models.JSONField(default=dict, blank=True)
    households = models.JSONField(_("涉及家庭"), default=list, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("风险提示")
        ordering = ["-month", "kind", "-score", "id"]
        constraints = [models.UniqueConstraint(fields=["kind", "division", "month", "key"], name="stats_flag_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.division_id} {self.month:%Y-%m}"


class SampleOutcome(models.TextChoices):
    PENDING = "pending", _("待入户")
    AS_DECLARED = "ok", _("情况属实")
    NOT_AS_DECLARED = "not_ok", _("情况不符")


class RiskSample(models.Model):
    """A county spot check drawn from a flag: the households to visit (seeded, reproducible). Each visit goes
    through the 审核确认 sampling (assistance SpotCheck of the household's approved case) where there is one;
    the sample's outcome feeds next year's township assessment."""

    scope_path = "flag__division"

    flag = models.OneToOneField(RiskFlag, on_delete=models.PROTECT, related_name="sample")
    drawn_on = models.DateField(_("抽取日期"))
    drawn_by = models.CharField(_("抽取人"), max_length=150)
    seed = models.CharField(_("随机种子"), max_length=64)
    ratio = models.JSONField(default=dict, blank=True)   # parameter refs used
    outcome_note = models.TextField(_("核查结论"), blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("疑点抽查")

    def __str__(self) -> str:
        return f"抽查 {self.flag_id}"


class SampleItem(models.Model):
    scope_path = "household__division"

    sample = models.ForeignKey(RiskSample, on_delete=models.CASCADE, related_name="items")
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    # The approved case whose county spot check (审核确认 sampling) records the visit; None when there is none.
    application = models.ForeignKey("assistance.Application", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    outcome = models.CharField(_("核查结果"), max_length=8, choices=SampleOutcome.choices,
                               default=SampleOutcome.PENDING)
    findings = models.CharField(_("核查情况"), max_length=200, blank=True)
    visited_on = models.DateField(_("入户日期"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("疑点抽查对象")
        constraints = [models.UniqueConstraint(fields=["sample", "household"], name="stats_sample_household_once")]

    def __str__(self) -> str:
        return f"{self.sample_id}:{self.household_id}"


class Boundary(models.Model):
    """A boundary GeoJSON uploaded by the district (none ships): features keyed by division code."""

    scope_path = "division"

    division = models.OneToOneField("regions.Division", on_delete=models.PROTECT, related_name="+")
    level = models.CharField(_("边界层级"), max_length=16)
    geojson = models.JSONField()
    features = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("边界地图")

    def __str__(self) -> str:
        return f"{self.division_id} {self.level}"
