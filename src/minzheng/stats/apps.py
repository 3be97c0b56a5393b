from django.apps import AppConfig
from django.utils.translation import gettext_noop


class StatsConfig(AppConfig):
    name = "minzheng.stats"
    verbose_name = "统计分析"

    def ready(self) -> None:
        from minzheng.accounts.roles import Cap, Role
        from minzheng.core import home, nav
        from minzheng.workforce import assessment
        from minzheng.workforce.models import IndicatorSource

        from . import (
            panels,
            params,  # noqa: F401  (declares parameters before `minzheng init` seeds them)
            sampling,
        )

        section = gettext_noop("统计分析")
        nav.register(gettext_noop("统计月报"), "stats:index", Cap.VIEW_DASHBOARD, order=700, section=section)
        nav.register(gettext_noop("低保综合统计表"), "stats:dibao", Cap.VIEW_DASHBOARD, order=705, section=section)
        nav.register(gettext_noop("趋势与对比"), "stats:trends", Cap.VIEW_DASHBOARD, order=710, section=section)
        nav.register(gettext_noop("疑点提示"), "stats:flags", Cap.VIEW_DASHBOARD, order=715, section=section)
        nav.register(gettext_noop("统计指标"), "stats:indicators", Cap.MANAGE_POLICY, order=720, section=section)
        nav.register(gettext_noop("边界地图"), "stats:boundary", Cap.MANAGE_POLICY, order=725, section=section)
        # Last year's spot-check outcomes are one of the township assessment's indicators.
        assessment.MEASURES[IndicatorSource.RISK_CHECKS] = sampling.check_rate
        home.register("本月统计", "stats/panels/bureau.html",
                      {Role.BUREAU_HEAD, Role.DISTRICT_ADMIN, Role.DISTRICT_APPROVER}, panels.bureau, order=5)
        home.register("各村对比", "stats/panels/township.html", {Role.TOWNSHIP_OFFICER}, panels.township, order=45)
