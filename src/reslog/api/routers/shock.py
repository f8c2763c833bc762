"""``/api/shock``: a mine or a country stops supplying for N months — who downstream loses what."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.responses import Response

from reslog.api import params
from reslog.api.caching import cached_json
from reslog.api.deps import get_reader
from reslog.api.jsonio import records
from reslog.api.problems import not_found
from reslog.services import shock as svc
from reslog.store.warehouse import Warehouse

router = APIRouter(prefix="/api/shock", tags=["shock"])
MonthsQ = Query(12.0, gt=0, le=120, description="Duration of the stoppage in months.")


def _shape(out: dict) -> dict:
    out["consumers"] = records(out["consumers"])
    if out.get("sectors") is not None:
        out["sectors"] = records(out["sectors"])
    return out


@router.get("/mine/{mine_id}", summary="A mine stops for N months")
def mine(request: Request, mine_id: str = Path(max_length=200, openapi_examples={"demo": {"value": 'bra-corrego-do-feijao'}}), months: float = MonthsQ,
         annual_output: float | None = Query(None, gt=0, le=1e10, description="Mine output t/year "
                                             "(overrides mine_sites.capacity)."),
         wh: Warehouse = Depends(get_reader)) -> Response:
    """Lost tonnes, share of world and country supply, affected consumers with lost tonnes."""
    from reslog.services.shock import BRAZIL_CASE_MINE

    if mine_id != BRAZIL_CASE_MINE and wh.query("SELECT 1 FROM mine_sites WHERE mine_id = ?", [mine_id]).empty:
        raise not_found("mine", mine_id, "path.mine_id")

    def compute() -> dict:
        out, prov = svc.mine_shock(wh, mine_id, months, annual_output=annual_output)
        return {**_shape(out), "provenance": prov.to_dict()}
    return cached_json(request, compute)


@router.get("/country/{country}", summary="A country's output of a commodity is cut for N months")
def country(request: Request, country: str = Path(description="ISO3 code or name.", openapi_examples={"demo": {"value": 'AUS'}}),
            commodity: str = Query(description="Commodity (name, alias, symbol).", openapi_examples={"demo": {"value": 'lithium'}}), months: float = MonthsQ,
            fraction: float = Query(1.0, gt=0, le=1, description="Share of the country's output lost."),
            wh: Warehouse = Depends(get_reader)) -> Response:
    """Lost tonnes, share of world supply, and the consumers of the origin's deliveries."""
    iso, com = params.country(country, "path.country"), params.commodity(commodity)

    def compute() -> dict:
        out, prov = svc.country_shock(wh, iso, com, months, fraction=fraction)
        return {**_shape(out), "provenance": prov.to_dict()}
    return cached_json(request, compute)
