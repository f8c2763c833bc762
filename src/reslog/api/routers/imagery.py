"""``/api/imagery``: ASGM hotspots (map layer), detection on a server-side scene, exposure.

The routes call :mod:`reslog.intel.imagery.service`; they hold no analysis. Errors a caller
can cause come back as ``application/problem+json`` naming the field. Auth follows the
platform contract (``reslog.platform.deps``): reading the layer needs ``viewer``, running a
detection ``analyst``; with ``RESLOG_IMAGERY_SCENES`` set, ``/detect`` only reads scenes
inside that folder (403 otherwise). :data:`viewer` and :data:`analyst` are the platform's
``require_role`` dependencies; where ``reslog.platform`` is absent they answer 503 (tests
override them).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from reslog.errors import InputError, ReslogError

router = APIRouter(prefix="/api/imagery", tags=["imagery"])


def _role(role: str) -> Any:
    """``reslog.platform.deps.require_role(role)``; a 503 placeholder until the platform lands."""
    try:
        from reslog.platform.deps import require_role
    except ModuleNotFoundError as e:
        if not str(e.name or "").startswith("reslog.platform"):
            raise

        def platform_missing() -> None:
            from fastapi import HTTPException

            raise HTTPException(503, "authentication is not available: reslog.platform is not "
                                     "installed")

        return platform_missing
    return require_role(role)


viewer = _role("viewer")
"""Dependency: a signed-in viewer (or higher)."""
analyst = _role("analyst")
"""Dependency: an analyst (or admin)."""


def _problem(err: ReslogError, status: int = 422) -> JSONResponse:
    field = getattr(err, "field", None)
    body = {"type": "about:blank", "title": type(err).__name__, "status": status,
            "detail": str(err)}
    if field:
        body["field"] = field
    if isinstance(err, InputError):
        body["file"] = err.file
        if err.row is not None:
            body["row"] = err.row
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def _db() -> Path:
    from reslog.cli.common import resolve_db

    return resolve_db(None)


class DetectRequest(BaseModel):
    scene: str = Field(description="Server-side path of the scene (file or folder).")
    before: str | None = Field(None, description="Earlier scene on the same grid.")
    threshold: float | None = Field(None, gt=0, lt=1)
    date: str | None = Field(None, description="Acquisition date when the file has none.")


@router.post("/detect", dependencies=[Depends(analyst)])
def detect(req: DetectRequest) -> Any:
    """Detect hotspots in a scene on the server; the hotspot GeoJSON."""
    from reslog.intel.imagery.service import run_detection

    root = os.environ.get("RESLOG_IMAGERY_SCENES")
    if root:
        base = Path(root).resolve()
        for name, p in (("scene", req.scene), ("before", req.before)):
            if p is not None and not Path(p).resolve().is_relative_to(base):
                return _problem(InputError(p, f"outside the scene folder {base} "
                                           "(RESLOG_IMAGERY_SCENES)", field=name), 403)
    try:
        return run_detection(req.scene, before=req.before, threshold=req.threshold,
                             date=req.date, model_dir=os.environ.get("RESLOG_IMAGERY_MODEL"))
    except ReslogError as e:
        return _problem(e)


@router.get("/hotspots", dependencies=[Depends(viewer)])
def hotspots() -> Any:
    """``asgm`` events from imagery in the warehouse as GeoJSON points (the map layer)."""
    from reslog.store.warehouse import Warehouse, WarehouseError

    try:
        wh = Warehouse.open(_db(), read_only=True)
    except WarehouseError as e:
        return _problem(e, 503)
    try:
        ev = wh.query("SELECT event_id, start_time, lat, lon, country, mine_id, severity, "
                      "confidence, title FROM risk_events WHERE event_type = 'asgm' AND "
                      "source = 'imagery_s2' ORDER BY severity DESC")
    finally:
        wh.close()
    feats = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [r.lon, r.lat]},
              "properties": {"event_id": r.event_id, "first_seen": str(r.start_time)[:10],
                             "country": r.country, "mine_id": r.mine_id,
                             "severity": r.severity, "confidence": r.confidence,
                             "title": r.title}} for r in ev.itertuples()]
    return {"type": "FeatureCollection", "features": feats}


@router.get("/exposure", dependencies=[Depends(viewer)])
def exposure(hotspots: list[str] | None = Query(None, description="Server-side hotspot files; "
                                                "default: imagery events in the warehouse."),
             year: int | None = None, measure: str = "tonnes",
             importer: str | None = None) -> Any:
    """Exposure of gold importers to detected ASGM (HS 7108 tracing)."""
    from reslog.intel.imagery.service import read_hotspots, run_exposure
    from reslog.schema import resolve_country
    from reslog.store.warehouse import Warehouse

    try:
        docs = [read_hotspots(p) for p in hotspots] if hotspots else None
        wh = Warehouse.open(_db(), read_only=True)
        try:
            res, hs, trade, yr = run_exposure(wh, hotspot_docs=docs, year=year, measure=measure)
        finally:
            wh.close()
    except ReslogError as e:
        return _problem(e)
    tab = res.table
    if importer and not tab.empty:
        iso = resolve_country(importer)
        tab = tab[tab["country"] == iso]
    return {"year": yr, "measure": measure, "empty_reason": res.empty_reason, "notes": res.notes,
            "simulated": bool(len(hs)) and bool(hs["simulated"].any()),
            "table": tab.to_dict(orient="records"),
            "hotspots": hs.to_dict(orient="records"),
            "trade_rows": int(len(trade))}
