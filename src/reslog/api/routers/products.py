"""``/api/products``: product footprints (telecoupled TMR by origin) and risk-weighted exposure."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.responses import Response

from reslog.api.caching import cached_json
from reslog.api.deps import get_reader
from reslog.api.jsonio import records
from reslog.api.problems import not_found
from reslog.services import products as svc
from reslog.store.warehouse import Warehouse

router = APIRouter(prefix="/api/products", tags=["products"])


def _check(product: str) -> str:
    p = product.lower()
    if p not in {x["product"] for x in svc.products()}:
        raise not_found("product", product, "path.product")
    return p


@router.get("", summary="Products with a metal inventory")
def products(request: Request) -> Response:
    """The packaged products (e.g. icev, bev, smartphone)."""
    return cached_json(request, lambda: {"items": svc.products()})


@router.get("/{product}/footprint", summary="Telecoupled TMR of one unit by origin country")
def footprint(request: Request, product: str = Path(max_length=60, openapi_examples={"demo": {"value": 'bev'}}), wh: Warehouse = Depends(get_reader)) -> Response:
    """kg metal and kg TMR by origin country and by metal, flows metal × country, coverage."""
    p = _check(product)

    def compute() -> dict:
        out, prov = svc.footprint(wh, p)
        for k in ("by_country", "by_metal", "flows"):
            out[k] = records(out[k])
        return {**out, "provenance": prov.to_dict()}
    return cached_json(request, compute)


@router.get("/{product}/exposure", summary="Risk-weighted exposure by origin and risk type")
def exposure(request: Request, product: str = Path(max_length=60, openapi_examples={"demo": {"value": 'bev'}}),
             year: int = Query(2023, ge=1996, le=2100), window: int = Query(10, ge=1, le=100),
             wh: Warehouse = Depends(get_reader)) -> Response:
    """kg metal × country risk weight (governance, disruption, combined)."""
    p = _check(product)

    def compute() -> dict:
        out, prov = svc.exposure(wh, p, year=year, window=window)
        out["exposure"] = records(out["exposure"])
        return {**out, "provenance": prov.to_dict()}
    return cached_json(request, compute)
