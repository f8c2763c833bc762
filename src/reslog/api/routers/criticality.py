"""``/api/criticality``: EU-method supply risk and economic importance, and the SR/EI matrix."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from reslog.api.caching import cached_json
from reslog.api.deps import get_reader
from reslog.api.jsonio import records
from reslog.api.problems import invalid
from reslog.services import criticality as svc
from reslog.store.warehouse import Warehouse

router = APIRouter(prefix="/api/criticality", tags=["criticality"])


@router.get("", summary="Criticality table and SR/EI matrix points")
def criticality(request: Request,
                year: int | None = Query(None, ge=1900, le=2100, description="Production year (default: latest reported)."),
                scope: str = Query("EU", min_length=2, max_length=3, pattern="^[A-Za-z]{2,3}$",
                                   description="Sourcing economy: EU or an ISO3 code."),
                wh: Warehouse = Depends(get_reader)) -> Response:
    """HHI, HHI_WGI, import reliance, SR, EI per commodity; matrix points (computed or published)."""
    from reslog.model.criticality import scope_members

    try:
        scope_members(scope.upper())
    except Exception as e:  # noqa: BLE001 - the model names the valid scopes
        raise invalid("query.scope", str(e)) from e

    def compute() -> dict:
        table, points, prov = svc.criticality(wh, year=year, scope=scope.upper())
        return {"scope": scope.upper(), "items": records(table), "matrix": records(points),
                "thresholds": {"sr": 1.0, "ei": 2.8}, "provenance": prov.to_dict()}
    return cached_json(request, compute)
