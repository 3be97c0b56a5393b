"""Posts and the people who hold them: who held which post when, hand-overs, and the notes that stay with a post."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minzheng.core import dates
from minzheng.core.scoping import ScopedManager
from minzheng.core.sealed_fields import SealedField


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
    phone = SealedField(_("联系电话"), max_length=32, blank=True)   # sealed at rest (core/sealed.py)
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
