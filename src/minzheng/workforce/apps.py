from django.apps import AppConfig


class WorkforceConfig(AppConfig):
    name = "minzheng.workforce"
    verbose_name = "队伍建设"
