"""Training: yearly plans, sessions with their materials, and who attended."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from minzheng.core.scoping import ScopedManager

from .posts import StaffMember


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
