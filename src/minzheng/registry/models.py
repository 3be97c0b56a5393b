"""Households (家庭), persons (人员) and who is enrolled in which programme (享受待遇).

These models are the shared contract of the domain apps: assistance decides enrollments, payments pays them,
crosscheck checks them. Code lists follow the national standards named on each TextChoices.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from minzheng.core import dates, income_codes
from minzheng.core.scoping import ScopedManager, ScopedQuerySet
from minzheng.core.sealed_fields import DerivedField, SealedField, SealedModel


class Last4(models.Func):
    """The last four characters, with literal constants so SQLite can match the expression index to queries
    (Django's Right() sends its length as a parameter, which no index matches)."""

    template = "SUBSTR(%(expressions)s, -4)"
    output_field = models.CharField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="RIGHT(%(expressions)s, 4)", **extra)


class GivenName(models.Func):
    """The name after its first character (the surname, for all but compound surnames)."""

    template = "SUBSTR(%(expressions)s, 2)"
    output_field = models.CharField()


class HukouType(models.TextChoices):
    URBAN = "urban", _("城镇")
    RURAL = "rural", _("农村")


class Sex(models.TextChoices):
    """GB/T 2261.1 人的性别代码."""

    MALE = "1", _("男")
    FEMALE = "2", _("女")


class Ethnicity(models.TextChoices):
    """GB 3304-91 中国各民族名称的罗马字母拼写法和代码 (two-digit codes)."""

    HAN = "01", _("汉族")
    MONGOL = "02", _("蒙古族")
    HUI = "03", _("回族")
    TIBETAN = "04", _("藏族")
    UYGHUR = "05", _("维吾尔族")
    MIAO = "06", _("苗族")
    YI = "07", _("彝族")
    ZHUANG = "08", _("壮族")
    BUYEI = "09", _("布依族")
    KOREAN = "10", _("朝鲜族")
    MANCHU = "11", _("满族")
    DONG = "12", _("侗族")
    YAO = "13", _("瑶族")
    BAI = "14", _("白族")
    TUJIA = "15", _("土家族")
    HANI = "16", _("哈尼族")
    KAZAKH = "17", _("哈萨克族")
    DAI = "18", _("傣族")
    LI = "19", _("黎族")
    LISU = "20", _("傈僳族")
    VA = "21", _("佤族")
    SHE = "22", _("畲族")
    GAOSHAN = "23", _("高山族")
    LAHU = "24", _("拉祜族")
    SUI = "25", _("水族")
    DONGXIANG = "26", _("东乡族")
    NAXI = "27", _("纳西族")
    JINGPO = "28", _("景颇族")
    KYRGYZ = "29", _("柯尔克孜族")
    TU = "30", _("土族")
    DAUR = "31", _("达斡尔族")
    MULAO = "32", _("仫佬族")
    QIANG = "33", _("羌族")
    BLANG = "34", _("布朗族")
    SALAR = "35", _("撒拉族")
    MAONAN = "36", _("毛南族")
    GELAO = "37", _("仡佬族")
    XIBE = "38", _("锡伯族")
    ACHANG = "39", _("阿昌族")
    PUMI = "40", _("普米族")
    TAJIK = "41", _("塔吉克族")
    NU = "42", _("怒族")
    UZBEK = "43", _("乌孜别克族")
    RUSSIAN = "44", _("俄罗斯族")
    EWENKI = "45", _("鄂温克族")
    DEANG = "46", _("德昂族")
    BONAN = "47", _("保安族")
    YUGUR = "48", _("裕固族")
    GIN = "49", _("京族")
    TATAR = "50", _("塔塔尔族")
    DERUNG = "51", _("独龙族")
    OROQEN = "52", _("鄂伦春族")
    HEZHEN = "53", _("赫哲族")
    MONBA = "54", _("门巴族")
    LHOBA = "55", _("珞巴族")
    JINO = "56", _("基诺族")
    OTHER = "97", _("其他未识别民族")
    FOREIGN_ORIGIN = "98", _("外国血统中国籍人士")


class Relation(models.TextChoices):
    """GB/T 4761-2008 家庭关系代码 (the codes used in household ledgers)."""

    HEAD = "02", _("户主")
    SPOUSE = "10", _("配偶")
    SON = "20", _("子")
    DAUGHTER = "30", _("女")
    GRANDCHILD = "40", _("孙子女")
    PARENT = "50", _("父母")
    GRANDPARENT = "60", _("祖父母或外祖父母")
    SIBLING = "70", _("兄弟姐妹")
    CHILD_IN_LAW = "80", _("儿媳/女婿")
    OTHER = "99", _("其他")


