"""Policy is data: every standard, threshold, time limit and amount is a dated, regional, sourced parameter."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


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
