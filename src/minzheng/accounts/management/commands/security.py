"""`minzheng security show | reset | unlock USER`: the operator's server-side way back when the security policy or
a lockout shuts people out (including the 安全管理员 themselves). Every change is audited."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minzheng.accounts import services
from minzheng.accounts.models import SECURITY_BOUNDS, LoginAttempt, SecuritySettings
from minzheng.audit import context
from minzheng.audit import services as audit


class Command(BaseCommand):
    help = "安全策略 / Security policy: show | reset（恢复安全默认值 restore safe defaults） | unlock USERNAME"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("show", help="显示当前安全策略 / show the policy")
        sub.add_parser("reset", help="恢复安全默认值（记入审计） / restore the safe defaults (audited)")
        u = sub.add_parser("unlock", help="解除账号锁定（记入审计） / lift a lockout (audited)")
        u.add_argument("username")

    def handle(self, *args: Any, **o: Any) -> None:
        with context.acting(context.operator()):
            if o["action"] == "reset":
                services.reset_security()
                self.stdout.write(self.style.SUCCESS("安全策略已恢复为安全默认值 / security policy reset to safe defaults"))
            elif o["action"] == "unlock":
                self._unlock(o["username"])
                return
            self._show()

    def _show(self) -> None:
        s = SecuritySettings.current()
        for name, (low, high, unit, label, default) in SECURITY_BOUNDS.items():
            self.stdout.write(f"  {label}：{getattr(s, name)} {unit}（允许 {low}–{high}，默认 {default}）")
        self.stdout.write(f"  密码有效期：{s.password_expiry_days} 天（0 为不过期，或 30–365，默认 90）")

    def _unlock(self, username: str) -> None:
        n = LoginAttempt.objects.filter(username=username).update(failures=0, locked_until=None)
        if not n:
            raise CommandError(f"{username} 没有登录失败或锁定记录 / no lockout for {username}")
        audit.record("auth.unlock", object_type="accounts.user", object_id=username,
                     summary=f"运维人员解除 {username} 的登录锁定")
        self.stdout.write(self.style.SUCCESS(f"已解除 {username} 的锁定 / unlocked"))
