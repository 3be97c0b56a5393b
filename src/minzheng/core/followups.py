"""What to look at next after a person's record was saved, asked by the page that saved it.

An app that keeps a copy of a person's details (payments copies the bank account onto roster lines) registers a
function; the registry's edit page asks once after saving and, when there is something, sends the officer there
with the sentence that says why. Registered in AppConfig.ready, like nav, home panels and to-dos.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Followup:
    text: str
    url: str


_sources: list[Callable[[Any, Any], Followup | None]] = []


def register(source: Callable[[Any, Any], Followup | None]) -> None:
    """source(user, person) returns a follow-up for that person, or None."""
    if source not in _sources:
        _sources.append(source)


def after_person_saved(user: Any, person: Any) -> Followup | None:
    for source in _sources:
        found = source(user, person)
        if found is not None:
            return found
    return None
