"""关爱档案: one file per person and group (儿童, 特困, 老年人, 优抚, 残疾人), visited on one shared mechanism.

Anchor: Primero's case management (registration → assessment → risk level → care plan → follow-ups → referrals →
closure) in Chinese policy terms (../shared/docs/policy-rules-wave2.md §1–4, §8: "visit engines share one model").
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minzheng.core.scoping import ScopedManager


class Group(models.TextChoices):
    CHILD = "child", _("儿童")
    TEKUN = "tekun", _("特困人员")
    ELDER = "elder", _("特殊困难老年人")
    YOUFU = "youfu", _("优抚对象")
    DISABLED = "disabled", _("残疾人")


class Risk(models.TextChoices):
    HIGH = "high", _("高")
    MEDIUM = "medium", _("中")
    LOW = "low", _("低")


class FileStatus(models.TextChoices):
    OPEN = "open", _("在册")
    CLOSED = "closed", _("已结案")


class VisitMode(models.TextChoices):
    HOME = "home", _("上门")
    PHONE = "phone", _("电话")
    VIDEO = "video", _("视频")


class ChildCategory(models.TextChoices):
    """policy-rules-wave2 §1.2: a child can hold several."""

    LEFT_BEHIND = "left_behind", _("农村留守儿童")
    DIFFICULT = "difficult", _("困境儿童")
    ORPHAN = "orphan", _("孤儿")
    UNSUPPORTED = "unsupported", _("事实无人抚养儿童")


class ElderCategory(models.TextChoices):
    """policy-rules-wave2 §3.2."""

    ALONE = "alone", _("独居")
    EMPTY_NEST = "empty_nest", _("空巢")
    LEFT_BEHIND = "left_behind", _("留守")
    DISABLED = "disabled", _("失能")
    SEVERE = "severe", _("重残")
    ADVANCED = "advanced", _("高龄")


class CareFile(models.Model):
    """The one file of a person in one group: who visits, how often, at which risk, the plan, and its escalation."""

    scope_path = "village"

    person = models.ForeignKey("registry.Person", verbose_name=_("对象"), on_delete=models.PROTECT,
                               related_name="care_files")
    group = models.CharField(_("类别"), max_length=12, choices=Group.choices)
    village = models.ForeignKey("regions.Division", verbose_name=_("村(社区)"), on_delete=models.PROTECT,
                                related_name="+")
    status = models.CharField(_("状态"), max_length=8, choices=FileStatus.choices, default=FileStatus.OPEN)
    # Codes of ChildCategory / ElderCategory (or a 优抚 category); a person often holds several (§8).
    categories = models.JSONField(_("对象类型"), default=list, blank=True)
    risk = models.CharField(_("风险等级"), max_length=8, choices=Risk.choices, default=Risk.LOW)
    risk_reasons = models.JSONField(_("风险理由"), default=list, blank=True)
    plan = models.TextField(_("关爱计划"), blank=True)
    # Who must visit: a 儿童主任, 协管员, township staff or a provider's worker (then only they and the office see it).
    responsible = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("走访责任人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="care_files")
    last_visit_on = models.DateField(_("最近走访"), null=True, blank=True)
    next_due = models.DateField(_("下次走访期限"))
    # 0 none, 1 乡镇(街道) 督办, 2 区民政局 督办; a visit resets it.
    escalation = models.PositiveSmallIntegerField(_("逾期督办级别"), default=0)
    escalated_at = models.DateTimeField(_("督办时间"), null=True, blank=True)
    opened_on = models.DateField(_("建档日期"))
    closed_on = models.DateField(_("结案日期"), null=True, blank=True)
    close_reason = models.CharField(_("结案原因"), max_length=200, blank=True)
    # Group facts that have no table of their own (优抚 recognition documents, elder 赡养人 contact …).
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("关爱档案")
        ordering = ["next_due", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "group"], name="care_one_file_per_person_group"),
            models.CheckConstraint(condition=models.Q(escalation__lte=2), name="care_escalation_0_2"),
        ]
        indexes = [models.Index(fields=["group", "status", "next_due"]), models.Index(fields=["village", "group"])]

    def __str__(self) -> str:
        return f"{self.get_group_display()}档案 {self.person_id}"

    @property
    def is_open(self) -> bool:
        return self.status == FileStatus.OPEN


class GuardianshipStatus(models.TextChoices):
    """Result classes of a 监护评估 (湖北 2023 standard [L], policy-rules-wave2 §1.3)."""

    NORMAL = "normal", _("监护正常")
    WEAK = "weak", _("监护不足")
    IMPROPER = "improper", _("监护失当")
    MISSING = "missing", _("监护缺失")


class ParentStatus(models.TextChoices):
    """A parent's situation (§1.6), which decides 留守 / 孤儿 / 事实无人抚养."""

    HOME = "home", _("在家")
    AWAY = "away", _("外出务工")
    DEAD = "dead", _("死亡")
    MISSING = "missing", _("失踪")
    SEVERE_DISABLED = "severe_disabled", _("重残")
    SERIOUS_ILL = "serious_ill", _("重病")
    DETAINED = "detained", _("服刑在押/强制隔离戒毒")
    LOST_CONTACT = "lost_contact", _("失联")
    REVOKED = "revoked", _("被撤销监护资格")
    NO_CAPACITY = "no_capacity", _("无监护能力")


