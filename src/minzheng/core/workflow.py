"""Which actions a user may take next on a record: each workflow answers once, beside its transitions; pages ask here.

An app registers, in its `ready()`, a model with every action code its workflow knows and the function that
returns those the actor may take now (state, capability and jurisdiction). Templates ask through
`{% allowed_actions obj as can %}` and test `{% if can.approve %}` (see core/templatetags/workflow.py) instead of
comparing status or role strings. A code the workflow does not know raises, so a misspelt button fails a test
rather than silently disappearing. The answer only decides what is offered: the service still refuses a wrong
action, and tests check that the two agree.

The line between government and the organisations it buys services from (财政部令第102号 Art 10(2)) is drawn here
for every workflow at once: an outside user (accounts.roles.OUTSIDE_ROLES: a provider's staff, an evaluator) is
offered only the codes a workflow lists in `outside_codes`, none by default, so no approve, refuse, end, return or
any other step on a benefit can reach them, whatever a rule forgets to check. Their capabilities lack every
decision (roles.BENEFIT_DECISION_CAPS), so the services refuse too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Model

from minzheng.accounts.roles import is_outside

if TYPE_CHECKING:
    from minzheng.accounts.actor import Actor

Rule = Callable[[Any, "Actor"], Iterable[str]]


class UnknownAction(Exception):  # not a LookupError, which templates would swallow
    """A page asked about an action the record's workflow does not have (a typo in a template)."""


@dataclass(frozen=True)
class _Workflow:
    codes: frozenset[str]
    rule: Rule
    outside_codes: frozenset[str] = frozenset()


_WORKFLOWS: dict[type[Model], _Workflow] = {}


def register(model: type[Model], codes: Iterable[str], rule: Rule, *, outside_codes: Iterable[str] = ()) -> None:
    """`rule(obj, actor)` yields the codes the actor may take on `obj` now; `codes` lists every one it can yield;
    `outside_codes` are the only ones an outside organisation's user may ever be offered (none of them a decision
    on a benefit)."""
    codes = frozenset(codes)
    outside = frozenset(outside_codes)
    if stray := outside - codes:
        raise UnknownAction(f"{model.__name__}: outside codes not in its workflow: {sorted(stray)}")
    _WORKFLOWS[model] = _Workflow(codes, rule, outside)


def _workflow_of(model: type[Model]) -> _Workflow:
    for cls in model.__mro__:
        if cls in _WORKFLOWS:
            return _WORKFLOWS[cls]
    raise LookupError(f"{model.__name__} has no registered workflow")


def allowed_actions(obj: Model, actor: Actor | None) -> frozenset[str]:
    """The action codes `actor` may take on `obj` now (none for the anonymous or an inactive user)."""
    wf = _workflow_of(type(obj))
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return frozenset()
    allowed = frozenset(wf.rule(obj, actor))
    if stray := allowed - wf.codes:
        raise UnknownAction(f"{type(obj).__name__} workflow offered undeclared actions: {sorted(stray)}")
    if is_outside(actor):
        return allowed & wf.outside_codes
    return allowed


def known_actions(model: type[Model]) -> frozenset[str]:
    return _workflow_of(model).codes


class Allowed:
    """The template's view of `allowed_actions`: `can.close` is True or False; an unknown code raises."""

    def __init__(self, obj: Model, actor: Actor | None) -> None:
        self._model = type(obj).__name__
        self._codes = known_actions(type(obj))
        self._allowed = allowed_actions(obj, actor)

    def __getitem__(self, code: str) -> bool:
        if code not in self._codes:
            raise UnknownAction(f"{self._model} has no action “{code}” (known: {', '.join(sorted(self._codes))})")
        return code in self._allowed

    def __contains__(self, code: object) -> bool:
        return self[str(code)]

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._allowed))

    def __bool__(self) -> bool:
        return bool(self._allowed)

    def __repr__(self) -> str:
        return f"<Allowed {self._model}: {sorted(self._allowed)}>"
