"""Payrolls (发放花名册), their lines, bank-file layouts, fund ledgers and the few per-person facts allowances need.

A payroll is a frozen snapshot: every line copies the payee, bank account and amount it was computed from and names
the EnrollmentAmount version it used (versions are append-only), so later edits to the registry never change a
roster that was generated. Database constraints make paying one month twice impossible.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minzheng.core.scoping import ScopedManager
from minzheng.core.sealed_fields import DerivedField, SealedField, SealedModel


class PayrollStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PREPARED = "prepared", _("已提交待审批")
    APPROVED = "approved", _("已审批")
    EXPORTED = "exported", _("已生成银行文件")
    PAID = "paid", _("已发放")


# Statuses whose lines count as paid (or committed to be paid) when arrears and recoveries are computed.
COMMITTED = (PayrollStatus.PREPARED, PayrollStatus.APPROVED, PayrollStatus.EXPORTED, PayrollStatus.PAID)
LOCKED = (PayrollStatus.APPROVED, PayrollStatus.EXPORTED, PayrollStatus.PAID)


class Payroll(models.Model):
    """One month's roster for one programme in one township (乡镇按项目按月造册)."""

    scope_path = "township"

    programme = models.ForeignKey("registry.Programme", verbose_name=_("项目"), on_delete=models.PROTECT,
                                  related_name="payrolls")
    township = models.ForeignKey("regions.Division", verbose_name=_("乡镇(街道)"), on_delete=models.PROTECT,
                                 related_name="payrolls")
    month = models.DateField(_("发放月份"))
    status = models.CharField(_("状态"), max_length=16, choices=PayrollStatus.choices, default=PayrollStatus.DRAFT)
    line_count = models.PositiveIntegerField(_("笔数"), default=0)
    total = models.DecimalField(_("合计金额(元)"), max_digits=14, decimal_places=2, default=0)
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("生成人"))
    generated_at = models.DateTimeField(_("生成时间"), null=True, blank=True)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("造册人"))
    prepared_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("审批人"))
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    # What the roster was computed from: engine rules, parameter refs, counts per kind, the months looked back on.
    snapshot = models.JSONField(default=dict, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    # A 补充花名册 pays, in the same month, lines held or failed earlier once their details are fixed.
    supplement_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="supplements", verbose_name=_("补充的花名册"))
    # Lines held (挂起) in this roster: not sent to the bank, not booked as spent; released into a later roster.
    held_count = models.PositiveIntegerField(_("挂起笔数"), default=0, db_default=0)
    held_total = models.DecimalField(_("挂起金额(元)"), max_digits=14, decimal_places=2, default=0, db_default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("发放花名册")
        ordering = ["-month", "township__code", "programme__order"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "township", "month"], condition=Q(supplement_of__isnull=True),
                                    name="one_payroll_per_month"),
            # Maker-checker (审批分离): the person who prepared a roster never approves it.
            models.CheckConstraint(condition=Q(approved_by__isnull=True) | Q(prepared_by__isnull=True)
                                   | ~Q(approved_by=models.F("prepared_by")), name="payroll_maker_checker"),
        ]

    def __str__(self) -> str:
        return f"{self.township} {self.programme} {self.month:%Y-%m}"

    @property
    def is_locked(self) -> bool:
        return self.status in LOCKED

    @property
    def payable_total(self) -> Decimal:
        """What leaves the fund: the roster total less the lines held back."""
        return Decimal(self.total) - Decimal(self.held_total)

    @property
    def title(self) -> str:
        return f"{self.township.name}{self.programme.name} {self.month:%Y-%m}" + ("（补充）" if self.supplement_of_id else "")


class LineKind(models.TextChoices):
    REGULAR = "regular", _("正常发放")
    ARREARS = "arrears", _("补发")
    RECOVERY = "recovery", _("追回")
    REISSUE = "reissue", _("重发")