class Education(models.TextChoices):
    """GB/T 4658-2006 学历代码 (top-level groups)."""

    NONE = "90", _("文盲或半文盲")
    PRIMARY = "80", _("小学")
    JUNIOR = "70", _("初中")
    SENIOR = "60", _("高中")
    VOCATIONAL = "40", _("中专/中技")
    COLLEGE = "30", _("大专")
    BACHELOR = "20", _("本科")
    POSTGRAD = "10", _("研究生")
    PRESCHOOL = "00", _("学龄前")


class Marital(models.TextChoices):
    """GB/T 2261.2 婚姻状况代码."""

    SINGLE = "10", _("未婚")
    MARRIED = "20", _("已婚")
    WIDOWED = "30", _("丧偶")
    DIVORCED = "40", _("离婚")


class Health(models.TextChoices):
    """GB/T 2261.3 健康状况代码 (grouped)."""

    HEALTHY = "1", _("健康")
    FAIR = "2", _("一般或较弱")
    CHRONIC = "3", _("有慢性病")
    SERIOUS = "4", _("患有大病")
    DISABLED = "6", _("残疾")


class WorkCapacity(models.TextChoices):
    FULL = "full", _("有劳动能力")
    PARTIAL = "partial", _("部分丧失劳动能力")
    NONE = "none", _("完全丧失劳动能力")
    NOT_WORKING_AGE = "na", _("非劳动年龄")


class DisabilityCategory(models.TextChoices):
    """GB/T 26341-2010 残疾人残疾分类和分级."""

    VISUAL = "1", _("视力残疾")
    HEARING = "2", _("听力残疾")
    SPEECH = "3", _("言语残疾")
    PHYSICAL = "4", _("肢体残疾")
    INTELLECTUAL = "5", _("智力残疾")
    MENTAL = "6", _("精神残疾")
    MULTIPLE = "7", _("多重残疾")


class DisabilityGrade(models.IntegerChoices):
    ONE = 1, _("一级")
    TWO = 2, _("二级")
    THREE = 3, _("三级")
    FOUR = 4, _("四级")


