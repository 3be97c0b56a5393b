from django.apps import AppConfig
from django.utils.translation import gettext_noop


class RegistryConfig(AppConfig):
    name = "minzheng.registry"
    verbose_name = "救助对象档案"

    def ready(self) -> None:
        from minzheng.accounts.roles import Cap, Role
        from minzheng.core import home, nav, tasks

        from . import panels

        nav.register(gettext_noop("家庭档案"), "registry:households", Cap.VIEW_RECORDS, order=100, section=gettext_noop("档案"))
        nav.register(gettext_noop("人员查询"), "registry:persons", Cap.VIEW_RECORDS, order=110, section=gettext_noop("档案"))
        nav.register(gettext_noop("新建家庭"), "registry:household_create", Cap.PROCESS_CASES, order=120, section=gettext_noop("档案"))
        nav.register(gettext_noop("身份证号校验"), "registry:idcheck", Cap.OFFICE_WORK, order=190, section=gettext_noop("档案"))
        nav.register(gettext_noop("导入台账"), "registry:import_upload", Cap.IMPORT, order=215, section=gettext_noop("档案"))
        home.register("辖区档案", "registry/panel_counts.html",
                      {Role.TOWNSHIP_OFFICER, Role.DISTRICT_ADMIN, Role.DISTRICT_APPROVER,
                       Role.BUREAU_HEAD}, panels.counts, order=10)
        tasks.register(panels.deceased_with_benefits)

        from minzheng.policy import display

        from .selectors import programme_names

        display.register_labels(programme_names)
