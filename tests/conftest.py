"""Shared fixtures: the real public data folder (skip cleanly when absent) and a temp warehouse."""

from __future__ import annotations

from pathlib import Path

import pytest

from reslog.paths import shared_data_dir


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data`` (or ``$RESLOG_SHARED_DATA``); skips the test when absent."""
    d = shared_data_dir()
    if d is None:
        pytest.skip("../shared/data is not present on this machine")
    return d


@pytest.fixture()
def db_path(tmp_path: Path) -> Path:
    """Path of a fresh (not yet created) warehouse file."""
    return tmp_path / "wh" / "reslog.duckdb"
