"""``/api/trade``: origin tracing of metals through trade (mine → refinery → consumer), Sankey."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from reslog.api import params
from reslog.api.caching import cached_json
from reslog.api.deps import get_reader
from reslog.api.jsonio import records
from reslog.api.pagination import Page, page_params, paginate
from reslog.api.problems import invalid
from reslog.services import trade as svc
from reslog.store.warehouse import Warehouse

router = APIRouter(prefix="/api/trade", tags=["trade"])
YearQ = Query(ge=1988, le=2100, description="Year of production and trade.")
HsQ = Query(None, pattern="^(HS|hs)?[0-9]{2}$", description="HS revision, e.g. HS92 (default: newest).")


def _metal(value: str) -> str:
    m = params.commodity(value, "query.metal")
    if m not in svc.metals():
        raise invalid("query.metal", f"{value!r} has no trade metal-content data; metals: {', '.join(svc.metals())}")
    return m


@router.get("/metals", summary="Metals that can be traced, and years with trade")
def metals(request: Request, wh: Warehouse = Depends(get_reader)) -> Response:
    """Metals with HS metal-content data and the years with bilateral trade in the warehouse."""
    return cached_json(request, lambda: {"metals": svc.metals(), "years": svc.trade_years(wh)})


@router.get("/trace", summary="Consumption by consuming country and mining origin (paginated)")
def trace(request: Request, metal: str = Query(description="Metal, e.g. cobalt.", openapi_examples={"demo": {"value": 'cobalt'}}), year: int = YearQ,
          consumer: str | None = Query(None, description="Only this consuming country (ISO3 or name)."),
          hs: str | None = HsQ, raw: bool = Query(False, description="Raw BACI quantities, not trade_clean."),
          bound: Literal["fraction", "low", "high"] = "fraction",
          page: Page = Depends(page_params), wh: Warehouse = Depends(get_reader)) -> Response:
    """Kastner et al. (2011) multi-stage tracing: consumer, origin, quantity_t, share."""
    m, iso = _metal(metal), params.country(consumer, "query.consumer")

    def compute() -> dict:
        out, prov = svc.trace(wh, m, year, consumer=iso, hs=hs, raw=raw, bound=bound)
        flows = records(out.pop("flows"))
        return {**out, **paginate(request, flows, page), "provenance": prov.to_dict()}
    return cached_json(request, compute)


@router.get("/sankey", summary="Sankey links mine → refining → consuming country")
def sankey(request: Request, metal: str = Query(description="Metal, e.g. cobalt.", openapi_examples={"demo": {"value": 'cobalt'}}), year: int = YearQ,
           top: int = Query(12, ge=1, le=60, description="Countries per column (rest: Other)."),
           hs: str | None = HsQ, raw: bool = False, wh: Warehouse = Depends(get_reader)) -> Response:
    """Links ``origin, via, consumer, quantity_t`` (t of metal) for a Sankey diagram."""
    m = _metal(metal)

    def compute() -> dict:
        out, prov = svc.sankey(wh, m, year, top=top, hs=hs, raw=raw)
        out["links"] = records(out["links"])
        return {**out, "provenance": prov.to_dict()}
    return cached_json(request, compute)
