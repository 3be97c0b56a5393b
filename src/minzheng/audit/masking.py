"""What the 审计管理员 sees of an entry: ID, phone and bank account numbers a summary may quote are masked, since
they review what was done, not people's data. (The audit page and the audit API.)"""

from __future__ import annotations

import re

_LONG_NUMBER = re.compile(r"(?<![0-9])([0-9]{3})[0-9Xx]{4,}([0-9Xx]{4})(?![0-9Xx])")


def masked(text: str) -> str:
    """"350702195103150317" → "350***********0317"; numbers shorter than 11 characters stay as they are."""
    return _LONG_NUMBER.sub(lambda m: f"{m.group(1)}{'*' * (len(m.group(0)) - 7)}{m.group(2)}", text)
