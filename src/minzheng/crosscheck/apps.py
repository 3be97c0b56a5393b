from django.apps import AppConfig


class CrosscheckConfig(AppConfig):
    name = "minzheng.crosscheck"
    verbose_name = "信息核对"
