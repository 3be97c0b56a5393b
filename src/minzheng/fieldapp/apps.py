from django.apps import AppConfig
from django.utils.translation import gettext_noop


class FieldappConfig(AppConfig):
    name = "minzheng.fieldapp"
    verbose_name = "外勤离线应用"

    def ready(self) -> None:
        from minzheng.accounts import services as accounts
        from minzheng.accounts.roles import Cap
        from minzheng.core import nav

        from . import devices, handlers

        handlers.register_all()
        accounts.register_lockout_hook(devices.hold_for_reauth)
        # The phone-first roles (协管员, provider staff, township officers) find the offline app under 工作台.
        for cap, order in ((Cap.REPORT_NEEDS, 3), (Cap.DELIVER_SERVICES, 4), (Cap.PROCESS_CASES, 5)):
            nav.register(gettext_noop("外勤App（离线）"), "fieldapp:shell", cap, order=order,
                         section=gettext_noop("工作台"))
        nav.register(gettext_noop("离线设备"), "fieldapp:devices", Cap.PROCESS_CASES, order=540,
                     section=gettext_noop("队伍建设"))
