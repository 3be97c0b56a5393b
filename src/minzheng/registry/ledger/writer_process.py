"""Writing a big ledger in a second process while the first one is still reading and checking it.

A thread would not help: Python runs one thread at a time, and SQLite gives the lock back after every row, so a
writer thread mostly waits. A child process has its own interpreter and its own database connection, so the
database work runs on a second core. The child holds one transaction for the whole import: it commits only when
the parent, after checking the last row, says so (with the audit summary, recorded in the same transaction), and
rolls back otherwise. Batches travel as marshal bytes through a pipe into a bounded queue, which bounds the memory.
"""

from __future__ import annotations

import datetime as dt
import gc
import marshal
import multiprocessing
import multiprocessing.connection
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection

from minzheng.audit import context

if TYPE_CHECKING:   # the child process imports this module before Django is set up
    from .validate import Batch

Progress = Callable[[str, int, int], None]
_END = b""
INBOX_BATCHES = 16   # batches held by the writer process, about 10 MB
WRITER_NICENESS = 10


def can_reach_database() -> bool:
    """A child can reach the same database: PostgreSQL, or SQLite in a file (not an in-memory test database)."""
    if connection.vendor == "postgresql":
        return True
    return connection.vendor == "sqlite" and not connection.is_in_memory_db()


class WriterProcess:
    """put(batch) per validated batch; finish(commit=…) once. The interface of an in-process writer."""

    def __init__(self, name: str, today: dt.date, skip_invalid: bool, progress: Progress | None) -> None:
        self.skip_invalid, self.progress = skip_invalid, progress
        self.validator: Any = None
        self.written = 0
        self.sent = 0
        self.failed = False
        self.timings: dict[str, float] = {}   # seconds the child spent writing rows, idle, on indexes, committing
        _finishing[:] = [p for p in _finishing if p.poll() is None]
        # A fresh interpreter started with -m, not multiprocessing's spawn, which would re-run the parent's main
        # script (a console script, pytest, a server) in the child.
        self.pipe, child_end = multiprocessing.Pipe()
        fd = child_end.fileno()
        self.proc = subprocess.Popen([sys.executable, "-m", __name__, str(fd)], pass_fds=(fd,), close_fds=True,
                                     env={**os.environ, "DJANGO_SETTINGS_MODULE": _settings_module()})
        child_end.close()
        self._send((dict(connection.settings_dict), context.current(), name, today.isoformat()))

    def put(self, batch: Batch) -> None:
        # Atomic mode: after the first error nothing will be kept, so stop feeding the writer.
        if self.failed or not (self.skip_invalid or not self.validator.error_count):
            return
        if not self.sent:
            self._send(("start", self.validator.expected_persons()))
        try:
            self.pipe.send_bytes(marshal.dumps(batch))
        except OSError:          # the child died; finish() reports it
            self.failed = True
            return
        self.sent += 1
        while self.pipe.poll():
            self._handle(self.pipe.recv())

    def _send(self, message: Any) -> None:
        try:
            self.pipe.send(message)
        except OSError:
            self.failed = True

    def _handle(self, message: tuple[Any, ...]) -> tuple[Any, ...] | None:
        if message[0] == "progress":
            self.written = message[1]
            if self.progress:
                self.progress("write", message[1], self.validator.stats.households)
            return None
        return message

    def finish(self, *, commit: bool, summary: str = "", detail: dict[str, Any] | None = None,
               division_code: str = "") -> int:
        if not self.sent:
            self._send(("start", 0))
        try:
            self.pipe.send_bytes(_END)
        except OSError:
            self.failed = True
        self._send({"commit": commit, "summary": summary, "detail": detail, "division_code": division_code})
        outcome: tuple[Any, ...] = ("error", "other", "写入进程意外退出")
        try:
            while True:
                got = self._handle(self.pipe.recv())
                if got is not None:
                    outcome = got
                    break
        except (EOFError, OSError):
            pass
        self.pipe.close()
        if outcome[0] == "done":
            _finishing.append(self.proc)   # still checkpointing (see _child): not waited for here
            self.written, self.timings = outcome[1], outcome[2]
            return self.written
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        if outcome[0] == "error" and commit:
            # The caller turns these into a plain message ("nothing was written") and an audit entry.
            raise (IntegrityError if outcome[1] == "integrity" else DatabaseError)(outcome[2])
        return 0


_finishing: list[subprocess.Popen[bytes]] = []


def wait_for_background(timeout: float = 600) -> float:
    """Wait for writer processes still checkpointing after their import returned; the seconds waited."""
    started = time.perf_counter()
    while _finishing:
        proc = _finishing.pop()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
    return time.perf_counter() - started


def _settings_module() -> str:
    # Under override_settings the holder has no module name; the environment still does.
    return getattr(settings, "SETTINGS_MODULE", None) or os.environ.get("DJANGO_SETTINGS_MODULE") \
        or "minzheng.settings"


