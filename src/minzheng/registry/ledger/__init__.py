"""Household ledger (台账) import: read messy township Excel/CSV ledgers, validate, bulk-write.

`import_ledger` (service.py) is the entry point; parsers and reader need no Django setup.
"""

from __future__ import annotations

from typing import Any

__all__ = ["CellError", "ImportResult", "LedgerFileError", "import_ledger"]


def __getattr__(name: str) -> Any:
    # Lazy, so that the reader and parsers import without Django settings (benchmarks, property tests).
    if name in ("ImportResult", "import_ledger"):
        from . import service

        return getattr(service, name)
    if name == "CellError":
        from .parsers import CellError

        return CellError
    if name == "LedgerFileError":
        from .reader import LedgerFileError

        return LedgerFileError
    raise AttributeError(name)
