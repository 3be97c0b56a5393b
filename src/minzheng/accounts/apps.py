from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "minzheng.accounts"
    verbose_name = "账号与权限"

    def ready(self) -> None:
        from minzheng.core import nav

        from .roles import Cap

        nav.register("用户管理", "accounts:users", Cap.MANAGE_USERS, order=900, section="系统")
        nav.register("角色分配", "accounts:roles", Cap.MANAGE_ROLES, order=910, section="系统")
        nav.register("安全策略", "accounts:security", Cap.MANAGE_SECURITY, order=920, section="系统")
