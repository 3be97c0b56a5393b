"""The check of a ledger before anything is written: one streaming pass, every cell checked, valid households
handed on in batches.

    validator.py  the pass: sheets, households, fast path then exact path, batches
    sheet.py      a sheet's columns, which rows are persons, where a household starts
    household.py  the check of one household (both paths)
    cells.py      the rule for each cell, with memo tables
    ids.py        the ID number cell
    issues.py     errors, warnings and totals
    batches.py    the compact households and batches the writer takes, the registry look-up
"""

from .batches import Batch, existing_ids, read_spool
from .ids import fast_id
from .issues import Issue, Stats
from .validator import Validator

__all__ = ["Batch", "Issue", "Stats", "Validator", "existing_ids", "fast_id", "read_spool"]
