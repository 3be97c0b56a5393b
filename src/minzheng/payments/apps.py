from django.apps import AppConfig
from django.utils.translation import gettext_noop


class PaymentsConfig(AppConfig):
    name = "minzheng.payments"
    verbose_name = "资金发放"

    def ready(self) -> None:
        from minzheng.accounts.roles import BUSINESS_ROLES, Cap, Role
        from minzheng.core import followups, home, nav, tasks

        from . import (
            offers,
            params,  # noqa: F401  (declares parameters before `minzheng init` seeds them)
        )
        from .panels import home_context, task_items
        from .payee_sync import followup

        nav.register(gettext_noop("资金发放"), "payments:index", Cap.OFFICE_WORK, order=300, section=gettext_noop("资金"))
        nav.register(gettext_noop("花名册审批"), "payments:approvals", Cap.APPROVE, order=310, section=gettext_noop("资金"))
        nav.register(gettext_noop("资金台账"), "payments:funds", Cap.OFFICE_WORK, order=320, section=gettext_noop("资金"))
        nav.register(gettext_noop("津贴补贴"), "payments:allowances", Cap.OFFICE_WORK, order=330, section=gettext_noop("资金"))
        roles = set(BUSINESS_ROLES) - {Role.VILLAGE_COORDINATOR, Role.SOCIAL_ORG}
        home.register("资金发放", "payments/_home_panel.html", roles, home_context, order=30)
        tasks.register(task_items)
        offers.register()
        followups.register(followup)

        from minzheng.policy import display

        from .models import YoufuCategory

        display.register_labels(lambda: {c.value: str(c.label) for c in YoufuCategory})
