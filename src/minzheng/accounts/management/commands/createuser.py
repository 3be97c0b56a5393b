from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from minzheng.accounts import services
from minzheng.accounts.roles import Role
from minzheng.audit import context
from minzheng.regions.models import Division


class Command(BaseCommand):
    help = "创建用户 / Create a user account (ROLE: " + ", ".join(f"{r.value}={r.label}" for r in Role) + ")"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="用户名 / username")
        parser.add_argument("--role", required=True, choices=Role.values, help="角色 / role")
        parser.add_argument("--division", help="所属区划代码（业务角色必填） / division code, required for business roles")
        parser.add_argument("--full-name", default="", help="姓名 / full name")
        parser.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码 / read the password from stdin")

    def handle(self, *args: Any, **o: Any) -> None:
        division = None
        if o["division"]:
            division = Division.objects.filter(code=o["division"].ljust(12, "0")).first() or \
                Division.objects.filter(code=o["division"]).first()
            if division is None:
                raise CommandError(f"区划代码 {o['division']} 不存在 / unknown division code")
        if o["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("密码 password: ")
            if password != getpass.getpass("再次输入 again: "):
                raise CommandError("两次输入不一致 / passwords differ")
        try:
            with context.acting(context.Actor(f"cli:{getpass.getuser()}", "operator")):
                user = services.create_user(username=o["username"], password=password, role=o["role"],
                                            division=division, full_name=o["full_name"])
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"已创建 / created: {user.username} ({user.role_label})"))
