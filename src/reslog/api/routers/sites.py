"""``/api/sites``: reading ingest over HTTP, site status, heat-map layer.

Routes hold no analysis: they authenticate, check that the site belongs to the caller's
organisation, and call :mod:`reslog.intel.monitoring`.

* ``POST /api/sites/{site}/readings`` — a JSON batch (:mod:`reslog.intel.monitoring.payload`),
  authenticated with an API key of role ``analyst`` or above
  (``reslog.platform.deps.require_role("analyst")``). The batch id comes from the body
  (``batch_id``), else the ``Idempotency-Key`` header, else the SHA-256 of the body. The answer
  is ``200`` with ``accepted``, ``rejected``, ``duplicate_batch``, ``complete`` and one error per
  rejected reading (row, sensor, field, message). A body that is not a batch at all is ``400``
  ``application/problem+json`` naming the field.
* ``GET /api/sites/{site}/status`` — stored readings, last reading per sensor, GISTM trigger
  levels (role ``viewer``).
* ``GET /api/sites/{site}/heatmap?parameter=As&date=2024-06-01`` — an image layer for the
  platform's map (role ``viewer``).

A site of another organisation answers ``404`` as if it did not exist.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

router = APIRouter(prefix="/api/sites", tags=["sites"])


# ----------------------------------------------------------------------------- auth contract
try:  # the platform (users, organisations, API keys) — being built on its own branch
    from reslog.platform.deps import require_role as _require_role

    require_ingest = _require_role("analyst")
    require_view = _require_role("viewer")
except ModuleNotFoundError:  # pragma: no cover - until reslog.platform lands
    def require_ingest() -> Any:
        """Placeholder until ``reslog.platform.deps`` exists: refuses every request."""
        from reslog.platform.deps import require_role  # noqa: F401  (raises ModuleNotFoundError)

    def require_view() -> Any:
        """Placeholder until ``reslog.platform.deps`` exists: refuses every request."""
        from reslog.platform.deps import require_role  # noqa: F401


# ----------------------------------------------------------------------------- dependencies
@lru_cache(maxsize=4)
def _store(root: str):  # -> ReadingStore
    from reslog.store.readings import ReadingStore

    return ReadingStore(root)


@lru_cache(maxsize=4)
def _registry(db: str):  # -> CachedRegistry
    from reslog.intel.monitoring.registry import CachedRegistry

    return CachedRegistry(db)


def get_store():  # -> ReadingStore
    """The readings store (``$RESLOG_READINGS`` or ``readings/`` beside the warehouse)."""
    from reslog.store.readings import default_readings_root

    return _store(str(default_readings_root()))


def get_registry():  # -> Registry
    """The site/sensor registry, reloaded when the warehouse file changes."""
    from reslog.paths import default_db_path

    return _registry(str(Path(os.environ.get("RESLOG_DB", default_db_path())))).get()


def problem(status: int, title: str, detail: str, field: str | None = None) -> JSONResponse:
    """An RFC 9457 problem response."""
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if field is not None:
        body["field"] = field
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def _site_or_404(registry: Any, site: str, principal: Any) -> JSONResponse | None:
    from reslog.intel.monitoring.registry import UnknownSite

    try:
        registry.site(site, getattr(principal, "org_id", None), check_org=True)
    except UnknownSite:
        return problem(404, "Site not found", f"site '{site}' is not registered", "site")
    return None


# ----------------------------------------------------------------------------- routes
@router.post("/{site}/readings")
async def post_readings(site: str, request: Request, principal: Any = Depends(require_ingest),
                        store: Any = Depends(get_store), registry: Any = Depends(get_registry)):
    """Ingest a batch of readings (see the module docstring)."""
    from starlette.concurrency import run_in_threadpool

    from reslog.intel.monitoring.ingest import ingest_readings
    from reslog.intel.monitoring.payload import PayloadError, parse_batch

    miss = _site_or_404(registry, site, principal)
    if miss is not None:
        return miss
    body = await request.body()
    try:
        bid, raw = parse_batch(body)
    except PayloadError as e:
        return problem(400, "Not a reading batch", str(e), "readings")
    bid = bid or request.headers.get("Idempotency-Key") or raw.sha256
    res = await run_in_threadpool(ingest_readings, store, registry, site, raw, batch_id=bid, via="http")
    return res.to_dict()


@router.get("/{site}/status")
def site_status(site: str, principal: Any = Depends(require_view), store: Any = Depends(get_store),
                registry: Any = Depends(get_registry)):
    """Readings stored, last reading per sensor and GISTM trigger levels of a site."""
    from reslog.intel.monitoring.analysis import evaluate_triggers

    miss = _site_or_404(registry, site, principal)
    if miss is not None:
        return miss
    sensors = registry.sensors_of(site)
    last = store.last_times()
    cur, _eps = evaluate_triggers(store, registry, site)
    trig = {} if cur.empty else {r.sensor_id: {"level": r.level, "metric": float(r.metric),
                                               "time": str(r.time)} for r in cur.itertuples()}
    return {"site": site, "readings": store.count(site),
            "sensors": [{"sensor": s, "parameter": p, "last": str(last[s]) if s in last else None,
                         "trigger": trig.get(s)}
                        for s, p in zip(sensors["sensor_id"], sensors["parameter"])]}


@router.get("/{site}/heatmap")
def site_heatmap(site: str, parameter: str, date: str, principal: Any = Depends(require_view),
                 store: Any = Depends(get_store), registry: Any = Depends(get_registry)):
    """A heat-map image layer (PNG data URI + corner coordinates) for the platform's map."""
    from reslog.errors import ReslogError
    from reslog.intel.monitoring.heatmap import heatmap_for_site, map_layer

    miss = _site_or_404(registry, site, principal)
    if miss is not None:
        return miss
    try:
        hm = heatmap_for_site(store, registry, site, parameter, date)
    except ReslogError as e:
        return problem(422, "Cannot draw the heat map", str(e), "parameter")
    return map_layer(hm)
