from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SiteSettings(models.Model):
    """Installation-wide settings kept by the 系统管理员."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    bureau_name = models.CharField(_("单位名称"), max_length=64, default=settings.MINZHENG_DEFAULT_BUREAU)
    # Since the 2018 reform disaster statistics belong to 应急管理; the owner is a setting, not code.
    disaster_department = models.CharField(_("灾情统计主管部门"), max_length=64, default="应急管理局")
    veterans_department = models.CharField(_("优抚主管部门"), max_length=64, default="退役军人事务局")

    class Meta:
        verbose_name = _("系统设置")

    def __str__(self) -> str:
        return self.bureau_name

    @classmethod
    def current(cls) -> SiteSettings:
        obj, _created = cls.objects.get_or_create(id=1)
        return obj


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("运行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class Job(models.Model):
    """A long job run by the task worker (core/worker/): who started it, where, its progress and its outcome.

    The queue itself is django-tasks' DBTaskResult (task_result_id); this row is what users see. Writes are audited
    as start/finish/fail entries by the worker, not row by row (progress updates would flood the log)."""

    audit_exempt = True
    scope_path = "division"

    kind = models.CharField(_("类型"), max_length=40)
    title = models.CharField(_("名称"), max_length=200)
    params = models.JSONField(_("参数"), default=dict)
    heavy = models.BooleanField(_("重任务"), default=False)
    status = models.CharField(_("状态"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    actor_name = models.CharField(_("发起人"), max_length=150, blank=True)
    actor_role = models.CharField(max_length=40, blank=True)
    actor_ip = models.CharField(max_length=64, blank=True)
    # The division whose users (and whose superiors) may see the job; None for the worker's own daily sweeps.
    division = models.ForeignKey("regions.Division", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    # At most one job per key (e.g. "assistance.sweep:2025-03-01"): a batch queued twice runs once.
    dedupe_key = models.CharField(max_length=120, null=True, blank=True, unique=True)
    task_result_id = models.CharField(max_length=36, blank=True, db_index=True)
    created_at = models.DateTimeField(_("提交时间"))
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=120, blank=True)   # host:pid:random of the worker running it
    phase = models.CharField(_("步骤"), max_length=60, blank=True)
    done = models.BigIntegerField(default=0)
    total = models.BigIntegerField(default=0)
    message = models.TextField(_("说明"), blank=True)
    result = models.JSONField(_("结果"), null=True, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "heavy"])]

    def __str__(self) -> str:
        return f"{self.title} #{self.pk}"

    @property
    def live(self) -> bool:
        return self.status in (JobStatus.QUEUED, JobStatus.RUNNING)

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        if not self.total:
            return 0
        return max(0, min(100, int(100 * self.done / self.total)))
