"""Initialisation steps shared by `minzheng init` and `minzheng demo`, and the per-app hooks they call."""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from django.core.management import call_command
from django.core.management.base import CommandError

from .keyfiles import KeyFileError


def initialise(out: TextIO, *, verbosity: int = 1, schema_at_once: bool = False) -> None:
    """Migrate, load the bundled divisions if absent, and seed reference data. Idempotent.

    `schema_at_once`: an empty database gets its tables straight from the models, every migration recorded as
    applied (seconds instead of half a minute: the demo's login page is up sooner); a database with tables is
    migrated as usual."""
    from minzheng.audit import context
    from minzheng.audit import services as audit
    from minzheng.policy import services as policy
    from minzheng.regions import services as regions
    from minzheng.regions.models import Division

    from . import schema

    if not (schema_at_once and schema.create_at_once(verbosity=max(0, verbosity - 1))):
        call_command("migrate", interactive=False, verbosity=max(0, verbosity - 1), stdout=out)
    call_command("createcachetable", verbosity=0)  # only when MINZHENG_CACHE=database
    with context.acting(context.Actor("minzheng-init", "system")):
        try:
            upgraded = audit.prepare()
        except KeyFileError as exc:
            raise CommandError(f"{exc}：已有带密钥的审计记录，不能另建新密钥。请从密钥备份恢复 audit_key。") from exc
        if upgraded:
            out.write("审计日志已升级为带密钥的校验链（HMAC-SHA256），升级前的记录保留原 SHA-256 校验并由升级记录接续\n")
        _seal_fields(out)
        if not Division.objects.exists():
            r = regions.load_bundled()
            out.write(f"已加载行政区划 {r.dataset.version}：{r.created} 个\n")
        else:
            out.write(f"行政区划已存在（{Division.objects.count()} 个），跳过加载\n")
        n = policy.seed_holidays()
        if n:
            out.write(f"已加载节假日与调休 {n} 天\n")
        for seed in seeds():
            seed(out)
        n = policy.seed_parameters()
        if n:
            out.write(f"已录入政策参数初始版本 {n} 条\n")


def _seal_fields(out: TextIO) -> None:
    """The field key exists, and no account or phone number is left in plaintext (the migration that sealed the
    columns did it already; this catches rows written since by anything bypassing the models)."""
    from minzheng.audit import services as audit

    from . import sealed, sealing

    try:
        sealed.ensure_key()
        done = sealing.reseal_all()
    except (sealed.SealError, KeyFileError) as exc:
        raise CommandError(str(exc)) from exc
    if n := sum(done.values()):
        audit.record("keys.seal", summary=f"加密遗留的明文账号和电话 {n} 行", detail=done)
        out.write(f"已加密遗留的明文银行账号和电话 {n} 行\n")


def load_demo_data(out: TextIO, *, scale: float) -> None:
    from minzheng.audit import context

    from .demo_progress import run_timed

    with context.acting(context.Actor("minzheng-demo", "system")):
        for load in demo_loaders():
            run_timed(load, out, scale=scale)


def seeds() -> list[Callable[[TextIO], None]]:
    """Each app's reference data (programmes, bank-file layouts, check rules, disaster types and items)."""
    from minzheng.crosscheck import seeds as crosscheck_seeds
    from minzheng.disaster import seeds as disaster_seeds
    from minzheng.payments import seeds as payments_seeds
    from minzheng.registry import seeds as registry_seeds
    from minzheng.stats import seeds as stats_seeds

    return [registry_seeds.seed, payments_seeds.seed, crosscheck_seeds.seed, disaster_seeds.seed, stats_seeds.seed]


def demo_loaders() -> list[Callable[..., None]]:
    """Each app's demo data, in app order: later apps build on the households and cases of earlier ones.
    Imported when called: the demo modules pull in data libraries `minzheng init` does not need."""
    from minzheng.assistance import demo as assistance_demo
    from minzheng.care import demo as care_demo
    from minzheng.crosscheck import demo as crosscheck_demo
    from minzheng.disaster import demo as disaster_demo
    from minzheng.payments import demo as payments_demo
    from minzheng.purchased import demo as purchased_demo
    from minzheng.registry import demo as registry_demo
    from minzheng.stats import demo as stats_demo
    from minzheng.workforce import demo as workforce_demo

    # care before stats (as in APPS): the return splits the 孤儿基本生活费 children by their 儿童档案 at closing
    return [registry_demo.load, assistance_demo.load, payments_demo.load, crosscheck_demo.load, disaster_demo.load,
            workforce_demo.load, purchased_demo.load, care_demo.load, stats_demo.load]
