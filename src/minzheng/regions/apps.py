from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "minzheng.regions"
    verbose_name = "行政区划"

    def ready(self) -> None:
        from minzheng.accounts.roles import Cap
        from minzheng.core import nav

        nav.register("行政区划", "core:divisions", Cap.VIEW_BUSINESS, order=800, section="基础")
