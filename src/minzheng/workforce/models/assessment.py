"""Assessment (考核): the yearly scheme and its indicators, township targets, scores and results, awards, and the
coordinators' monthly meetings and quarterly checks."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from minzheng.core.scoping import ScopedManager

from .posts import StaffMember


class IndicatorSource(models.TextChoices):
    MANUAL = "manual", _("人工评分")
    OVERDUE_REVIEWS = "overdue_reviews", _("低保/特困按期复核率（社会救助）")
    PUBLICITY_ON_TIME = "publicity_on_time", _("公示按时率（社会救助）")
    DISASTER_ON_TIME = "disaster_on_time", _("灾情按时报送率（灾情统计）")
    TRAINING = "training", _("培训达标率（队伍建设）")
    NEEDS_ON_TIME = "needs_on_time", _("民情按期办结率（民情直通车）")
    # Published by the stats app (stats/sampling.py): last year's 疑点抽查 households found as declared.
    RISK_CHECKS = "risk_checks", _("疑点抽查属实率（统计分析，上年度）")


class AssessmentScheme(models.Model):
    """考核细则: set by the district at the start of the year, scored at year end. County-wide, so scoped there."""

    scope_path = "division"

    division = models.ForeignKey("regions.Division", verbose_name=_("考核单位"), on_delete=models.PROTECT,
                                 related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("名称"), max_length=120)
    published_on = models.DateField(_("下达日期"), null=True, blank=True)
    scored_on = models.DateField(_("评分日期"), null=True, blank=True)
    finalized = models.BooleanField(_("已定稿"), default=False)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("年度考核方案")
        constraints = [models.UniqueConstraint(fields=["division", "year"], name="workforce_one_scheme_a_year")]

    def __str__(self) -> str:
        return self.title


class Indicator(models.Model):
    scope_path = "scheme__division"

    scheme = models.ForeignKey(AssessmentScheme, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(_("指标"), max_length=80)
    source = models.CharField(_("数据来源"), max_length=24, choices=IndicatorSource.choices)
    weight = models.DecimalField(_("权重"), max_digits=5, decimal_places=2)
    # A rate at or above target earns full marks; below it, marks in proportion.
    target = models.DecimalField(_("目标值"), max_digits=5, decimal_places=4, default=1)
    order = models.PositiveSmallIntegerField(default=0)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("考核指标")
        ordering = ["order", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(weight__gt=0), name="workforce_weight_positive")]

    def __str__(self) -> str:
        return self.name


class TownshipTarget(models.Model):
    """A township's own target or key task for the year (年初下达的重点任务)."""

    scope_path = "township"

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="township_targets")
    township = models.ForeignKey("regions.Division", on_delete=models.PROTECT, related_name="+")
    target = models.DecimalField(_("目标值"), max_digits=5, decimal_places=4, null=True, blank=True)
    task = models.CharField(_("重点任务"), max_length=200, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("乡镇考核目标")
        constraints = [models.UniqueConstraint(fields=["indicator", "township"], name="workforce_target_once")]

    def __str__(self) -> str:
        return f"{self.township_id}:{self.indicator_id}"


class IndicatorScore(models.Model):
    scope_path = "township"

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="scores")
    township = models.ForeignKey("regions.Division", on_delete=models.PROTECT, related_name="+")
    # The measured rate (0–1) for computed indicators; None = 无数据.
    value = models.DecimalField(_("实际值"), max_digits=7, decimal_places=4, null=True, blank=True)
    score = models.DecimalField(_("得分"), max_digits=6, decimal_places=2, null=True, blank=True)
    manual = models.BooleanField(_("人工评分"), default=False)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("指标得分")
        constraints = [models.UniqueConstraint(fields=["indicator", "township"], name="workforce_score_once")]

    def __str__(self) -> str:
        return f"{self.township_id}:{self.indicator_id}={self.score}"


class TownshipResult(models.Model):
    scope_path = "township"

    scheme = models.ForeignKey(AssessmentScheme, on_delete=models.CASCADE, related_name="results")
    township = models.ForeignKey("regions.Division", on_delete=models.PROTECT, related_name="+")
    total = models.DecimalField(_("总分"), max_digits=6, decimal_places=2, null=True, blank=True)
    rank = models.PositiveSmallIntegerField(_("名次"), null=True, blank=True)
    weights_used = models.DecimalField(_("有数据的权重合计"), max_digits=6, decimal_places=2, default=0)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("乡镇考核结果")
        ordering = ["rank", "township__code"]
        constraints = [models.UniqueConstraint(fields=["scheme", "township"], name="workforce_result_once")]

    def __str__(self) -> str:
        return f"{self.township_id}: {self.total}"


class Award(models.Model):
    """评先评优: honours for a township (集体) or a person (个人), with the material reward."""

    scope_path = "division"

    division = models.ForeignKey("regions.Division", verbose_name=_("获奖单位"), on_delete=models.PROTECT,
                                 related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    staff = models.ForeignKey(StaffMember, verbose_name=_("获奖个人"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="awards")
    title = models.CharField(_("荣誉"), max_length=120)
    reward = models.CharField(_("奖励"), max_length=120, blank=True)
    date = models.DateField(_("颁发日期"))

    objects = ScopedManager()

    class Meta:
        verbose_name = _("表彰奖励")
        ordering = ["-year", "-date"]

    def __str__(self) -> str:
        return self.title


class CoordinatorMeeting(models.Model):
    """一月一例会: the township's monthly meeting of village coordinators."""

    scope_path = "township"

    township = models.ForeignKey("regions.Division", verbose_name=_("乡镇"), on_delete=models.PROTECT,
                                 related_name="+")
    date = models.DateField(_("日期"))
    topic = models.CharField(_("议题"), max_length=160)
    minutes = models.TextField(_("会议记录"), blank=True)
    attendees = models.ManyToManyField(StaffMember, verbose_name=_("出席人员"), blank=True, related_name="meetings")

    objects = ScopedManager()

    class Meta:
        verbose_name = _("协管员例会")
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.date} {self.topic}"


class CoordinatorCheck(models.Model):
    """一季一检查: a quarterly check of one coordinator's work, scored 0–100."""

    scope_path = "staff__division"

    staff = models.ForeignKey(StaffMember, verbose_name=_("协管员"), on_delete=models.PROTECT, related_name="checks")
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"), choices=[(1, "一季度"), (2, "二季度"), (3, "三季度"),
                                                                  (4, "四季度")])
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=1)
    findings = models.CharField(_("检查情况"), max_length=200, blank=True)
    checked_by = models.CharField(_("检查人"), max_length=64, blank=True)
    date = models.DateField(_("检查日期"))

    objects = ScopedManager()

    class Meta:
        verbose_name = _("协管员季度检查")
        ordering = ["-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(fields=["staff", "year", "quarter"], name="workforce_check_once_a_quarter"),
            models.CheckConstraint(condition=models.Q(score__gte=0, score__lte=100), name="workforce_check_0_100"),
        ]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.year}Q{self.quarter}"
