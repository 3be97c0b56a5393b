"""The project's own Django apps, in the order Django loads them.

The one list: settings.INSTALLED_APPS installs these, the audit log records writes to their models, and
tests/core/test_apps_list.py proves that every app's pages and API are mounted by urls.py and api.py.
"""

from __future__ import annotations

APPS: tuple[str, ...] = (
    "core", "regions", "accounts", "audit", "policy", "registry", "assistance", "payments", "crosscheck",
    "disaster", "workforce", "purchased", "care", "stats", "fieldapp",
)
