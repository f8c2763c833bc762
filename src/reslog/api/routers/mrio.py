"""``/api/mrio``: footprints by origin, accounts and structural paths on the warehouse's MRIOs."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.responses import Response

from reslog.api.caching import cached_json
from reslog.api.deps import get_hub, get_reader
from reslog.api.jsonio import records
from reslog.api.pagination import Page, page_params, paginate
from reslog.api.problems import invalid, not_found
from reslog.services import mrio as svc
from reslog.store.hub import WarehouseHub
from reslog.store.warehouse import Warehouse

router = APIRouter(prefix="/api/mrio", tags=["mrio"])
NameP = Path(max_length=200, description="MRIO name (see GET /api/mrio).", openapi_examples={"demo": {"value": 'pymrio_test'}})


def _model(request: Request, wh: Warehouse, hub: WarehouseHub, name: str) -> tuple[Any, Any]:
    """The MRIO object (and its solver), built once per warehouse version."""
    cache = request.app.state.response_cache
    names = cache.memo(("mrio-names", hub.version), lambda: frozenset(svc.list_mrios(wh)["mrio"]))
    if name not in names:
        raise not_found("MRIO", name, "path.name")
    return cache.memo(("mrio-model", name, hub.version), lambda: svc.load(wh, name))


def _region(m: Any, region: str, field: str = "query.region") -> str:
    if region not in set(map(str, m.regions)):
        raise invalid(field, f"region {region!r} not in this MRIO; regions: {', '.join(map(str, m.regions))}")
    return region


@router.get("", summary="MRIOs in the warehouse")
def list_mrios(request: Request, wh: Warehouse = Depends(get_reader)) -> Response:
    """Name, blocks, region and sector counts, unit and ledger entry of each stored MRIO."""
    return cached_json(request, lambda: {"items": records(svc.list_mrios(wh))})


@router.get("/{name}", summary="Regions, sectors and extensions of one MRIO")
def describe(request: Request, name: str = NameP, wh: Warehouse = Depends(get_reader),
             hub: WarehouseHub = Depends(get_hub)) -> Response:
    """What can be asked of this MRIO: regions, sectors, final-demand columns, stressors."""
    m, prov = _model(request, wh, hub, name)
    return cached_json(request, lambda: {"name": name, **svc.describe(m), "provenance": prov.to_dict()})


@router.get("/{name}/footprint", summary="Footprint of a region's final demand by origin")
def footprint(request: Request, name: str = NameP,
              region: str = Query(max_length=100, description="Consuming region.", openapi_examples={"demo": {"value": 'reg1'}}),
              extension: str = Query(max_length=100, description="Extension (satellite account).", openapi_examples={"demo": {"value": 'emissions'}}),
              stressor: str | None = Query(None, max_length=200, description="Only this stressor."),
              sector: str | None = Query(None, max_length=200, description="Footprint of one unit of "
                                         "final demand for this sector in `region` instead."),
              page: Page = Depends(page_params),
              wh: Warehouse = Depends(get_reader), hub: WarehouseHub = Depends(get_hub)) -> Response:
    """f = S·L·y by origin region, and (paginated) by origin region × sector."""
    m, prov = _model(request, wh, hub, name)
    _region(m, region)
    if extension not in m.extensions:
        raise invalid("query.extension", f"{extension!r} not in {name}; extensions: {', '.join(m.extensions)}")
    if sector is not None and sector not in set(map(str, m.sectors)):
        raise invalid("query.sector", f"sector {sector!r} not in {name}")
    if stressor is not None:
        try:
            m.find_stressor(stressor)
        except Exception as e:  # noqa: BLE001 - the model names the stressors
            raise invalid("query.stressor", str(e)) from e

    def compute() -> dict:
        out = svc.footprint_by_origin(m, region, extension, stressor=stressor, sector=sector)
        long = records(out.pop("by_origin_sector"))
        return {"mrio": name, **out, "by_origin_sector": paginate(request, long, page),
                "provenance": prov.to_dict()}
    return cached_json(request, compute)


@router.get("/{name}/accounts", summary="Production, consumption, imported and exported accounts")
def accounts(request: Request, name: str = NameP, extension: str = Query(max_length=100, openapi_examples={"demo": {"value": 'emissions'}}),
             wh: Warehouse = Depends(get_reader), hub: WarehouseHub = Depends(get_hub)) -> Response:
    """D_pba, D_cba, D_imp, D_exp per region and stressor."""
    m, prov = _model(request, wh, hub, name)
    if extension not in m.extensions:
        raise invalid("query.extension", f"{extension!r} not in {name}; extensions: {', '.join(m.extensions)}")
    return cached_json(request, lambda: {"mrio": name, "extension": extension,
                                         "items": records(svc.accounts(m, extension)), "provenance": prov.to_dict()})


@router.get("/{name}/paths", summary="Structural path analysis of a region's footprint")
def paths(request: Request, name: str = NameP,
          stressor: str = Query(max_length=200, description="Stressor name or full label.", openapi_examples={"demo": {"value": 'air'}}),
          region: str = Query(max_length=100, description="Consuming region.", openapi_examples={"demo": {"value": 'reg2'}}),
          top: int = Query(10, ge=1, le=200), max_order: int = Query(6, ge=0, le=10),
          threshold: float = Query(1e-4, ge=1e-8, le=1.0),
          wh: Warehouse = Depends(get_reader), hub: WarehouseHub = Depends(get_hub)) -> Response:
    """The largest supply-chain paths (origin → … → final-demand sector) with value and share."""
    m, prov = _model(request, wh, hub, name)
    _region(m, region)
    try:
        m.find_stressor(stressor)
    except Exception as e:  # noqa: BLE001
        raise invalid("query.stressor", str(e)) from e

    def compute() -> dict:
        out = svc.structural_paths(m, stressor, region, top=top, max_order=max_order, threshold=threshold)
        out["paths"] = records(out["paths"])
        return {"mrio": name, **out, "provenance": prov.to_dict()}
    return cached_json(request, compute)
