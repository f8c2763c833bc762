"""Risk events: filtered lists (warehouse + the caller's visible organisation events) and details."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Any

import pandas as pd

from reslog.services.provenance import Provenance, ledger_entries, provenance
from reslog.store.warehouse import Warehouse

EVENT_COLUMNS = ("event_id", "event_type", "start_time", "end_time", "lat", "lon", "country",
                 "mine_id", "commodity", "severity", "confidence", "deaths", "release_m3", "title",
                 "description", "source_urls", "taxonomy_version", "source", "ledger_id")


@dataclass(frozen=True)
class EventFilter:
    """Filters of an event query (every field optional; dates inclusive, by ``start_time``)."""

    event_type: str | None = None
    commodity: str | None = None
    country: str | None = None
    mine_id: str | None = None
    min_severity: float | None = None
    since: _dt.date | None = None
    until: _dt.date | None = None

    def sql(self) -> tuple[str, list[Any]]:
        """``WHERE`` clause (possibly empty) and its parameters."""
        where, params = [], []
        for col, val in (("event_type", self.event_type), ("commodity", self.commodity),
                         ("country", self.country), ("mine_id", self.mine_id)):
            if val is not None:
                where.append(f"{col} = ?")
                params.append(val)
        if self.min_severity is not None:
            where.append("severity >= ?")
            params.append(self.min_severity)
        if self.since is not None:
            where.append("start_time >= ?")
            params.append(_dt.datetime.combine(self.since, _dt.time.min))
        if self.until is not None:
            where.append("start_time < ?")
            params.append(_dt.datetime.combine(self.until + _dt.timedelta(days=1), _dt.time.min))
        return (" WHERE " + " AND ".join(where)) if where else "", params

    def platform_kwargs(self) -> dict[str, Any]:
        """Keyword arguments of ``reslog.platform.items.visible_org_events``."""
        utc = _dt.timezone.utc
        return {"event_type": self.event_type, "country": self.country, "commodity": self.commodity,
                "mine_id": self.mine_id, "min_severity": self.min_severity,
                "since": None if self.since is None else _dt.datetime.combine(self.since, _dt.time.min, utc),
                "until": None if self.until is None else _dt.datetime.combine(self.until, _dt.time.max, utc)}


def _iso_utc(v: Any) -> str | None:
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    t = pd.Timestamp(v)
    if t.tzinfo is None:
        t = t.tz_localize("UTC")
    return t.tz_convert("UTC").isoformat()


def _record(r: dict[str, Any]) -> dict[str, Any]:
    out = {k: (None if (not isinstance(v, str) and v is not None and pd.isna(v)) else v) for k, v in r.items()}
    out["start_time"] = _iso_utc(r.get("start_time"))
    out["end_time"] = _iso_utc(r.get("end_time"))
    out["sources"] = split_sources(r.get("source_urls"))
    out.setdefault("owner_org", None)
    out.setdefault("visibility", "public")
    return out


def split_sources(urls: Any) -> list[str]:
    """``source_urls`` (``|``-separated) as a list."""
    if urls is None or (not isinstance(urls, str) and pd.isna(urls)):
        return []
    return [u.strip() for u in str(urls).split("|") if u.strip()]


def warehouse_events(wh: Warehouse, flt: EventFilter, *, limit: int | None = None) -> tuple[list[dict[str, Any]], int]:
    """Public warehouse events matching ``flt``, newest first: ``(first `limit` rows, total)``."""
    where, params = flt.sql()
    total = int(wh.con.execute(f"SELECT count(*) FROM risk_events{where}", params).fetchall()[0][0])
    lim = f" LIMIT {int(limit)}" if limit is not None else ""
    df = wh.query(f"SELECT {', '.join(EVENT_COLUMNS)} FROM risk_events{where} "
                  f"ORDER BY start_time DESC NULLS LAST, event_id{lim}", params)
    return [_record(r) for r in df.to_dict(orient="records")], total


def merge_events(public: list[dict[str, Any]], public_total: int, org: list[dict[str, Any]],
                 offset: int, limit: int) -> tuple[list[dict[str, Any]], int]:
    """One page of warehouse and organisation events together, newest first.

    ``public`` must hold at least the first ``offset + limit`` warehouse events in order.
    """
    org = [_record(e) for e in org]
    both = sorted(public + org, key=lambda e: (e["start_time"] or "", e["event_id"]), reverse=True)
    none_last = [e for e in both if e["start_time"]] + [e for e in both if not e["start_time"]]
    return none_last[offset:offset + limit], public_total + len(org)


def event_detail(wh: Warehouse, event_id: str) -> tuple[dict[str, Any], Provenance] | None:
    """One warehouse event with its sources, its mine (if linked) and its ledger entry."""
    df = wh.query(f"SELECT {', '.join(EVENT_COLUMNS)} FROM risk_events WHERE event_id = ?", [event_id])
    if df.empty:
        return None
    ev = _record(df.to_dict(orient="records")[0])
    mine = None
    if ev.get("mine_id"):
        m = wh.query("SELECT mine_id, name, country, commodities, lat, lon, ledger_id FROM mine_sites "
                     "WHERE mine_id = ?", [ev["mine_id"]])
        if len(m):
            mine = m.drop(columns=["ledger_id"]).to_dict(orient="records")[0]
    return {"event": ev, "mine": mine}, provenance(wh, df)


def event_types(wh: Warehouse) -> pd.DataFrame:
    """Event types in the warehouse with counts."""
    return wh.query("SELECT event_type, count(*) AS n, min(start_time) AS first, max(start_time) AS last "
                    "FROM risk_events GROUP BY 1 ORDER BY 2 DESC")


def org_event_provenance(ev: dict[str, Any]) -> Provenance:
    """Provenance of an organisation event: the organisation that recorded it, and its sources."""
    return Provenance([], [], [f"recorded by organisation {ev.get('owner_org_name') or ev.get('owner_org')}"
                               f" ({ev.get('visibility')}); sources as listed"])


__all__ = ["EventFilter", "warehouse_events", "merge_events", "event_detail", "event_types",
           "split_sources", "ledger_entries", "org_event_provenance"]
