"""队伍建设: posts and who holds them, training, assessment, the 民情直通车 and documents sent down.

The bureau's 2018 report is about people: one overloaded assistant per township, coordinators who leave, training and
assessment not done, and nothing passed on when someone goes. Each table here makes one of those visible.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minzheng.core import dates
from minzheng.core.scoping import ScopedManager


class PostKind(models.TextChoices):
    DISTRICT = "district", _("区民政局工作人员")
    TOWNSHIP_ASSISTANT = "township_assistant", _("民政助理员")
    ELDERLY_ASSISTANT = "elderly_assistant", _("助老协理员")
    VILLAGE_COORDINATOR = "village_coordinator", _("村(居)民政协管员")
    CHILD_DIRECTOR = "child_director", _("儿童主任")


TOWNSHIP_KINDS = (PostKind.TOWNSHIP_ASSISTANT, PostKind.ELDERLY_ASSISTANT)
VILLAGE_KINDS = (PostKind.VILLAGE_COORDINATOR, PostKind.CHILD_DIRECTOR)


class Education(models.TextChoices):
    POSTGRADUATE = "pg", _("研究生")
    BACHELOR = "ba", _("大学本科")
    COLLEGE = "col", _("大专")
    SECONDARY = "sec", _("中专/高中")
    JUNIOR = "jun", _("初中及以下")


# The report's own grouping of office heads: 大专以上 / 中专 / 初中.
EDUCATION_BANDS = [
    ("大专以上", {Education.POSTGRADUATE, Education.BACHELOR, Education.COLLEGE}),
    ("中专(高中)", {Education.SECONDARY}),
    ("初中", {Education.JUNIOR}),
]


class Employment(models.TextChoices):
    FULL = "full", _("专职")
    PART = "part", _("兼职")


class EndReason(models.TextChoices):
    RESIGNED = "resigned", _("辞职")
    TRANSFERRED = "transferred", _("调动")
    RETIRED = "retired", _("退休")
    DISMISSED = "dismissed", _("解聘")
    OTHER = "other", _("其他")


class Post(models.Model):
    """A civil-affairs post (岗位) at the district, a township or a village; holders come and go, the post stays."""

    scope_path = "division"

    division = models.ForeignKey("regions.Division", verbose_name=_("所在区划"), on_delete=models.PROTECT,
                                 related_name="workforce_posts")
    kind = models.CharField(_("岗位类别"), max_length=24, choices=PostKind.choices)
    title = models.CharField(_("岗位名称"), max_length=64, blank=True)
    # 编制: the report counts established 民政助理员 posts against its norm.
    established = models.BooleanField(_("在编岗位"), default=True)
    # 民政办主任: the report's tables describe the 21 office heads.
    is_head = models.BooleanField(_("民政办主任"), default=False)
    active = models.BooleanField(_("在用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("民政岗位")
        ordering = ["division__code", "kind", "id"]
        indexes = [models.Index(fields=["division", "kind"])]

    def __str__(self) -> str:
        return f"{self.division.name}{self.title or self.get_kind_display()}"

    @property
    def current(self) -> PostHolding | None:
        return self.holdings.filter(end__isnull=True).select_related("staff").first()


class StaffMember(models.Model):
    """A person who holds or held a post. Many village coordinators never get an account, so `user` is optional."""

    scope_path = "division"

    division = models.ForeignKey("regions.Division", verbose_name=_("工作单位"), on_delete=models.PROTECT,
                                 related_name="workforce_staff")
    name = models.CharField(_("姓名"), max_length=64)
    sex = models.CharField(_("性别"), max_length=1, choices=[("1", "男"), ("2", "女")], blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    education = models.CharField(_("文化程度"), max_length=4, choices=Education.choices, blank=True)
    phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    # Other duties of a part-timer (村两委委员, 事业干部 …): the report blames 兼职 for weak follow-through.
    other_duties = models.CharField(_("兼任职务"), max_length=100, blank=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("系统账号"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="workforce_staff")
    is_demo = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("民政工作人员")
        ordering = ["division__code", "name"]

    def __str__(self) -> str:
        return self.name

    def age_on(self, day: dt.date) -> int | None:
        return dates.age_or_none(self.birth_date, day)


class PostHolding(models.Model):
    """Who held a post from when to when, full or part time, and why they left. One open holding per post."""

    scope_path = "post__division"

    post = models.ForeignKey(Post, verbose_name=_("岗位"), on_delete=models.PROTECT, related_name="holdings")
    staff = models.ForeignKey(StaffMember, verbose_name=_("任职人员"), on_delete=models.PROTECT,
                              related_name="holdings")
    employment = models.CharField(_("专兼职"), max_length=8, choices=Employment.choices, default=Employment.FULL)
    start = models.DateField(_("到岗日期"))
    end = models.DateField(_("离岗日期"), null=True, blank=True)
    end_reason = models.CharField(_("离岗原因"), max_length=16, choices=EndReason.choices, blank=True)
    # 招录批次: the report follows the 2015 助老协理员 cohort (70% gone within three years).
    cohort = models.PositiveSmallIntegerField(_("招录批次(年)"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("任职记录")
        ordering = ["post", "-start"]
        constraints = [
            models.UniqueConstraint(fields=["post"], condition=models.Q(end__isnull=True),
                                    name="workforce_one_open_holding_per_post"),
            models.CheckConstraint(condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                                   name="workforce_holding_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.staff.name} {self.start}–{self.end or '至今'}"


class Handover(models.Model):
    """工作交接: the record of one change of hands, with what moved and proof that nothing stayed with the leaver."""

    scope_path = "post__division"

    post = models.ForeignKey(Post, verbose_name=_("岗位"), on_delete=models.PROTECT, related_name="handovers")
    leaver = models.ForeignKey(StaffMember, verbose_name=_("离岗人"), on_delete=models.PROTECT, related_name="+")
    successor = models.ForeignKey(StaffMember, verbose_name=_("接任人"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    receiver = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("事项接收账号"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("交接日期"))
    reason = models.CharField(_("离岗原因"), max_length=16, choices=EndReason.choices)
    moved = models.JSONField(_("移交事项"), default=dict)
    left_open = models.JSONField(_("交接后离岗人名下未办事项"), default=dict)
    note = models.TextField(_("交接说明"), blank=True)
    performed_by = models.CharField(_("办理人"), max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("工作交接")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.post} {self.leaver}→{self.successor or '（空缺）'}"

    @property
    def moved_total(self) -> int:
        return sum(int(v) for v in self.moved.values())


class WorkNote(models.Model):
    """工作笔记: what a post holder knows and must not take away (a family to revisit, a promise made)."""

    scope_path = "division"

    division = models.ForeignKey("regions.Division", verbose_name=_("涉及区划"), on_delete=models.PROTECT,
                                 related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("负责人"), on_delete=models.PROTECT,
                              related_name="workforce_notes")
    title = models.CharField(_("事项"), max_length=120)
    body = models.TextField(_("内容"), blank=True)
    follow_up = models.DateField(_("跟进日期"), null=True, blank=True)
    closed = models.BooleanField(_("已办结"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("工作笔记")
        ordering = ["closed", "follow_up", "-id"]

    def __str__(self) -> str:
        return self.title


# --- Training ------------------------------------------------------------------------------------------------


class TrainingLevel(models.TextChoices):
    DISTRICT = "district", _("区级")
    TOWNSHIP = "township", _("乡镇级")


class TrainingPlan(models.Model):
    scope_path = "division"

    division = models.ForeignKey("regions.Division", verbose_name=_("组织单位"), on_delete=models.PROTECT,
                                 related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    level = models.CharField(_("层级"), max_length=12, choices=TrainingLevel.choices)
    title = models.CharField(_("计划名称"), max_length=120)
    planned_sessions = models.PositiveSmallIntegerField(_("计划期数"), default=2)
    content = models.TextField(_("主要内容"), blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("培训计划")
        ordering = ["-year", "division__code"]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"


class TrainingSession(models.Model):
    scope_path = "division"

    division = models.ForeignKey("regions.Division", verbose_name=_("组织单位"), on_delete=models.PROTECT,
                                 related_name="+")
    plan = models.ForeignKey(TrainingPlan, verbose_name=_("所属计划"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="sessions")
    level = models.CharField(_("层级"), max_length=12, choices=TrainingLevel.choices)
    date = models.DateField(_("日期"))
    topic = models.CharField(_("主题"), max_length=160)
    place = models.CharField(_("地点"), max_length=120, blank=True)
    trainer = models.CharField(_("授课人"), max_length=64, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("培训班次")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.date} {self.topic}"


class TrainingMaterial(models.Model):
    scope_path = "session__division"

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(_("资料名称"), max_length=160)
    file = models.FileField(_("文件"), upload_to="workforce/training/%Y/", blank=True)
    link = models.URLField(_("链接"), blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("培训资料")

    def __str__(self) -> str:
        return self.title


class Attendance(models.Model):
    # Scoped by the trainee: a township sees its own people's attendance at district sessions too.
    scope_path = "staff__division"

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="attendance")
    staff = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="attendance")
    present = models.BooleanField(_("出席"), default=True)
    note = models.CharField(_("备注"), max_length=100, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("培训签到")
        constraints = [models.UniqueConstraint(fields=["session", "staff"], name="workforce_attendance_once")]

    def __str__(self) -> str:
        return f"{self.session_id}:{self.staff_id}"


# --- Assessment ----------------------------------------------------------------------------------------------


class IndicatorSource(models.TextChoices):
    MANUAL = "manual", _("人工评分")
    OVERDUE_REVIEWS = "overdue_reviews", _("低保/特困按期复核率（社会救助）")
    PUBLICITY_ON_TIME = "publicity_on_time", _("公示按时率（社会救助）")
    DISASTER_ON_TIME = "disaster_on_time", _("灾情按时报送率（灾情统计）")
    TRAINING = "training", _("培训达标率（队伍建设）")
    NEEDS_ON_TIME = "needs_on_time", _("民情按期办结率（民情直通车）")


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


# --- 民情直通车 -------------------------------------------------------------------------------------------------


class NeedCategory(models.TextChoices):
    HARDSHIP = "hardship", _("发现困难家庭")
    RISK = "risk", _("安全风险隐患")
    COMPLAINT = "complaint", _("投诉")
    REQUEST = "request", _("群众诉求")
    CHILD = "child", _("儿童关爱")
    OTHER = "other", _("其他")


class NeedStatus(models.TextChoices):
    NEW = "new", _("待受理")
    ACCEPTED = "accepted", _("办理中")
    RESOLVED = "resolved", _("已办结")


class NeedSource(models.TextChoices):
    COORDINATOR = "coordinator", _("协管员上报")
    PUBLIC = "public", _("群众反映")
    STAFF = "staff", _("工作人员录入")


class NeedReport(models.Model):
    """One 民情 item: a need or hot issue seen in a village, routed to its township with a deadline."""

    scope_path = "village"

    village = models.ForeignKey("regions.Division", verbose_name=_("村(社区)"), on_delete=models.PROTECT,
                                related_name="+")
    category = models.CharField(_("类别"), max_length=16, choices=NeedCategory.choices)
    description = models.TextField(_("情况描述"))
    photo = models.ImageField(_("照片"), upload_to="workforce/needs/%Y/%m/", blank=True)
    source = models.CharField(_("来源"), max_length=16, choices=NeedSource.choices)
    reporter_name = models.CharField(_("反映人"), max_length=64, blank=True)
    reporter_phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上报账号"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    # Hash of the submitting address, only to rate-limit anonymous reports; the address itself is not kept.
    origin_hash = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(_("状态"), max_length=12, choices=NeedStatus.choices, default=NeedStatus.NEW)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("承办人"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="workforce_needs")
    deadline = models.DateField(_("办理期限"))
    deadline_rule = models.JSONField(default=dict, blank=True)
    resolution = models.TextField(_("办理结果"), blank=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    resolved_by = models.CharField(_("办结人"), max_length=150, blank=True)
    escalated_at = models.DateTimeField(_("提级时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("上报时间"))

    objects = ScopedManager()

    class Meta:
        verbose_name = _("民情事项")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "deadline"]), models.Index(fields=["village", "status"])]

    def __str__(self) -> str:
        return f"民情#{self.pk} {self.get_category_display()}"

    @property
    def is_open(self) -> bool:
        return self.status != NeedStatus.RESOLVED

    def overdue_on(self, day: dt.date) -> bool:
        return self.is_open and day > self.deadline

    @property
    def reference(self) -> str:
        return f"MQ{dates.local(self.created_at):%Y%m%d}-{self.pk:05d}"


class NeedEvent(models.Model):
    """Every step of a 民情 item: reported, accepted, reassigned, escalated, resolved."""

    scope_path = "report__village"

    report = models.ForeignKey(NeedReport, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=24)
    text = models.CharField(max_length=300, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("民情办理记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action}@{self.at}"

    @property
    def label(self) -> str:
        return {"reported": "上报", "accepted": "受理", "assigned": "转交", "escalated": "逾期提级督办",
                "resolved": "办结"}.get(self.action, self.action)


# --- 文件精神下达 ----------------------------------------------------------------------------------------------


class Circular(models.Model):
    """A document or notice sent down by the district (to townships and villages) or a township (to its villages)."""

    scope_path = "issuer"

    issuer = models.ForeignKey("regions.Division", verbose_name=_("发文单位"), on_delete=models.PROTECT,
                               related_name="+")
    doc_number = models.CharField(_("文号"), max_length=64, blank=True)
    title = models.CharField(_("标题"), max_length=160)
    body = models.TextField(_("正文/要点"), blank=True)
    attachment = models.FileField(_("附件"), upload_to="workforce/circulars/%Y/", blank=True)
    link = models.URLField(_("链接"), blank=True)
    published_at = models.DateTimeField(_("下达时间"))
    published_by = models.CharField(_("下达人"), max_length=150, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("下达文件")
        ordering = ["-published_at"]

    def __str__(self) -> str:
        return self.title


class CircularReceipt(models.Model):
    """阅知回执: one per recipient division; read_at stays empty until someone there opens it."""

    scope_path = "recipient"

    circular = models.ForeignKey(Circular, on_delete=models.CASCADE, related_name="receipts")
    recipient = models.ForeignKey("regions.Division", verbose_name=_("接收单位"), on_delete=models.PROTECT,
                                  related_name="+")
    read_at = models.DateTimeField(_("阅知时间"), null=True, blank=True)
    read_by = models.CharField(_("阅知人"), max_length=150, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("文件阅知回执")
        ordering = ["recipient__code"]
        constraints = [models.UniqueConstraint(fields=["circular", "recipient"], name="workforce_receipt_once")]

    def __str__(self) -> str:
        return f"{self.circular_id}→{self.recipient_id}"