class ChildProfile(models.Model):
    """A child's file beyond the registry: guardian, school, health, family and each parent's situation."""

    scope_path = "file__village"

    file = models.OneToOneField(CareFile, on_delete=models.CASCADE, related_name="child")
    guardian_name = models.CharField(_("监护人/实际照料人"), max_length=64, blank=True)
    guardian_relation = models.CharField(_("与儿童关系"), max_length=32, blank=True)
    guardianship = models.CharField(_("监护状况"), max_length=12, choices=GuardianshipStatus.choices,
                                    default=GuardianshipStatus.NORMAL)
    school = models.CharField(_("就读学校"), max_length=100, blank=True)
    boarding = models.BooleanField(_("寄宿"), default=False)
    health = models.CharField(_("健康状况"), max_length=100, blank=True)
    disability = models.CharField(_("残疾情况"), max_length=100, blank=True)
    family_situation = models.TextField(_("家庭情况"), blank=True)
    father_status = models.CharField(_("父亲情况"), max_length=16, choices=ParentStatus.choices,
                                     default=ParentStatus.HOME)
    father_where = models.CharField(_("父亲去向/所在地"), max_length=100, blank=True)
    mother_status = models.CharField(_("母亲情况"), max_length=16, choices=ParentStatus.choices,
                                     default=ParentStatus.HOME)
    mother_where = models.CharField(_("母亲去向/所在地"), max_length=100, blank=True)
    # Months the situation (失联, detention) has lasted, for the ≥6 months test of 事实无人抚养.
    father_months = models.PositiveSmallIntegerField(_("父亲该情况持续月数"), default=0)
    mother_months = models.PositiveSmallIntegerField(_("母亲该情况持续月数"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("儿童档案")

    def __str__(self) -> str:
        return f"儿童档案 {self.file_id}"


class ReferralTo(models.TextChoices):
    EDUCATION = "education", _("教育部门")
    HEALTH = "health", _("卫生健康部门")
    CDPF = "cdpf", _("残联")
    POLICE = "police", _("公安（强制报告）")
    ASSISTANCE = "assistance", _("社会救助")
    OTHER = "other", _("其他")


class Referral(models.Model):
    """转介: a need a visit found, handed to the body that can meet it, open until its outcome is recorded."""

    scope_path = "file__village"

    file = models.ForeignKey(CareFile, on_delete=models.CASCADE, related_name="referrals")
    to = models.CharField(_("转介至"), max_length=12, choices=ReferralTo.choices)
    reason = models.TextField(_("转介事由"))
    opened_on = models.DateField(_("转介日期"))
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    outcome = models.TextField(_("办理结果"), blank=True)
    created_by = models.CharField(max_length=150, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("转介")
        ordering = ["-opened_on", "-id"]

    def __str__(self) -> str:
        return f"转介 {self.get_to_display()}"

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


class Visit(models.Model):
    """One visit (探访): the group's structured form, findings, a photo, and what it opened."""

    scope_path = "file__village"

    file = models.ForeignKey(CareFile, on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField(_("走访日期"))
    mode = models.CharField(_("方式"), max_length=8, choices=VisitMode.choices, default=VisitMode.HOME)
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("走访人"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    visitor_name = models.CharField(_("走访人"), max_length=150)
    # The form version it answered (policy parameter ref) and the answers by field code.
    form = models.JSONField(default=dict, blank=True)
    answers = models.JSONField(_("走访记录"), default=dict, blank=True)
    findings = models.TextField(_("发现情况"), blank=True)
    risk = models.CharField(_("评估风险"), max_length=8, choices=Risk.choices, blank=True)
    occasion = models.CharField(_("走访事由"), max_length=16, blank=True)   # 春节 / 八一 for 优抚 holiday visits
    photo = models.ImageField(_("照片"), upload_to="care/visits/%Y/%m/", blank=True)
    photo_hash = models.CharField(max_length=16, blank=True)
    need = models.ForeignKey("workforce.NeedReport", verbose_name=_("民情事项"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    referral = models.ForeignKey(Referral, verbose_name=_("转介"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    # Set by the offline village app: the same visit sent twice is recorded once.
    client_id = models.CharField(max_length=64, null=True, blank=True, unique=True)
    created_at = models.DateTimeField()

    objects = ScopedManager()

    class Meta:
        verbose_name = _("关爱走访")
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["file", "visited_on"])]

    def __str__(self) -> str:
        return f"走访 {self.visited_on}"


class CareEvent(models.Model):
    """Every step of a file: opened, risk changed, visited, escalated, referred, moved, closed."""

    scope_path = "file__village"

    file = models.ForeignKey(CareFile, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=24)
    text = models.CharField(max_length=300, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("档案记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action}@{self.at}"


# --- 特困 供养 ------------------------------------------------------------------------------------------------


class InstitutionKind(models.TextChoices):
    NURSING_HOME = "nursing_home", _("乡镇敬老院")
    SUPPORT_CENTRE = "support_centre", _("供养服务机构")
    WELFARE_CENTRE = "welfare_centre", _("社会福利中心")


class Institution(models.Model):
    """A place of 集中供养 (社会救助暂行办法 第十九条), with its beds."""

    scope_path = "division"

    division = models.ForeignKey("regions.Division", verbose_name=_("所在乡镇(街道)"), on_delete=models.PROTECT,
                                 related_name="+")
    name = models.CharField(_("名称"), max_length=100, unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=InstitutionKind.choices)
    beds = models.PositiveSmallIntegerField(_("床位数"))

    objects = ScopedManager()

    class Meta:
        verbose_name = _("供养服务机构")
        ordering = ["division__code", "name"]

    def __str__(self) -> str:
        return self.name


class Admission(models.Model):
    """入住: a 特困 person in an institution from admission to discharge (the file stays the same)."""

    scope_path = "file__village"

    file = models.ForeignKey(CareFile, on_delete=models.PROTECT, related_name="admissions")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="admissions")
    bed = models.CharField(_("床位号"), max_length=16)
    admitted_on = models.DateField(_("入住日期"))
    discharged_on = models.DateField(_("离院日期"), null=True, blank=True)
    discharge_reason = models.CharField(_("离院原因"), max_length=200, blank=True)
    # 照料护理等级 from the 生活自理能力 assessment at admission (assistance.rules.self_care_tier).
    care_tier = models.CharField(_("照料护理等级"), max_length=12, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("入住记录")
        ordering = ["-admitted_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "bed"], condition=models.Q(discharged_on__isnull=True),
                                    name="care_one_resident_per_bed"),
            models.UniqueConstraint(fields=["file"], condition=models.Q(discharged_on__isnull=True),
                                    name="care_one_open_admission"),
        ]

    def __str__(self) -> str:
        return f"{self.institution} {self.bed}"


class CareAgreement(models.Model):
    """委托照料服务协议 for 分散供养: who cares (照料人), what they provide, the fee and the monthly check."""

    scope_path = "file__village"

    file = models.ForeignKey(CareFile, on_delete=models.PROTECT, related_name="agreements")
    carer_name = models.CharField(_("照料人"), max_length=100)
    carer_relation = models.CharField(_("照料人身份"), max_length=32, blank=True)
    services = models.JSONField(_("照料内容"), default=list)
    monthly_fee = models.DecimalField(_("月照料费(元)"), max_digits=8, decimal_places=2, default=0)
    start = models.DateField(_("起始日期"))
    end = models.DateField(_("终止日期"), null=True, blank=True)
    signed_by = models.CharField(_("乡镇签约人"), max_length=150, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("委托照料协议")
        ordering = ["-start", "-id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(carer_name=""), name="care_agreement_has_carer"),
            models.UniqueConstraint(fields=["file"], condition=models.Q(end__isnull=True),
                                    name="care_one_live_agreement"),
        ]

    def __str__(self) -> str:
        return f"照料协议 {self.carer_name}"


class AnnualCheck(models.Model):
    """年度确认 / 年审 of a file (优抚 年度确认, 特困 供养证 年审), one per file and year."""

    scope_path = "file__village"

    file = models.ForeignKey(CareFile, on_delete=models.CASCADE, related_name="annual_checks")
    year = models.PositiveSmallIntegerField(_("年度"))
    checked_on = models.DateField(_("确认日期"))
    result = models.CharField(_("结果"), max_length=200)
    checked_by = models.CharField(max_length=150, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("年度确认")
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["file", "year"], name="care_one_check_per_year")]

    def __str__(self) -> str:
        return f"{self.year} 年度确认"
