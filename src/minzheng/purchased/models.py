"""政府购买服务: providers, contracts with their service standard, service orders and records, supervision
(checks, callbacks, assessments) and milestone payments. Who may see what is decided in core.scoping."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minzheng.core.scoping import ScopedManager


class ProviderKind(models.TextChoices):
    # 财政部令第102号 Art 6: who may deliver (公益一类 and fiscally funded 群团 may not, Art 8).
    SOCIAL_ORG = "social_org", _("社会组织")
    ENTERPRISE = "enterprise", _("企业")
    INSTITUTION = "institution", _("公益二类或经营类事业单位")
    COLLECTIVE = "collective", _("农村集体经济组织")
    COMMUNITY = "community", _("村(居)民委员会")


class Provider(models.Model):
    """承接主体: a social organisation or firm, identified by its 统一社会信用代码."""

    scope_path = "division"

    name = models.CharField(_("名称"), max_length=100, unique=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=ProviderKind.choices)
    registered_with = models.CharField(_("登记管理机关"), max_length=100, blank=True)
    registered_on = models.DateField(_("登记日期"), null=True, blank=True)
    legal_rep = models.CharField(_("法定代表人"), max_length=64, blank=True)
    phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    # The division whose 民政 office manages the provider's file (the county, or a township that buys on its own).
    division = models.ForeignKey("regions.Division", verbose_name=_("管理区划"), on_delete=models.PROTECT,
                                 related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("服务承接主体")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Qualification(models.Model):
    scope_path = "provider__division"

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="qualifications")
    name = models.CharField(_("资质名称"), max_length=100)
    number = models.CharField(_("证书编号"), max_length=64, blank=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("承接主体资质")
        ordering = ["valid_until", "id"]

    def __str__(self) -> str:
        return self.name


class CreditKind(models.TextChoices):
    BLACKLIST = "blacklist", _("列入黑名单（不得承接）")
    WARNING = "warning", _("失信警示")
    COMMENDATION = "commendation", _("表扬")


class CreditNote(models.Model):
    """A credit note on a provider; a blacklist entry bars new contracts while it runs."""

    scope_path = "provider__division"

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="credit_notes")
    kind = models.CharField(_("类别"), max_length=16, choices=CreditKind.choices)
    start = models.DateField(_("起始日期"))
    until = models.DateField(_("截止日期"), null=True, blank=True)
    text = models.CharField(_("事由"), max_length=300)
    recorded_by = models.CharField(max_length=150, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("信用记录")
        ordering = ["-start", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start}"


class ProviderStaff(models.Model):
    """One binding of an account (role 社会组织) to a provider as delivering staff. An account is bound to at most one
    provider at a time; unbinding keeps the row (who, when, by whom) as the binding's history, and the account loses
    what the binding gave it at once (core.scoping reads only active bindings)."""

    scope_path = "provider__division"

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="staff")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="provider_bindings")
    name = models.CharField(_("姓名"), max_length=64)
    active = models.BooleanField(_("在岗"), default=True)
    bound_at = models.DateTimeField(_("绑定时间"), null=True, blank=True)
    bound_by = models.CharField(_("绑定人"), max_length=150, blank=True)
    unbound_at = models.DateTimeField(_("解绑时间"), null=True, blank=True)
    unbound_by = models.CharField(_("解绑人"), max_length=150, blank=True)
    unbind_reason = models.CharField(_("解绑原因"), max_length=200, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("服务人员")
        ordering = ["provider", "-active", "name"]
        constraints = [models.UniqueConstraint(fields=["user"], condition=Q(active=True),
                                               name="purchased_one_active_binding")]

    def __str__(self) -> str:
        return self.name


class ServiceKind(models.TextChoices):
    TEKUN_CARE = "tekun_care", _("特困分散供养照料")
    HOME_ELDERLY = "home_elderly", _("居家养老上门服务")
    CHILD_CARE = "child_care", _("困境儿童关爱")
    STATION = "station", _("乡镇社工站")
    ELDER_ASSISTANT = "elder_assistant", _("助老协理员岗位")
    ASSISTANCE_ADMIN = "assistance_admin", _("社会救助经办服务")


class Procurement(models.TextChoices):
    PUBLIC_TENDER = "public_tender", _("公开招标")
    INVITED_TENDER = "invited_tender", _("邀请招标")
    NEGOTIATION = "negotiation", _("竞争性谈判")
    CONSULTATION = "consultation", _("竞争性磋商")
    SINGLE_SOURCE = "single_source", _("单一来源采购")
    INQUIRY = "inquiry", _("询价")


class ContractStatus(models.TextChoices):
    ACTIVE = "active", _("履约中")
    ENDED = "ended", _("已结束")


class Contract(models.Model):
    """What was bought, from whom, with which money, for when and where, and the service standard as data."""

    scope_path = "buyer"

    buyer = models.ForeignKey("regions.Division", verbose_name=_("购买主体"), on_delete=models.PROTECT,
                              related_name="+")
    provider = models.ForeignKey(Provider, verbose_name=_("承接主体"), on_delete=models.PROTECT,
                                 related_name="contracts")
    number = models.CharField(_("合同编号"), max_length=64, unique=True)
    title = models.CharField(_("项目名称"), max_length=200)
    service = models.CharField(_("服务类别"), max_length=24, choices=ServiceKind.choices)
    procurement = models.CharField(_("采购方式"), max_length=24, choices=Procurement.choices)
    procurement_ref = models.CharField(_("采购项目编号"), max_length=64, blank=True)
    # The fund-ledger fund (a programme code or work_funds) and level the money comes from (payments.funds).
    fund = models.CharField(_("资金项目"), max_length=32)
    fund_source = models.CharField(_("资金来源"), max_length=16)
    budget = models.DecimalField(_("合同金额(元)"), max_digits=12, decimal_places=2)
    start = models.DateField(_("服务起始日期"))
    end = models.DateField(_("服务截止日期"))
    # The service standard: one unit of service, how many per beneficiary a month, how long at least, what proves it.
    unit_label = models.CharField(_("服务单位"), max_length=16, default="次")
    visits_per_month = models.PositiveSmallIntegerField(_("每人每月服务次数"))
    min_minutes = models.PositiveSmallIntegerField(_("每次最短时长(分钟)"))
    require_photo = models.BooleanField(_("须有现场照片"), default=True)
    require_confirmation = models.BooleanField(_("须有对象或监护人确认"), default=True)
    # Payment terms: what one verified unit earns, what a failed (flagged and confirmed) record deducts.
    unit_price = models.DecimalField(_("服务单价(元)"), max_digits=10, decimal_places=2)
    deduction_per_failed = models.DecimalField(_("每条不合格记录扣减(元)"), max_digits=10, decimal_places=2,
                                               default=Decimal("0"))
    status = models.CharField(_("状态"), max_length=12, choices=ContractStatus.choices, default=ContractStatus.ACTIVE)
    # Ending a contract (early or at term): no service after `ended_on` may be recorded, no new order made.
    ended_on = models.DateField(_("终止日期"), null=True, blank=True)
    end_reason = models.CharField(_("终止原因"), max_length=200, blank=True)
    ended_by = models.CharField(max_length=150, blank=True)
    created_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("购买服务合同")
        ordering = ["-start", "number"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="purchased_contract_period"),
            models.CheckConstraint(condition=Q(budget__gt=0), name="purchased_contract_budget_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class ContractArea(models.Model):
    """A township the contract covers: its officers assign beneficiaries there and see the contract through it."""

    scope_path = "township"

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="areas")
    township = models.ForeignKey("regions.Division", verbose_name=_("乡镇(街道)"), on_delete=models.PROTECT,
                                 related_name="+")

    objects = ScopedManager()

    class Meta:
        verbose_name = _("合同服务区域")
        constraints = [models.UniqueConstraint(fields=["contract", "township"], name="purchased_area_once")]

    def __str__(self) -> str:
        return f"{self.contract.number} · {self.township}"


class MilestoneStatus(models.TextChoices):
    OPEN = "open", _("未结算")
    PREPARED = "prepared", _("已测算待审批")
    APPROVED = "approved", _("已审批入账")


class Milestone(models.Model):
    """A payment milestone: the delivery of one period, paid after a maker prepares and a checker approves."""

    scope_path = "contract__buyer"

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="milestones")
    seq = models.PositiveSmallIntegerField(_("期次"))
    title = models.CharField(_("名称"), max_length=64)
    period_start = models.DateField(_("结算期起"))
    period_end = models.DateField(_("结算期止"))
    cap = models.DecimalField(_("本期上限(元)"), max_digits=12, decimal_places=2)
    status = models.CharField(_("状态"), max_length=12, choices=MilestoneStatus.choices, default=MilestoneStatus.OPEN)
    verified_units = models.PositiveIntegerField(_("核实服务量"), default=0)
    failed_records = models.PositiveIntegerField(_("不合格记录"), default=0)
    verified_amount = models.DecimalField(_("核实应付(元)"), max_digits=12, decimal_places=2, default=Decimal("0"))
    amount = models.DecimalField(_("拟付金额(元)"), max_digits=12, decimal_places=2, default=Decimal("0"))
    basis = models.JSONField(default=dict, blank=True)
    prepared_by = models.CharField(_("测算人"), max_length=150, blank=True)
    prepared_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.CharField(_("审批人"), max_length=150, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("合同结算节点")
        ordering = ["contract", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "seq"], name="purchased_milestone_seq"),
            models.CheckConstraint(condition=Q(amount__lte=models.F("verified_amount")),
                                   name="purchased_pay_at_most_verified"),
        ]

    def __str__(self) -> str:
        return f"{self.contract.number} 第{self.seq}期"


class ServiceOrder(models.Model):
    """派单: a beneficiary the township assigned to a contract (and to one of the provider's staff)."""

    scope_path = "village"

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="orders")
    person = models.ForeignKey("registry.Person", verbose_name=_("服务对象"), on_delete=models.PROTECT,
                               related_name="+")
    village = models.ForeignKey("regions.Division", verbose_name=_("村(社区)"), on_delete=models.PROTECT,
                                related_name="+")
    staff = models.ForeignKey(ProviderStaff, verbose_name=_("服务人员"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="orders")
    start = models.DateField(_("派单日期"))
    end = models.DateField(_("终止日期"), null=True, blank=True)
    end_reason = models.CharField(_("终止原因"), max_length=100, blank=True)
    assigned_by = models.CharField(max_length=150, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("服务派单")
        ordering = ["village", "id"]
        constraints = [models.UniqueConstraint(fields=["contract", "person"], condition=Q(end__isnull=True),
                                               name="purchased_one_open_order")]

    def __str__(self) -> str:
        return f"派单#{self.pk}"


class Confirmation(models.TextChoices):
    SIGNATURE = "signature", _("本人或监护人签名")
    CODE = "code", _("电话告知的一次性确认码")
    NONE = "none", _("未确认")


class RecordStatus(models.TextChoices):
    RECORDED = "recorded", _("已记录")
    FLAGGED = "flagged", _("存疑待核")
    VERIFIED = "verified", _("核实有效")
    FAILED = "failed", _("核实不合格")


class ServiceRecord(models.Model):
    """One service delivered: times, what was done, a photo (re-encoded, no position) and the confirmation."""

    scope_path = "order__village"

    order = models.ForeignKey(ServiceOrder, on_delete=models.PROTECT, related_name="records")
    staff = models.ForeignKey(ProviderStaff, on_delete=models.PROTECT, related_name="records")
    started_at = models.DateTimeField(_("开始时间"))
    ended_at = models.DateTimeField(_("结束时间"))
    content = models.TextField(_("服务内容"))
    photo = models.ImageField(_("现场照片"), upload_to="purchased/%Y/%m/", blank=True)
    photo_hash = models.CharField(max_length=16, blank=True, db_index=True)
    confirmation = models.CharField(_("确认方式"), max_length=12, choices=Confirmation.choices)
    confirmed_by = models.CharField(_("确认人"), max_length=64, blank=True)
    signature = models.ImageField(_("签名"), upload_to="purchased/sign/%Y/%m/", blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=RecordStatus.choices, default=RecordStatus.RECORDED)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("服务记录")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["staff", "started_at"])]
        constraints = [
            models.UniqueConstraint(fields=["order", "started_at"], name="purchased_one_record_per_start"),
            models.CheckConstraint(condition=Q(ended_at__gt=models.F("started_at")), name="purchased_record_times"),
        ]

    def __str__(self) -> str:
        return f"服务记录#{self.pk}"

    @property
    def minutes(self) -> int:
        return int((self.ended_at - self.started_at).total_seconds() // 60)


class FlagCode(models.TextChoices):
    REUSED_PHOTO = "reused_photo", _("照片重复使用")
    OVERLAP = "overlap", _("同一人员同时段两地服务")
    TOO_MANY = "too_many", _("单日服务次数异常")
    AFTER_DEATH = "after_death", _("服务对象已死亡")
    AFTER_LEAVING = "after_leaving", _("服务对象已迁出")
    SHORT = "short", _("服务时长不足")
    NO_EVIDENCE = "no_evidence", _("缺少规定的服务凭证")
    NOT_DELIVERED = "not_delivered", _("回访反映未接受服务")


class FlagStatus(models.TextChoices):
    OPEN = "open", _("待核实")
    CONFIRMED = "confirmed", _("核实属实")
    DISMISSED = "dismissed", _("核实无误")


class RecordFlag(models.Model):
    """A problem an automatic check found on a record, until a township or county officer settles it."""

    scope_path = "record__order__village"

    record = models.ForeignKey(ServiceRecord, on_delete=models.CASCADE, related_name="flags")
    code = models.CharField(_("问题"), max_length=16, choices=FlagCode.choices)
    text = models.CharField(_("说明"), max_length=300)
    found_on = models.DateField(_("发现日期"))
    status = models.CharField(_("状态"), max_length=12, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    settled_by = models.CharField(max_length=150, blank=True)
    note = models.CharField(_("核实说明"), max_length=300, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("服务记录疑点")
        ordering = ["-found_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["record", "code"], name="purchased_flag_once")]

    def __str__(self) -> str:
        return f"{self.get_code_display()}（记录#{self.record_id}）"


class CodeChannel(models.TextChoices):
    PHONE = "phone", _("乡镇电话告知")
    CARD = "card", _("服务卡（乡镇发给服务对象）")


class ConfirmationCode(models.Model):
    """A one-time code only the beneficiary or guardian holds: read to them by phone by the township, or printed on
    the service card the township hands them. The worker types the code in when the visit ends; only a keyed hash is
    kept, it confirms one record, and it is spent."""

    scope_path = "order__village"

    order = models.ForeignKey(ServiceOrder, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64)
    channel = models.CharField(_("发放方式"), max_length=8, choices=CodeChannel.choices, default=CodeChannel.PHONE)
    issued_at = models.DateTimeField()
    issued_by = models.CharField(max_length=150, blank=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    record = models.OneToOneField("ServiceRecord", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="confirmation_code")

    objects = ScopedManager()

    class Meta:
        verbose_name = _("确认码")

    def __str__(self) -> str:
        return f"确认码#{self.pk}"


class CallbackSample(models.Model):
    """回访: a random sample of a township's served beneficiaries in one month, drawn reproducibly from `seed`."""

    scope_path = "township"

    township = models.ForeignKey("regions.Division", verbose_name=_("乡镇(街道)"), on_delete=models.PROTECT,
                                 related_name="+")
    month = models.DateField(_("月份"))
    seed = models.CharField(max_length=64)
    drawn_at = models.DateTimeField()
    drawn_by = models.CharField(max_length=150, blank=True)
    population = models.PositiveIntegerField(_("当月服务对象数"))

    objects = ScopedManager()

    class Meta:
        verbose_name = _("回访抽样")
        ordering = ["-month", "township"]
        constraints = [models.UniqueConstraint(fields=["township", "month"], name="purchased_one_sample_a_month")]

    def __str__(self) -> str:
        return f"{self.township} {self.month:%Y-%m} 回访"


class CallbackOutcome(models.TextChoices):
    PENDING = "pending", _("待回访")
    SATISFIED = "satisfied", _("服务属实，满意")
    DISSATISFIED = "dissatisfied", _("服务属实，不满意")
    NOT_DELIVERED = "not_delivered", _("反映未接受服务")
    UNREACHABLE = "unreachable", _("无法联系")


class CallbackItem(models.Model):
    scope_path = "sample__township"

    sample = models.ForeignKey(CallbackSample, on_delete=models.CASCADE, related_name="items")
    order = models.ForeignKey(ServiceOrder, on_delete=models.PROTECT, related_name="callbacks")
    outcome = models.CharField(_("回访结果"), max_length=16, choices=CallbackOutcome.choices,
                               default=CallbackOutcome.PENDING)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    called_at = models.DateTimeField(null=True, blank=True)
    called_by = models.CharField(max_length=150, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("回访记录")
        ordering = ["sample", "id"]
        constraints = [models.UniqueConstraint(fields=["sample", "order"], name="purchased_callback_once")]

    def __str__(self) -> str:
        return f"回访#{self.pk}"


class EvaluatorAssignment(models.Model):
    """The district assigns one contract's assessment for one period to a third-party evaluator's account: the
    evaluator sees that contract (and its provider) and scores that period, nothing else (core.scoping)."""

    scope_path = "contract__buyer"

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="evaluator_assignments")
    evaluator = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("评估机构账号"), on_delete=models.PROTECT,
                                  related_name="evaluation_assignments")
    period_start = models.DateField(_("评估期起"))
    period_end = models.DateField(_("评估期止"))
    assigned_by = models.CharField(_("指派人"), max_length=150)
    assigned_at = models.DateTimeField(_("指派时间"))

    objects = ScopedManager()

    class Meta:
        verbose_name = _("第三方评估指派")
        ordering = ["-period_end", "-id"]
        constraints = [models.UniqueConstraint(fields=["contract", "period_start", "period_end"],
                                               name="purchased_one_evaluator_a_period"),
                       models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")),
                                              name="purchased_assignment_period")]

    def __str__(self) -> str:
        return f"{self.contract.number} {self.period_start}–{self.period_end} 指派评估"


class Assessment(models.Model):
    """A period's quality assessment with weighted indicators, by the county or a third-party evaluator."""

    scope_path = "contract__buyer"

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="assessments")
    period_start = models.DateField(_("评估期起"))
    period_end = models.DateField(_("评估期止"))
    indicators = models.JSONField(_("指标"), default=dict)
    weights = models.JSONField(default=dict)
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=1)
    grade = models.CharField(_("等次"), max_length=16)
    assessor = models.CharField(_("评估人"), max_length=150)
    assessor_role = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField()

    objects = ScopedManager()

    class Meta:
        verbose_name = _("绩效评估")
        ordering = ["-period_end", "-id"]
        constraints = [models.UniqueConstraint(fields=["contract", "period_start", "period_end"],
                                               name="purchased_one_assessment_a_period")]

    def __str__(self) -> str:
        return f"{self.contract.number} {self.period_start}–{self.period_end} {self.grade}"


class Complaint(models.Model):
    """A beneficiary's complaint about a provider: routed as a 民情 item (workforce.needs), counted in assessments."""

    scope_path = "village"

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="complaints")
    village = models.ForeignKey("regions.Division", on_delete=models.PROTECT, related_name="+")
    need = models.OneToOneField("workforce.NeedReport", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    objects = ScopedManager()

    class Meta:
        verbose_name = _("服务投诉")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"投诉#{self.pk}"
