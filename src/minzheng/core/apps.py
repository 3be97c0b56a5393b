from django.apps import AppConfig
from django.utils.translation import gettext_noop


class CoreConfig(AppConfig):
    name = "minzheng.core"
    verbose_name = "系统"

    def ready(self) -> None:
        from minzheng.accounts.roles import Cap

        from . import nav

        nav.register(gettext_noop("我的待办"), "core:tasks", Cap.VIEW_BUSINESS, order=1, section=gettext_noop("工作台"))
        nav.register(gettext_noop("系统设置"), "core:settings", Cap.MANAGE_SETTINGS, order=905, section=gettext_noop("系统"))
