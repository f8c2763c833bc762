"""Organisation-private items: the ONE place that decides who sees which row.

An item (supplier list, organisation event, watch-list) belongs to one organisation
(``org_id``). A caller sees it when

1. the caller's organisation owns it, or
2. the owner shared it with the caller's organisation (a ``share_grants`` row), or
3. it is published (``published_at`` set) — then everyone sees it, anonymous callers included.

Only members of the owning organisation change or delete it (analyst or admin; publishing is
for admins). Anything a caller cannot see answers 404, exactly like an ID that does not exist,
so guessing IDs tells nothing. Routers call the functions here and never filter by organisation
themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

import pandas as pd
from sqlalchemy import Select, exists, or_, select
from sqlalchemy.orm import Session

from reslog.api.problems import ProblemError
from reslog.platform.deps import Principal
from reslog.platform.models import (ITEM_MODELS, Organisation, OrgEvent, ShareGrant, Supplier,
                                    SupplierList, Watchlist)

TAXONOMY_SOURCE = "organisation"


def _not_found(item_type: str, item_id: object) -> ProblemError:
    label = item_type.replace("_", " ")
    return ProblemError(404, "Not Found", f"no {label} {item_id!r}",
                        [{"field": "path.item_id", "message": f"no {label} {item_id!r}"}])


def visible_clause(model: type, item_type: str, principal: Principal) -> Any:
    """SQL condition: rows of ``model`` the caller may read."""
    conds = [model.published_at.is_not(None)]
    if principal.org_id is not None:
        conds.append(model.org_id == principal.org_id)
        conds.append(exists().where(ShareGrant.item_type == item_type,
                                    ShareGrant.item_id == model.id,
                                    ShareGrant.grantee_org_id == principal.org_id))
    return or_(*conds)


def select_visible(item_type: str, principal: Principal) -> Select:
    """``SELECT`` of the items of ``item_type`` the caller may read."""
    model = ITEM_MODELS[item_type]
    return select(model).where(visible_clause(model, item_type, principal))


def get_visible(db: Session, principal: Principal, item_type: str, item_id: int) -> Any:
    """The item if the caller may read it, else 404 (same answer as a missing ID)."""
    model = ITEM_MODELS[item_type]
    obj = db.scalar(select(model).where(model.id == item_id,
                                        visible_clause(model, item_type, principal)))
    if obj is None:
        raise _not_found(item_type, item_id)
    return obj


def get_owned(db: Session, principal: Principal, item_type: str, item_id: int,
              min_role: str = "analyst") -> Any:
    """The item if the caller's organisation owns it and the caller has ``min_role``.

    404 when the caller cannot see it; 403 when it is visible (shared or public) but owned by
    another organisation, or the role is too low.
    """
    obj = get_visible(db, principal, item_type, item_id)
    if obj.org_id != principal.org_id:
        raise ProblemError(403, "Forbidden", "only the owning organisation can change this item")
    if not principal.at_least(min_role):
        raise ProblemError(403, "Forbidden", f"this action needs the {min_role} role")
    return obj


def grantees(db: Session, item_type: str, item_id: int) -> list[int]:
    """Organisations an item is shared with."""
    return list(db.scalars(select(ShareGrant.grantee_org_id).where(
        ShareGrant.item_type == item_type, ShareGrant.item_id == item_id)
        .order_by(ShareGrant.grantee_org_id)))


def visibility(db: Session, obj: Any, item_type: str) -> str:
    """``public`` (published), ``shared`` (granted to another organisation) or ``private``."""
    if obj.published_at is not None:
        return "public"
    return "shared" if grantees(db, item_type, obj.id) else "private"


def _org_names(db: Session, ids: Iterable[int]) -> dict[int, str]:
    ids = sorted(set(ids))
    if not ids:
        return {}
    return dict(db.execute(select(Organisation.id, Organisation.name)
                           .where(Organisation.id.in_(ids))).all())


def _iso(t: datetime | None) -> str | None:
    if t is None:
        return None
    if t.tzinfo is None:
        t = t.replace(tzinfo=timezone.utc)
    return t.astimezone(timezone.utc).isoformat()


# ---------------------------------------------------------------------- organisation events
def org_event_record(ev: OrgEvent, owner_name: str, vis: str) -> dict[str, Any]:
    """An organisation event with the keys of a warehouse ``risk_events`` row, plus owner."""
    return {
        "event_id": f"org-{ev.id}", "id": ev.id, "event_type": ev.event_type,
        "start_time": _iso(ev.start_time), "end_time": _iso(ev.end_time),
        "lat": ev.lat, "lon": ev.lon, "country": ev.country, "mine_id": ev.mine_id,
        "commodity": ev.commodity, "severity": ev.severity, "confidence": ev.confidence,
        "deaths": None, "release_m3": None, "title": ev.title, "description": ev.description,
        "source_urls": "|".join(ev.source_urls or []), "taxonomy_version": TAXONOMY_SOURCE,
        "source": f"organisation:{owner_name}", "ledger_id": None,
        "owner_org": ev.org_id, "owner_org_name": owner_name, "visibility": vis,
        "published_at": _iso(ev.published_at), "created_at": _iso(ev.created_at),
        "updated_at": _iso(ev.updated_at),
    }


def visible_org_events(db: Session, principal: Principal, *, event_type: str | None = None,
                       country: str | None = None, commodity: str | None = None,
                       mine_id: str | None = None, min_severity: float | None = None,
                       since: datetime | None = None, until: datetime | None = None,
                       owned_only: bool = False) -> list[dict[str, Any]]:
    """Organisation events the caller may read, newest first, as ``risk_events``-like dicts.

    Keys: those of the warehouse ``risk_events`` table (``event_id`` is ``org-<id>``) plus
    ``id``, ``owner_org``, ``owner_org_name`` and ``visibility`` (private/shared/public).
    """
    if any(isinstance(v, str) and "\x00" in v for v in (event_type, country, commodity, mine_id)):
        return []  # stored text never holds NUL (inputs refuse it); PostgreSQL cannot compare it
    q = select_visible("org_event", principal)
    if owned_only:
        q = q.where(OrgEvent.org_id == (principal.org_id if principal.org_id is not None else -1))
    if event_type:
        q = q.where(OrgEvent.event_type == event_type)
    if country:
        q = q.where(OrgEvent.country == country)
    if commodity:
        q = q.where(OrgEvent.commodity == commodity)
    if mine_id:
        q = q.where(OrgEvent.mine_id == mine_id)
    if min_severity is not None:
        q = q.where(OrgEvent.severity >= min_severity)
    if since is not None:
        q = q.where(OrgEvent.start_time >= since)
    if until is not None:
        q = q.where(OrgEvent.start_time <= until)
    rows = list(db.scalars(q.order_by(OrgEvent.start_time.desc().nulls_last(), OrgEvent.id.desc())))
    names = _org_names(db, (r.org_id for r in rows))
    shared = _shared_ids(db, "org_event", [r.id for r in rows])
    return [org_event_record(r, names.get(r.org_id, ""),
                             "public" if r.published_at is not None else
                             ("shared" if r.id in shared else "private")) for r in rows]


def _shared_ids(db: Session, item_type: str, ids: list[int]) -> set[int]:
    if not ids:
        return set()
    return set(db.scalars(select(ShareGrant.item_id).where(ShareGrant.item_type == item_type,
                                                           ShareGrant.item_id.in_(ids))))


# ---------------------------------------------------------------------- supplier exposure
def visible_suppliers(db: Session, principal: Principal, list_id: int | None = None,
                      owned_only: bool = False) -> tuple[list[SupplierList], list[Supplier]]:
    """Supplier lists (one, or all the caller may read) and their rows."""
    if list_id is not None:
        lists = [get_visible(db, principal, "supplier_list", list_id)]
    else:
        q = select_visible("supplier_list", principal)
        if owned_only:
            q = q.where(SupplierList.org_id == (principal.org_id if principal.org_id is not None else -1))
        lists = list(db.scalars(q.order_by(SupplierList.id)))
    rows = list(db.scalars(select(Supplier).where(Supplier.list_id.in_([sl.id for sl in lists]))
                           .order_by(Supplier.list_id, Supplier.row_no))) if lists else []
    return lists, rows


def _reader_table(reader: Any, name: str) -> pd.DataFrame:
    try:
        return reader.table(name)
    except Exception as e:  # a warehouse without the table (fresh file): no rows
        if "does not exist" in str(e).lower() or "catalog" in str(e).lower():
            return pd.DataFrame()
        raise


def supplier_exposure(db: Session, warehouse_reader: Any, principal: Principal,
                      list_id: int | None = None) -> dict[str, Any]:
    """Events, production concentration and alerts that touch the suppliers' countries and mines.

    Parameters
    ----------
    db : platform session.
    warehouse_reader : read-only :class:`~reslog.store.warehouse.Warehouse` (``get_reader``).
    principal : the caller; only supplier lists and organisation events it may read are used.
    list_id : one supplier list (404 if not visible); default: the lists the caller's
        organisation owns.

    Returns
    -------
    dict with ``lists``, ``suppliers`` (each with its country's production share and the
    commodity's HHI), ``concentration`` (rows of
    :func:`reslog.model.concentration.concentration_table` for the suppliers' commodities),
    ``events`` (warehouse + organisation events touching a supplier country or mine, with the
    reasons from :func:`reslog.intel.text.alerts.calc_match_reasons`), ``alerts`` (events matching
    a supplier on all its given fields, :func:`reslog.intel.text.alerts.calc_alerts`) and
    ``provenance`` (ledger ids used).
    """
    from reslog.platform.exposure import calc_supplier_exposure

    lists, rows = visible_suppliers(db, principal, list_id,
                                    owned_only=list_id is None)
    org_events = visible_org_events(db, principal)
    out = calc_supplier_exposure(
        suppliers=[{"list_id": r.list_id, "row": r.row_no, "supplier": r.supplier,
                    "country": r.country, "commodity": r.commodity, "mine": r.mine} for r in rows],
        events=_reader_table(warehouse_reader, "risk_events"),
        org_events=org_events,
        production=_reader_table(warehouse_reader, "production"),
        governance=_reader_table(warehouse_reader, "governance"),
        mines=_reader_table(warehouse_reader, "mine_sites"),
    )
    out["lists"] = [{"id": sl.id, "name": sl.name, "owner_org": sl.org_id, "n_rows": sl.n_rows}
                    for sl in lists]
    return out


def delete_item(db: Session, item_type: str, obj: Any) -> None:
    """Delete an item and the share grants that point at it (same transaction)."""
    from sqlalchemy import delete

    db.execute(delete(ShareGrant).where(ShareGrant.item_type == item_type,
                                        ShareGrant.item_id == obj.id))
    db.delete(obj)


# ---------------------------------------------------------------------- watch-list alerts
def watchlist_alerts(db: Session, warehouse_reader: Any, principal: Principal,
                     watchlist_id: int | None = None) -> list[dict[str, Any]]:
    """Alerts of one watch-list the caller may read, or of every watch-list its organisation owns.

    Events: the public warehouse ``risk_events`` plus the organisation events the caller may
    read; matching by :func:`reslog.intel.text.alerts.calc_alerts`. Most severe first.
    """
    from reslog.intel.text.alerts import calc_alerts, parse_watchlists
    from reslog.platform.exposure import _records

    if watchlist_id is not None:
        wls = [get_visible(db, principal, "watchlist", watchlist_id)]
    elif principal.org_id is None:
        wls = []
    else:
        wls = list(db.scalars(select(Watchlist).where(Watchlist.org_id == principal.org_id)
                              .order_by(Watchlist.id)))
    if not wls:
        return []
    lib = [parse_watchlists({"name": f"{w.name} (#{w.id})", "countries": w.countries,
                             "commodities": w.commodities, "mines": w.mines,
                             "event_types": w.event_types, "min_severity": w.min_severity})[0]
           for w in wls]
    events = _records(_reader_table(warehouse_reader, "risk_events"))
    events += visible_org_events(db, principal)
    return [a.to_record() for a in calc_alerts(events, lib)]
