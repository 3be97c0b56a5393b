from django.apps import AppConfig
from django.utils.translation import gettext_noop


class RegionsConfig(AppConfig):
    name = "minzheng.regions"
    verbose_name = "行政区划"

    def ready(self) -> None:
        from minzheng.accounts.roles import Cap
        from minzheng.core import nav

        nav.register(gettext_noop("行政区划"), "core:divisions", Cap.OFFICE_WORK, order=800, section=gettext_noop("基础"))
