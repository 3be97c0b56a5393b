"""State changes of disaster statistics: events, rounds, reports, approval by level and per-person registers.

Every function takes the acting user, checks jurisdiction through core.scoping and runs in one transaction.
`now` is a parameter wherever a deadline matters, so tests run on a fixed clock.

One module per step: `events` (灾害过程 and its rounds), `reports` (报送 and approval), `validation_rules` (the rule
book), `deadlines` (who owes what), `registers` (per-person registers) and `summary` (aggregation). Callers use
`services.<name>`; the names are re-exported here.
"""

from .deadlines import Due, dues, late_townships, open_events, open_rounds_for, overdue_initial
from .events import (
    add_areas,
    affected_townships,
    affected_villages,
    department,
    event_rounds,
    mark_stable,
    next_update_due,
    open_due_rounds,
    open_update_round,
    register_event,
    update_interval,
)
from .registers import (
    REGISTER_PAIRS,
    RegisterCheck,
    add_casualty,
    add_house_damage,
    register_counts,
    register_reconciliation,
)
from .reports import (
    approve_report,
    approver_cap,
    can_approve,
    open_report,
    pending_approvals,
    previous_report,
    return_report,
    save_report,
    submit_report,
    validate,
    village_total,
)
from .summary import Summary, SummaryRow, summarise, summary_table
from .validation_rules import active_rules, rules_version, save_rule

__all__ = [
    "REGISTER_PAIRS", "Due", "RegisterCheck", "Summary", "SummaryRow", "active_rules", "add_areas", "add_casualty",
    "add_house_damage", "affected_townships", "affected_villages", "approve_report", "approver_cap", "can_approve",
    "department", "dues", "event_rounds", "late_townships", "mark_stable", "next_update_due", "open_due_rounds",
    "open_events", "open_report", "open_rounds_for", "open_update_round", "overdue_initial", "pending_approvals",
    "previous_report",
    "register_counts", "register_event", "register_reconciliation", "return_report", "rules_version", "save_report",
    "save_rule", "submit_report", "summarise", "summary_table", "update_interval", "validate", "village_total",
]
