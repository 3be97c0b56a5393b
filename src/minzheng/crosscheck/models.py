"""信息核对: department datasets, the rule catalogue, check runs and the 疑点 (findings) they raise.

Department data is stored as Parquet under MINZHENG_HOME/crosscheck/<kind>/<version>.parquet; the database keeps
only what was loaded, when and by whom, so millions of department rows never pass through the ORM.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minzheng.core.scoping import ScopedManager


class Dataset(models.Model):
    """One loaded version of a department dataset (部门比对数据)."""

    kind = models.CharField(_("数据类型"), max_length=32, db_index=True)
    version = models.PositiveIntegerField(_("版本"))
    as_of = models.DateField(_("数据截至日期"))
    file_name = models.CharField(_("原始文件"), max_length=255)
    sha256 = models.CharField(_("文件哈希"), max_length=64)
    row_count = models.PositiveIntegerField(_("行数"))
    # Relative to MINZHENG_HOME, so a moved installation keeps working.
    parquet_path = models.CharField(max_length=255)
    loaded_by = models.CharField(_("加载人"), max_length=150)
    loaded_at = models.DateTimeField(_("加载时间"), auto_now_add=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("部门比对数据")
        ordering = ["kind", "-version"]
        constraints = [models.UniqueConstraint(fields=["kind", "version"], name="crosscheck_dataset_kind_version")]

    def __str__(self) -> str:
        return f"{self.kind} v{self.version}（{self.as_of}，{self.row_count} 行）"


class Rule(models.Model):
    """The rule catalogue as data: which version of each rule exists, since when, and whether it is switched on.

    The SQL of a version lives in rules.py (code review is the change control for logic); thresholds and lists are
    dated policy parameters. Findings record the rule version and parameter versions they were raised under.
    """

    code = models.CharField(_("规则代码"), max_length=32)
    version = models.PositiveSmallIntegerField(_("版本"))
    name = models.CharField(_("规则名称"), max_length=64)
    severity = models.CharField(_("处理类别"), max_length=16)
    description = models.TextField(_("说明"), blank=True)
    source_document = models.CharField(_("依据"), max_length=255, blank=True)
    effective_from = models.DateField(_("生效日期"))
    enabled = models.BooleanField(_("启用"), default=True)
    param_keys = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("核对规则")
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="crosscheck_rule_code_version")]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("运行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class CheckRun(models.Model):
    """One 核对 batch: which data and rule versions went in, what came out."""

    engine = models.CharField(_("引擎"), max_length=16, default="duckdb")
    as_of = models.DateField(_("核对基准日"))
    status = models.CharField(_("状态"), max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    message = models.CharField(_("当前步骤"), max_length=200, blank=True)
    started_by = models.CharField(_("发起人"), max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    recipients = models.PositiveIntegerField(_("核对对象行数"), default=0)
    datasets = models.JSONField(default=dict, blank=True)   # kind → {id, version, as_of, rows}
    rules = models.JSONField(default=dict, blank=True)      # code → version
    params = models.JSONField(default=list, blank=True)     # ParamValue.ref() of every parameter read
    hits = models.JSONField(default=dict, blank=True)       # code → number of 疑点 seen this run
    new_findings = models.PositiveIntegerField(_("新增疑点"), default=0)
    updated_findings = models.PositiveIntegerField(_("数据变化疑点"), default=0)
    unchanged_findings = models.PositiveIntegerField(_("未变化疑点"), default=0)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("核对批次")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"核对批次 #{self.pk}（{self.as_of}，{self.engine}）"

    @property
    def seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None


class FindingStatus(models.TextChoices):
    OPEN = "open", _("待核实")
    CONFIRMED = "confirmed", _("属实已处理")
    CLEARED = "cleared", _("已排除")


class OutcomeAction(models.TextChoices):
    STOPPED = "stopped", _("停发待遇")
    RECOVERED = "recovered", _("停发并追回")
    RECALCULATED = "recalculated", _("重新核定金额")
    REDUCED_MEMBERS = "reduced_members", _("调整保障人数")
    FILED = "filed", _("补办近亲属备案")
    DATA_CORRECTED = "data_corrected", _("更正登记信息")
    OTHER = "other", _("其他处理")


class Finding(models.Model):
    """One 疑点, routed to the township responsible for the recipient, with a deadline.

    `subject_key` identifies what the finding is about (rule + township + subject); `fingerprint` adds the evidence.
    A re-run raises nothing for a fingerprint already on file (open, confirmed or cleared); when the evidence of an
    open finding changes it is updated in place, and when a closed one's evidence changes a new finding is raised.
    """

    scope_path = "township"

    rule_code = models.CharField(_("规则"), max_length=32, db_index=True)
    rule_version = models.PositiveSmallIntegerField(_("规则版本"))
    severity = models.CharField(_("处理类别"), max_length=16)
    township = models.ForeignKey("regions.Division", verbose_name=_("责任乡镇(街道)"), on_delete=models.PROTECT,
                                 related_name="+")
    village = models.ForeignKey("regions.Division", verbose_name=_("村(社区)"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    household = models.ForeignKey("registry.Household", verbose_name=_("家庭"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    person = models.ForeignKey("registry.Person", verbose_name=_("人员"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    enrollment = models.ForeignKey("registry.Enrollment", verbose_name=_("享受待遇"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    programme = models.CharField(_("项目"), max_length=32, blank=True)
    id_number = models.CharField(_("公民身份号码"), max_length=18, blank=True, db_index=True)
    person_name = models.CharField(_("姓名"), max_length=64, blank=True)
    summary = models.CharField(_("疑点摘要"), max_length=300)
    suggested_action = models.CharField(_("处理建议"), max_length=300, blank=True)
    subject_key = models.CharField(max_length=64, db_index=True)
    fingerprint = models.CharField(max_length=64, unique=True)
    evidence = models.JSONField(_("比对证据"), default=list)
    # Figures derived from the evidence on the day of the run (overpayment, recomputed income …).
    computed = models.JSONField(default=dict, blank=True)
    rows = models.JSONField(default=list, blank=True)
    params = models.JSONField(default=list, blank=True)
    run = models.ForeignKey(CheckRun, verbose_name=_("发现批次"), on_delete=models.PROTECT, related_name="findings")
    last_seen_run = models.ForeignKey(CheckRun, on_delete=models.PROTECT, related_name="+")
    replaces = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("状态"), max_length=16, choices=FindingStatus.choices, default=FindingStatus.OPEN)
    deadline = models.DateField(_("办理期限"))
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("经办人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    outcome_action = models.CharField(_("处理措施"), max_length=24, choices=OutcomeAction.choices, blank=True)
    outcome_note = models.TextField(_("核实情况/排除理由"), blank=True)
    recovered_amount = models.DecimalField(_("追回金额(元)"), max_digits=12, decimal_places=2, null=True,
                                           blank=True)
    decided_by = models.CharField(_("处理人"), max_length=150, blank=True)
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("核对疑点")
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["township", "status"]), models.Index(fields=["rule_code", "status"])]
        constraints = [
            models.CheckConstraint(condition=~models.Q(status="cleared") | ~models.Q(outcome_note=""),
                                   name="crosscheck_cleared_needs_reason"),
            models.CheckConstraint(condition=~models.Q(status="confirmed") | ~models.Q(outcome_action=""),
                                   name="crosscheck_confirmed_needs_action"),
        ]

    def __str__(self) -> str:
        return f"疑点 #{self.pk} {self.rule_code}"

    @property
    def is_open(self) -> bool:
        return self.status == FindingStatus.OPEN
