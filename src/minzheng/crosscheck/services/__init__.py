"""信息核对 services: load department data, run the rules, keep the 疑点 list, record the township's outcome.

Views, the API and the CLI call these; they check permissions and jurisdiction themselves so no caller can skip it.

One module per step: `datasets` (loading department data), `rule_catalogue` (rules and their parameters), `runs`
(核对 batches and the 疑点 they raise), `findings` (outcomes, lists, to-dos) and `applications` (one household
during an application). Callers use `services.<name>`; the names are re-exported here. The web and the API queue runs for the
worker process (`start_run(background=True)`).
"""

from .applications import KIND_SOURCE, RULE_SOURCE, application_hits, check_application
from .datasets import LoadResult, current_datasets, data_dir, dataset_dict, load_dataset
from .findings import (
    Summary,
    assign,
    count_assigned,
    findings_for,
    matrix_for,
    move_assigned,
    record_outcome,
    summary_for,
    tasks_for,
)
from .rule_catalogue import PARAM_FIELDS, enabled_rules, rule_params, set_rule_enabled, sync_rules
from .runs import execute_run, persist_findings, start_run

__all__ = [
    "KIND_SOURCE", "PARAM_FIELDS", "RULE_SOURCE", "LoadResult", "Summary", "application_hits", "assign",
    "check_application", "count_assigned", "current_datasets", "data_dir", "dataset_dict", "enabled_rules",
    "execute_run", "findings_for", "load_dataset", "matrix_for", "move_assigned", "persist_findings", "record_outcome",
    "rule_params", "set_rule_enabled", "start_run", "summary_for", "sync_rules", "tasks_for",
]
