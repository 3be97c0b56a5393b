"""Disaster statistics (灾情统计) and relief supplies (救灾物资), after the 自然灾害情况统计制度.

Events are registered by the district (or a township); each affected township reports 初报 → 续报/零报告 → 核报,
villages may report to their township first, and every level's figures are approved by the level above (DHIS2-style
approval levels). Relief supplies follow Sahana Eden's inventory model: warehouses, stock moves with a running
balance (stock card), allocations down the tree and distributions to households that sign for what they get.

Since the 2018 reform the owning department (应急管理) is a setting (core.SiteSettings.disaster_department), copied
onto each event when it is registered so old records keep the owner they had.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from minzheng.core.scoping import ScopedManager


class DisasterType(models.Model):
    """自然灾害分类代码 (GB/T 28921-2012): a code list kept as data."""

    code = models.CharField(_("代码"), max_length=8, unique=True)
    name = models.CharField(_("名称"), max_length=32)
    # Drought is reported every 10 days instead of 7: the interval parameter key may differ by type.
    update_interval_key = models.CharField(max_length=64, default="disaster.update_interval_days")
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("灾害类型")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Severity(models.TextChoices):
    """应急响应等级."""

    IV = "4", _("一般(Ⅳ级)")
    III = "3", _("较大(Ⅲ级)")
    II = "2", _("重大(Ⅱ级)")
    I = "1", _("特别重大(Ⅰ级)")  # noqa: E741


class EventStatus(models.TextChoices):
    ONGOING = "ongoing", _("发展中")
    STABLE = "stable", _("已稳定(待核报)")
    CLOSED = "closed", _("已核报结束")


class Event(models.Model):
    """One disaster process. It spans divisions: it is visible wherever one of its areas lies."""

    # One EventArea row per affected township and per village in it, so visible() works at every level.
    scope_path = "areas__division"

    name = models.CharField(_("灾害名称"), max_length=100)
    dtype = models.ForeignKey(DisasterType, verbose_name=_("灾害类型"), on_delete=models.PROTECT)
    # Where it was registered: the district, or a township for a local event. Edits need this division.
    division = models.ForeignKey("regions.Division", verbose_name=_("登记单位"), on_delete=models.PROTECT,
                                 related_name="+")
    started_at = models.DateTimeField(_("发生时间"))
    ended_at = models.DateTimeField(_("稳定时间"), null=True, blank=True)
    # 初报 is due a parameter number of hours after this (2 hours, 自然灾害情况统计制度).
    registered_at = models.DateTimeField(_("登记时间"))
    severity = models.CharField(_("响应等级"), max_length=1, choices=Severity.choices, default=Severity.IV)
    # A major event needs 24小时零报告 (daily reports even when nothing changed) until it stabilises.
    is_major = models.BooleanField(_("重大灾害"), default=False)
    status = models.CharField(_("状态"), max_length=16, choices=EventStatus.choices, default=EventStatus.ONGOING)
    department = models.CharField(_("主管部门"), max_length=64)
    description = models.TextField(_("灾情概述"), blank=True)
    created_by = models.CharField(max_length=150, blank=True)
    decided_under = models.JSONField(default=dict, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("灾害过程")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return self.name


class EventArea(models.Model):
    scope_path = "division"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="areas")
    division = models.ForeignKey("regions.Division", on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager()

    class Meta:
        verbose_name = _("受灾区划")
        constraints = [models.UniqueConstraint(fields=["event", "division"], name="disaster_area_once")]

    def __str__(self) -> str:
        return f"{self.event_id}:{self.division_id}"


class RoundKind(models.TextChoices):
    INITIAL = "initial", _("初报")
    UPDATE = "update", _("续报")
    FINAL = "final", _("核报")


class Round(models.Model):
    """A reporting period of one event (DHIS2: a data-set period): figures as of `as_of`, due by `due_at`."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rounds")
    kind = models.CharField(_("报告类型"), max_length=8, choices=RoundKind.choices)
    seq = models.PositiveSmallIntegerField(_("期次"))
    as_of = models.DateTimeField(_("统计截止"))
    due_at = models.DateTimeField(_("报送时限"))
    decided_under = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("报送期次")
        ordering = ["event", "as_of", "seq"]
        constraints = [models.UniqueConstraint(fields=["event", "kind", "seq"], name="disaster_round_unique")]

    def __str__(self) -> str:
        label = self.get_kind_display()
        return f"{label}第{self.seq}期" if self.kind == RoundKind.UPDATE else str(label)


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已报送")
    APPROVED = "approved", _("已审核")
    RETURNED = "returned", _("已退回")


