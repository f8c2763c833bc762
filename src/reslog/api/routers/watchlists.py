"""Watch-lists (countries, commodities, mines) and their alerts.

Alerts match the watch-list against the public warehouse risk events (read through
``reslog.api.deps.get_reader``) and the organisation events the caller may read, with
:func:`reslog.intel.text.alerts.calc_alerts`. Watch-lists are private to the organisation
unless shared or published; analysts change them.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Request
from sqlalchemy.orm import Session

from reslog.api.deps import get_reader
from reslog.api.pagination import Page, page_params, paginate
from reslog.api.problems import ProblemError
from reslog.errors import InputError
from reslog.intel.text.alerts import parse_watchlists
from reslog.platform import audit, items
from reslog.platform.deps import Principal, get_db, get_principal, require_role, verify_csrf
from reslog.platform.models import Watchlist, utcnow
from reslog.platform.schemas import WatchlistIn, WatchlistPatch
from reslog.store.warehouse import Warehouse

router = APIRouter(prefix="/api/platform/watchlists", tags=["platform: watch-lists"])

WatchlistId = Path(ge=1, le=2**31 - 1, description="Watch-list id.")


def _resolved(vals: dict[str, Any]) -> dict[str, Any]:
    """Resolve names with the library's watch-list parser (422 naming the field)."""
    try:
        wl = parse_watchlists(dict(vals), "watch-list")[0]
    except InputError as e:
        raise ProblemError(422, "Unprocessable Content", e.message,
                           [{"field": f"body.{e.field or 'watchlist'}", "message": e.message}]) from None
    return {"name": wl.name, "countries": sorted(wl.countries), "commodities": sorted(wl.commodities),
            "mines": sorted({str(m).strip() for m in vals.get("mines", []) if str(m).strip()}),
            "event_types": sorted(wl.event_types), "min_severity": wl.min_severity}


def _out(db: Session, w: Watchlist, principal: Principal) -> dict:
    return {"id": w.id, "name": w.name, "countries": w.countries, "commodities": w.commodities,
            "mines": w.mines, "event_types": w.event_types, "min_severity": w.min_severity,
            "owner_org": w.org_id, "visibility": items.visibility(db, w, "watchlist"),
            "created_at": w.created_at.isoformat(), "updated_at": w.updated_at.isoformat(),
            "published_at": w.published_at.isoformat() if w.published_at else None}


@router.get("")
def list_watchlists(request: Request, page: Page = Depends(page_params),
                    principal: Principal = Depends(get_principal),
                    db: Session = Depends(get_db)) -> dict:
    """Watch-lists you may read."""
    rows = list(db.scalars(items.select_visible("watchlist", principal).order_by(Watchlist.id)))
    return paginate(request, [_out(db, w, principal) for w in rows], page)


@router.post("", status_code=201, dependencies=[Depends(verify_csrf)])
def create_watchlist(body: WatchlistIn, principal: Principal = Depends(require_role("analyst")),
                     db: Session = Depends(get_db)) -> dict:
    """Create a watch-list for your organisation (analyst)."""
    vals = _resolved(body.model_dump())
    assert principal.org_id is not None
    w = Watchlist(org_id=principal.org_id, created_by=principal.user_id, **vals)
    db.add(w)
    db.flush()
    audit.record(db, principal, "watchlist.create", "watchlist", w.id, name=w.name)
    db.commit()
    return _out(db, w, principal)


@router.get("/alerts")
def all_alerts(request: Request, page: Page = Depends(page_params),
               principal: Principal = Depends(get_principal), db: Session = Depends(get_db),
               reader: Warehouse = Depends(get_reader)) -> dict:
    """Alerts of every watch-list your organisation owns, most severe first."""
    return paginate(request, items.watchlist_alerts(db, reader, principal), page)


@router.get("/{watchlist_id}")
def get_watchlist(watchlist_id: int = WatchlistId, principal: Principal = Depends(get_principal),
                  db: Session = Depends(get_db)) -> dict:
    """One watch-list you may read (404 otherwise)."""
    return _out(db, items.get_visible(db, principal, "watchlist", watchlist_id), principal)


@router.get("/{watchlist_id}/alerts")
def watchlist_alerts(request: Request, watchlist_id: int = WatchlistId,
                     page: Page = Depends(page_params),
                     principal: Principal = Depends(get_principal), db: Session = Depends(get_db),
                     reader: Warehouse = Depends(get_reader)) -> dict:
    """Alerts of one watch-list you may read."""
    return paginate(request, items.watchlist_alerts(db, reader, principal, watchlist_id), page)


@router.patch("/{watchlist_id}", dependencies=[Depends(verify_csrf)])
def update_watchlist(body: WatchlistPatch, watchlist_id: int = WatchlistId,
                     principal: Principal = Depends(require_role("analyst")),
                     db: Session = Depends(get_db)) -> dict:
    """Change your organisation's watch-list (analyst)."""
    w = items.get_owned(db, principal, "watchlist", watchlist_id)
    cur = {"name": w.name, "countries": w.countries, "commodities": w.commodities, "mines": w.mines,
           "event_types": w.event_types, "min_severity": w.min_severity}
    new = _resolved(cur | body.model_dump(exclude_unset=True, exclude_none=True))
    changed = sorted(k for k in new if new[k] != cur[k])
    for k, v in new.items():
        setattr(w, k, v)
    w.updated_at = utcnow()
    audit.record(db, principal, "watchlist.update", "watchlist", w.id, fields=changed)
    db.commit()
    return _out(db, w, principal)


@router.delete("/{watchlist_id}", status_code=204, dependencies=[Depends(verify_csrf)])
def delete_watchlist(watchlist_id: int = WatchlistId,
                     principal: Principal = Depends(require_role("analyst")),
                     db: Session = Depends(get_db)) -> None:
    """Delete your organisation's watch-list (analyst)."""
    w = items.get_owned(db, principal, "watchlist", watchlist_id)
    items.delete_item(db, "watchlist", w)
    audit.record(db, principal, "watchlist.delete", "watchlist", watchlist_id, name=w.name)
    db.commit()
