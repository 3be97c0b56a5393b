from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "minzheng.registry"
    verbose_name = "救助对象档案"
