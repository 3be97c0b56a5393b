from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "minzheng.payments"
    verbose_name = "资金发放"

    def ready(self) -> None:
        from . import params  # noqa: F401  (declares parameters before `minzheng init` seeds them)
