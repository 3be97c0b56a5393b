"""The keyed, anchored chain survives a database writer: whoever can run SQL but cannot read MINZHENG_HOME can
neither edit and recompute, nor delete the newest entries, nor rewind the head, nor re-hash with plain SHA-256,
without `minzheng audit verify` noticing. The checkpoint file is exportable for the 审计管理员."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client

from minzheng.accounts.roles import Role
from minzheng.audit import anchor, chain, services
from minzheng.audit.models import AuditEntry, AuditHead

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Callable[[int], list[AuditEntry]]:
    """n entries whose transaction 'commits' (on-commit hooks run, so their checkpoint is written)."""

    def write(n: int) -> list[AuditEntry]:
        with django_capture_on_commit_callbacks(execute=True):
            return [services.record("test.event", summary=f"第{i}条", detail={"i": i}) for i in range(n)]

    return write


def _plain_rechain(from_seq: int) -> None:
    """What an attacker with SQL access can do: recompute every hash from `from_seq` on with plain SHA-256."""
    prev = AuditEntry.objects.get(seq=from_seq - 1).hash if from_seq > 1 else chain.GENESIS
    for e in AuditEntry.objects.filter(seq__gte=from_seq).order_by("seq"):
        e.prev_hash = prev
        e.hash = hashlib.sha256(chain.content(e).encode()).hexdigest()
        AuditEntry.objects.filter(pk=e.pk).update(prev_hash=e.prev_hash, hash=e.hash)
        prev = e.hash
    AuditHead.objects.filter(id=1).update(hash=prev)


def test_entries_carry_an_hmac_not_a_plain_hash(committed: Any) -> None:
    e = committed(1)[0]
    assert e.hash == chain.mac(e, chain.load_key())
    assert e.hash != chain.legacy_hash(e)
    assert services.verify().ok


def test_editing_a_row_and_recomputing_the_rest_with_sha256_is_detected(committed: Any) -> None:
    entries = committed(3)
    with connection.cursor() as cur:
        cur.execute("UPDATE audit_auditentry SET summary = %s WHERE id = %s", ["篡改", entries[1].pk])
    _plain_rechain(entries[1].seq)
    r = services.verify()
    assert not r.ok and r.first_bad_seq == entries[1].seq
    assert "被改动或被重新计算" in r.reason


def test_recomputing_the_whole_chain_as_unkeyed_is_detected(committed: Any) -> None:
    committed(3)
    # the attacker also marks the installation as "not yet upgraded", so every entry would be checked unkeyed
    _plain_rechain(1)
    AuditHead.objects.filter(id=1).update(keyed_from=None)
    r = services.verify()
    assert not r.ok
    assert "检查点文件第" in r.reason and "重新计算" in r.reason


def test_deleting_a_middle_row_is_detected(committed: Any) -> None:
    entries = committed(3)
    with connection.cursor() as cur:
        cur.execute("DELETE FROM audit_auditentry WHERE id = %s", [entries[1].pk])
    r = services.verify()
    assert not r.ok and r.first_bad_seq == entries[1].seq


def test_deleting_the_newest_entries_and_rewinding_the_head_is_detected(committed: Any) -> None:
    # given: entries committed, their head anchored outside the database
    entries = committed(3)
    assert services.verify().ok
    # when: the newest two are deleted and the head set back to the one before, as if they never existed
    keep = entries[0]
    with connection.cursor() as cur:
        cur.execute("DELETE FROM audit_auditentry WHERE seq > %s", [keep.seq])
    AuditHead.objects.filter(id=1).update(seq=keep.seq, hash=keep.hash)
    # then
    r = services.verify()
    assert not r.ok
    assert f"已记到第 {entries[-1].seq} 条" in r.reason and "链尾被回退" in r.reason
    assert r.first_bad_seq == keep.seq + 1


def test_a_rewound_head_that_grew_again_is_detected(committed: Any) -> None:
    entries = committed(3)
    with connection.cursor() as cur:
        cur.execute("DELETE FROM audit_auditentry WHERE seq > %s", [entries[0].seq])
    AuditHead.objects.filter(id=1).update(seq=entries[0].seq, hash=entries[0].hash)
    # the application goes on writing: same sequence numbers, different entries
    services.record("test.after", summary="之后")
    services.record("test.after", summary="之后")
    r = services.verify()
    assert not r.ok and r.first_bad_seq == entries[-1].seq


def test_one_checkpoint_line_per_transaction_and_none_for_a_rollback(committed: Any) -> None:
    committed(200)
    lines = anchor.path().read_text().splitlines()
    assert len(lines) == 1
    line = json.loads(lines[0])
    assert line["seq"] == AuditHead.objects.get().seq and line["mac"] == AuditHead.objects.get().hash
    # a transaction that rolls back leaves no checkpoint behind
    with pytest.raises(RuntimeError), transaction.atomic():
        services.record("test.rolled_back")
        raise RuntimeError
    assert len(anchor.path().read_text().splitlines()) == 1
    assert services.verify().ok


def test_bulk_commits_do_not_fsync_per_row(committed: Any, monkeypatch: pytest.MonkeyPatch,
                                          settings: Any) -> None:
    settings.MINZHENG_AUDIT_FSYNC_SECONDS = 60
    calls: list[int] = []
    real = os.fsync
    monkeypatch.setattr(anchor.os, "fsync", lambda fd: (calls.append(fd), real(fd))[1])
    for _ in range(20):
        committed(5)  # 20 separate transactions, e.g. batches of an import
    assert len(anchor.path().read_text().splitlines()) == 20
    assert len(calls) <= 1


def test_a_forged_checkpoint_line_is_detected(committed: Any) -> None:
    committed(2)
    p = anchor.path()
    d = json.loads(p.read_text().splitlines()[0])
    d["seq"] += 5
    p.write_text(json.dumps(d) + "\n")
    r = services.verify()
    assert not r.ok and "签名无效" in r.reason


def test_a_fake_retention_purge_is_detected(committed: Any) -> None:
    entries = committed(4)
    cut = entries[1]
    with connection.cursor() as cur:
        cur.execute("DELETE FROM audit_auditentry WHERE seq <= %s", [cut.seq])
    AuditHead.objects.filter(id=1).update(base_seq=cut.seq, base_hash=cut.hash)
    r = services.verify()
    assert not r.ok and "没有对应的按保留期清理记录" in r.reason


def test_a_missing_key_is_reported_and_never_silently_replaced(committed: Any, settings: Any,
                                                              tmp_path: Path) -> None:
    committed(1)
    settings.MINZHENG_AUDIT_KEY_FILE = tmp_path / "gone" / "audit_key"
    chain.forget_keys()
    try:
        r = services.verify()
        assert not r.ok and "audit_key" in r.reason
        # writing must not mint a new key that would orphan every keyed entry
        with pytest.raises(Exception, match="不存在"):
            services.record("test.event")
        assert not settings.MINZHENG_AUDIT_KEY_FILE.exists()
    finally:
        chain.forget_keys()


def test_the_key_is_created_owner_only(tmp_path: Path, settings: Any) -> None:
    settings.MINZHENG_AUDIT_KEY_FILE = tmp_path / "audit_key"
    chain.forget_keys()
    try:
        AuditHead.objects.all().delete()
        AuditEntry.objects.all()._raw_delete(AuditEntry.objects.db)
        services.prepare()
        mode = stat.S_IMODE(settings.MINZHENG_AUDIT_KEY_FILE.stat().st_mode)
        assert mode == 0o600
        assert len(chain.load_key()) == 32
    finally:
        chain.forget_keys()


def _make_legacy_chain(n: int) -> None:
    """An installation from before the keyed chain: plain SHA-256 entries and a head without a boundary."""
    AuditEntry.objects.all()._raw_delete(AuditEntry.objects.db)
    AuditHead.objects.all().delete()
    prev = chain.GENESIS
    from minzheng.core import dates

    for i in range(1, n + 1):
        e = AuditEntry(seq=i, at=dates.now(), action="legacy.event", summary=f"旧{i}", prev_hash=prev)
        e.hash = chain.legacy_hash(e)
        e.save()
        prev = e.hash
    AuditHead.objects.create(id=1, seq=n, hash=prev, keyed_from=None)


def test_an_old_unkeyed_chain_is_upgraded_at_a_marked_boundary(committed: Any) -> None:
    # given: three entries from before the change
    _make_legacy_chain(3)
    assert services.verify().ok
    # when: the next write (or `minzheng init`) upgrades the chain
    committed(1)
    # then: an upgrade entry marks the boundary, and the chain verifies with both schemes
    upgrade = AuditEntry.objects.get(seq=4)
    assert upgrade.action == "audit.chain_upgrade" and upgrade.detail["legacy_through"] == 3
    assert AuditHead.objects.get().keyed_from == 4
    r = services.verify()
    assert r.ok and r.legacy == 3 and r.checked == 5


def test_an_upgraded_chain_still_catches_edits_to_the_old_entries(committed: Any) -> None:
    _make_legacy_chain(3)
    committed(1)
    AuditEntry.objects.filter(seq=2).update(summary="改")
    _plain_rechain(2)  # recompute the legacy part… and past the boundary with plain SHA-256
    AuditHead.objects.filter(id=1).update(keyed_from=None)
    assert not services.verify().ok


def test_moving_the_boundary_is_detected(committed: Any) -> None:
    _make_legacy_chain(3)
    committed(2)
    AuditHead.objects.filter(id=1).update(keyed_from=5)
    r = services.verify()
    assert not r.ok


def test_init_upgrades_and_reports_it(django_capture_on_commit_callbacks: Any) -> None:
    _make_legacy_chain(2)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.prepare() is True
        assert services.prepare() is False
    assert AuditEntry.objects.filter(action="audit.chain_upgrade").count() == 1
    assert services.verify().ok


def test_export_for_the_auditor_and_verify_against_the_copy(committed: Any, tmp_path: Path,
                                                             capsys: Any) -> None:
    entries = committed(3)
    out = tmp_path / "cp.log"
    call_command("audit", "checkpoints", "--export", str(out))
    assert out.read_text() and "已导出" in capsys.readouterr().out
    assert AuditEntry.objects.filter(action="export.审计检查点").exists()
    # later someone rewinds the database and empties the installation's own file…
    with connection.cursor() as cur:
        cur.execute("DELETE FROM audit_auditentry WHERE seq > %s", [entries[0].seq])
    AuditHead.objects.filter(id=1).update(seq=entries[0].seq, hash=entries[0].hash)
    anchor.path().write_text("")
    # …the auditor's copy still catches it
    with pytest.raises(SystemExit) as exc:
        call_command("audit", "verify", "--checkpoints", str(out))
    assert exc.value.code == 1
    assert "链尾被回退" in capsys.readouterr().err


def test_verify_reports_checkpoints(committed: Any, capsys: Any) -> None:
    committed(2)
    call_command("audit", "verify")
    out = capsys.readouterr().out
    assert "审计日志完整" in out and "检查点 checkpoints: 1 个" in out


def test_the_audit_admin_downloads_the_checkpoints_and_it_is_audited(committed: Any, make_user: Any) -> None:
    committed(2)
    c = Client()
    c.force_login(make_user(Role.AUDIT_ADMIN))
    resp = c.get("/audit/checkpoints/")
    assert resp.status_code == 200
    assert "attachment" in resp["Content-Disposition"]
    body = b"".join(resp.streaming_content) if resp.streaming else resp.content
    assert body == anchor.path().read_bytes()
    assert AuditEntry.objects.filter(action="export.审计检查点").exists()
    page = c.get("/audit/?verify=1").content.decode()
    assert "检查点" in page and "/audit/checkpoints/" in page
    other = Client()
    other.force_login(make_user(Role.SYS_ADMIN))
    assert other.get("/audit/checkpoints/").status_code == 403


def test_purge_by_retention_keeps_the_anchored_chain_verifiable(committed: Any,
                                                                django_capture_on_commit_callbacks: Any) -> None:
    import datetime as dt

    from minzheng.core import dates

    # given: entries written (and anchored) 400 days ago, and newer ones
    with dates.frozen(dates.now() - dt.timedelta(days=400)):
        old = committed(3)
    committed(2)
    # when: purged by retention
    with django_capture_on_commit_callbacks(execute=True):
        n = services.purge_before(dates.now() - dt.timedelta(days=200))
    # then: the rest verifies, checkpoints of purged entries included
    assert n >= 3 and AuditHead.objects.get().base_seq >= old[-1].seq
    r = services.verify()
    assert r.ok, r.reason
    assert r.checkpoints == 3
