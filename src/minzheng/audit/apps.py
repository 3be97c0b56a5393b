from django.apps import AppConfig
from django.utils.translation import gettext_noop


class AuditConfig(AppConfig):
    name = "minzheng.audit"
    verbose_name = "审计日志"

    def ready(self) -> None:
        from . import signals

        signals.connect()
        from minzheng.accounts.roles import Cap
        from minzheng.core import nav

        nav.register(gettext_noop("审计日志"), "audit:list", Cap.VIEW_AUDIT, order=950, section=gettext_noop("系统"))
        from minzheng.accounts.roles import Role
        from minzheng.core import home

        from . import panels

        home.register("审计", "audit/panels/audit_admin.html", {Role.AUDIT_ADMIN}, panels.audit_admin, order=1)
