"""Names of our temporary folders. They can hold personal data (sheet XML of a ledger, a database dump), so each
carries the id of the process that made it: the worker's start-up sweep (core/worker/housekeeping.py) removes those
whose process is gone, which a crash or kill -9 would otherwise leave behind for ever."""

from __future__ import annotations

import os

PREFIX = "minzheng-"
KINDS = ("parts", "backup", "restore")


def prefix(kind: str) -> str:
    """e.g. "minzheng-parts-12345-" for tempfile.mkdtemp(prefix=...)."""
    return f"{PREFIX}{kind}-{os.getpid()}-"


def owner_pid(name: str) -> int | None:
    """The process id in a folder name made with prefix(), or None if the name is not one of ours."""
    for kind in KINDS:
        head = f"{PREFIX}{kind}-"
        if name.startswith(head):
            pid, sep, _ = name[len(head):].partition("-")
            return int(pid) if sep and pid.isdigit() else None
    return None
