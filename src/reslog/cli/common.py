"""Pieces every CLI module shares: the ``--db`` option and opening the warehouse.

Each area module (``cli/io.py``, ``cli/trade.py`` …) exposes ``register(app)`` that adds its
commands to the root Typer app; ``reslog.cli`` calls them all. Commands hold no analysis:
they read through ``reslog.store``, compute with ``reslog.model`` and print.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType
from typing import Annotated, Optional

import typer

from reslog.paths import default_db_path

DbOption = Annotated[
    Optional[Path],
    typer.Option("--db", envvar="RESLOG_DB", help="Warehouse file (default ./reslog-data/reslog.duckdb)."),
]


def resolve_db(db: Path | None) -> Path:
    """The warehouse path to use: ``--db``, else ``$RESLOG_DB``, else the default."""
    return db if db is not None else default_db_path()


def open_warehouse(db: Path | None, *, read_only: bool = False):  # -> Warehouse
    """Open (creating if needed) the warehouse at ``db``."""
    from reslog.store.warehouse import Warehouse

    return Warehouse.open(resolve_db(db), read_only=read_only)


# Top-level modules of optional extras → the extra that provides them (see pyproject.toml).
OPTIONAL_EXTRAS: dict[str, str] = {"sklearn": "text", "fugashi": "text", "threadpoolctl": "text",
                                   "unidic_lite": "text", "dask": "dask", "distributed": "dask",
                                   "fastapi": "web", "uvicorn": "web", "sqlalchemy": "web",
                                   "alembic": "web", "argon2": "web", "psycopg": "web",
                                   "pydantic_settings": "web", "fastapi_offline": "web",
                                   "linearmodels": "scenario", "umap": "scenario",
                                   "rasterio": "imagery", "lightgbm": "imagery",
                                   "shapely": "imagery", "pyproj": "imagery",
                                   "pystac_client": "imagery",
                                   "paho": "monitoring", "pint": "monitoring", "ruptures": "monitoring",
                                   "statsmodels": "monitoring", "pykrige": "monitoring"}


def missing_extra_message(err: ModuleNotFoundError) -> str:
    """A one-line message for a missing optional package, naming the extra to install."""
    top = str(err.name).split(".")[0]
    extra = OPTIONAL_EXTRAS.get(top)
    hint = f"pip install 'reslog[{extra}]'" if extra else f"pip install {top}"
    return f"the optional package '{top}' is not installed ({hint})"


def import_area(mod_name: str) -> ModuleType | None:
    """Import an area module (``reslog.cli.io`` …), or ``None`` when this checkout lacks it.

    Any other missing import (a broken install, an optional extra) is raised, not hidden.
    """
    try:
        return importlib.import_module(mod_name)
    except ModuleNotFoundError as e:
        if e.name == mod_name:
            return None
        raise
