"""`minzheng createuser`: the operator's way to create accounts, above all the three administrators at install time.

The operator holds the server (and so the database) already; 三员分立 binds the administrators inside the
application. So the command creates admin accounts directly, but a business role it is given stays pending for the
安全管理员 like one the 系统管理员 proposes, unless the operator says `--confirm-role` (e.g. the first 区管理员 of a
new installation). Either way the creation is audited under the operator's login name.
"""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from minzheng.accounts import services
from minzheng.accounts.roles import BUSINESS_ROLES, Role
from minzheng.audit import context
from minzheng.regions.models import Division

NO_TERMINAL = ("没有终端，无法交互输入密码。请用 --password-stdin 从标准输入传入密码，例如：\n"
               "  printf '%s\\n' \"$PASSWORD\" | minzheng createuser NAME --role ROLE --password-stdin\n"
               "No terminal to ask for the password: pass it on stdin with --password-stdin.")


class Command(BaseCommand):
    help = ("创建用户 / Create a user account (ROLE: " + ", ".join(f"{r.value}={r.label}" for r in Role) + "). "
            "业务角色待安全管理员确认，除非 --confirm-role / a business role waits for the 安全管理员 unless "
            "--confirm-role")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="用户名 / username")
        parser.add_argument("--role", required=True, choices=Role.values, help="角色 / role")
        parser.add_argument("--division", help="所属区划代码（业务角色必填） / division code, required for business roles")
        parser.add_argument("--full-name", default="", help="姓名 / full name")
        parser.add_argument("--password-stdin", action="store_true",
                            help="从标准输入读取密码（脚本部署用） / read the password from stdin (for scripts)")
        parser.add_argument("--confirm-role", action="store_true",
                            help="业务角色立即生效，不等安全管理员确认（记入审计） / make a business role effective "
                                 "at once instead of waiting for the 安全管理员 (audited)")

    def handle(self, *args: Any, **o: Any) -> None:
        division = None
        if o["division"]:
            division = Division.objects.filter(code=o["division"].ljust(12, "0")).first() or \
                Division.objects.filter(code=o["division"]).first()
            if division is None:
                raise CommandError(f"区划代码 {o['division']} 不存在 / unknown division code")
        password = _read_password(o["password_stdin"])
        try:
            with context.acting(context.operator()):
                user = services.create_user(username=o["username"], password=password, role=o["role"],
                                            division=division, full_name=o["full_name"],
                                            confirm_role=o["confirm_role"])
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"已创建 / created: {user.username} ({user.role_status})"))
        if o["role"] in BUSINESS_ROLES and user.role_pending:
            self.stdout.write("该业务角色须由安全管理员在“角色分配”中确认后生效 / the 安全管理员 must confirm the role")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise CommandError("标准输入没有读到密码 / no password on stdin")
        return password
    if not sys.stdin.isatty():
        raise CommandError(NO_TERMINAL)
    try:
        password = getpass.getpass("密码 password: ")
        again = getpass.getpass("再次输入 again: ")
    except EOFError:
        raise CommandError(NO_TERMINAL) from None
    if password != again:
        raise CommandError("两次输入不一致 / passwords differ")
    return password
