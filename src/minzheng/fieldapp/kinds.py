"""The record kinds a phone can send, as a registry: kind → who may send it, how its payload is checked and which
service writes it. Adding a kind (the 探访 visit record of the care app) is one `register(...)` call, from that
app's AppConfig.ready():

    register(RecordKind("visit", "探访记录", allowed=..., handle=..., assigned=due_visits,
                        form=(FormField("visited_on", "探访日期", "date"), FormField("notes", "情况", "textarea"))))

`assigned` lists the kind's work for the phone's offline copy (e.g. the visits due), each {"id", "title", "detail"};
`form` describes the fields the phone shows for it (the four built-in kinds have forms of their own).

A handler calls the owning app's service, which does the audit and the jurisdiction checks; it raises
ValidationError / PermissionDenied for a record to be corrected on the phone and `Conflict` when the server's copy
changed since the phone's."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from minzheng.accounts.actor import Actor


class Conflict(Exception):
    """The record the phone edited was changed on the server since the phone's copy: shown, never overwritten."""

    def __init__(self, message: str, server: Mapping[str, Any] | None = None, version: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.server = dict(server or {})
        self.version = version


@dataclass(frozen=True)
class Submission:
    """One record as the phone sent it: its payload, the version of the server copy it edited (if any) and its
    photos, already uploaded and verified (name → file object)."""

    client_id: str
    data: Mapping[str, Any]
    base_version: str = ""
    photos: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Accepted:
    """What the server wrote: a reference the worker recognises (民情 MQ… number, case number) and a line of text."""

    ref: str
    text: str = ""


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    type: str = "text"  # text | textarea | date | datetime-local | number | checkbox | select | photo
    required: bool = False
    choices: tuple[str, ...] = ()  # a select's options

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "label": self.label, "type": self.type, "required": self.required,
                "choices": list(self.choices)}


@dataclass(frozen=True)
class RecordKind:
    code: str
    label: str
    # May this user send records of this kind at all (what the phone offers)?
    allowed: Callable[[Actor], bool]
    handle: Callable[[Actor, Submission], Accepted]
    photo_fields: tuple[str, ...] = ()
    # The kind's assigned work for the phone (what is due), and a generic form for kinds without their own screen.
    assigned: Callable[[Actor], list[dict[str, Any]]] | None = None
    form: tuple[FormField, ...] = ()


_KINDS: dict[str, RecordKind] = {}


def register(kind: RecordKind) -> None:
    _KINDS[kind.code] = kind


def get(code: str) -> RecordKind | None:
    return _KINDS.get(code)


def for_user(user: Actor) -> list[RecordKind]:
    return [k for k in _KINDS.values() if k.allowed(user)]


def all_kinds() -> list[RecordKind]:
    return list(_KINDS.values())
