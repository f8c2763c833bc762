"""``/api/mines``: mine sites as GeoJSON (RFC 7946, coordinates [lon, lat])."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.responses import Response

from reslog.api import params
from reslog.api.caching import cached_json
from reslog.api.deps import get_reader
from reslog.api.pagination import Page, page_params, paginate
from reslog.api.problems import not_found
from reslog.services import mines as svc
from reslog.store.warehouse import Warehouse

router = APIRouter(prefix="/api/mines", tags=["mines"])


@router.get("", summary="Mines as a GeoJSON FeatureCollection (paginated)")
def mines(request: Request, commodity: str | None = None, country: str | None = None,
          type: str | None = Query(None, max_length=40, description="Mine type, e.g. industrial, asgm."),
          page: Page = Depends(page_params), wh: Warehouse = Depends(get_reader)) -> Response:
    """A FeatureCollection; ``total``, ``links`` and ``provenance`` are foreign members."""
    com, iso = params.commodity(commodity), params.country(country)

    def compute() -> dict:
        df = svc.mine_rows(wh, commodity=com, country=iso, type_=type)
        fc = svc.mines_geojson(df)
        body = paginate(request, fc["features"], page)
        body["features"] = body.pop("items")
        return {"type": "FeatureCollection", **body,
                "provenance": svc.mines_provenance(wh, df).to_dict()}
    return cached_json(request, compute)


@router.get("/{mine_id}", summary="One mine as a GeoJSON Feature")
def mine(request: Request, mine_id: str = Path(max_length=200, openapi_examples={"demo": {"value": 'bra-corrego-do-feijao'}}), wh: Warehouse = Depends(get_reader)) -> Response:
    """The mine with its properties and the ledger entry of its row."""
    df = svc.mine_rows(wh, mine_id=mine_id)
    if df.empty:
        raise not_found("mine", mine_id, "path.mine_id")
    return cached_json(request, lambda: {**svc.mines_geojson(df)["features"][0],
                                         "provenance": svc.mines_provenance(wh, df).to_dict()})
