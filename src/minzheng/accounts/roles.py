"""Roles and what each may do. 三员分立: the three administrator roles never touch business data,
and one account holds exactly one role, so no person combines them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DISTRICT_ADMIN = "district_admin", _("区管理员")
    DISTRICT_APPROVER = "district_approver", _("区审批员")
    BUREAU_HEAD = "bureau_head", _("局领导")
    TOWNSHIP_OFFICER = "township_officer", _("乡镇民政助理员")
    VILLAGE_COORDINATOR = "village_coordinator", _("村(居)协管员")
    # 民发〔2019〕34号: one 儿童主任 per 村(居), one 儿童督导员 per 乡镇(街道), bound to that division.
    CHILD_DIRECTOR = "child_director", _("儿童主任")
    CHILD_SUPERVISOR = "child_supervisor", _("儿童督导员")
    SOCIAL_ORG = "social_org", _("社会组织")
    EVALUATOR = "evaluator", _("第三方评估机构")
    AUDITOR = "auditor", _("审计员")
    SYS_ADMIN = "sys_admin", _("系统管理员")
    SEC_ADMIN = "sec_admin", _("安全管理员")
    AUDIT_ADMIN = "audit_admin", _("审计管理员")


class Cap(models.TextChoices):
    """Capabilities checked by views, API and CLI. Roles map to capabilities below."""

    VIEW_BUSINESS = "business.view", _("查看业务数据")
    EDIT_BUSINESS = "business.edit", _("录入和修改业务数据")
    VIEW_SENSITIVE = "business.sensitive", _("查看完整身份证号、电话、银行账号")
    APPROVE = "business.approve", _("审核审批")
    # 人情保 risk flags → a county spot check: the bureau head orders it without holding approval rights.
    ORDER_SPOT_CHECKS = "checks.order", _("疑点转入户抽查")
    # The officer's steps a 村(居)协管员 does not take: 初审, 公示, 信息核对, 民情办结.
    PROCESS_CASES = "business.process", _("经办：初审、公示和办结")
    MANAGE_POLICY = "policy.manage", _("维护政策参数")
    EXPORT = "business.export", _("导出和打印")
    IMPORT = "business.import", _("导入台账")
    REPORT_NEEDS = "needs.report", _("上报民情")
    # What a role's menu and home offer: the records a field role works on, and the office's desk work.
    VIEW_RECORDS = "records.view", _("查阅辖区档案、案件和民情")
    OFFICE_WORK = "office.work", _("办公业务：资金物资、公示复核、政策与基础数据")
    DELIVER_SERVICES = "services.deliver", _("记录购买服务")
    ASSESS_SERVICES = "services.assess", _("购买服务绩效评估")
    VIEW_DASHBOARD = "dashboard.view", _("查看统计看板")
    MANAGE_USERS = "users.manage", _("管理用户账号")
    MANAGE_SETTINGS = "settings.manage", _("管理系统设置")
    MANAGE_ROLES = "roles.manage", _("分配角色")
    MANAGE_SECURITY = "security.manage", _("管理安全策略")
    VIEW_AUDIT = "audit.view", _("查看审计日志")
    # Children's files are the most restricted data (未成年人保护法, PIPL Art 28): only roles with need-to-know.
    VIEW_CHILDREN = "children.view", _("查看儿童关爱档案")
    CARE_VISIT = "care.visit", _("关爱走访：记录探访")


# Office roles read records, the dashboards and the desk work; field roles (协管员) read records only; a social
# organisation sees neither (its own service work comes through DELIVER_SERVICES).
_BUSINESS_READ = {Cap.VIEW_BUSINESS, Cap.VIEW_DASHBOARD, Cap.VIEW_RECORDS, Cap.OFFICE_WORK}

ROLE_CAPS: dict[str, frozenset[str]] = {
    Role.DISTRICT_ADMIN: frozenset(_BUSINESS_READ | {
        Cap.EDIT_BUSINESS, Cap.PROCESS_CASES, Cap.VIEW_SENSITIVE, Cap.APPROVE, Cap.MANAGE_POLICY, Cap.EXPORT, Cap.IMPORT,
        Cap.ASSESS_SERVICES, Cap.VIEW_CHILDREN, Cap.CARE_VISIT, Cap.ORDER_SPOT_CHECKS,
    }),
    Role.DISTRICT_APPROVER: frozenset(_BUSINESS_READ | {
        Cap.EDIT_BUSINESS, Cap.PROCESS_CASES, Cap.VIEW_SENSITIVE, Cap.APPROVE, Cap.EXPORT, Cap.ASSESS_SERVICES,
        Cap.VIEW_CHILDREN, Cap.CARE_VISIT, Cap.ORDER_SPOT_CHECKS,
    }),
    Role.BUREAU_HEAD: frozenset(_BUSINESS_READ | {Cap.EXPORT, Cap.ORDER_SPOT_CHECKS}),
    Role.TOWNSHIP_OFFICER: frozenset(_BUSINESS_READ | {
        Cap.EDIT_BUSINESS, Cap.PROCESS_CASES, Cap.VIEW_SENSITIVE, Cap.EXPORT, Cap.IMPORT, Cap.VIEW_CHILDREN,
        Cap.CARE_VISIT,
    }),
    Role.VILLAGE_COORDINATOR: frozenset({Cap.VIEW_BUSINESS, Cap.VIEW_RECORDS, Cap.EDIT_BUSINESS, Cap.REPORT_NEEDS,
                                         Cap.CARE_VISIT}),
    # 儿童主任 / 儿童督导员 work children's files only (care.access narrows their lists to them).
    Role.CHILD_DIRECTOR: frozenset({Cap.VIEW_BUSINESS, Cap.VIEW_CHILDREN, Cap.CARE_VISIT, Cap.REPORT_NEEDS}),
    Role.CHILD_SUPERVISOR: frozenset({Cap.VIEW_BUSINESS, Cap.VIEW_CHILDREN, Cap.CARE_VISIT, Cap.REPORT_NEEDS}),
    Role.SOCIAL_ORG: frozenset({Cap.VIEW_BUSINESS, Cap.DELIVER_SERVICES, Cap.CARE_VISIT}),
    Role.EVALUATOR: frozenset({Cap.VIEW_BUSINESS, Cap.ASSESS_SERVICES}),
    Role.AUDITOR: frozenset(_BUSINESS_READ | {Cap.EXPORT}),
    Role.SYS_ADMIN: frozenset({Cap.MANAGE_USERS, Cap.MANAGE_SETTINGS}),
    Role.SEC_ADMIN: frozenset({Cap.MANAGE_ROLES, Cap.MANAGE_SECURITY}),
    Role.AUDIT_ADMIN: frozenset({Cap.VIEW_AUDIT}),
}

ADMIN_ROLES = frozenset({Role.SYS_ADMIN, Role.SEC_ADMIN, Role.AUDIT_ADMIN})
# Roles that exist at one level only (民发〔2019〕34号): the account is bound to a division of that level.
ROLE_LEVEL: dict[str, tuple[str, str]] = {
    Role.CHILD_DIRECTOR: ("village", "村(社区)"), Role.CHILD_SUPERVISOR: ("township", "乡镇(街道)"),
}
BUSINESS_ROLES = frozenset(r for r in Role if r not in ADMIN_ROLES)
ADMIN_CAPS: frozenset[str] = frozenset().union(*(ROLE_CAPS[r] for r in ADMIN_ROLES))
# Roles that read business data but never change it.
READ_ONLY_ROLES = frozenset(r for r in BUSINESS_ROLES if Cap.EDIT_BUSINESS not in ROLE_CAPS[r])


# Organisations outside government: a provider of purchased services (承接主体) and a third-party evaluator. They see
# only what an app publishes to them through core.scoping (a provider's staff: their assigned beneficiaries), never a
# division's whole subtree.
OUTSIDE_ROLES = frozenset({Role.SOCIAL_ORG, Role.EVALUATOR})
# 财政部令第102号 Art 10(2), 民发〔2017〕153号: a provider may investigate, visit and record, but approving, refusing
# or ending a benefit (and every step of a case that leads there) stays with the township and the county. These
# capabilities are cut from any role outside government, whatever ROLE_CAPS says, so a mistaken table cannot grant
# them (tests/accounts/test_provider_line.py).
BENEFIT_DECISION_CAPS = frozenset({Cap.APPROVE, Cap.PROCESS_CASES, Cap.EDIT_BUSINESS, Cap.IMPORT, Cap.MANAGE_POLICY})


def caps(role: str) -> frozenset[str]:
    granted = ROLE_CAPS.get(role, frozenset())
    return granted - BENEFIT_DECISION_CAPS if role in OUTSIDE_ROLES else granted


def is_outside(user: object) -> bool:
    """A provider's staff or a third-party evaluator (by role; a stand-in without one is inside)."""
    return getattr(user, "role", "") in OUTSIDE_ROLES
