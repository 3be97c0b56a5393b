from __future__ import annotations

import getpass
import sys
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandParser

from minzheng.accounts import services as accounts
from minzheng.accounts.models import User
from minzheng.accounts.roles import Role
from minzheng.core.setup import initialise


class Command(BaseCommand):
    help = "建库或升级数据库，加载行政区划和初始参数；可重复执行 / Create or migrate the database, load divisions and seeds; safe to run twice"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-input", action="store_true",
                            help="不询问首个管理员 / do not prompt for the first administrator")

    def handle(self, *args: Any, **opts: Any) -> None:
        initialise(self.stdout, verbosity=opts["verbosity"])
        if settings.DEMO_MODE or User.objects.filter(role=Role.SYS_ADMIN).exists():
            self.stdout.write(self.style.SUCCESS(f"初始化完成 / initialised: {settings.DATABASES['default']['NAME']}"))
            return
        if opts["no_input"] or not sys.stdin.isatty():
            self.stdout.write(self.style.WARNING(
                "尚无系统管理员。请运行 / No administrator yet. Run:\n"
                "  minzheng createuser admin --role sys_admin\n"
                "  minzheng createuser security --role sec_admin\n"
                "  minzheng createuser auditor --role audit_admin"))
            return
        self.stdout.write("创建首个系统管理员 / Create the first system administrator")
        username = input("用户名 username [admin]: ").strip() or "admin"
        while True:
            pw = getpass.getpass("密码 password: ")
            if pw != getpass.getpass("再次输入 again: "):
                self.stderr.write("两次输入不一致 / passwords differ")
                continue
            try:
                accounts.create_user(username=username, password=pw, role=Role.SYS_ADMIN, full_name="系统管理员")
            except ValidationError as exc:
                self.stderr.write("；".join(exc.messages))
                continue
            break
        self.stdout.write(self.style.SUCCESS(f"已创建系统管理员 {username}"))
