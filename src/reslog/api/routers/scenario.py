"""``/api/scenario``: trade projections and low-carbon demand (calls :mod:`reslog.jobs.scenario`;
no analysis here). Errors are ``application/problem+json`` naming the field.

Dependencies: :func:`get_principal` and :func:`get_warehouse` are thin placeholders that defer
to ``reslog.platform.deps`` / the app's warehouse dependency once the platform has landed;
tests override them with ``app.dependency_overrides``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from reslog.errors import ReslogError

router = APIRouter(prefix="/api/scenario", tags=["scenario"])


def get_principal() -> Any:
    """The caller (``reslog.platform.deps.get_principal``); thin placeholder."""
    from reslog.platform.deps import get_principal as _gp  # type: ignore[import-not-found]

    return _gp()


def get_warehouse():  # -> Warehouse
    """A read-only warehouse for the request (the default path, or ``$RESLOG_DB``)."""
    from reslog.cli.common import resolve_db
    from reslog.store.warehouse import Warehouse

    wh = Warehouse.open(resolve_db(None), read_only=True)
    try:
        yield wh
    finally:
        wh.close()


def problem(status: int, title: str, detail: str, field: str | None = None) -> JSONResponse:
    """An RFC 9457 problem document."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if field:
        body["field"] = field
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def _records(df) -> list[dict]:
    return df.astype(object).where(df.notna(), None).to_dict("records")


@router.get("/demand")
def demand(wh=Depends(get_warehouse), principal=Depends(get_principal)):
    """Primary metal demand of PV, wind and EV batteries vs world production and reserves."""
    from reslog.jobs.scenario import run_demand

    try:
        run = run_demand(wh)
    except ReslogError as e:
        return problem(422, "demand model input", str(e))
    return {"comparison": _records(run.comparison), "balance": _records(run.balance),
            "inputs": {k: str(v) for k, v in run.inputs.items()}}


@router.get("/trade")
def trade(products: str = Query("847191,854219", description="HS6 codes, comma-separated"),
          wh=Depends(get_warehouse), principal=Depends(get_principal)):
    """World trade volume per product to 2050 under the two scenarios (no skill scoring)."""
    from reslog.jobs.scenario import run_trade

    try:
        codes = tuple(int(x) for x in products.split(",") if x.strip())
    except ValueError:
        return problem(422, "invalid products", f"'{products}' is not a list of HS6 codes", "products")
    if not codes:
        return problem(422, "invalid products", "no HS6 code given", "products")
    try:
        run = run_trade(wh, codes, skill=False)
    except ReslogError as e:
        return problem(422, "trade projection input", str(e))
    return {"fits": _records(run.summary), "projection": _records(run.projection), "notes": run.notes}
