"""An organisation's own risk events: create, list, read, change, delete.

They are private to the organisation unless shared or published (``/api/platform/sharing``).
Listing goes through :func:`reslog.platform.items.visible_org_events`; a record has the keys of
a warehouse risk event plus ``owner_org`` and ``visibility``. IDs you may not read answer 404.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request
from sqlalchemy.orm import Session

from reslog.api.pagination import Page, page_params, paginate
from reslog.api.problems import ProblemError
from reslog.platform import audit, items
from reslog.platform.deps import Principal, get_db, get_principal, require_role, verify_csrf
from reslog.platform.models import Organisation, OrgEvent, utcnow
from reslog.platform.schemas import NO_NUL, OrgEventIn, OrgEventPatch
from reslog.schema import EVENT_TYPES, resolve_commodity, resolve_country

router = APIRouter(prefix="/api/platform/org-events", tags=["platform: organisation events"])

EventId = Path(ge=1, le=2**31 - 1, description="Organisation event id.")


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    """Resolve country and commodity names; check the event type (422 naming the field)."""
    out = dict(values)
    if out.get("event_type") is not None and (out["event_type"] not in EVENT_TYPES or out["event_type"] == "none"):
        raise ProblemError(422, "Unprocessable Content", f"unknown event type {out['event_type']!r}",
                           [{"field": "body.event_type",
                             "message": f"use one of {sorted(set(EVENT_TYPES) - {'none'})}"}])
    for key, resolve in (("country", resolve_country), ("commodity", resolve_commodity)):
        if out.get(key):
            r = resolve(out[key])
            if r is None or r in ("WLD", "ROW"):
                raise ProblemError(422, "Unprocessable Content", f"unknown {key} {out[key]!r}",
                                   [{"field": f"body.{key}", "message": f"unknown {key} {out[key]!r}"}])
            out[key] = r
    if out.get("start_time") and out.get("end_time") and out["end_time"] < out["start_time"]:
        raise ProblemError(422, "Unprocessable Content", "end_time is before start_time",
                           [{"field": "body.end_time", "message": "must not be before start_time"}])
    return out


def _record(db: Session, ev: OrgEvent) -> dict:
    org = db.get(Organisation, ev.org_id)
    return items.org_event_record(ev, org.name if org else "", items.visibility(db, ev, "org_event"))


@router.get("")
def list_org_events(request: Request, page: Page = Depends(page_params),
                    event_type: str | None = Query(None, max_length=64, pattern=NO_NUL),
                    country: str | None = Query(None, max_length=100, pattern=NO_NUL),
                    commodity: str | None = Query(None, max_length=100, pattern=NO_NUL),
                    since: datetime | None = None, until: datetime | None = None,
                    min_severity: float | None = Query(None, ge=0, le=1),
                    mine: bool = Query(False, description="Only your organisation's own events."),
                    principal: Principal = Depends(get_principal),
                    db: Session = Depends(get_db)) -> dict:
    """Organisation events you may read (yours, shared with you, published), newest first."""
    c = resolve_country(country) if country else None
    if country and c is None:
        raise ProblemError(422, "Unprocessable Content", f"unknown country {country!r}",
                           [{"field": "query.country", "message": f"unknown country {country!r}"}])
    m = resolve_commodity(commodity) if commodity else None
    if commodity and m is None:
        raise ProblemError(422, "Unprocessable Content", f"unknown commodity {commodity!r}",
                           [{"field": "query.commodity", "message": f"unknown commodity {commodity!r}"}])
    evs = items.visible_org_events(db, principal, event_type=event_type, country=c, commodity=m,
                                   since=since, until=until, min_severity=min_severity,
                                   owned_only=mine)
    return paginate(request, evs, page)


@router.post("", status_code=201, dependencies=[Depends(verify_csrf)])
def create_org_event(body: OrgEventIn, principal: Principal = Depends(require_role("analyst")),
                     db: Session = Depends(get_db)) -> dict:
    """Record an event of your organisation (analyst)."""
    vals = _clean(body.model_dump())
    assert principal.org_id is not None
    ev = OrgEvent(org_id=principal.org_id, created_by=principal.user_id, **vals)
    db.add(ev)
    db.flush()
    audit.record(db, principal, "org_event.create", "org_event", ev.id, title=ev.title)
    db.commit()
    return _record(db, ev)


@router.get("/{event_id}")
def get_org_event(event_id: int = EventId, principal: Principal = Depends(get_principal),
                  db: Session = Depends(get_db)) -> dict:
    """One organisation event you may read (404 otherwise)."""
    return _record(db, items.get_visible(db, principal, "org_event", event_id))


@router.patch("/{event_id}", dependencies=[Depends(verify_csrf)])
def update_org_event(body: OrgEventPatch, event_id: int = EventId,
                     principal: Principal = Depends(require_role("analyst")),
                     db: Session = Depends(get_db)) -> dict:
    """Change fields of your organisation's event (analyst)."""
    ev = items.get_owned(db, principal, "org_event", event_id)
    vals = _clean(body.model_dump(exclude_unset=True))
    changed = sorted(k for k, v in vals.items() if getattr(ev, k) != v)
    for k, v in vals.items():
        setattr(ev, k, v)
    ev.updated_at = utcnow()
    audit.record(db, principal, "org_event.update", "org_event", ev.id, fields=changed)
    db.commit()
    return _record(db, ev)


@router.delete("/{event_id}", status_code=204, dependencies=[Depends(verify_csrf)])
def delete_org_event(event_id: int = EventId, principal: Principal = Depends(require_role("analyst")),
                     db: Session = Depends(get_db)) -> None:
    """Delete your organisation's event (analyst); its shares go with it."""
    ev = items.get_owned(db, principal, "org_event", event_id)
    items.delete_item(db, "org_event", ev)
    audit.record(db, principal, "org_event.delete", "org_event", event_id, title=ev.title)
    db.commit()
