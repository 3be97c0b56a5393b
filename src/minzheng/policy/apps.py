from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "minzheng.policy"
    verbose_name = "政策参数"

    def ready(self) -> None:
        from minzheng.accounts.roles import Cap
        from minzheng.core import nav

        nav.register("政策参数", "policy:list", Cap.VIEW_BUSINESS, order=700, section="基础")
        nav.register("节假日", "policy:holidays", Cap.VIEW_BUSINESS, order=710, section="基础")