# A report counts as reported (报送) once submitted, and stays so when approved.
SENT_STATUSES = (ReportStatus.SUBMITTED, ReportStatus.APPROVED)


class Report(models.Model):
    """One division's figures for one round. Village reports roll up to the township, townships to the district."""

    scope_path = "division"

    round = models.ForeignKey(Round, verbose_name=_("期次"), on_delete=models.PROTECT, related_name="reports")
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="reports")
    division = models.ForeignKey("regions.Division", verbose_name=_("填报单位"), on_delete=models.PROTECT,
                                 related_name="+")
    # 零报告: nothing new since the last report (24小时零报告 while a major event continues).
    nil = models.BooleanField(_("零报告"), default=False)
    # Cumulative figures by indicator code ("pop_affected": "120"), kept as strings so decimals stay exact.
    values = models.JSONField(default=dict, blank=True)
    # A township that sums its villages cannot type over the sum.
    from_villages = models.BooleanField(_("由村级汇总"), default=False)
    explanation = models.TextField(_("数据变动说明"), blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    # 核报 approved: the figures are final and nothing may change them.
    locked = models.BooleanField(_("已锁定"), default=False)
    warnings = models.JSONField(default=list, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.CharField(max_length=150, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.CharField(max_length=150, blank=True)
    return_reason = models.CharField(_("退回原因"), max_length=200, blank=True)
    decided_under = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("灾情报告")
        ordering = ["round__as_of", "division__code"]
        constraints = [models.UniqueConstraint(fields=["round", "division"], name="disaster_report_once")]

    def __str__(self) -> str:
        return f"{self.event} · {self.round} · {self.division}"

    @property
    def kind_label(self) -> str:
        return "零报告" if self.nil else str(self.round)

    @property
    def is_sent(self) -> bool:
        return self.status in SENT_STATUSES

    @property
    def on_time(self) -> bool:
        """按时报送 — the one definition: sent (submitted or approved) no later than its round's deadline. A report
        returned for correction is not sent until it is submitted again."""
        return self.is_sent and self.submitted_at is not None and self.submitted_at <= self.round.due_at


class RuleSeverity(models.TextChoices):
    ERROR = "error", _("错误")
    WARNING = "warning", _("警告")


class ValidationRule(models.Model):
    """A validation rule as data (DHIS2 validation rules): an expression over indicator codes.

    `expression` uses the small language in rules.py (codes, prev.<code>, register.<name>, numbers, + - * /,
    comparisons, and/or/not, is_int/min/max/abs/sum). When `each` lists codes the expression is checked once per
    code with `$` standing for it, and `{label}` in the message names the indicator.
    """

    code = models.CharField(_("规则编号"), max_length=48, unique=True)
    name = models.CharField(_("规则名称"), max_length=100)
    expression = models.CharField(_("表达式"), max_length=500)
    each = models.JSONField(_("逐项适用的指标"), default=list, blank=True)
    severity = models.CharField(_("级别"), max_length=8, choices=RuleSeverity.choices)
    message = models.CharField(_("提示"), max_length=200)
    # Report kinds it applies to (initial/update/final); empty = all.
    kinds = models.JSONField(default=list, blank=True)
    # Fields the message is shown beside; empty = the codes in the expression.
    fields = models.JSONField(default=list, blank=True)
    source = models.CharField(_("依据"), max_length=200, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveSmallIntegerField(default=100)
    version = models.PositiveSmallIntegerField(default=1)

    class Meta:
        verbose_name = _("校验规则")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CasualtyStatus(models.TextChoices):
    DEAD = "dead", _("死亡")
    MISSING = "missing", _("失踪")


class CasualtyEntry(models.Model):
    """因灾死亡失踪人口台账: one row per person; the report's 死亡/失踪 totals must match it."""

    scope_path = "division"

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="casualties")
    division = models.ForeignKey("regions.Division", verbose_name=_("所在村(社区)"), on_delete=models.PROTECT,
                                 related_name="+")
    person = models.ForeignKey("registry.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    name = models.CharField(_("姓名"), max_length=64)
    sex = models.CharField(_("性别"), max_length=1, choices=[("1", "男"), ("2", "女")], blank=True)
    age = models.PositiveSmallIntegerField(_("年龄"), null=True, blank=True)
    id_number = models.CharField(_("公民身份号码"), max_length=18, blank=True)
    status = models.CharField(_("类别"), max_length=8, choices=CasualtyStatus.choices)
    occurred_on = models.DateField(_("发生日期"))
    place = models.CharField(_("地点"), max_length=100, blank=True)
    cause = models.CharField(_("原因"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("因灾死亡失踪人员")
        ordering = ["event", "division__code", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_status_display()}）"


class DamageLevel(models.TextChoices):
    COLLAPSED = "collapsed", _("倒塌")
    SEVERE = "severe", _("严重损坏")
    MINOR = "minor", _("一般损坏")


class HouseDamageEntry(models.Model):
    """因灾倒塌损坏住房户台账: one row per household; must match the 倒塌/损坏 户数 and 间数."""

    scope_path = "division"

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="house_damage")
    division = models.ForeignKey("regions.Division", verbose_name=_("所在村(社区)"), on_delete=models.PROTECT,
                                 related_name="+")
    household = models.ForeignKey("registry.Household", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    head_name = models.CharField(_("户主姓名"), max_length=64)
    level = models.CharField(_("损坏程度"), max_length=16, choices=DamageLevel.choices)
    rooms = models.PositiveSmallIntegerField(_("间数"))
    address = models.CharField(_("住址"), max_length=200, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("倒损住房户")
        ordering = ["event", "division__code", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(rooms__gte=1), name="disaster_damage_rooms_pos")]

    def __str__(self) -> str:
        return f"{self.head_name}（{self.get_level_display()} {self.rooms}间）"


# --- Relief supplies --------------------------------------------------------------------------------------


class Item(models.Model):
    """救灾物资目录 (catalogue), shared reference data."""

    code = models.CharField(_("物资编码"), max_length=16, unique=True)
    name = models.CharField(_("物资名称"), max_length=64)
    unit = models.CharField(_("计量单位"), max_length=8)
    category = models.CharField(_("类别"), max_length=16, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("救灾物资")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}({self.unit})"


class Warehouse(models.Model):
    scope_path = "division"

    name = models.CharField(_("仓库名称"), max_length=64)
    division = models.ForeignKey("regions.Division", verbose_name=_("所属区划"), on_delete=models.PROTECT,
                                 related_name="+")
    address = models.CharField(_("地址"), max_length=200, blank=True)
    keeper = models.CharField(_("保管员"), max_length=32, blank=True)
    active = models.BooleanField(default=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("救灾物资仓库")
        ordering = ["division__code", "name"]

    def __str__(self) -> str:
        return self.name


class MoveKind(models.TextChoices):
    PURCHASE = "purchase", _("采购入库")
    TRANSFER_IN = "transfer_in", _("调拨入库")
    DONATION = "donation", _("捐赠入库")
    RETURN = "return", _("退库入库")
    ALLOCATE = "allocate", _("分配出库")
    TRANSFER_OUT = "transfer_out", _("调拨出库")
    LOSS = "loss", _("报损出库")


IN_KINDS = {MoveKind.PURCHASE, MoveKind.TRANSFER_IN, MoveKind.DONATION, MoveKind.RETURN}


class StockMove(models.Model):
    """One line of a stock card. `balance_after` is the running balance, so the card reads like the paper one and
    reconciliation can prove every line follows from the one before."""

    scope_path = "warehouse__division"

    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="moves")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=16, choices=MoveKind.choices)
    quantity = models.DecimalField(_("数量"), max_digits=12, decimal_places=2)
    balance_after = models.DecimalField(_("结存"), max_digits=14, decimal_places=2)
    moved_on = models.DateField(_("日期"))
    doc_no = models.CharField(_("单据号"), max_length=32, blank=True)
    counterpart = models.CharField(_("来源/去向"), max_length=100, blank=True)
    allocation = models.ForeignKey("Allocation", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="moves")
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("出入库记录")
        ordering = ["warehouse", "item", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="disaster_move_qty_pos"),
            models.CheckConstraint(condition=models.Q(balance_after__gte=0), name="disaster_balance_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.item} {self.quantity}"

    @property
    def is_in(self) -> bool:
        return self.kind in IN_KINDS


class Allocation(models.Model):
    """Supplies assigned to a township or village: from a warehouse (a stock move), or split from the township's
    allocation to one of its villages (no stock move)."""

    scope_path = "division"

    division = models.ForeignKey("regions.Division", verbose_name=_("分配给"), on_delete=models.PROTECT,
                                 related_name="+")
    item = models.ForeignKey(Item, verbose_name=_("物资"), on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("数量"), max_digits=12, decimal_places=2)
    warehouse = models.ForeignKey(Warehouse, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="allocations")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    allocated_on = models.DateField(_("分配日期"))
    purpose = models.CharField(_("用途"), max_length=200, blank=True)
    created_by = models.CharField(max_length=150, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("物资分配")
        ordering = ["-allocated_on", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(quantity__gt=0), name="disaster_alloc_qty_pos")]

    def __str__(self) -> str:
        return f"{self.division} {self.item} {self.quantity}"


class DistributionStatus(models.TextChoices):
    OPEN = "open", _("发放中")
    CLOSED = "closed", _("已结束")


class Distribution(models.Model):
    """A distribution (发放批次) in a township or village, drawing on the allocations to that division."""

    scope_path = "division"

    title = models.CharField(_("发放名称"), max_length=100)
    division = models.ForeignKey("regions.Division", verbose_name=_("发放单位"), on_delete=models.PROTECT,
                                 related_name="+")
    event = models.ForeignKey(Event, null=True, blank=True, verbose_name=_("灾害过程"), on_delete=models.PROTECT,
                              related_name="distributions")
    distributed_on = models.DateField(_("发放日期"))
    # Normally a household is served once per item per distribution; some rounds (e.g. daily water) allow more.
    allow_repeat = models.BooleanField(_("允许同户多次领取"), default=False)
    status = models.CharField(_("状态"), max_length=8, choices=DistributionStatus.choices,
                              default=DistributionStatus.OPEN)
    published = models.BooleanField(_("已公示"), default=False)
    public_token = models.CharField(max_length=32, unique=True, default="", editable=False)
    created_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("物资发放")
        ordering = ["-distributed_on", "-id"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: object, **kwargs: object) -> None:
        if not self.public_token:
            self.public_token = uuid.uuid4().hex
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class SignMethod(models.TextChoices):
    SIGNATURE = "sign", _("本人签字")
    THUMB = "thumb", _("按手印")
    PROXY = "proxy", _("代领签字")


class DistributionLine(models.Model):
    """One household receiving one item, and its signature or thumbprint."""

    scope_path = "distribution__division"

    distribution = models.ForeignKey(Distribution, on_delete=models.PROTECT, related_name="lines")
    household = models.ForeignKey("registry.Household", verbose_name=_("领取家庭"), on_delete=models.PROTECT,
                                  related_name="+")
    item = models.ForeignKey(Item, verbose_name=_("物资"), on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("数量"), max_digits=10, decimal_places=2)
    # 1 for the first serving; >1 only when the distribution allows repeats (then a reason is required).
    serving_no = models.PositiveSmallIntegerField(default=1)
    repeat_reason = models.CharField(_("再次领取原因"), max_length=100, blank=True)
    signed = models.BooleanField(_("已签收"), default=False)
    sign_method = models.CharField(_("签收方式"), max_length=8, choices=SignMethod.choices, blank=True)
    signer_name = models.CharField(_("签收人"), max_length=64, blank=True)
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    photo = models.FileField(_("照片"), upload_to="disaster/sign/%Y/%m/", blank=True)
    recorded_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("发放明细")
        ordering = ["distribution", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="disaster_line_qty_pos"),
            # The database backs "no household served twice": a repeat needs the next serving number.
            models.UniqueConstraint(fields=["distribution", "household", "item", "serving_no"],
                                    name="disaster_line_once"),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.item} {self.quantity}"


# --- 冬春救助 (winter-spring relief) ----------------------------------------------------------------------


class WinterRound(models.Model):
    """One winter-spring season (December → May). District-wide reference data; its cases are scoped."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True, help_text="救助期开始的年份，如 2026 表示 2026年12月至2027年5月")
    title = models.CharField(_("名称"), max_length=100)
    survey_start = models.DateField(_("调查开始"))
    survey_end = models.DateField(_("调查截止"))
    period_start = models.DateField(_("救助期开始"))
    period_end = models.DateField(_("救助期结束"))
    notice_days = models.PositiveSmallIntegerField(_("公示天数"))
    public_token = models.CharField(max_length=32, unique=True, default="", editable=False)
    decided_under = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("冬春救助年度")
        ordering = ["-year"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: object, **kwargs: object) -> None:
        if not self.public_token:
            self.public_token = uuid.uuid4().hex
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class WinterStatus(models.TextChoices):
    SURVEYED = "surveyed", _("已调查(待评议)")
    EVALUATED = "evaluated", _("已民主评议")
    NOTICE = "notice", _("公示中")
    TOWNSHIP_OK = "township_ok", _("乡镇已审核")
    APPROVED = "approved", _("区已审批")
    REJECTED = "rejected", _("未通过")


class WinterSource(models.TextChoices):
    APPLICATION = "application", _("户主申请")
    NOMINATION = "nomination", _("村民小组提名")


class WinterCase(models.Model):
    """受灾人员冬春生活救助: application or nomination → 民主评议 → 公示 → 乡镇审核 → 区审批."""

    scope_path = "household__division"

    round = models.ForeignKey(WinterRound, verbose_name=_("年度"), on_delete=models.PROTECT, related_name="cases")
    household = models.ForeignKey("registry.Household", verbose_name=_("家庭"), on_delete=models.PROTECT,
                                  related_name="+")
    source = models.CharField(_("来源"), max_length=16, choices=WinterSource.choices)
    event = models.ForeignKey(Event, null=True, blank=True, verbose_name=_("因灾"), on_delete=models.PROTECT,
                              related_name="+")
    reasons = models.JSONField(_("困难原因"), default=list, blank=True)
    needs = models.JSONField(_("救助需求"), default=list, blank=True)
    persons = models.PositiveSmallIntegerField(_("需救助人数"))
    amount_requested = models.DecimalField(_("测算金额(元)"), max_digits=10, decimal_places=2, default=0)
    surveyed_on = models.DateField(_("调查日期"))
    status = models.CharField(_("状态"), max_length=16, choices=WinterStatus.choices,
                              default=WinterStatus.SURVEYED)
    # 民主评议
    eval_date = models.DateField(_("评议日期"), null=True, blank=True)
    eval_attendees = models.PositiveSmallIntegerField(_("参会人数"), null=True, blank=True)
    eval_votes_for = models.PositiveSmallIntegerField(_("同意票"), null=True, blank=True)
    # 公示
    notice_start = models.DateField(_("公示开始"), null=True, blank=True)
    notice_end = models.DateField(_("公示结束"), null=True, blank=True)
    objections = models.PositiveSmallIntegerField(_("异议件数"), default=0)
    township_opinion = models.CharField(_("乡镇审核意见"), max_length=200, blank=True)
    township_by = models.CharField(max_length=150, blank=True)
    district_by = models.CharField(max_length=150, blank=True)
    amount_approved = models.DecimalField(_("审批金额(元)"), max_digits=10, decimal_places=2, null=True,
                                          blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    reject_reason = models.CharField(_("未通过原因"), max_length=200, blank=True)
    decided_under = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("冬春救助对象")
        ordering = ["round", "household__division__code", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "household"], name="disaster_winter_once")]

    def __str__(self) -> str:
        return f"{self.round} · {self.household}"
