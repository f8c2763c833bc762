"""``/api/sites``: reading ingest over HTTP, site status, heat-map layer.

Routes hold no analysis: they authenticate, check that the site belongs to the caller's
organisation, and call :mod:`reslog.intel.monitoring`.

* ``POST /api/sites/{site}/readings`` — a JSON batch (:mod:`reslog.intel.monitoring.payload`),
  authenticated with an API key (or a session plus the CSRF token) of role ``analyst`` or above
  (``reslog.platform.deps.require_role("analyst")``). The batch id comes from the body
  (``batch_id``), else the ``Idempotency-Key`` header, else the SHA-256 of the body. The answer
  is ``200`` with ``accepted``, ``rejected``, ``duplicate_batch``, ``complete`` and one error per
  rejected reading (row, sensor, field, message). A body that is not a batch at all is ``400``
  ``application/problem+json`` naming the field (``body.readings``).
* ``GET /api/sites/{site}/status`` — stored readings, last reading per sensor, GISTM trigger
  levels (role ``viewer``).
* ``GET /api/sites/{site}/heatmap?parameter=As&date=2024-06-01`` — an image layer for the
  platform's map (role ``viewer``).

A site is private to its organisation (``monitoring_sites.org_id``): a site of another
organisation answers ``404`` exactly as a site that does not exist. The site/sensor registry is
read through the server's warehouse reader and reloaded when the warehouse version changes; the
reading store lives at ``Settings.readings`` (``$RESLOG_READINGS``, default ``readings/`` beside
the warehouse).
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

from fastapi import APIRouter, Depends, Query, Request

from reslog.api.deps import get_hub, get_settings
from reslog.api.problems import ProblemError, invalid, not_found
from reslog.api.settings import Settings
from reslog.intel.monitoring.registry import Registry
from reslog.platform.deps import Principal, require_role, verify_csrf
from reslog.store.hub import WarehouseHub
from reslog.store.readings import ReadingStore

router = APIRouter(prefix="/api/sites", tags=["sites"])

require_ingest = require_role("analyst")
"""Dependency: who may send readings (analyst or admin; an API key in practice)."""
require_view = require_role("viewer")
"""Dependency: who may read a site's status and heat map."""

_REGISTRY_LOCK = threading.Lock()


# ----------------------------------------------------------------------------- dependencies
@lru_cache(maxsize=8)
def _store(root: str) -> ReadingStore:
    return ReadingStore(root)


async def get_store(settings: Settings = Depends(get_settings)) -> ReadingStore:
    """The reading store of this server (``Settings.readings``)."""
    return _store(str(settings.readings))


def get_registry(request: Request, hub: WarehouseHub = Depends(get_hub)) -> Registry:
    """The site/sensor registry, read once per warehouse version (any ingest reloads it)."""
    version = hub.version
    cached = getattr(request.app.state, "sites_registry", None)
    if cached is not None and cached[0] == version:
        return cached[1]
    with _REGISTRY_LOCK:
        cached = getattr(request.app.state, "sites_registry", None)
        if cached is not None and cached[0] == version:
            return cached[1]
        with hub.reader() as wh:
            reg = Registry.from_warehouse(wh)
        request.app.state.sites_registry = (version, reg)
        return reg


def _own_site(registry: Registry, site: str, principal: Principal) -> None:
    """404 unless ``site`` exists and belongs to the caller's organisation (same answer for both)."""
    from reslog.intel.monitoring.registry import UnknownSite

    try:
        registry.site(site, principal.org_id, check_org=True)
    except UnknownSite:
        raise not_found("site", site, "path.site") from None


# ----------------------------------------------------------------------------- routes
@router.post("/{site}/readings", dependencies=[Depends(verify_csrf)])
async def post_readings(site: str, request: Request,
                        principal: Principal = Depends(require_ingest),
                        store: ReadingStore = Depends(get_store),
                        registry: Registry = Depends(get_registry)) -> dict[str, Any]:
    """Ingest a batch of readings (see the module docstring)."""
    from starlette.concurrency import run_in_threadpool

    from reslog.intel.monitoring.ingest import ingest_readings
    from reslog.intel.monitoring.payload import PayloadError, parse_batch

    _own_site(registry, site, principal)
    body = await request.body()
    try:
        bid, raw = parse_batch(body)
    except PayloadError as e:
        raise ProblemError(400, "Not a reading batch", str(e),
                           [{"field": "body.readings", "message": str(e)}]) from None
    bid = bid or request.headers.get("Idempotency-Key") or raw.sha256
    res = await run_in_threadpool(ingest_readings, store, registry, site, raw, batch_id=bid,
                                  via="http")
    return res.to_dict()


@router.get("/{site}/status")
def site_status(site: str, principal: Principal = Depends(require_view),
                store: ReadingStore = Depends(get_store),
                registry: Registry = Depends(get_registry)) -> dict[str, Any]:
    """Readings stored, last reading per sensor and GISTM trigger levels of a site."""
    from reslog.intel.monitoring.analysis import evaluate_triggers

    _own_site(registry, site, principal)
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
def site_heatmap(site: str,
                 parameter: str = Query(min_length=1, max_length=64,
                                        description="Measured parameter, e.g. As."),
                 date: str = Query(min_length=1, max_length=32,
                                   description="Day of the map (ISO 8601), e.g. 2024-06-01."),
                 principal: Principal = Depends(require_view),
                 store: ReadingStore = Depends(get_store),
                 registry: Registry = Depends(get_registry)) -> dict[str, Any]:
    """A heat-map image layer (PNG data URI + corner coordinates) for the platform's map."""
    from reslog.errors import ReslogError
    from reslog.intel.monitoring.heatmap import heatmap_for_site, map_layer

    import pandas as pd

    _own_site(registry, site, principal)
    try:
        day = pd.Timestamp(date)
        if pd.isna(day):
            raise ValueError("not a date")
    except (ValueError, TypeError, OverflowError) as e:
        raise invalid("query.date", f"{date!r} is not a date such as 2024-06-01 ({e})") from None
    try:
        hm = heatmap_for_site(store, registry, site, parameter, day)
    except ReslogError as e:
        raise ProblemError(422, "Cannot draw the heat map", str(e),
                           [{"field": "query.parameter", "message": str(e)}]) from None
    return map_layer(hm)
