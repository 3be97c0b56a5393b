from django.apps import AppConfig
from django.utils.translation import gettext_noop


class CareConfig(AppConfig):
    name = "minzheng.care"
    verbose_name = "关爱走访"

    def ready(self) -> None:
        from minzheng.accounts.roles import Cap
        from minzheng.core import home, nav

        from . import (
            panels,
            params,  # noqa: F401  (declares parameters before `minzheng init` seeds them)
            publish,
        )
        from .access import CHILD_ROLES

        section = gettext_noop("关爱走访")
        # A visitor's own list leads a field role's menu (the children's roles have little else).
        nav.register(gettext_noop("我的走访"), "care:mine", Cap.CARE_VISIT, order=3, section=gettext_noop("工作台"))
        nav.register(gettext_noop("关爱档案"), "care:files", Cap.VIEW_BUSINESS, order=700, section=section)
        nav.register(gettext_noop("关爱概况"), "care:overview", Cap.VIEW_BUSINESS, order=705, section=section)
        nav.register(gettext_noop("供养服务机构"), "care:institutions", Cap.OFFICE_WORK, order=710, section=section)
        publish.register()
        from . import fieldkinds

        fieldkinds.register()   # the visit as a record kind of the offline field app
        home.register("关爱走访", "care/panels/visitor.html", set(CHILD_ROLES), panels.visitor, order=0)
