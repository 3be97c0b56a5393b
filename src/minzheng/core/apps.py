from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "minzheng.core"
    verbose_name = "系统"
