"""Social-assistance cases (低保, 特困, 临时救助): the application file and every record made on the way.

The workflow itself (what may follow what, deadlines, who may act) is in workflow.py; these models only keep
the facts. Every row belongs to a village (`scope_path`), so jurisdiction comes from core.scoping.
Source of the procedure: 《最低生活保障审核确认办法》(民发〔2021〕57号), with the 2012 试行 variant
(民发〔2012〕220号: mandatory 民主评议) selectable per case; 社会救助暂行办法 第十一、十六、十八、四十八条.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minzheng.core.scoping import ScopedManager


class Channel(models.TextChoices):
    SELF = "self", _("本人申请")
    ENTRUSTED = "entrusted", _("委托申请")
    DISCOVERED = "discovered", _("主动发现")


class RuleSet(models.TextChoices):
    """Which procedure the case runs under: 2012 made 民主评议 mandatory; 2021 only after an objection."""

    R2021 = "2021", _("2021年《审核确认办法》")
    R2012 = "2012", _("2012年《审核审批办法(试行)》")


class CaseKind(models.TextChoices):
    NEW = "new", _("新申请")
    TERMINATION = "termination", _("终止供养")


class LinshiType(models.TextChoices):
    URGENT = "urgent", _("急难型")
    EXPENSE = "expense", _("支出型")


class Status(models.TextChoices):
    ACCEPTED = "accepted", _("已受理")
    INVESTIGATING = "investigating", _("家庭经济状况调查")
    CHECKING = "checking", _("信息核对")
    DEMOCRATIC_REVIEW = "democratic_review", _("民主评议")
    TOWNSHIP_REVIEW = "township_review", _("乡镇初审")
    PUBLICITY = "publicity", _("初审公示")
    COUNTY_REVIEW = "county_review", _("县级审核确认")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("不予批准")
    WITHDRAWN = "withdrawn", _("已撤回")


OPEN_STATUSES = [s for s in Status if s not in (Status.APPROVED, Status.REFUSED, Status.WITHDRAWN)]


class Application(models.Model):
    """One case (案件): an application, a 主动发现, or a proposal to terminate 特困 support."""

    scope_path = "division"

    number = models.CharField(_("案件编号"), max_length=32, unique=True, blank=True)
    programme = models.ForeignKey("registry.Programme", verbose_name=_("救助项目"), on_delete=models.PROTECT,
                                  related_name="applications")
    kind = models.CharField(_("案件类型"), max_length=16, choices=CaseKind.choices, default=CaseKind.NEW)
    household = models.ForeignKey("registry.Household", verbose_name=_("申请家庭"), on_delete=models.PROTECT,
                                  related_name="applications")
    applicant = models.ForeignKey("registry.Person", verbose_name=_("申请人"), on_delete=models.PROTECT,
                                  related_name="applications")
    # The one person supported (特困, 单人保); empty for household programmes.
    person = models.ForeignKey("registry.Person", verbose_name=_("救助对象"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    # Village/community of the household at intake; the case stays where it was filed if the family moves.
    division = models.ForeignKey("regions.Division", verbose_name=_("所在村(社区)"), on_delete=models.PROTECT,
                                 related_name="assistance_applications")
    township = models.ForeignKey("regions.Division", verbose_name=_("乡镇(街道)"), on_delete=models.PROTECT,
                                 related_name="+")
    channel = models.CharField(_("申请方式"), max_length=16, choices=Channel.choices, default=Channel.SELF)
    entrusted_to = models.CharField(_("受委托人"), max_length=64, blank=True)
    rule_set = models.CharField(_("适用办法"), max_length=8, choices=RuleSet.choices, default=RuleSet.R2021)
    linshi_type = models.CharField(_("临时救助类型"), max_length=16, choices=LinshiType.choices, blank=True)
    single_person = models.BooleanField(_("单人保"), default=False)
    reason = models.TextField(_("申请理由"), blank=True)
    # What the applicant declared: "是某村委会成员张三的女儿" — matched against the 近亲属 register.
    declared_kinship = models.CharField(_("申报的近亲属关系"), max_length=200, blank=True)
    # 特困: the six self-care items not achieved (codes from rules), and the chosen form of support.
    selfcare_failed = models.JSONField(_("未达到的自理项目"), default=list, blank=True)
    # 特困: whether the legal supporters were investigated ("" not yet, "none" none found, "listed" see supporters),
    # and whether the applicant also meets the 孤儿 criteria (then 孤儿基本生活保障 comes first).
    supporters_status = models.CharField(_("法定义务人情况"), max_length=8, blank=True, default="",
                                         choices=[("", _("未登记")), ("none", _("经调查无法定义务人")),
                                                  ("listed", _("已登记义务人"))])
    orphan_criteria = models.BooleanField(_("符合孤儿认定条件"), default=False)
    expense_amount = models.DecimalField(_("支出金额(元)"), max_digits=12, decimal_places=2, null=True, blank=True)
    months = models.PositiveSmallIntegerField(_("救助月数"), null=True, blank=True)

    status = models.CharField(_("状态"), max_length=24, choices=Status.choices, default=Status.ACCEPTED,
                              db_index=True)
    received_on = models.DateField(_("受理日期"))
    # Deadline of the current step and of the whole case (working days, Chinese calendar).
    step_due = models.DateField(_("本环节期限"), null=True, blank=True)
    overall_due = models.DateField(_("办结期限"), null=True, blank=True)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("经办人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="assistance_cases")

    # Flags the county queue shows.
    kinship_flag = models.BooleanField(_("近亲属备案"), default=False)
    objection_flag = models.BooleanField(_("有异议"), default=False)
    spot_check = models.BooleanField(_("抽查样本"), default=False)
    county_visit_required = models.BooleanField(_("须县级入户"), default=False)
    # Who gives the 审核确认: the county, or the township where the power is delegated (民发〔2021〕57号) or the
    # amount is small (临时救助). Set when the case reaches 审核确认, with the parameter refs it was set under.
    confirm_level = models.CharField(_("审核确认层级"), max_length=16, default="county",
                                     choices=[("county", _("县级审核确认")), ("township", _("乡镇审核确认（授权）"))])
    confirm_basis = models.JSONField(_("审核确认依据"), default=dict, blank=True)

    # The latest rules Decision (inputs, amount, explanation, parameter refs) as proposed at 初审.
    decision = models.JSONField(_("规则测算"), default=dict, blank=True)
    proposed_amount = models.DecimalField(_("拟保障金额(元/月)"), max_digits=10, decimal_places=2, null=True,
                                          blank=True)
    covered_persons = models.PositiveSmallIntegerField(_("拟保障人数"), null=True, blank=True)

    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    effective_month = models.DateField(_("起始(终止)月份"), null=True, blank=True)
    enrollment = models.ForeignKey("registry.Enrollment", verbose_name=_("享受待遇"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="applications")

    # Optimistic lock: every transition checks and bumps it, so two people cannot both act on one state.
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("救助申请")
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["division", "status"]), models.Index(fields=["township", "status"]),
                   models.Index(fields=["status", "step_due"])]

    def __str__(self) -> str:
        return f"{self.number} {self.programme}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class Opinion(models.Model):
    """One step taken on a case (审批留痕): who, when, from which state to which, what they wrote, and the
    rules Decision it relied on with its parameter versions."""

    scope_path = "application__division"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="opinions")
    action = models.CharField(_("操作"), max_length=32)
    from_status = models.CharField(_("原状态"), max_length=24, choices=Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=24, choices=Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_name = models.CharField(_("经办人"), max_length=150, blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    text = models.TextField(_("意见"), blank=True)
    decision = models.JSONField(_("规则测算"), default=dict, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("办理意见")
        ordering = ["application", "at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.action}"


class Investigation(models.Model):
    """入户调查: at least two named investigators; both and the applicant sign the 调查表."""

    scope_path = "application__division"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="investigations")
    visited_on = models.DateField(_("调查日期"))
    investigator_1 = models.CharField(_("调查人一"), max_length=64)
    investigator_2 = models.CharField(_("调查人二"), max_length=64)
    investigator_1_signed = models.BooleanField(_("调查人一已签字"), default=False)
    investigator_2_signed = models.BooleanField(_("调查人二已签字"), default=False)
    applicant_signed = models.BooleanField(_("申请人已签字"), default=False)
    # [{"name": "王五", "relation": "邻居", "statement": "..."}]
    neighbour_visits = models.JSONField(_("邻里访问"), default=list, blank=True)
    living_conditions = models.TextField(_("居住和生活状况"), blank=True)
    findings = models.TextField(_("调查结论"), blank=True)
    # What the household's incomes and assets were when surveyed (rules input), frozen for the file.
    income_snapshot = models.JSONField(_("收入情况"), default=list, blank=True)
    asset_snapshot = models.JSONField(_("财产情况"), default=list, blank=True)
    # County 入户 for 近亲属/complaint cases uses the same form.
    by_county = models.BooleanField(_("县级入户"), default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("入户调查")
        ordering = ["application", "visited_on", "id"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.visited_on}"


class CheckSource(models.TextChoices):
    HUKOU = "hukou", _("公安户籍")
    TAX = "tax", _("税务")
    SOCIAL_INSURANCE = "social_insurance", _("社保")
    REAL_ESTATE = "real_estate", _("不动产")
    BUSINESS = "business", _("市场监管(工商)")
    HOUSING_FUND = "housing_fund", _("住房公积金")
    VEHICLE = "vehicle", _("车辆")
    BANK = "bank", _("银行存款")
    OTHER = "other", _("其他")


class CheckResult(models.Model):
    """信息核对: one department's answer about the household (the crosscheck app feeds these)."""

    scope_path = "application__division"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="checks")
    source = models.CharField(_("核对部门"), max_length=24, choices=CheckSource.choices)
    matched = models.BooleanField(_("发现疑点"), default=False)
    summary = models.CharField(_("核对结果"), max_length=200, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    external_ref = models.CharField(_("核对编号"), max_length=64, blank=True)
    checked_at = models.DateTimeField(_("核对时间"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("信息核对结果")
        ordering = ["application", "source"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.source}"


class DemocraticReview(models.Model):
    """民主评议: mandatory under the 2012 rules, after an objection under 2021. Passes with more than half
    of the votes cast when the quorum was present (quorum and majority are parameters)."""

    scope_path = "application__division"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="reviews")
    held_on = models.DateField(_("评议日期"))
    place = models.CharField(_("地点"), max_length=100, blank=True)
    attendees = models.JSONField(_("参加人员"), default=list)
    panel_size = models.PositiveSmallIntegerField(_("评议小组人数"))
    votes_for = models.PositiveSmallIntegerField(_("同意"), default=0)
    votes_against = models.PositiveSmallIntegerField(_("反对"), default=0)
    votes_abstain = models.PositiveSmallIntegerField(_("弃权"), default=0)
    quorum_met = models.BooleanField(_("达到法定人数"), default=False)
    passed = models.BooleanField(_("评议通过"), default=False)
    record = models.TextField(_("评议记录"), blank=True)
    all_signed = models.BooleanField(_("全体签字"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("民主评议")
        constraints = [models.CheckConstraint(condition=models.Q(panel_size__gte=1), name="review_panel_nonempty")]

    def __str__(self) -> str:
        return f"{self.application_id} {self.held_on}"


class PublicityKind(models.TextChoices):
    PRELIMINARY = "preliminary", _("初审公示")
    TERMINATION = "termination", _("终止公示")


class PublicityStatus(models.TextChoices):
    ACTIVE = "active", _("公示中")
    ENDED = "ended", _("公示期满")
    TAKEN_DOWN = "taken_down", _("已撤下")


class Publicity(models.Model):
    """A 公示 posted in the village. `entry` holds ONLY the permitted fields (name possibly masked, village,
    covered persons, category, monthly amount, period), frozen when posted: the public page renders nothing else."""

    scope_path = "division"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="publicities")
    division = models.ForeignKey("regions.Division", verbose_name=_("公示村(社区)"), on_delete=models.PROTECT,
                                 related_name="+")
    township = models.ForeignKey("regions.Division", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("公示类型"), max_length=16, choices=PublicityKind.choices,
                            default=PublicityKind.PRELIMINARY)
    start_date = models.DateField(_("公示开始"))
    end_date = models.DateField(_("公示截止"))
    status = models.CharField(_("状态"), max_length=16, choices=PublicityStatus.choices,
                              default=PublicityStatus.ACTIVE, db_index=True)
    # False for minors in 特困 (no 公示 for 未成年人): the record exists but is never listed publicly.
    listed = models.BooleanField(_("公开列示"), default=True)
    entry = models.JSONField(_("公示内容"), default=dict)
    taken_down_at = models.DateTimeField(_("撤下时间"), null=True, blank=True)
    taken_down_by = models.CharField(_("撤下人"), max_length=150, blank=True)
    params = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("公示")
        ordering = ["-start_date", "-id"]
        indexes = [models.Index(fields=["division", "status"]), models.Index(fields=["township", "status"])]

    def __str__(self) -> str:
        return f"{self.application_id} {self.start_date}–{self.end_date}"


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    HANDLED = "handled", _("已处理")


class Objection(models.Model):
    """An objection (异议) raised against a 公示, publicly and possibly anonymously; routed to the township."""

    scope_path = "application__division"

    publicity = models.ForeignKey(Publicity, on_delete=models.CASCADE, related_name="objections")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="objections")
    content = models.TextField(_("异议内容"))
    reporter_name = models.CharField(_("反映人"), max_length=64, blank=True)
    reporter_contact = models.CharField(_("联系方式"), max_length=64, blank=True)
    # A salted hash of the IP only: enough to see repeated submissions, not to identify the person.
    source_hash = models.CharField(max_length=64, blank=True)
    submitted_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    due_date = models.DateField(_("处理期限"))
    status = models.CharField(_("状态"), max_length=16, choices=ObjectionStatus.choices,
                              default=ObjectionStatus.OPEN, db_index=True)
    upheld = models.BooleanField(_("异议成立"), null=True, blank=True)
    outcome = models.TextField(_("处理结果"), blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    handled_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("公示异议")
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.submitted_at:%Y-%m-%d}"


class SpotCheckReason(models.TextChoices):
    RANDOM = "random", _("随机抽查")
    KINSHIP = "kinship", _("近亲属备案")
    COMPLAINT = "complaint", _("投诉举报")


class SpotCheck(models.Model):
    """County 入户抽查: a random ≥30% sample where confirmation is delegated, and every 近亲属/complaint case."""

    scope_path = "application__division"

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="spot_check_record")
    reason = models.CharField(_("抽查原因"), max_length=16, choices=SpotCheckReason.choices)
    sampled_on = models.DateField(_("抽取日期"))
    ratio = models.JSONField(default=dict, blank=True)  # parameter ref of the sampling ratio
    visited_on = models.DateField(_("入户日期"), null=True, blank=True)
    visitors = models.CharField(_("入户人员"), max_length=200, blank=True)
    findings = models.TextField(_("核查情况"), blank=True)
    confirmed = models.BooleanField(_("情况属实"), null=True, blank=True)
    # Drawn after a township's delegated confirmation (the county supervises afterwards), not before the decision.
    after_decision = models.BooleanField(_("事后抽查"), default=False)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("县级抽查")

    def __str__(self) -> str:
        return f"{self.application_id} {self.reason}"

    @property
    def done(self) -> bool:
        return self.visited_on is not None


class StaffRole(models.TextChoices):
    CIVIL_AFFAIRS = "civil_affairs", _("民政经办人员")
    VILLAGE_COMMITTEE = "village_committee", _("村(居)委会成员")


class KinshipRegistration(models.Model):
    """近亲属备案 register: a staff member (or 村(居)委会 member) and one close relative. Applications whose
    household contains the relative (by ID number) are flagged automatically."""

    scope_path = "division"

    division = models.ForeignKey("regions.Division", verbose_name=_("工作单位所在区划"), on_delete=models.PROTECT,
                                 related_name="+")
    staff_name = models.CharField(_("工作人员姓名"), max_length=64)
    staff_id_number = models.CharField(_("工作人员身份证号"), max_length=18, db_index=True)
    staff_role = models.CharField(_("身份"), max_length=24, choices=StaffRole.choices)
    post = models.CharField(_("职务"), max_length=64, blank=True)
    relative_name = models.CharField(_("近亲属姓名"), max_length=64, blank=True)
    relative_id_number = models.CharField(_("近亲属身份证号"), max_length=18, blank=True, db_index=True)
    # One of the relation codes in the parameter assistance.kinship_relations (配偶, 父母, 子女 …).
    relation = models.CharField(_("关系"), max_length=32, blank=True)
    active = models.BooleanField(_("有效"), default=True)
    registered_on = models.DateField(_("登记日期"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("近亲属备案登记")
        ordering = ["staff_name", "relative_name"]

    def __str__(self) -> str:
        return f"{self.staff_name}—{self.relative_name}({self.relation})"


class KinshipMatch(models.Model):
    """Why a case is flagged 近亲属: which register entry, matched by ID number or by the applicant's declaration."""

    scope_path = "application__division"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="kinship_matches")
    registration = models.ForeignKey(KinshipRegistration, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="matches")
    person = models.ForeignKey("registry.Person", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    matched_by = models.CharField(_("发现方式"), max_length=16,
                                  choices=[("id_number", "身份证号比对"), ("declared", "申请人申报")])
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("近亲属比对结果")

    def __str__(self) -> str:
        return f"{self.application_id} {self.matched_by}"


class RefusalNotice(models.Model):
    """不予批准告知书: written, with reasons, issued within 3 working days of the decision."""

    scope_path = "application__division"

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="refusal")
    decided_on = models.DateField(_("决定日期"))
    due_on = models.DateField(_("送达期限"))
    reasons = models.TextField(_("不予批准理由"))
    issued_on = models.DateField(_("送达日期"), null=True, blank=True)
    issued_by = models.CharField(_("送达人"), max_length=150, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("不予批准告知书")

    def __str__(self) -> str:
        return f"{self.application_id} {self.decided_on}"


class HouseholdClass(models.TextChoices):
    """Review classes of 动态管理 (2012: three; 2021: stable / irregular)."""

    STABLE = "stable", _("收入稳定(三无、重病重残)")
    SHORT_TERM = "short_term", _("短期内变化不大")
    IRREGULAR = "irregular", _("收入不固定、有劳动能力")


class ReviewSchedule(models.Model):
    """When an enrollment is next reviewed (复核), by household class and rule version."""

    scope_path = "enrollment__household__division"

    enrollment = models.OneToOneField("registry.Enrollment", on_delete=models.CASCADE,
                                      related_name="review_schedule")
    household_class = models.CharField(_("家庭类别"), max_length=16, choices=HouseholdClass.choices)
    rule_set = models.CharField(_("适用办法"), max_length=8, choices=RuleSet.choices, default=RuleSet.R2021)
    interval_months = models.PositiveSmallIntegerField(_("复核周期(月)"))
    next_due = models.DateField(_("下次复核"), db_index=True)
    last_review_on = models.DateField(_("上次复核"), null=True, blank=True)
    # While in 渐退: benefits continue until this month (first day), then stop.
    phase_out_until = models.DateField(_("渐退截止月份"), null=True, blank=True)
    params = models.JSONField(default=dict, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("复核计划")

    def __str__(self) -> str:
        return f"{self.enrollment_id} {self.next_due}"


class AdjustmentKind(models.TextChoices):
    UNCHANGED = "unchanged", _("维持")
    INCREASE = "increase", _("增发")
    DECREASE = "decrease", _("减发")
    PHASE_OUT = "phase_out", _("渐退")
    STOP = "stop", _("停发")


class Adjustment(models.Model):
    """A written 动态管理 decision after a review or a change of circumstances (社会救助暂行办法 第十三条)."""

    scope_path = "enrollment__household__division"

    enrollment = models.ForeignKey("registry.Enrollment", on_delete=models.CASCADE, related_name="adjustments")
    kind = models.CharField(_("决定"), max_length=16, choices=AdjustmentKind.choices)
    reviewed_on = models.DateField(_("复核日期"))
    old_amount = models.DecimalField(_("原金额"), max_digits=10, decimal_places=2)
    new_amount = models.DecimalField(_("新金额"), max_digits=10, decimal_places=2)
    effective_month = models.DateField(_("执行月份"))
    reasons = models.TextField(_("理由"))
    decision = models.JSONField(_("规则测算"), default=dict, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("动态管理决定")
        ordering = ["-reviewed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.enrollment_id} {self.kind} {self.reviewed_on}"


# 存量核查 records live in their own module (kept small); imported here so Django registers them with this app.
from .assessment_models import EdgeRecord, LegalSupporter, SupporterRelation  # noqa: E402, F401
from .verification_models import CarryOver, CheckOutcome, CheckStatus, LedgerCheck  # noqa: E402, F401
