"""FastAPI dependencies shared by every router: settings, warehouse reader and writer.

- :func:`get_settings` — the app's :class:`~reslog.api.settings.Settings`;
- :func:`get_reader` — a read-only :class:`~reslog.store.warehouse.Warehouse` on its own cursor of
  the server's one DuckDB connection; it keeps answering while an ingest writes
  (see :mod:`reslog.store.hub` and docs/api.md);
- :func:`get_writer` — the one writer (serialised by a lock);
- :func:`get_hub` — the :class:`~reslog.store.hub.WarehouseHub` itself (version for caches).

Authentication lives in ``reslog.platform.deps`` (``get_principal``, ``require_role``);
:func:`optional_principal` / :func:`optional_platform_db` let analysis routes merge an
organisation's private items when the platform package is installed, and serve public data only
when it is not.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from fastapi import Depends, Request

from reslog.api.settings import Settings
from reslog.store.hub import WarehouseHub
from reslog.store.warehouse import Warehouse


# Cheap dependencies are ``async``: FastAPI runs them on the event loop instead of sending each
# one through the thread pool (a hop per dependency costs more than the work itself).
async def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    return request.app.state.settings


async def get_hub(request: Request) -> WarehouseHub:
    """The process's warehouse owner."""
    return request.app.state.hub


async def get_reader(hub: WarehouseHub = Depends(get_hub)) -> AsyncIterator[Warehouse]:
    """A read-only warehouse for one request (never blocked by a running ingest).

    Opening a cursor takes microseconds and never waits (the connection is opened at start-up by
    :func:`reslog.api.app.create_app`), so this runs on the event loop; the route itself, which
    queries, is a plain ``def`` run in the thread pool.
    """
    with hub.reader() as wh:
        yield wh


def get_writer(hub: WarehouseHub = Depends(get_hub)) -> Iterator[Warehouse]:
    """The one warehouse writer (requests that write wait for each other, readers do not)."""
    with hub.writer() as wh:
        yield wh


def _platform_deps() -> Any | None:
    try:
        import reslog.platform.deps as pdeps
    except ModuleNotFoundError as e:
        if e.name and e.name.startswith("reslog.platform"):
            return None
        raise
    return pdeps


def platform_available() -> bool:
    """Whether ``reslog.platform`` (accounts, organisations) is part of this installation."""
    return _platform_deps() is not None


def _principal_dependency() -> Any:
    pdeps = _platform_deps()
    if pdeps is None:
        def _anonymous() -> None:
            return None
        return _anonymous
    return pdeps.get_principal


def _db_dependency() -> Any:
    pdeps = _platform_deps()
    if pdeps is None:
        def _none() -> None:
            return None
        return _none
    return pdeps.get_db


def optional_principal() -> Any:
    """``Depends`` on the caller's ``Principal`` (``None`` when the platform is not installed)."""
    return Depends(_principal_dependency())


def optional_platform_db() -> Any:
    """``Depends`` on a platform DB session (``None`` when the platform is not installed)."""
    return Depends(_db_dependency())