class _Rollback(Exception):
    pass


def _child(pipe: Any) -> None:
    gc.disable()   # short-lived, builds no cycles; see Validator.run
    # Background work: the reading process (and, on a server, people's requests) go first. The writer has time
    # to spare while the file is read; after the last row it runs alone anyway.
    os.nice(WRITER_NICENESS)
    db, actor, name, today_iso = pipe.recv()
    import django

    django.setup()
    from django.db import connections, transaction

    from minzheng.audit import services as audit

    from .writer import LedgerWriter

    # The parent's database, which under tests is the test database rather than the configured one.
    connections.settings["default"].update(db)
    conn = connections["default"]
    conn.settings_dict.update(db)
    conn.close()
    if conn.vendor == "sqlite":
        # Each id this writer writes is one it allocated, so SQLite's per-row foreign-key lookups only repeat
        # what is true by construction; LedgerWriter.finish() checks the references to other tables (division,
        # programme) instead. The pragma only takes effect outside a transaction, hence here. The commit does not
        # copy the log into the database file either: that checkpoint comes after the parent has its answer.
        with conn.cursor() as cur:
            cur.execute("PRAGMA foreign_keys = OFF")
            cur.execute("PRAGMA wal_autocheckpoint = 0")
    outcome: tuple[Any, ...]
    # A thread takes the batches off the pipe while the main thread is inside SQLite (which releases the GIL),
    # so the reading process never waits on a writer that is building an index. The queue bounds the memory.
    inbox: queue.Queue[bytes] = queue.Queue(maxsize=INBOX_BATCHES)
    receiver = threading.Thread(target=_receive, args=(pipe, inbox), name="ledger-receiver", daemon=True)
    ended = False
    try:
        kind, expected = pipe.recv()
        assert kind == "start"
        receiver.start()
        with context.acting(actor), transaction.atomic():
            writer = LedgerWriter(source_ref=name, today=dt.date.fromisoformat(today_iso),
                                  expected_persons=expected)
            started = time.perf_counter()
            busy = building = 0.0
            try:
                while True:
                    try:
                        data = inbox.get_nowait()
                    except queue.Empty:
                        # Idle: the reading process is the slow side. Build a dropped index now rather than
                        # after the last row, when the reading process would wait for it.
                        t = time.perf_counter()
                        if writer.build_index_early():
                            building += time.perf_counter() - t
                            continue
                        data = inbox.get()
                    if data == _END:
                        break
                    t = time.perf_counter()
                    writer.write(marshal.loads(data))
                    busy += time.perf_counter() - t
                    pipe.send(("progress", writer.written.households))
                ended = True
                timings = {"writer_rows": busy, "writer_indexes_early": building,
                           "writer_idle": time.perf_counter() - started - busy - building}
                decision = pipe.recv()
                if not decision["commit"]:
                    raise _Rollback
                t = time.perf_counter()
                writer.finish()
                timings["writer_indexes"] = time.perf_counter() - t
            finally:
                writer.close()
            audit.record("registry.import", division_code=decision["division_code"], summary=decision["summary"],
                         object_type="registry.household", detail=decision["detail"])
            written = writer.written.households
            t = time.perf_counter()
        timings["writer_commit"] = time.perf_counter() - t
        outcome = ("done", written, timings)
    except _Rollback:
        outcome = ("rolled back",)
    except BaseException as exc:  # reported in the parent by finish()
        kind = "integrity" if isinstance(exc, IntegrityError) else "database" if isinstance(exc, DatabaseError) \
            else "other"
        outcome = ("error", kind, f"{type(exc).__name__}: {exc}"[:2000])
        try:
            if not ended:                 # let the parent finish sending
                if receiver.ident is not None:
                    while inbox.get() != _END:
                        pass
                else:
                    while pipe.recv_bytes() != _END:
                        pass
                pipe.recv()
        except (EOFError, OSError):
            pass
    try:
        pipe.send(outcome)
    except OSError:
        pass
    # The import is committed (in the write-ahead log) and the parent has its answer; copying the log into the
    # database file is SQLite housekeeping, done here so that no later web request pays for it.
    try:
        if outcome[0] == "done" and conn.vendor == "sqlite":
            with conn.cursor() as cur:
                cur.execute("PRAGMA wal_checkpoint(PASSIVE)")
    finally:
        connections.close_all()


def _receive(pipe: Any, inbox: queue.Queue[bytes]) -> None:
    try:
        while True:
            data = pipe.recv_bytes()
            inbox.put(data)
            if data == _END:
                return
    except (EOFError, OSError):
        inbox.put(_END)   # the parent is gone: what follows (the decision) fails and rolls back


if __name__ == "__main__":
    _child(multiprocessing.connection.Connection(int(sys.argv[1])))
