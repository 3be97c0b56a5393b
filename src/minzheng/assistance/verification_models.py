"""存量核查 (verification of imported ledgers) records: the rules' recomputation of each imported enrollment and
the township's decision on it, and the district's audited carry-over of unverified records.

Imported in models.py, so Django sees them as models of the assistance app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minzheng.core.scoping import ScopedManager


class CheckOutcome(models.TextChoices):
    MATCH = "match", _("与规则测算一致")
    DIFFERS = "differs", _("与规则测算不一致")
    NOT_ELIGIBLE = "not_eligible", _("按规则不符合条件")
    NO_RULE = "no_rule", _("无自动测算规则")


class CheckStatus(models.TextChoices):
    PENDING = "pending", _("待确认")
    CONFIRMED = "confirmed", _("一致，已确认")
    KEPT = "kept", _("保持原金额（已说明理由）")
    CORRECTED = "corrected", _("已按规则更正")
    REVIEW = "review", _("已转复核案件")
    ENDED = "ended", _("复核后终止")


class LedgerCheck(models.Model):
    """One imported enrollment under 存量核查: the imported amount, what the rules compute from the imported facts
    (with the explanation and parameter versions), and the township's decision."""

    scope_path = "enrollment__household__division"

    enrollment = models.OneToOneField("registry.Enrollment", on_delete=models.CASCADE, related_name="ledger_check")
    source_ref = models.CharField(_("导入文件"), max_length=64, blank=True)
    imported_amount = models.DecimalField(_("台账金额(元/月)"), max_digits=10, decimal_places=2)
    imported_covered = models.PositiveSmallIntegerField(_("台账保障人数"), default=1)
    engine_eligible = models.BooleanField(_("规则认定符合"), default=False)
    engine_amount = models.DecimalField(_("规则测算金额(元/月)"), max_digits=10, decimal_places=2, default=0)
    engine_covered = models.PositiveSmallIntegerField(_("规则保障人数"), default=1)
    outcome = models.CharField(_("核算结果"), max_length=16, choices=CheckOutcome.choices, db_index=True)
    explanation = models.TextField(_("规则说明"), blank=True)
    # Messages the township must read before deciding (e.g. 台账金额超过低保标准 × 保障人数).
    flags = models.JSONField(_("提示"), default=list, blank=True)
    decision = models.JSONField(_("规则测算"), default=dict, blank=True)
    computed_on = models.DateField(_("核算日期"))
    status = models.CharField(_("处理状态"), max_length=16, choices=CheckStatus.choices, default=CheckStatus.PENDING,
                              db_index=True)
    reason = models.TextField(_("处理理由"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_on = models.DateField(_("处理日期"), null=True, blank=True)
    application = models.ForeignKey("Application", verbose_name=_("复核案件"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="ledger_checks")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("存量核查")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.enrollment_id} {self.outcome} {self.status}"


class CarryOver(models.Model):
    """A district decision to keep paying unverified imported records for a named number of months (过渡期)."""

    scope_path = "division"

    division = models.ForeignKey("regions.Division", verbose_name=_("适用区划"), on_delete=models.PROTECT,
                                 related_name="+")
    months = models.PositiveSmallIntegerField(_("过渡月数"))
    until = models.DateField(_("发放至(不含)"))
    reason = models.TextField(_("决定理由"))
    enrollments = models.PositiveIntegerField(_("涉及享受待遇"), default=0)
    params = models.JSONField(default=dict, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_on = models.DateField(_("决定日期"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("存量核查过渡期发放决定")
        ordering = ["-decided_on", "-id"]

    def __str__(self) -> str:
        return f"{self.division_id} {self.months} 个月"
