"""Initialisation steps shared by `minzheng init` and `minzheng demo`, and the per-app hooks they call."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TextIO

from django.core.management import call_command

DOMAIN_APPS = ["registry", "assistance", "payments", "crosscheck", "disaster", "workforce"]


def _hook(app: str, module: str, name: str) -> Callable[..., object] | None:
    try:
        mod = importlib.import_module(f"minzheng.{app}.{module}")
    except ModuleNotFoundError as exc:
        if exc.name != f"minzheng.{app}.{module}":
            raise
        return None
    return getattr(mod, name, None)


def initialise(out: TextIO, *, verbosity: int = 1) -> None:
    """Migrate, load the bundled divisions if absent, and seed reference data. Idempotent."""
    from minzheng.audit import context
    from minzheng.policy import services as policy
    from minzheng.regions import services as regions
    from minzheng.regions.models import Division

    call_command("migrate", interactive=False, verbosity=max(0, verbosity - 1), stdout=out)
    with context.acting(context.Actor("minzheng-init", "system")):
        if not Division.objects.exists():
            r = regions.load_bundled()
            out.write(f"已加载行政区划 {r.dataset.version}：{r.created} 个\n")
        else:
            out.write(f"行政区划已存在（{Division.objects.count()} 个），跳过加载\n")
        n = policy.seed_holidays()
        if n:
            out.write(f"已加载节假日与调休 {n} 天\n")
        for app in DOMAIN_APPS:
            if (seed := _hook(app, "seeds", "seed")) is not None:
                seed(out)
        n = policy.seed_parameters()
        if n:
            out.write(f"已录入政策参数初始版本 {n} 条\n")


def load_demo_data(out: TextIO, *, scale: float) -> None:
    from minzheng.audit import context

    with context.acting(context.Actor("minzheng-demo", "system")):
        for app in DOMAIN_APPS:
            if (load := _hook(app, "demo", "load")) is not None:
                load(out, scale=scale)