class LineStatus(models.TextChoices):
    PENDING = "pending", _("待发放")
    PAID = "paid", _("已到账")
    FAILED = "failed", _("发放失败")
    REISSUED = "reissued", _("失败已重发")
    # 挂起: kept out of the bank file with a reason; 解除挂起: fixed, to be paid again in a later roster.
    HELD = "held", _("已挂起")
    RELEASED = "released", _("已解除挂起")


class LineProblem(models.TextChoices):
    """Why a line cannot be paid as it stands (pre-flight at generation; see preflight.py)."""

    NO_ACCOUNT = "no_account", _("没有银行账号")
    BAD_ACCOUNT = "bad_account", _("银行账号无效")
    DUPLICATE_ACCOUNT = "dup_account", _("账号与其他家庭的领款人重复")
    DECEASED = "deceased", _("领款人已死亡")
    MOVED = "moved", _("领款人已不在本户")
    GUARDIAN_ACCOUNT = "guardian_account", _("监护人没有银行账号")
    AMOUNT = "amount", _("金额为零")
    # The same person holds another programme the two cannot be held together with (特困 and 单人保 …).
    CONFLICT = "conflict", _("与本人其他待遇不能同时享受")


# Statuses that keep a line out of the bank file and off the spent total.
HELD_STATUSES = (LineStatus.HELD, LineStatus.RELEASED)


