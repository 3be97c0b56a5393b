from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from minzheng.accounts.models import User
from minzheng.core import demo_progress
from minzheng.core.demo_accounts import DEMO_PASSWORD, ensure_demo_accounts
from minzheng.core.setup import demo_loaders, initialise, load_demo_data


class Command(BaseCommand):
    help = "演示：初始化、演示数据、演示账号并启动服务 / Demo: init, demo data, demo accounts, then serve"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="监听地址 / address (默认 default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="端口 / port (默认 default 8000)")
        parser.add_argument("--scale", type=float, default=0.1,
                            help="演示人口规模，1.0 约 50.4 万人 / population scale, 1.0 ≈ 504k persons (默认 default 0.1)")
        parser.add_argument("--no-serve", action="store_true", help="只准备数据不启动 / prepare only, do not serve")

    def handle(self, *args: Any, **opts: Any) -> None:
        if not settings.DEMO_MODE:
            raise CommandError("请用 `minzheng demo` 运行 / run through `minzheng demo`")
        if _migrated() and User.objects.filter(is_demo=False).exists():
            raise CommandError("此数据库已有正式用户，拒绝加载演示数据。请为演示设置单独的 MINZHENG_HOME。")
        initialise(self.stdout, verbosity=opts["verbosity"], schema_at_once=True)
        accounts = ensure_demo_accounts()
        serve_now = not opts["no_serve"] and not _has_demo_data()
        if serve_now:
            # The login page is up within seconds; the demo data is built behind it, its progress on every page.
            demo_progress.start_in_background(
                demo_loaders(), self.stdout, scale=opts["scale"],
                on_done=lambda: self.stdout.write(self.style.SUCCESS("演示数据已加载完成 / demo data ready\n")))
        else:
            load_demo_data(self.stdout, scale=opts["scale"])
        url = f"http://{opts['host']}:{opts['port']}/"
        lines = [f"\nminzheng 演示 / demo: {url}", f"演示账号 demo logins（密码 password: {DEMO_PASSWORD}）:"]
        for a in accounts:
            u = User.objects.select_related("division").get(username=a.username)
            lines.append(f"  {a.username:<12} {u.role_label:<10} {u.division.name if u.division else '—'}")
        self.stdout.write("\n".join(lines) + "\n")
        self.stdout.flush()
        if not opts["no_serve"]:
            # While the data loads behind the pages, its progress lives in this process: serve from it alone.
            call_command("serve", host=opts["host"], port=opts["port"], processes=1 if serve_now else 0)


def _has_demo_data() -> bool:
    """A demo home built before: loading again is quick and idempotent, so it is done before serving."""
    from minzheng.registry.models import Household

    return Household.objects.exists()


def _migrated() -> bool:
    from django.db import connection

    return "accounts_user" in connection.introspection.table_names()
