from __future__ import annotations

import importlib

from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    name = "minzheng.assistance"
    verbose_name = "社会救助"

    def ready(self) -> None:
        # Parameters are declared by the rules module; seeds must exist before `minzheng init` runs.
        try:
            importlib.import_module("minzheng.assistance.params")
        except ModuleNotFoundError as exc:
            if exc.name != "minzheng.assistance.params":
                raise
        importlib.import_module("minzheng.assistance.wfparams")
        try:
            hooks = importlib.import_module("minzheng.assistance.hooks")
        except ModuleNotFoundError as exc:
            if exc.name != "minzheng.assistance.hooks":
                raise
        else:
            hooks.register_all()
