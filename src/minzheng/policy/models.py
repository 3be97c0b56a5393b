"""Policy is data: every standard, threshold, time limit and amount is a dated, regional, sourced parameter."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minzheng.core.scoping import ScopedManager


class Certainty(models.TextChoices):
    VERIFIED = "V", _("已核对法规原文")
    SECONDARY = "V-sec", _("经二手资料核对")
    LOCAL = "L", _("外地规定(示例)")
    LOCAL_FJ = "L-FJ", _("福建省内外地规定")
    RECALLED = "M", _("待核实")
    GAP = "GAP", _("缺本地依据")
    DEMO = "DEMO", _("演示值")


class Parameter(models.Model):
    key = models.CharField(_("参数"), max_length=100, db_index=True)
    # Null = applies everywhere; otherwise to this division's subtree. The most specific division wins.
    division = models.ForeignKey("regions.Division", verbose_name=_("适用区划"), null=True, blank=True,
                                 on_delete=models.PROTECT)
    effective_from = models.DateField(_("生效日期"))
    effective_to = models.DateField(_("失效日期"), null=True, blank=True)
    value = models.JSONField(_("值"))
    unit = models.CharField(_("单位"), max_length=32, blank=True)
    source_document = models.CharField(_("依据文件"), max_length=255)
    certainty = models.CharField(_("可信度"), max_length=8, choices=Certainty.choices, default=Certainty.RECALLED)
    is_demo = models.BooleanField(_("演示值"), default=False)
    note = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=150, blank=True)

    class Meta:
        verbose_name = _("政策参数")
        ordering = ["key", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["key", "division", "effective_from"], name="param_version_unique"),
            models.UniqueConstraint(fields=["key", "effective_from"], condition=models.Q(division__isnull=True),
                                    name="param_version_unique_global"),
        ]

    def __str__(self) -> str:
        return f"{self.key}@{self.effective_from}={self.value}"


class Holiday(models.Model):
    """One day that differs from the Monday–Friday rule: a public holiday, or a 调休 make-up working day."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否工作日"))
    name = models.CharField(_("名称"), max_length=32, blank=True)
    source = models.CharField(_("依据"), max_length=128, blank=True)

    class Meta:
        verbose_name = _("节假日与调休")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'上班' if self.is_workday else '休息'} {self.name}"


class RaiseStatus(models.TextChoices):
    PREPARED = "prepared", _("待审核")
    APPROVED = "approved", _("已批准执行")
    CANCELLED = "cancelled", _("已撤销")


class Raise(models.Model):
    """提标: new versions of amount-affecting parameters decided as one batch. Prepared with a preview of its effect
    (households, persons, monthly totals before/after per township), approved by someone else (maker-checker);
    approval stores the versions and gives every affected enrollment a new amount from the effective month."""

    scope_path = "division"

    title = models.CharField(_("名称"), max_length=100)
    # [{"key": "dibao.standard.urban", "value": "920"}, …]
    changes = models.JSONField(_("调整内容"))
    division = models.ForeignKey("regions.Division", verbose_name=_("区划"), on_delete=models.PROTECT,
                                 related_name="+")
    effective_from = models.DateField(_("生效日期"))
    source_document = models.CharField(_("依据文件"), max_length=255)
    note = models.TextField(_("说明"), blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=RaiseStatus.choices, default=RaiseStatus.PREPARED)
    preview = models.JSONField(_("测算结果"), default=dict, blank=True)
    result = models.JSONField(_("执行结果"), default=dict, blank=True)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    prepared_by_name = models.CharField(_("制单人"), max_length=150, blank=True)
    prepared_at = models.DateTimeField(_("制单时间"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    approved_by_name = models.CharField(_("审核人"), max_length=150, blank=True)
    approved_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("提标")
        ordering = ["-effective_from", "-id"]

    def __str__(self) -> str:
        return f"{self.title}（{self.effective_from:%Y-%m-%d}）"
