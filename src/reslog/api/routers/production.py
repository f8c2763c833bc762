"""``/api/production``: production by commodity and its concentration (HHI, HHI_WGI)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.responses import Response

from reslog.api import params
from reslog.api.caching import cached_json
from reslog.api.deps import get_reader
from reslog.api.jsonio import records
from reslog.api.pagination import Page, page_params, paginate
from reslog.services import production as svc
from reslog.services.provenance import provenance
from reslog.store.warehouse import Warehouse

router = APIRouter(prefix="/api/production", tags=["production"])
Stage = Literal["mine", "refined", "smelter", "processed"]
Year = Query(None, ge=1900, le=2100, description="Year (default: the latest reported year).")


@router.get("/commodities", summary="Commodities with production data")
def commodities(request: Request, wh: Warehouse = Depends(get_reader)) -> Response:
    """Each commodity with its stages, year range, row count, symbol and Japanese name."""
    return cached_json(request, lambda: {"items": records(svc.commodities(wh)),
                                         "provenance": provenance(wh, wh.query("SELECT DISTINCT ledger_id FROM production")).to_dict()})


@router.get("/concentration", summary="Concentration of production by commodity and stage")
def concentration(request: Request, commodity: str | None = Query(None, description="Commodity (name, alias, symbol)."),
                  stage: Stage | None = None, year: int | None = Year,
                  reported_only: bool = Query(True, description="Leave out estimated (USGS 'e') years."),
                  wh: Warehouse = Depends(get_reader)) -> Response:
    """HHI (0–10,000) and HHI_WGI (0–10) with the top producers, per commodity × stage."""
    com = params.commodity(commodity)

    def compute() -> dict:
        table, prov = svc.concentration(wh, commodity=com, stage=stage, year=year, reported_only=reported_only)
        return {"items": records(table), "provenance": prov.to_dict()}
    return cached_json(request, compute)


@router.get("/rows", summary="Production rows (paginated)")
def rows(request: Request, commodity: str | None = None, stage: Stage | None = None,
         year: int | None = Query(None, ge=1900, le=2100), country: str | None = None,
         page: Page = Depends(page_params), wh: Warehouse = Depends(get_reader)) -> Response:
    """Rows of the canonical ``production`` table, each with its ``ledger_id`` and ``source``."""
    com, iso = params.commodity(commodity), params.country(country)

    def compute() -> dict:
        df = svc.production_rows(wh, commodity=com, stage=stage, year=year, country=iso)
        body = paginate(request, records(df), page)
        body["provenance"] = provenance(wh, df.iloc[page.offset:page.offset + page.limit]).to_dict()
        return body
    return cached_json(request, compute)


@router.get("/{commodity}/shares", summary="Country shares of world production")
def shares(request: Request, commodity: str = Path(description="Commodity (name, alias, symbol).", openapi_examples={"demo": {"value": 'cobalt'}}),
           stage: Stage = "mine", year: int | None = Year, wh: Warehouse = Depends(get_reader)) -> Response:
    """Each producing country's share of world production (percent) for one year."""
    com = params.commodity(commodity, "path.commodity")

    def compute() -> dict:
        out, prov = svc.shares(wh, com, stage=stage, year=year)
        return {**out, "provenance": prov.to_dict()}
    return cached_json(request, compute)