class PayrollLine(SealedModel):
    """One payment (or recovery) in a payroll, with the data it was computed from copied onto it."""

    scope_path = "village"

    payroll = models.ForeignKey(Payroll, on_delete=models.CASCADE, related_name="lines")
    # The month of the payroll this line is in; with period_month it keys adjustments (see constraints).
    paid_month = models.DateField(_("发放月份"))
    enrollment = models.ForeignKey("registry.Enrollment", on_delete=models.PROTECT, related_name="payroll_lines")
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey("regions.Division", on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("村(社区)"))
    payee_name = models.CharField(_("领款人"), max_length=64)
    id_number = models.CharField(_("公民身份号码"), max_length=18, blank=True)
    bank_name = models.CharField(_("开户银行"), max_length=64, blank=True)
    # Sealed at rest (core/sealed.py), copied by the engine from the payee with its blind index (duplicates).
    bank_account = SealedField(_("银行账号"), max_length=32, blank=True)
    bank_account_index = DerivedField("bank_account", "index")
    bank_account_last4 = DerivedField("bank_account", "last4")
    amount = models.DecimalField(_("金额(元)"), max_digits=12, decimal_places=2)
    kind = models.CharField(_("类型"), max_length=16, choices=LineKind.choices, default=LineKind.REGULAR)
    period_month = models.DateField(_("所属月份"))
    status = models.CharField(_("状态"), max_length=16, choices=LineStatus.choices, default=LineStatus.PENDING)
    # Snapshot of the amount decision: the EnrollmentAmount version (append-only) and what it said.
    amount_version_id = models.IntegerField(_("金额版本"), null=True, blank=True)
    covered_persons = models.PositiveSmallIntegerField(_("保障人数"), default=1)
    due_amount = models.DecimalField(_("应发金额"), max_digits=12, decimal_places=2, null=True, blank=True)
    previously_paid = models.DecimalField(_("已发金额"), max_digits=12, decimal_places=2, null=True, blank=True)
    # The line this one pays again: a failed bank payment (重发) or a held line released once fixed (补发).
    reissue_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reissues")
    bank_message = models.CharField(_("银行回盘信息"), max_length=200, blank=True)
    # Pre-flight: why this line cannot be paid as generated (blank when it can). Set by the engine's INSERT.
    problem = models.CharField(_("不能发放的原因"), max_length=24, choices=LineProblem.choices, blank=True,
                               default="", db_default="")
    hold_reason = models.CharField(_("挂起原因"), max_length=200, blank=True, default="", db_default="")
    held_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("挂起人"))
    held_at = models.DateTimeField(_("挂起时间"), null=True, blank=True)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("解除挂起人"))
    released_at = models.DateTimeField(_("解除挂起时间"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("发放明细")
        ordering = ["payroll", "village_id", "id"]
        indexes = [
            models.Index(fields=["enrollment", "period_month"]), models.Index(fields=["payroll", "kind"]),
            # The few lines still owed (failed, held, released) are found without scanning every month's lines.
            models.Index(fields=["status", "payroll"], condition=Q(status__in=["failed", "held", "released"]),
                         name="payline_unsettled"),
            # Pre-flight lists the few lines with a problem without reading the whole roster.
            models.Index(fields=["payroll"], condition=~Q(problem=""), name="payline_problem"),
        ]
        constraints = [
            # Paying one month twice is impossible: one regular line per enrollment and month, and one adjustment of
            # each kind per enrollment, period and paying month (a second retroactive change months later gets its own).
            # A line paying another again (重发, 挂起补发) is unique by the line it pays (payline_reissued_once).
            models.UniqueConstraint(fields=["enrollment", "period_month", "kind", "paid_month"],
                                    condition=~Q(kind="reissue") & Q(reissue_of__isnull=True), name="payline_once"),
            models.CheckConstraint(condition=~Q(kind="regular") | Q(period_month=models.F("paid_month")),
                                   name="payline_regular_in_own_month"),
            models.UniqueConstraint(fields=["reissue_of"], condition=Q(reissue_of__isnull=False),
                                    name="payline_reissued_once"),
            models.CheckConstraint(condition=~Q(kind="recovery") | Q(amount__lt=0), name="payline_recovery_negative"),
            # A reissue repeats a failed transfer line by line, a recovery netted into it included.
            models.CheckConstraint(condition=Q(kind__in=["recovery", "reissue"]) | Q(amount__gte=0),
                                   name="payline_payment_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.payee_name} {self.period_month:%Y-%m} {self.amount}"


class BankFileLayout(models.Model):
    """How one bank wants its 一卡通 disbursement file: columns, separator, encoding, header and trailer."""

    FORMAT_CHOICES = [("csv", _("分隔符文本(CSV)")), ("fixed", _("定长文本(TXT)"))]

    code = models.CharField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    file_format = models.CharField(_("格式"), max_length=8, choices=FORMAT_CHOICES, default="csv")
    # Columns in order: [{"field": "bank_account", "title": "账号", "width": 20}, …]; see bankfiles.FIELDS.
    columns = models.JSONField(default=list)
    separator = models.CharField(_("分隔符"), max_length=4, default=",", blank=True)
    encoding = models.CharField(_("编码"), max_length=16, default="GBK")
    header = models.BooleanField(_("首行汇总(笔数、金额)"), default=True)
    trailer = models.BooleanField(_("末行汇总(笔数、金额)"), default=False)
    column_titles = models.BooleanField(_("列标题行"), default=True)
    extension = models.CharField(_("扩展名"), max_length=8, default="csv")

    class Meta:
        verbose_name = _("银行文件格式")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class BankReturn(models.Model):
    """One imported bank return file (回盘文件): which payroll it answered, how many failed."""

    scope_path = "payroll__township"

    payroll = models.ForeignKey(Payroll, on_delete=models.PROTECT, related_name="bank_returns")
    file_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    total = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    imported_by = models.CharField(max_length=150, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("银行回盘")
        constraints = [models.UniqueConstraint(fields=["payroll", "sha256"], name="bank_return_once")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.rows})"


class FundSource(models.TextChoices):
    CENTRAL = "central", _("中央")
    PROVINCIAL = "provincial", _("省级")
    MUNICIPAL = "municipal", _("市级")
    COUNTY = "county", _("县(区)级")


class FundEntryKind(models.TextChoices):
    BUDGET = "budget", _("年度预算")
    ALLOCATION = "allocation", _("下达(拨付)")
    DISBURSEMENT = "disbursement", _("发放支出")
    # Money the bank returned (a failed transfer): it is back in the fund until reissued.
    REFUND = "refund", _("银行退回")
    EXPENSE = "expense", _("其他支出")


class SpendingCategory(models.TextChoices):
    """What township work funds (工作经费) are spent on."""

    SURVEY = "survey", _("入户调查与核查")
    TRAINING = "training", _("业务培训")
    OFFICE = "office", _("办公用品与耗材")
    PRINTING = "printing", _("公示与宣传印刷")
    EQUIPMENT = "equipment", _("信息化与设备")
    TRANSPORT = "transport", _("交通差旅")
    OTHER = "other", _("其他")


# The ledger's pseudo-programme for 工作经费 (work funds): not a benefit programme, so not a registry Programme.
WORK_FUNDS = "work_funds"


class FundEntry(models.Model):
    """One movement in the special-fund ledger (专项资金台账): a programme's money from one funding source.

    `fund` is the programme whose money moves (or WORK_FUNDS); `spent_on` is what a disbursement or expense paid for.
    A special fund spent on something else than its own programme raises an alert (专款专用)."""

    scope_path = "township"

    fund = models.CharField(_("资金项目"), max_length=32, db_index=True)
    source = models.CharField(_("资金来源"), max_length=16, choices=FundSource.choices)
    kind = models.CharField(_("类型"), max_length=16, choices=FundEntryKind.choices)
    township = models.ForeignKey("regions.Division", verbose_name=_("乡镇(街道)"), on_delete=models.PROTECT,
                                 related_name="+")
    month = models.DateField(_("月份"))
    amount = models.DecimalField(_("金额(元)"), max_digits=14, decimal_places=2)
    spent_on = models.CharField(_("用途项目"), max_length=32, blank=True)
    payroll = models.ForeignKey(Payroll, null=True, blank=True, on_delete=models.PROTECT, related_name="fund_entries")
    note = models.CharField(_("摘要"), max_length=200, blank=True)
    basis = models.JSONField(default=dict, blank=True)
    # Spending (支出) details: what it was for, when, the accounting voucher (凭证号) and a scan of it.
    category = models.CharField(_("支出类别"), max_length=16, choices=SpendingCategory.choices, blank=True,
                                default="", db_default="")
    spent_date = models.DateField(_("支出日期"), null=True, blank=True)
    voucher_no = models.CharField(_("凭证号"), max_length=40, blank=True, default="", db_default="")
    attachment = models.FileField(_("凭证附件"), upload_to="payments/vouchers/%Y/", blank=True)
    created_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("资金台账")
        ordering = ["-month", "fund", "source"]
        indexes = [models.Index(fields=["fund", "township", "month"])]
        constraints = [
            # A roster is booked once per funding level, and a bank return refunded once.
            models.UniqueConstraint(fields=["payroll", "source", "kind"], condition=Q(payroll__isnull=False),
                                    name="fund_disbursement_once"),
            # One voucher number is one payment out of a township's funds.
            models.UniqueConstraint(fields=["township", "voucher_no"], condition=~Q(voucher_no=""),
                                    name="fund_voucher_once"),
        ]

    def __str__(self) -> str:
        return f"{self.fund} {self.get_source_display()} {self.get_kind_display()} {self.amount}"


class YoufuCategory(models.TextChoices):
    """重点优抚对象 categories that receive 定期抚恤补助 (军人抚恤优待条例)."""

    DISABLED_SOLDIER = "disabled", _("残疾军人")
    MARTYR_FAMILY = "martyr_family", _("烈士遗属")
    DUTY_FAMILY = "duty_family", _("因公牺牲军人遗属")
    ILLNESS_FAMILY = "illness_family", _("病故军人遗属")
    DEMOBILISED = "demobilised", _("在乡老复员军人")
    ILL_VETERAN = "ill_veteran", _("带病回乡退伍军人")
    WAR_VETERAN = "war_veteran", _("参战参试退役人员")
    OLD_CONSCRIPT = "old_conscript", _("农村籍老义务兵(60周岁以上)")
    MARTYR_CHILD = "martyr_child", _("烈士老年子女")


class FactSource(models.TextChoices):
    """Where an allowance fact came from: department data loaded through 信息核对, or typed in by an officer."""

    CDPF = "cdpf", _("残联数据")
    VETERANS = "veterans", _("退役军人事务数据")
    MANUAL = "manual", _("手工录入")


class YoufuStatus(models.TextChoices):
    ACTIVE = "active", _("在册享受")
    SUSPENDED = "suspended", _("暂停")
    ENDED = "ended", _("取消(注销)")


class BeneficiaryFacts(models.Model):
    """Facts about a person that allowance rules need and the registry does not hold (own model, OneToOne).

    The disability grade and type stay on registry.Person; what is here says where the disability facts came from.
    A fact left empty is *unknown*: a refresh never ends an enrollment because of it, it lists it as missing."""

    scope_path = "person__household__division"

    person = models.OneToOneField("registry.Person", on_delete=models.CASCADE, related_name="payment_facts")
    # 重度残疾人护理补贴: certified need of long-term care (护理 lasting ≥ 6 months); None = not yet certified.
    needs_long_term_care = models.BooleanField(_("需长期照护"), null=True, blank=True)
    # 工伤保险生活护理费 recipients get neither disability allowance.
    work_injury_care = models.BooleanField(_("享受工伤保险生活护理费"), default=False)
    disability_source = models.CharField(_("残疾信息来源"), max_length=16, choices=FactSource.choices, blank=True,
                                         default="", db_default="")
    disability_checked_on = models.DateField(_("残疾信息核实日期"), null=True, blank=True)
    youfu_category = models.CharField(_("优抚对象类别"), max_length=32, choices=YoufuCategory.choices, blank=True)
    youfu_status = models.CharField(_("优抚对象状态"), max_length=16, choices=YoufuStatus.choices, blank=True,
                                    default="", db_default="")
    youfu_since = models.DateField(_("优抚认定日期"), null=True, blank=True)
    service_years = models.PositiveSmallIntegerField(_("服役年限"), null=True, blank=True)
    youfu_source = models.CharField(_("优抚信息来源"), max_length=16, choices=FactSource.choices, blank=True,
                                    default="", db_default="")
    youfu_checked_on = models.DateField(_("优抚信息核实日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("待遇认定信息")

    def __str__(self) -> str:
        return f"{self.person_id}"


class Guardianship(SealedModel):
    """A payee under guardianship (监护) is paid into the guardian's account, named on the line as the payee.

    Recorded by the township for minors without parents, people without legal capacity (无民事行为能力) and the
    like; without a guardian account the person's lines cannot be paid (pre-flight)."""

    scope_path = "person__household__division"

    person = models.OneToOneField("registry.Person", on_delete=models.CASCADE, related_name="guardianship",
                                  verbose_name=_("被监护人"))
    guardian_name = models.CharField(_("监护人姓名"), max_length=64)
    guardian_id_number = models.CharField(_("监护人身份证号"), max_length=18, blank=True)
    relation = models.CharField(_("与被监护人关系"), max_length=32, blank=True)
    bank_name = models.CharField(_("监护人开户银行"), max_length=64, blank=True)
    bank_account = SealedField(_("监护人银行账号"), max_length=32, blank=True)
    bank_account_index = DerivedField("bank_account", "index")
    bank_account_last4 = DerivedField("bank_account", "last4")
    bank_account_shape = DerivedField("bank_account", "shape")
    since = models.DateField(_("监护起始日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("领款监护人")

    def __str__(self) -> str:
        return f"{self.guardian_name}（监护 {self.person_id}）"
