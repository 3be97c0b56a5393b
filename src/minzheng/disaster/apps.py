from django.apps import AppConfig
from django.utils.translation import gettext_noop


class DisasterConfig(AppConfig):
    name = "minzheng.disaster"
    verbose_name = "灾情与救灾"

    def ready(self) -> None:
        from minzheng.accounts.roles import BUSINESS_ROLES, Cap, Role
        from minzheng.core import home, nav, tasks

        from . import (
            offers,
            params,  # noqa: F401 — declares the parameters before init seeds them
        )
        from .hooks import home_context, task_items

        nav.register(gettext_noop("灾情报告"), "disaster:events", Cap.VIEW_RECORDS, order=450, section=gettext_noop("灾情救灾"))
        nav.register(gettext_noop("救灾物资"), "disaster:warehouses", Cap.OFFICE_WORK, order=455, section=gettext_noop("灾情救灾"))
        nav.register(gettext_noop("物资分配"), "disaster:allocations", Cap.OFFICE_WORK, order=460, section=gettext_noop("灾情救灾"))
        nav.register(gettext_noop("物资发放"), "disaster:distributions", Cap.OFFICE_WORK, order=465, section=gettext_noop("灾情救灾"))
        nav.register(gettext_noop("冬春救助"), "disaster:winter_rounds", Cap.OFFICE_WORK, order=470, section=gettext_noop("灾情救灾"))
        nav.register(gettext_noop("灾情校验规则"), "disaster:rules", Cap.OFFICE_WORK, order=475, section=gettext_noop("灾情救灾"))
        home.register("灾情", "disaster/_home_panel.html", set(BUSINESS_ROLES) - {Role.SOCIAL_ORG}, home_context,
                      order=40)
        tasks.register(task_items)
        offers.register()
