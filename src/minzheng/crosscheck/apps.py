from django.apps import AppConfig
from django.utils.translation import gettext_noop


class CrosscheckConfig(AppConfig):
    name = "minzheng.crosscheck"
    verbose_name = "信息核对"

    def ready(self) -> None:
        from minzheng.accounts.roles import Cap, Role
        from minzheng.core import handover, home, nav, tasks

        from . import (
            offers,
            panels,
            params,  # noqa: F401  (declares the policy parameters before init seeds them)
            services,
        )

        nav.register(gettext_noop("核对疑点"), "crosscheck:findings", Cap.VIEW_RECORDS, order=400, section=gettext_noop("信息核对"))
        nav.register(gettext_noop("核对汇总"), "crosscheck:summary", Cap.VIEW_DASHBOARD, order=410, section=gettext_noop("信息核对"))
        nav.register(gettext_noop("核对批次"), "crosscheck:runs", Cap.VIEW_DASHBOARD, order=420, section=gettext_noop("信息核对"))
        nav.register(gettext_noop("部门数据"), "crosscheck:datasets", Cap.VIEW_DASHBOARD, order=430, section=gettext_noop("信息核对"))
        nav.register(gettext_noop("核对规则"), "crosscheck:rules", Cap.VIEW_DASHBOARD, order=440, section=gettext_noop("信息核对"))
        home.register("信息核对疑点", "crosscheck/panel_township.html",
                      {Role.TOWNSHIP_OFFICER, Role.VILLAGE_COORDINATOR}, panels.township_panel, order=40)
        home.register("信息核对汇总", "crosscheck/panel_county.html",
                      {Role.DISTRICT_APPROVER, Role.DISTRICT_ADMIN, Role.BUREAU_HEAD, Role.AUDITOR},
                      panels.county_panel, order=40)
        tasks.register(services.tasks_for)
        handover.register(services.move_assigned, services.count_assigned)
        offers.register()
