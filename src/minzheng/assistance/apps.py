from __future__ import annotations

from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    name = "minzheng.assistance"
    verbose_name = "社会救助"

    def ready(self) -> None:
        # Parameter declarations must exist before `minzheng init` seeds them: the rules' catalogue first, then the
        # few procedure keys the workflow adds only where params.py has none.
        from . import hooks, params, params_checks, wfparams, workflow  # noqa: F401

        hooks.register_all()
        workflow.register_offers()
