"""``/api/meta``: health, version and what the warehouse holds."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from reslog import __version__
from reslog.api.deps import get_hub, get_reader
from reslog.store.hub import WarehouseHub
from reslog.store.warehouse import Warehouse

router = APIRouter(prefix="/api/meta", tags=["meta"])


@router.get("/health", summary="Liveness and warehouse version")
def health(hub: WarehouseHub = Depends(get_hub)) -> dict[str, Any]:
    """``ok`` when the warehouse answers a query; its version changes after every ingest."""
    return {"status": "ok", "reslog_version": __version__, "warehouse_version": hub.version}


@router.get("/warehouse", summary="Row counts of every warehouse table")
def warehouse(wh: Warehouse = Depends(get_reader), hub: WarehouseHub = Depends(get_hub)) -> dict[str, Any]:
    """Row counts per table, the warehouse version, and the number of ledger entries."""
    counts = wh.counts()
    return {"warehouse_version": hub.version, "tables": counts, "ledger_entries": counts.get("ledger", 0)}
