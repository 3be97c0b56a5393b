"""Leak-test planter for the ledger import routes; merged by registry/leakcheck.py."""

from __future__ import annotations

from .ledger.leakcheck import plant

__all__ = ["plant"]
