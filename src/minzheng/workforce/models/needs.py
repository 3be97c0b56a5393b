"""民情直通车: needs and hot issues reported from villages, and every step taken on them."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minzheng.core import dates
from minzheng.core.scoping import ScopedManager
from minzheng.core.sealed_fields import SealedField


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
    reporter_phone = SealedField(_("联系电话"), max_length=32, blank=True)   # sealed at rest (core/sealed.py)
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
