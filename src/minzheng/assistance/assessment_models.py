"""Records the assessment keeps beyond the case itself: the 特困 applicant's legal supporters (法定赡养、抚养、
扶养义务人) and their capacity, and the 低保边缘家庭 register. Imported in models.py."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minzheng.core.scoping import ScopedManager


class SupporterRelation(models.TextChoices):
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    PARENT = "parent", _("父母")
    GRANDCHILD = "grandchild", _("孙子女、外孙子女")
    SIBLING = "sibling", _("兄弟姐妹")
    OTHER = "other", _("其他法定义务人")


class LegalSupporter(models.Model):
    """One person with a legal duty to support a 特困 applicant, as the investigation found them. The rules
    (tekun_criteria) decide from these facts whether the supporter is able to support."""

    scope_path = "application__division"

    application = models.ForeignKey("Application", on_delete=models.CASCADE, related_name="supporters")
    name = models.CharField(_("姓名"), max_length=64)
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True)
    relation = models.CharField(_("与申请人关系"), max_length=16, choices=SupporterRelation.choices)
    age = models.PositiveSmallIntegerField(_("年龄"))
    in_tekun = models.BooleanField(_("本人为特困人员"), default=False)
    in_dibao = models.BooleanField(_("本人为低保对象"), default=False)
    disability_category = models.CharField(_("残疾类别"), max_length=1, blank=True)
    disability_grade = models.PositiveSmallIntegerField(_("残疾等级"), null=True, blank=True)
    income_below_disposable = models.BooleanField(_("收入低于上年人均可支配收入"), default=False)
    assets_within_limits = models.BooleanField(_("财产符合规定"), default=True)
    no_legal_capacity = models.BooleanField(_("无民事行为能力"), default=False)
    declared_missing = models.BooleanField(_("被宣告失踪"), default=False)
    imprisoned = models.BooleanField(_("在监狱服刑"), default=False)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("法定义务人")
        ordering = ["application", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_relation_display()}）"


class EdgeRecord(models.Model):
    """低保边缘家庭 register: a household the rules found in the edge band (not 低保, income ≤ N × 标准, assets
    pass), recorded from a case; the county lists and exports it. Superseded when found again or in 低保."""

    scope_path = "household__division"

    household = models.ForeignKey("registry.Household", on_delete=models.CASCADE, related_name="edge_records")
    application = models.ForeignKey("Application", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="edge_records")
    found_on = models.DateField(_("认定日期"))
    per_capita_income = models.DecimalField(_("月人均收入"), max_digits=10, decimal_places=2)
    limit = models.DecimalField(_("边缘线"), max_digits=10, decimal_places=2)
    explanation = models.TextField(_("规则说明"), blank=True)
    params = models.JSONField(default=list, blank=True)
    active = models.BooleanField(_("有效"), default=True, db_index=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("低保边缘家庭")
        ordering = ["-found_on", "-id"]

    def __str__(self) -> str:
        return f"{self.household_id} {self.found_on}"
