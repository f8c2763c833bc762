"""``/api/events``: risk events — filters, pages, detail with sources.

Public warehouse events are merged with the organisation events the caller may see
(``reslog.platform.items.visible_org_events``: own, shared with the caller's organisation, or
published); that function is the one place private rows are filtered by organisation.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.responses import Response

from reslog.api import params
from reslog.api.caching import json_response
from reslog.api.deps import get_hub, get_reader, optional_platform_db, optional_principal
from reslog.api.jsonio import records
from reslog.api.pagination import Page, page_params, paged
from reslog.api.problems import invalid, not_found
from reslog.services import events as svc
from reslog.services.provenance import ledger_entries
from reslog.store.hub import WarehouseHub
from reslog.store.warehouse import Warehouse

router = APIRouter(prefix="/api/events", tags=["events"])


def _org_events(db: Any, principal: Any, flt: svc.EventFilter) -> list[dict[str, Any]]:
    if db is None or principal is None:
        return []
    from reslog.platform.items import visible_org_events

    return visible_org_events(db, principal, **flt.platform_kwargs())


@router.get("", summary="Risk events (filters, paginated, newest first)")
def list_events(
    request: Request,
    type: str | None = Query(None, description="Event type of the taxonomy, e.g. tailings_failure."),
    commodity: str | None = Query(None, description="Commodity (name, alias, symbol)."),
    country: str | None = Query(None, description="ISO3 code or name."),
    mine_id: str | None = Query(None, max_length=200),
    min_severity: float | None = Query(None, ge=0, le=1),
    since: _dt.date | None = Query(None, description="First day (inclusive), YYYY-MM-DD."),
    until: _dt.date | None = Query(None, description="Last day (inclusive), YYYY-MM-DD."),
    page: Page = Depends(page_params),
    wh: Warehouse = Depends(get_reader), hub: WarehouseHub = Depends(get_hub),
    principal: Any = optional_principal(), db: Any = optional_platform_db(),
) -> Response:
    """Warehouse events and the caller's visible organisation events, each with its sources.

    Every item has ``sources`` (URLs), ``source`` (citation), ``ledger_id`` (warehouse events) or
    ``owner_org``/``visibility`` (organisation events). ``provenance.ledger`` lists the ingests.
    """
    if since and until and since > until:
        raise invalid("query.until", f"until {until} is before since {since}")
    flt = svc.EventFilter(event_type=params.event_type(type), commodity=params.commodity(commodity),
                          country=params.country(country), mine_id=mine_id, min_severity=min_severity,
                          since=since, until=until)
    need = page.offset + page.limit
    cache = request.app.state.response_cache

    def public() -> tuple[list[dict[str, Any]], int, list[dict[str, Any]]]:
        rows, total = svc.warehouse_events(wh, flt, limit=need)
        ids = {r["ledger_id"] for r in rows if r.get("ledger_id") is not None}
        return rows, total, ledger_entries(wh, ids)

    rows, total, ledger = cache.memo(("events", flt, need, hub.version), public)
    org = _org_events(db, principal, flt)
    items, total_all = svc.merge_events(rows, total, org, page.offset, page.limit)
    used = {i["ledger_id"] for i in items if i.get("ledger_id") is not None}
    body = paged(request, items, total_all, page)
    body["provenance"] = {"ledger": [e for e in ledger if e["ledger_id"] in used], "packaged": [],
                          "notes": ["organisation events carry owner_org and visibility"] if org else []}
    anonymous = principal is None or not getattr(principal, "is_authenticated", False)
    return json_response(request, body, private=not anonymous,
                         max_age=request.app.state.settings.cache_max_age)


@router.get("/types", summary="Event types present, with counts")
def types(request: Request, wh: Warehouse = Depends(get_reader)) -> Response:
    """Types of the risk taxonomy present in the warehouse, with counts and date range."""
    return json_response(request, {"items": records(svc.event_types(wh))})


@router.get("/{event_id}", summary="One event with its sources")
def event(request: Request, event_id: str = Path(max_length=200, openapi_examples={"demo": {"value": 'tsf-2019-01-25-bra-brumadinho'}}), wh: Warehouse = Depends(get_reader),
          principal: Any = optional_principal(), db: Any = optional_platform_db()) -> Response:
    """The event, its source URLs and citation, its mine (if linked), and its ledger entry."""
    if event_id.startswith("org-"):
        for ev in _org_events(db, principal, svc.EventFilter()):
            if ev["event_id"] == event_id:
                rec = svc.merge_events([], 0, [ev], 0, 1)[0][0]
                return json_response(request, {"event": rec, "mine": None,
                                               "provenance": svc.org_event_provenance(ev).to_dict()}, private=True)
        raise not_found("event", event_id, "path.event_id")
    got = svc.event_detail(wh, event_id)
    if got is None:
        raise not_found("event", event_id, "path.event_id")
    out, prov = got
    return json_response(request, {**out, "provenance": prov.to_dict()},
                         max_age=request.app.state.settings.cache_max_age)