class Household(SealedModel):
    scope_path = "division"

    # Indexed by Meta.indexes (division, id), which also serves lookups by division alone.
    division = models.ForeignKey("regions.Division", verbose_name=_("所在村(社区)"), on_delete=models.PROTECT,
                                 related_name="households", db_index=False)
    head = models.ForeignKey("Person", verbose_name=_("户主"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    hukou_type = models.CharField(_("户籍性质"), max_length=8, choices=HukouType.choices)
    address = models.CharField(_("居住地址"), max_length=200, blank=True)
    # Sealed at rest (core/sealed.py); found by the blind index or the last four digits.
    phone = SealedField(_("联系电话"), max_length=32, blank=True)
    phone_index = DerivedField("phone", "index", db_index=True)
    phone_last4 = DerivedField("phone", "last4")
    note = models.TextField(_("备注"), blank=True)
    # 户籍地址 as on the 户口簿, when it differs from where the family lives (address).
    hukou_address = models.CharField(_("户籍地址"), max_length=200, blank=True, default="", db_default="")
    # Where the record came from: "manual", "import", "demo"; the demo loader uses it to stay idempotent.
    source = models.CharField(_("来源"), max_length=16, blank=True, default="", db_default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("家庭")
        indexes = [models.Index(fields=["division", "id"])]

    def __str__(self) -> str:
        return f"{self.head.name if self.head_id and self.head else '（无户主）'}户"


class Person(SealedModel):
    scope_path = "household__division"

    # Indexed by Meta.indexes (household, relation).
    household = models.ForeignKey(Household, verbose_name=_("所在家庭"), on_delete=models.PROTECT,
                                  related_name="members", db_index=False)
    name = models.CharField(_("姓名"), max_length=64, db_index=True)
    # Normalised 18-character 公民身份号码 (GB 11643-1999); unique system-wide.
    id_number = models.CharField(_("公民身份号码"), max_length=18, unique=True)
    birth_date = models.DateField(_("出生日期"))
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices)
    # Pinyin initials of the name ("czf" for 陈志富) for quick search.
    name_initials = models.CharField(max_length=32, blank=True, db_index=True)
    ethnicity = models.CharField(_("民族"), max_length=2, blank=True, choices=Ethnicity.choices,
                                 help_text="GB 3304 两位代码")
    relation = models.CharField(_("与户主关系"), max_length=2, choices=Relation.choices, default=Relation.OTHER)
    education = models.CharField(_("文化程度"), max_length=2, choices=Education.choices, blank=True)
    marital_status = models.CharField(_("婚姻状况"), max_length=2, choices=Marital.choices, blank=True)
    health = models.CharField(_("健康状况"), max_length=1, choices=Health.choices, blank=True)
    work_capacity = models.CharField(_("劳动能力"), max_length=8, choices=WorkCapacity.choices, blank=True)
    disability_category = models.CharField(_("残疾类别"), max_length=1, choices=DisabilityCategory.choices,
                                           blank=True)
    disability_grade = models.PositiveSmallIntegerField(_("残疾等级"), choices=DisabilityGrade.choices, null=True,
                                                        blank=True)
    # Sealed at rest (core/sealed.py): found by the blind index or the last four digits; the payroll engine copies
    # the account with its index, last four and shape onto a payroll line without reading it.
    phone = SealedField(_("联系电话"), max_length=32, blank=True)
    phone_index = DerivedField("phone", "index", db_index=True)
    phone_last4 = DerivedField("phone", "last4", db_index=True)
    bank_name = models.CharField(_("开户银行"), max_length=64, blank=True)
    bank_account = SealedField(_("银行账号"), max_length=32, blank=True)
    bank_account_index = DerivedField("bank_account", "index")   # searched together with the indexed last four
    bank_account_last4 = DerivedField("bank_account", "last4", db_index=True)
    bank_account_shape = DerivedField("bank_account", "shape")
    is_deceased = models.BooleanField(_("已死亡"), default=False)
    death_date = models.DateField(_("死亡日期"), null=True, blank=True)
    # 残疾证号 (第二代: the ID number plus category and grade digits).
    disability_cert_no = models.CharField(_("残疾证号"), max_length=24, blank=True, default="", db_default="")
    # The 15-digit number the person was first recorded with, kept when it was upgraded to 18 digits.
    id_number_old = models.CharField(_("原 15 位号码"), max_length=15, blank=True, default="", db_default="")
    note = models.CharField(_("备注"), max_length=200, blank=True, default="", db_default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("人员")
        indexes = [
            models.Index(fields=["household", "relation"]),
            models.Index(fields=["birth_date"], name="person_birth"),
            # Officers often search by the last four digits of an ID number; an expression index keeps that fast.
            models.Index(Last4("id_number"), name="person_id_tail4"),
            # Given name (志富 finds 陈志富) for the common single-character surnames.
            models.Index(GivenName("name"), name="person_given_name"),
            # 已故仍在保 on every assistant's home: the few deceased, without reading every person
            models.Index(fields=["death_date"], condition=models.Q(is_deceased=True), name="person_deceased"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(disability_grade__isnull=True) | models.Q(
                disability_grade__gte=1, disability_grade__lte=4), name="disability_grade_1_4"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Pinyin initials follow the name on every save, so search by "czf" always finds 陈志富.
        from .pinyin import initials

        self.name_initials = initials(self.name)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_initials"}
        super().save(*args, **kwargs)

    def age_on(self, day: dt.date) -> int:
        return dates.age_on(self.birth_date, day)

    @property
    def age(self) -> int:
        return self.age_on(dates.today())


class Membership(models.Model):
    """Which household a person belonged to, and when: moving keeps the history."""

    scope_path = "household__division"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="membership_history")
    relation = models.CharField(_("与户主关系"), max_length=2, choices=Relation.choices)
    start_date = models.DateField(_("起始日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True)
    reason = models.CharField(_("变动原因"), max_length=100, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("家庭成员变动")
        ordering = ["person", "start_date"]

    def __str__(self) -> str:
        return f"{self.person_id}@{self.household_id} {self.start_date}–{self.end_date or ''}"


INCOME_CODE_CHOICES = income_codes.CHOICES


class IncomeCategory(models.TextChoices):
    """The five income categories of 低保/特困 household economic surveys."""

    WAGE = "wage", _("工资性收入")
    BUSINESS = "business", _("经营净收入")
    PROPERTY = "property", _("财产净收入")
    TRANSFER = "transfer", _("转移净收入")
    OTHER = "other", _("其他收入")


class IncomeQuerySet(ScopedQuerySet):
    def current_on(self, day: dt.date) -> IncomeQuerySet:
        """Incomes in force on `day`: the period started on or before it and has not ended before it (an open
        end means still current). The one definition of a "current" income, for the rules, forms and checks."""
        return self.filter(period_start__lte=day).filter(models.Q(period_end__isnull=True)
                                                         | models.Q(period_end__gte=day))


class Income(models.Model):
    scope_path = "household__division"

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="incomes")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="incomes")
    category = models.CharField(_("收入类别"), max_length=16, choices=IncomeCategory.choices)
    # A finer label that rules use for exclusions (e.g. 优待抚恤金, 奖学金, 残疾人两项补贴, 基础养老金).
    item = models.CharField(_("收入项目"), max_length=64, blank=True)
    # 收入项目代码 (income_codes.INCOME_ITEMS): whether it counts is a parameter per programme. Blank on legacy rows,
    # whose free-text item is mapped (or flagged) by the rules.
    code = models.CharField(_("收入项目代码"), max_length=32, blank=True, default="", db_default="",
                            choices=INCOME_CODE_CHOICES)
    monthly_amount = models.DecimalField(_("月均金额(元)"), max_digits=12, decimal_places=2)
    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("截止日期"), null=True, blank=True)
    source = models.CharField(_("来源"), max_length=64, blank=True, help_text="申报/入户调查/信息核对")

    objects = models.Manager.from_queryset(IncomeQuerySet)()

    class Meta:
        verbose_name = _("收入")
        constraints = [models.CheckConstraint(condition=models.Q(monthly_amount__gte=0), name="income_nonneg")]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.monthly_amount}"


class AssetKind(models.TextChoices):
    VEHICLE = "vehicle", _("机动车辆")
    PROPERTY = "property", _("房产")
    DEPOSIT = "deposit", _("存款")
    SECURITIES = "securities", _("有价证券")
    BUSINESS = "business", _("经营实体")
    OTHER = "other", _("其他")


class AssetQuerySet(ScopedQuerySet):
    def held_on(self, day: dt.date) -> AssetQuerySet:
        """Assets the household holds on `day`: acquired by then (or on an unknown date) and not yet disposed of."""
        return (self.filter(models.Q(acquired_on__isnull=True) | models.Q(acquired_on__lte=day))
                .filter(models.Q(disposed_on__isnull=True) | models.Q(disposed_on__gt=day)))


class Asset(models.Model):
    scope_path = "household__division"

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="assets")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="assets")
    kind = models.CharField(_("财产类型"), max_length=16, choices=AssetKind.choices)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    value = models.DecimalField(_("价值(元)"), max_digits=14, decimal_places=2, default=0)
    # Kind-specific facts the asset rules read, e.g. {"vehicle_type": "残疾人机动轮椅车"} or {"area_m2": 80}.
    attributes = models.JSONField(default=dict, blank=True)
    acquired_on = models.DateField(_("取得日期"), null=True, blank=True)
    disposed_on = models.DateField(_("处置日期"), null=True, blank=True)

    objects = models.Manager.from_queryset(AssetQuerySet)()

    class Meta:
        verbose_name = _("财产")
        constraints = [models.CheckConstraint(condition=models.Q(value__gte=0), name="asset_value_nonneg")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value}"


class ProgrammeKind(models.TextChoices):
    ASSISTANCE = "assistance", _("社会救助")
    ALLOWANCE = "allowance", _("津贴补贴")
    VETERANS = "veterans", _("优抚")
    OTHER = "other", _("其他")


class ProgrammeFamily(models.TextChoices):
    """The policy a programme belongs to. 城市低保 and 农村低保 are both 低保, 分散 and 集中 both 特困: rules and the
    case workflow branch on the family, never on the spelling of a programme code."""

    DIBAO = "dibao", _("最低生活保障")
    TEKUN = "tekun", _("特困人员救助供养")
    LINSHI = "linshi", _("临时救助")
    ALLOWANCE = "allowance", _("津贴补贴")
    VETERANS = "veterans", _("优抚")
    OTHER = "other", _("其他")


class Programme(models.Model):
    """A benefit programme (城市低保, 农村低保, 特困供养, 高龄津贴 …). Amounts live in policy parameters."""

    code = models.CharField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=64, unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=ProgrammeKind.choices)
    family = models.CharField(_("政策类别"), max_length=16, choices=ProgrammeFamily.choices,
                              default=ProgrammeFamily.OTHER)
    # Household programmes pay the family (低保); person programmes pay one person (特困, 高龄津贴).
    per_person = models.BooleanField(_("按人发放"), default=False)
    # Names seen in ledgers and sheet titles (e.g. "农村低保", "农村最低生活保障").
    aliases = models.JSONField(default=list, blank=True)
    active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        verbose_name = _("救助项目")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class EnrollmentStatus(models.TextChoices):
    ACTIVE = "active", _("在保")
    # 存量核查: an existing record brought in by a ledger import, not yet recomputed by the rules and confirmed by
    # the township. Not paid (unless the district carries it over, see Enrollment.carry_until).
    VERIFYING = "verifying", _("存量核查中")
    SUSPENDED = "suspended", _("暂停")
    ENDED = "ended", _("已停保")


