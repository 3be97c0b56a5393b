from django.apps import AppConfig
from django.utils.translation import gettext_noop


class AccountsConfig(AppConfig):
    name = "minzheng.accounts"
    verbose_name = "账号与权限"

    def ready(self) -> None:
        from minzheng.core import home, nav

        from . import panels
        from .roles import Cap, Role

        nav.register(gettext_noop("用户管理"), "accounts:users", Cap.MANAGE_USERS, order=900, section=gettext_noop("系统"))
        nav.register(gettext_noop("角色分配"), "accounts:roles", Cap.MANAGE_ROLES, order=910, section=gettext_noop("系统"))
        nav.register(gettext_noop("安全策略"), "accounts:security", Cap.MANAGE_SECURITY, order=920, section=gettext_noop("系统"))
        home.register("账号管理", "accounts/panels/sys_admin.html", {Role.SYS_ADMIN}, panels.sys_admin, order=1)
        home.register("角色与安全", "accounts/panels/sec_admin.html", {Role.SEC_ADMIN}, panels.sec_admin, order=1)
