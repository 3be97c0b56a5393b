"""Demo logins, one for every role. They exist only in demo mode (MINZHENG_DEMO=1) and are marked is_demo."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from minzheng.accounts import services as accounts
from minzheng.accounts.models import User
from minzheng.accounts.roles import ADMIN_ROLES, Role
from minzheng.regions.models import Division

DEMO_PASSWORD = "Minzheng@2026"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    division: str | None  # a division name under the county, or None for admin roles / the county itself
    full_name: str


ACCOUNTS = [
    DemoAccount("qu_admin", Role.DISTRICT_ADMIN, None, "区民政局管理员"),
    DemoAccount("qu_shenpi", Role.DISTRICT_APPROVER, None, "区审批员"),
    DemoAccount("juzhang", Role.BUREAU_HEAD, None, "局长"),
    DemoAccount("meishan", Role.TOWNSHIP_OFFICER, "梅山街道", "梅山街道民政助理员"),
    DemoAccount("xiadao", Role.TOWNSHIP_OFFICER, "夏道镇", "夏道镇民政助理员"),
    DemoAccount("zhongshan", Role.VILLAGE_COORDINATOR, "中山社区居委会", "中山社区协管员"),
    DemoAccount("ertong", Role.CHILD_DIRECTOR, "中山社区居委会", "中山社区儿童主任"),
    DemoAccount("dudao", Role.CHILD_SUPERVISOR, "梅山街道", "梅山街道儿童督导员"),
    DemoAccount("shehui", Role.SOCIAL_ORG, None, "延平区社工服务中心"),
    DemoAccount("pinggu", Role.EVALUATOR, None, "第三方评估机构"),
    DemoAccount("shenji", Role.AUDITOR, None, "区审计员"),
    DemoAccount("sysadmin", Role.SYS_ADMIN, None, "系统管理员"),
    DemoAccount("secadmin", Role.SEC_ADMIN, None, "安全管理员"),
    DemoAccount("auditadmin", Role.AUDIT_ADMIN, None, "审计管理员"),
]


def ensure_demo_accounts() -> list[DemoAccount]:
    if not settings.DEMO_MODE:
        raise RuntimeError("演示账号只能在演示模式下创建")
    county = Division.objects.filter(level="county").order_by("code").first()
    for a in ACCOUNTS:
        if User.objects.filter(username=a.username).exists():
            continue
        if a.role in ADMIN_ROLES:
            div = None
        elif a.division is None:
            div = county
        else:
            div = Division.objects.filter(name=a.division, path__startswith=county.path).first() if county else None
        accounts.create_user(username=a.username, password=DEMO_PASSWORD, role=a.role, division=div,
                             full_name=a.full_name, is_demo=True)
    return ACCOUNTS
