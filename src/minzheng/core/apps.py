from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "minzheng.core"
    verbose_name = "系统"

    def ready(self) -> None:
        from minzheng.accounts.roles import Cap

        from . import nav

        nav.register("我的待办", "core:tasks", Cap.VIEW_BUSINESS, order=1, section="工作台")
        nav.register("系统设置", "core:settings", Cap.MANAGE_SETTINGS, order=905, section="系统")
