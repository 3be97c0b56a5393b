from django.apps import AppConfig
from django.utils.translation import gettext_noop


class CoreConfig(AppConfig):
    name = "minzheng.core"
    verbose_name = "系统"

    def ready(self) -> None:
        from minzheng.accounts.roles import BUSINESS_ROLES, Cap, Role

        from . import home, nav, panels

        nav.register(gettext_noop("我的待办"), "core:tasks", Cap.VIEW_BUSINESS, order=1, section=gettext_noop("工作台"))
        nav.register(gettext_noop("系统设置"), "core:settings", Cap.MANAGE_SETTINGS, order=905, section=gettext_noop("系统"))
        # Every business role's home starts with its own work; the bureau head's with the county at a glance.
        home.register("今日工作", "core/panels/today.html", set(BUSINESS_ROLES) - {Role.BUREAU_HEAD}, panels.today,
                      order=1)
