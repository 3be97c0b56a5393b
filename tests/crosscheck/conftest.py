from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from minzheng.crosscheck.services import runs


@pytest.fixture(autouse=True)
def _private_home(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Datasets are stored under a private MINZHENG_HOME; check runs started here run inline."""
    settings.HOME = tmp_path / "home"
    monkeypatch.setattr(runs, "BACKGROUND", False)
