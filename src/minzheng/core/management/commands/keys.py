"""`minzheng keys show | seal | rotate`: the key that seals bank account and phone numbers (core/sealed.py).

rotate makes a new key, re-seals every value under it (with new blind indexes) and then makes it current; stopped
half-way it is run again and carries on where it stopped. Each start and end is audited."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minzheng.audit import context
from minzheng.audit import services as audit
from minzheng.core import keyfiles, sealed, sealing


class Command(BaseCommand):
    help = "字段加密密钥 / Field keys: show | seal（加密遗留明文 seal plaintext） | rotate（轮换 rotate）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("show", help="显示密钥指纹和加密状态 / fingerprints and what is sealed")
        s = sub.add_parser("seal", help="加密数据库中遗留的明文账号和电话（可重复执行） / seal plaintext left over")
        r = sub.add_parser("rotate", help="换新密钥并重新加密全部字段（可中断后重跑，记入审计） / rotate the key")
        for p in (s, r):
            p.add_argument("--batch", type=int, default=sealing.BATCH, help="每批行数 / rows per transaction")

    def handle(self, *args: Any, **o: Any) -> None:
        batch = max(100, min(int(o.get("batch") or sealing.BATCH), 50_000))
        try:
            with context.acting(context.operator()):
                if o["action"] == "seal":
                    self._seal(batch)
                elif o["action"] == "rotate":
                    self._rotate(batch)
                self._show()
        except (sealed.SealError, keyfiles.KeyFileError) as exc:
            raise CommandError(str(exc)) from exc

    def _progress(self, table: str, n: int) -> None:
        self.stdout.write(f"  {table}: {n} 行 / rows")

    def _seal(self, batch: int) -> None:
        done = sealing.reseal_all(batch=batch, progress=self._progress)
        n = sum(done.values())
        if n:
            audit.record("keys.seal", summary=f"加密遗留的明文账号和电话 {n} 行", detail=done)
        self.stdout.write(self.style.SUCCESS(f"已加密 {n} 行 / {n} rows sealed"))

    def _rotate(self, batch: int) -> None:
        resumed = sealed.keyring(refresh=True).rotating
        old, new = sealed.start_rotation()
        old_id = old.kid if old else "-"
        if resumed:
            self.stdout.write(f"继续未完成的轮换 {old_id} → {new.kid} / resuming")
        else:
            audit.record("keys.rotate.start", summary=f"开始轮换字段加密密钥 {old_id} → {new.kid}",
                         detail={"old": old_id, "new": new.kid})
        done = sealing.reseal_all(batch=batch, progress=self._progress)
        sealed.finish_rotation()
        n = sum(done.values())
        audit.record("keys.rotate", summary=f"字段加密密钥已轮换为 {new.kid}，重新加密 {n} 行",
                     detail={"old": old_id, "new": new.kid, "rows": done, "resumed": resumed})
        self.stdout.write(self.style.SUCCESS(f"密钥已轮换为 {new.kid}，重新加密 {n} 行 / rotated, {n} rows"))

    def _show(self) -> None:
        ring = sealed.keyring(refresh=True)
        cur = ring.current.kid if ring.current else "（尚未生成 none yet）"
        self.stdout.write(f"  当前密钥 current: {cur}  ({sealed.key_path()})")
        if ring.next:
            self.stdout.write(f"  轮换未完成 rotation under way → {ring.next.kid}：请再次运行 minzheng keys rotate")
        retired = sorted(k for k in ring.by_kid if k not in {cur, ring.next.kid if ring.next else ""})
        if retired:
            self.stdout.write(f"  旧密钥 retired: {', '.join(retired)}  ({sealed.retired_dir()})")
        left = {t: n for t, n in sealing.unsealed_counts().items() if n}
        self.stdout.write(f"  未加密 plaintext rows: {sum(left.values())} {left if left else ''}")
