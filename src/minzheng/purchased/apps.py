from django.apps import AppConfig
from django.utils.translation import gettext_noop


class PurchasedConfig(AppConfig):
    name = "minzheng.purchased"
    verbose_name = "政府购买服务"

    def ready(self) -> None:
        from minzheng.accounts.roles import Cap
        from minzheng.core import nav

        from . import (
            offers,
            params,  # noqa: F401  (declares parameters before `minzheng init` seeds them)
            selectors,
        )

        section = gettext_noop("购买服务")
        nav.register(gettext_noop("我的服务对象"), "purchased:mine", Cap.DELIVER_SERVICES, order=600, section=section)
        nav.register(gettext_noop("购买服务合同"), "purchased:contracts", Cap.VIEW_BUSINESS, order=605, section=section)
        nav.register(gettext_noop("承接主体"), "purchased:providers", Cap.VIEW_BUSINESS, order=610, section=section)
        nav.register(gettext_noop("服务监管"), "purchased:supervision", Cap.VIEW_BUSINESS, order=615, section=section)
        nav.register(gettext_noop("第三方评估"), "purchased:evaluations", Cap.ASSESS_SERVICES, order=625,
                     section=section)
        nav.register(gettext_noop("回访抽查"), "purchased:callbacks", Cap.VIEW_BUSINESS, order=620, section=section)
        selectors.publish_to_outside()
        offers.register()
