"""``/api/scenario``: trade projections and low-carbon demand (calls :mod:`reslog.jobs.scenario`;
no analysis here).

Both routes read public warehouse data (no organisation's rows), so they are open like the other
analysis routes; results are cached per warehouse version (:func:`reslog.api.caching.cached_json`).
Bad input is ``application/problem+json`` naming the field; missing warehouse inputs are a 422
naming what to load (``reslog scenario load``).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from reslog.api.caching import cached_json
from reslog.api.deps import get_reader
from reslog.api.jsonio import records
from reslog.api.problems import invalid
from reslog.store.warehouse import Warehouse

router = APIRouter(prefix="/api/scenario", tags=["scenario"])


@router.get("/demand", summary="Low-carbon technology metal demand vs supply")
def demand(request: Request, wh: Warehouse = Depends(get_reader)) -> Response:
    """Primary metal demand of PV, wind and EV batteries vs world production and reserves."""
    from reslog.jobs.scenario import run_demand

    def compute() -> dict:
        run = run_demand(wh)
        return {"comparison": records(run.comparison), "balance": records(run.balance),
                "inputs": {k: str(v) for k, v in run.inputs.items()}}
    return cached_json(request, compute)


def _hs6_codes(products: str) -> tuple[int, ...]:
    try:
        codes = tuple(int(x) for x in products.split(",") if x.strip())
    except ValueError:
        raise invalid("query.products", f"'{products}' is not a list of HS6 codes") from None
    if not codes:
        raise invalid("query.products", "no HS6 code given")
    bad = [c for c in codes if not 10_000 <= c <= 999_999]
    if bad:
        raise invalid("query.products", f"not six-digit HS codes: {bad[:5]}")
    return codes


@router.get("/trade", summary="World trade volume per product to 2050 under two scenarios")
def trade(request: Request,
          products: str = Query("847191,854219", max_length=200,
                                description="HS6 codes, comma-separated"),
          wh: Warehouse = Depends(get_reader)) -> Response:
    """World trade volume per product to 2050 under the two scenarios (no skill scoring)."""
    from reslog.jobs.scenario import run_trade

    codes = _hs6_codes(products)

    def compute() -> dict:
        run = run_trade(wh, codes, skill=False)
        return {"fits": records(run.summary), "projection": records(run.projection),
                "notes": run.notes}
    return cached_json(request, compute)
