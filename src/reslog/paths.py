"""Where things live: the warehouse file, the data folder, the shared real data."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_DB = Path("reslog-data") / "reslog.duckdb"
PACKAGE_DATA = Path(__file__).resolve().parent / "data"


def default_db_path() -> Path:
    """Warehouse path: ``$RESLOG_DB`` if set, else ``./reslog-data/reslog.duckdb``."""
    env = os.environ.get("RESLOG_DB")
    return Path(env) if env else DEFAULT_DB


def data_dir() -> Path:
    """Folder for downloaded full datasets: ``$RESLOG_DATA_DIR`` or ``./reslog-data/downloads``."""
    env = os.environ.get("RESLOG_DATA_DIR")
    return Path(env) if env else Path("reslog-data") / "downloads"


def shared_data_dir() -> Path | None:
    """The real public data folder (``../shared/data`` beside the repository), if present.

    ``$RESLOG_SHARED_DATA`` overrides. Returns ``None`` when absent, so tests can skip cleanly.
    """
    env = os.environ.get("RESLOG_SHARED_DATA")
    candidates = [Path(env)] if env else []
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidates.append(parent.parent / "shared" / "data")
        candidates.append(parent / "shared" / "data")
    for c in candidates:
        if (c / "PROVENANCE.md").exists():
            return c
    return None
