"""``/api/imagery``: ASGM hotspots (map layer), detection on a server-side scene, exposure.

The routes call :mod:`reslog.intel.imagery.service`; they hold no analysis. Auth is the
platform's (``reslog.platform.deps``): reading the layer and the exposure needs ``viewer``,
running a detection ``analyst`` (plus the CSRF token when called with the session cookie).
With ``RESLOG_IMAGERY_SCENES`` set (:class:`~reslog.api.settings.Settings.imagery_scenes`), the
routes only read scenes and hotspot files inside that folder (403 naming the field otherwise).
Bad input a caller can fix is a 422 ``application/problem+json`` naming the field, file and row
(:mod:`reslog.api.problems`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field
from starlette.responses import Response

from reslog.api.deps import get_reader, get_settings
from reslog.api.jsonio import dumps, records
from reslog.api.problems import ProblemError
from reslog.api.settings import Settings
from reslog.platform.deps import require_role, verify_csrf
from reslog.store.warehouse import Warehouse

router = APIRouter(prefix="/api/imagery", tags=["imagery"])

def _json(obj: Any) -> Response:
    """JSON with NaN/inf as null and numpy/pandas values converted (:mod:`reslog.api.jsonio`)."""
    return Response(dumps(obj), media_type="application/json")


viewer = require_role("viewer")
"""Dependency: a signed-in viewer (or higher)."""
analyst = require_role("analyst")
"""Dependency: an analyst (or admin)."""


def _check_inside(settings: Settings, field: str, path: str | None) -> None:
    """403 naming ``field`` when ``path`` lies outside the configured scene folder."""
    if path is None or settings.imagery_scenes is None:
        return
    base = Path(settings.imagery_scenes).resolve()
    if not Path(path).resolve().is_relative_to(base):
        raise ProblemError(403, "Forbidden", f"{field}: {path} is outside the scene folder {base} "
                           "(RESLOG_IMAGERY_SCENES)",
                           [{"field": field, "message": f"outside the scene folder {base}"}])


class DetectRequest(BaseModel):
    scene: str = Field(min_length=1, description="Server-side path of the scene (file or folder).")
    before: str | None = Field(None, min_length=1, description="Earlier scene on the same grid.")
    threshold: float | None = Field(None, gt=0, lt=1)
    date: str | None = Field(None, description="Acquisition date when the file has none.")


@router.post("/detect", dependencies=[Depends(analyst), Depends(verify_csrf)])
def detect(req: DetectRequest, settings: Settings = Depends(get_settings)) -> Any:
    """Detect hotspots in a scene on the server; the hotspot GeoJSON."""
    from reslog.intel.imagery.service import run_detection

    _check_inside(settings, "body.scene", req.scene)
    _check_inside(settings, "body.before", req.before)
    model = str(settings.imagery_model) if settings.imagery_model is not None else None
    return _json(run_detection(req.scene, before=req.before, threshold=req.threshold,
                               date=req.date, model_dir=model))


@router.get("/hotspots", dependencies=[Depends(viewer)])
def hotspots(wh: Warehouse = Depends(get_reader)) -> Any:
    """``asgm`` events from imagery in the warehouse as GeoJSON points (the map layer)."""
    ev = wh.query("SELECT event_id, start_time, lat, lon, country, mine_id, severity, "
                  "confidence, title FROM risk_events WHERE event_type = 'asgm' AND "
                  "source = 'imagery_s2' ORDER BY severity DESC")
    feats = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [r.lon, r.lat]},
              "properties": {"event_id": r.event_id, "first_seen": str(r.start_time)[:10],
                             "country": r.country, "mine_id": r.mine_id,
                             "severity": r.severity, "confidence": r.confidence,
                             "title": r.title}} for r in ev.itertuples()]
    return _json({"type": "FeatureCollection", "features": feats})


@router.get("/exposure", dependencies=[Depends(viewer)])
def exposure(hotspots: list[str] | None = Query(None, description="Server-side hotspot files; "
                                                "default: imagery events in the warehouse."),
             year: int | None = Query(None, ge=1900, le=2100),
             measure: str = Query("tonnes", pattern="^(tonnes|value)$"),
             importer: str | None = None,
             wh: Warehouse = Depends(get_reader),
             settings: Settings = Depends(get_settings)) -> Any:
    """Exposure of gold importers to detected ASGM (HS 7108 tracing)."""
    from reslog.intel.imagery.service import read_hotspots, run_exposure
    from reslog.schema import resolve_country

    for n, p in enumerate(hotspots or []):
        _check_inside(settings, f"query.hotspots.{n}", p)
    docs = [read_hotspots(p) for p in hotspots] if hotspots else None
    res, hs, trade, yr = run_exposure(wh, hotspot_docs=docs, year=year, measure=measure)
    tab = res.table
    if importer and not tab.empty:
        iso = resolve_country(importer)
        tab = tab[tab["country"] == iso]
    return _json({"year": yr, "measure": measure, "empty_reason": res.empty_reason,
                  "notes": res.notes, "simulated": bool(len(hs)) and bool(hs["simulated"].any()),
                  "table": records(tab), "hotspots": records(hs), "trade_rows": int(len(trade))})