# Statuses that hold a programme for the person (or household) when another decision asks "does this one already
# receive something it cannot hold together with?": a record under 存量核查 is still held.
HOLDING_STATUSES = (EnrollmentStatus.ACTIVE, EnrollmentStatus.VERIFYING)


class Enrollment(models.Model):
    """A household (or one person) receiving a programme from `start_month` until `end_month` (exclusive)."""

    scope_path = "household__division"

    # Both indexed by Meta.indexes ((programme, status), (household, status)).
    programme = models.ForeignKey(Programme, verbose_name=_("项目"), on_delete=models.PROTECT,
                                  related_name="enrollments", db_index=False)
    household = models.ForeignKey(Household, verbose_name=_("家庭"), on_delete=models.PROTECT,
                                  related_name="enrollments", db_index=False)
    person = models.ForeignKey(Person, verbose_name=_("享受人员"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="enrollments")
    status = models.CharField(_("状态"), max_length=16, choices=EnrollmentStatus.choices,
                              default=EnrollmentStatus.ACTIVE)
    covered_persons = models.PositiveSmallIntegerField(_("保障人数"), default=1)
    monthly_amount = models.DecimalField(_("月保障金额(元)"), max_digits=10, decimal_places=2)
    # First day of the first paid month; end_month is the first day of the first month no longer paid.
    start_month = models.DateField(_("起始月份"))
    end_month = models.DateField(_("停止月份"), null=True, blank=True)
    end_reason = models.CharField(_("停止原因"), max_length=200, blank=True)
    # 存量核查 carried over by a district decision: while VERIFYING, paid for months before this one (exclusive).
    carry_until = models.DateField(_("过渡期发放至(不含)"), null=True, blank=True)
    # What created it: "import", "application", "review" …, and its reference (file name, case number).
    source = models.CharField(_("来源"), max_length=32, blank=True)
    source_ref = models.CharField(_("来源编号"), max_length=64, blank=True)
    # The rule and parameter versions the amount was decided under (policy.ParamValue.ref() dicts).
    decided_under = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("享受待遇")
        indexes = [models.Index(fields=["programme", "status"]), models.Index(fields=["household", "status"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(monthly_amount__gte=0), name="enrollment_amount_nonneg"),
            models.CheckConstraint(condition=models.Q(covered_persons__gte=1), name="enrollment_covers_someone"),
            # Paying twice must be impossible: one live enrollment per person (or household) and programme.
            models.UniqueConstraint(fields=["programme", "person"], condition=models.Q(status="active"),
                                    name="one_active_enrollment_per_person"),
            models.UniqueConstraint(fields=["programme", "household"],
                                    condition=models.Q(status="active", person__isnull=True),
                                    name="one_active_household_enrollment"),
        ]

    def __str__(self) -> str:
        return f"{self.programme} · {self.household}"


class EnrollmentAmount(models.Model):
    """The amount in force from a month on. Payroll pays the version in force for each month, so a retroactive
    standard raise or a late approval shows up as arrears (补发) and an overpayment as a recovery."""

    scope_path = "enrollment__household__division"

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="amounts")
    from_month = models.DateField(_("起始月份"))
    monthly_amount = models.DecimalField(_("月保障金额(元)"), max_digits=10, decimal_places=2)
    covered_persons = models.PositiveSmallIntegerField(_("保障人数"), default=1)
    reason = models.CharField(_("调整原因"), max_length=200, blank=True)
    decided_under = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("待遇金额变更")
        ordering = ["enrollment", "from_month", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(monthly_amount__gte=0), name="enrollment_amount_version_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.enrollment_id} {self.from_month:%Y-%m} {self.monthly_amount}"
