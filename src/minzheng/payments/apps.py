from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "minzheng.payments"
    verbose_name = "资金发放"

    def ready(self) -> None:
        from minzheng.accounts.roles import BUSINESS_ROLES, Cap, Role
        from minzheng.core import home, nav, tasks

        from . import params  # noqa: F401  (declares parameters before `minzheng init` seeds them)
        from .panels import home_context, task_items

        nav.register("资金发放", "payments:index", Cap.VIEW_BUSINESS, order=300, section="资金")
        nav.register("花名册审批", "payments:approvals", Cap.APPROVE, order=310, section="资金")
        nav.register("资金台账", "payments:funds", Cap.VIEW_BUSINESS, order=320, section="资金")
        nav.register("津贴补贴", "payments:allowances", Cap.VIEW_BUSINESS, order=330, section="资金")
        roles = set(BUSINESS_ROLES) - {Role.VILLAGE_COORDINATOR, Role.SOCIAL_ORG}
        home.register("资金发放", "payments/_home_panel.html", roles, home_context, order=30)
        tasks.register(task_items)
