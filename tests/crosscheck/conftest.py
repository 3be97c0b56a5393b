from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _private_home(settings: Any, tmp_path: Path) -> None:
    """Datasets are stored under a private MINZHENG_HOME."""
    settings.HOME = tmp_path / "home"
