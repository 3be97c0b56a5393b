from django.apps import AppConfig
from django.utils.translation import gettext_noop


class WorkforceConfig(AppConfig):
    name = "minzheng.workforce"
    verbose_name = "队伍建设"

    def ready(self) -> None:
        from minzheng.accounts.roles import Cap, Role
        from minzheng.core import home, nav
        from minzheng.core import tasks as core_tasks

        from . import (
            needs,
            panels,
            params,  # noqa: F401  (declares parameters before `minzheng init` seeds them)
            reminders,
            staff,
        )

        section = gettext_noop("队伍建设")
        nav.register(gettext_noop("民情直通车"), "workforce:needs", Cap.VIEW_RECORDS, order=500, section=section)
        # A field role's main action leads its menu, under 工作台.
        nav.register(gettext_noop("上报民情"), "workforce:need_new", Cap.REPORT_NEEDS, order=2, section=gettext_noop("工作台"))
        nav.register(gettext_noop("队伍概况"), "workforce:overview", Cap.VIEW_DASHBOARD, order=505, section=section)
        nav.register(gettext_noop("岗位与人员"), "workforce:posts", Cap.VIEW_DASHBOARD, order=510, section=section)
        nav.register(gettext_noop("编制测算"), "workforce:staffing", Cap.VIEW_DASHBOARD, order=515, section=section)
        nav.register(gettext_noop("培训"), "workforce:training", Cap.VIEW_DASHBOARD, order=520, section=section)
        nav.register(gettext_noop("考核"), "workforce:assessment", Cap.VIEW_DASHBOARD, order=525, section=section)
        nav.register(gettext_noop("文件下达"), "workforce:circulars", Cap.VIEW_BUSINESS, order=530, section=section)
        nav.register(gettext_noop("工作笔记"), "workforce:notes", Cap.EDIT_BUSINESS, order=535, section=section)
        nav.register(gettext_noop("队伍建设报告"), "workforce:report", Cap.VIEW_DASHBOARD, order=540, section=section)

        staff.register_handover()
        needs.register_offers()
        core_tasks.register(reminders.tasks_for)
        home.register("民情直通车", "workforce/panels/coordinator.html", {Role.VILLAGE_COORDINATOR},
                      panels.coordinator, order=0)  # a field role's main actions come first, above the fold
        home.register("民情与培训", "workforce/panels/township.html", {Role.TOWNSHIP_OFFICER}, panels.township,
                      order=40)
        home.register("队伍建设看板", "workforce/panels/bureau.html",
                      {Role.BUREAU_HEAD, Role.DISTRICT_ADMIN, Role.DISTRICT_APPROVER}, panels.bureau, order=60)
