from django.apps import AppConfig
from django.utils.translation import gettext_noop


class PolicyConfig(AppConfig):
    name = "minzheng.policy"
    verbose_name = "政策参数"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from minzheng.accounts.roles import Cap
        from minzheng.core import nav

        from . import services
        from .models import Parameter

        def written(**_: object) -> None:
            services.forget()

        post_save.connect(written, sender=Parameter, weak=False, dispatch_uid="policy-memo-save")
        post_delete.connect(written, sender=Parameter, weak=False, dispatch_uid="policy-memo-delete")

        nav.register(gettext_noop("政策参数"), "policy:list", Cap.OFFICE_WORK, order=700, section=gettext_noop("基础"))
        nav.register(gettext_noop("提标"), "policy:raises", Cap.APPROVE, order=705, section=gettext_noop("基础"))
        nav.register(gettext_noop("节假日"), "policy:holidays", Cap.OFFICE_WORK, order=710, section=gettext_noop("基础"))
