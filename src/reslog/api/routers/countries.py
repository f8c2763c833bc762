"""``/api/countries``: country risk profiles (WGI, event history, combined risk) and production."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.responses import Response

from reslog.api import params
from reslog.api.caching import cached_json
from reslog.api.deps import get_reader
from reslog.api.jsonio import records
from reslog.api.pagination import Page, page_params, paginate
from reslog.services import countries as svc
from reslog.store.warehouse import Warehouse

router = APIRouter(prefix="/api/countries", tags=["countries"])
YearQ = Query(2023, ge=1996, le=2100, description="Reference year of governance and events.")
WindowQ = Query(10, ge=1, le=100, description="Event window in years (year − window + 1 … year).")


@router.get("", summary="Risk profiles of every country (paginated)")
def profiles(request: Request, year: int = YearQ, window: int = WindowQ,
             page: Page = Depends(page_params), wh: Warehouse = Depends(get_reader)) -> Response:
    """WGI dimensions, event rates by type, G, E and combined risk R per country."""
    def compute() -> dict:
        df, prov = svc.profiles(wh, year=year, window=window)
        body = paginate(request, records(df.sort_values("country")), page)
        body["provenance"] = prov.to_dict()
        return body
    return cached_json(request, compute)


@router.get("/{country}", summary="One country: profile, production shares, mines")
def country(request: Request, country: str = Path(description="ISO3 code or name.", openapi_examples={"demo": {"value": 'COD'}}),
            year: int = YearQ, window: int = WindowQ, wh: Warehouse = Depends(get_reader)) -> Response:
    """The country's risk profile, its share of world production per commodity, and its mines."""
    iso = params.country(country, "path.country")

    def compute() -> dict:
        out, prov = svc.country_detail(wh, iso, year=year, window=window)
        return {"country": iso, **out, "provenance": prov.to_dict()}
    return cached_json(request, compute)
