from django.apps import AppConfig


class DisasterConfig(AppConfig):
    name = "minzheng.disaster"
    verbose_name = "灾情与救灾"
