"""Watch-lists and alerts: an event that touches what a user watches becomes an alert record.

A watch-list (JSON or TOML file, :func:`read_watchlist`) names countries, commodities, mines
and suppliers; optional filters are event types and a minimum severity::

    {"name": "battery metals", "countries": ["COD", "Indonesia", "チリ"],
     "commodities": ["cobalt", "nickel", "銅"], "mines": ["Grasberg"],
     "suppliers": [{"name": "Acme Cobalt", "country": "COD", "commodity": "cobalt"}],
     "event_types": [], "min_severity": 0.3}

Country and commodity entries are resolved with :func:`reslog.schema.resolve_country` and
:func:`reslog.schema.resolve_commodity` (English, Japanese, codes, aliases). An event matches a
country or commodity entry on equality; a mine entry on ``mine_id`` or on a case-insensitive
name in the event's places; a supplier when all of its given fields (country, commodity,
mine) match. Every match reason is listed in the alert.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from reslog.errors import InputError
from reslog.schema import EVENT_TYPES, resolve_commodity, resolve_country


@dataclass(frozen=True)
class Supplier:
    """A supplier: name plus the country / commodity / mine it is known by."""

    name: str
    country: str | None = None
    commodity: str | None = None
    mine: str | None = None


@dataclass
class Watchlist:
    """What one user or team watches."""

    name: str
    countries: frozenset[str] = frozenset()
    commodities: frozenset[str] = frozenset()
    mines: frozenset[str] = frozenset()
    suppliers: tuple[Supplier, ...] = ()
    event_types: frozenset[str] = frozenset()
    min_severity: float = 0.0


@dataclass
class Alert:
    """One alert: an event that matched a watch-list, with the reasons."""

    alert_id: str
    watchlist: str
    event_id: str
    event_type: str
    country: str | None
    commodity: str | None
    mine_id: str | None
    date: str | None
    severity: float
    confidence: float
    title: str
    source_urls: list[str]
    reasons: list[str] = field(default_factory=list)

    def to_record(self) -> dict:
        """JSON-serialisable dict."""
        return asdict(self)


def _resolve_list(values: object, resolver, file: str, key: str, idx: int) -> frozenset[str]:
    if values is None:
        return frozenset()
    if not isinstance(values, list):
        raise InputError(file, f"'{key}' must be a list", row=idx, field=key)
    out = set()
    for v in values:
        r = resolver(v)
        if r is None:
            raise InputError(file, f"unknown {key[:-1] if key.endswith('s') else key} {v!r}",
                             row=idx, field=key)
        out.add(r)
    return frozenset(out)


def parse_watchlists(data: object, file: str = "<watchlist>") -> list[Watchlist]:
    """Watch-lists from decoded JSON/TOML (one object, a list, or ``{"watchlists": [...]}``)."""
    if isinstance(data, dict) and "watchlists" in data:
        data = data["watchlists"]
    items = data if isinstance(data, list) else [data]
    out: list[Watchlist] = []
    for i, d in enumerate(items, start=1):
        if not isinstance(d, dict):
            raise InputError(file, "a watch-list must be an object", row=i)
        name = d.get("name") or f"watchlist-{i}"
        mines = d.get("mines") or []
        if not isinstance(mines, list):
            raise InputError(file, "'mines' must be a list", row=i, field="mines")
        sups = []
        for s in d.get("suppliers") or []:
            if not isinstance(s, dict) or not s.get("name"):
                raise InputError(file, "a supplier needs a 'name'", row=i, field="suppliers")
            c = resolve_country(s["country"]) if s.get("country") else None
            m = resolve_commodity(s["commodity"]) if s.get("commodity") else None
            if s.get("country") and c is None:
                raise InputError(file, f"unknown country {s['country']!r} of supplier {s['name']!r}",
                                 row=i, field="suppliers")
            if s.get("commodity") and m is None:
                raise InputError(file, f"unknown commodity {s['commodity']!r} of supplier "
                                 f"{s['name']!r}", row=i, field="suppliers")
            if c is None and m is None and not s.get("mine"):
                raise InputError(file, f"supplier {s['name']!r} needs a country, commodity or mine",
                                 row=i, field="suppliers")
            sups.append(Supplier(str(s["name"]), c, m, s.get("mine")))
        types = d.get("event_types") or []
        bad = [t for t in types if t not in EVENT_TYPES]
        if bad:
            raise InputError(file, f"unknown event type(s) {bad}; known: {sorted(EVENT_TYPES)}",
                             row=i, field="event_types")
        try:
            min_sev = float(d.get("min_severity", 0.0))
        except (TypeError, ValueError):
            raise InputError(file, "'min_severity' must be a number in [0, 1]", row=i,
                             field="min_severity") from None
        if not 0.0 <= min_sev <= 1.0:
            raise InputError(file, f"'min_severity' {min_sev} is outside [0, 1]", row=i,
                             field="min_severity")
        out.append(Watchlist(
            name=str(name),
            countries=_resolve_list(d.get("countries"), resolve_country, file, "countries", i),
            commodities=_resolve_list(d.get("commodities"), resolve_commodity, file, "commodities", i),
            mines=frozenset(str(m).lower() for m in mines), suppliers=tuple(sups),
            event_types=frozenset(types), min_severity=min_sev))
    return out


def read_watchlist(path: str | Path) -> list[Watchlist]:
    """Read watch-lists from a ``.json`` or ``.toml`` file (see module docstring)."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as e:
        raise InputError(p, f"cannot open: {e.strerror or e}") from e
    try:
        data = tomllib.loads(raw.decode("utf-8")) if p.suffix.lower() == ".toml" else json.loads(raw)
    except (ValueError, UnicodeDecodeError) as e:
        raise InputError(p, f"not valid {'TOML' if p.suffix.lower() == '.toml' else 'JSON'}: {e}") from e
    return parse_watchlists(data, str(p))


def _get(ev: object, key: str):
    return ev.get(key) if isinstance(ev, dict) else getattr(ev, key, None)


def calc_match_reasons(ev: object, wl: Watchlist) -> list[str]:
    """Why an event matches a watch-list (empty list: no match). ``ev`` is a dict or an event object."""
    etype = _get(ev, "event_type")
    if etype in (None, "none"):
        return []
    if wl.event_types and etype not in wl.event_types:
        return []
    if float(_get(ev, "severity") or 0.0) < wl.min_severity:
        return []
    country, commodity, mine_id = _get(ev, "country"), _get(ev, "commodity"), _get(ev, "mine_id")
    places = {str(x).lower() for x in (_get(ev, "places") or [])}
    if mine_id:
        places.add(str(mine_id).lower())
    reasons: list[str] = []
    if country and country in wl.countries:
        reasons.append(f"country {country}")
    if commodity and commodity in wl.commodities:
        reasons.append(f"commodity {commodity}")
    for m in sorted(wl.mines & places):
        reasons.append(f"mine {m}")
    for s in wl.suppliers:
        checks = []
        if s.country:
            checks.append(s.country == country)
        if s.commodity:
            checks.append(s.commodity == commodity)
        if s.mine:
            checks.append(s.mine.lower() in places)
        if checks and all(checks):
            reasons.append(f"supplier {s.name}")
    return reasons


def calc_alerts(events: Iterable[object], watchlists: Sequence[Watchlist]) -> list[Alert]:
    """Alert records for every (event, watch-list) pair that matches, most severe first.

    ``events`` are :class:`~reslog.intel.text.dedup.MergedEvent`, extracted events or dicts with
    the same keys (``event_id`` or ``id``, ``event_type``, ``country``, ``commodity``,
    ``mine_id``, ``severity`` …), e.g. rows of the warehouse ``risk_events`` table.
    """
    out: list[Alert] = []
    for ev in events:
        for wl in watchlists:
            reasons = calc_match_reasons(ev, wl)
            if not reasons:
                continue
            eid = str(_get(ev, "event_id") or _get(ev, "id"))
            urls = _get(ev, "source_urls") or ([_get(ev, "url")] if _get(ev, "url") else [])
            if isinstance(urls, str):
                urls = [u for u in urls.split("|") if u]
            out.append(Alert(
                alert_id="alr-" + hashlib.sha1(f"{wl.name}|{eid}".encode()).hexdigest()[:16],
                watchlist=wl.name, event_id=eid, event_type=str(_get(ev, "event_type")),
                country=_get(ev, "country"), commodity=_get(ev, "commodity"),
                mine_id=_get(ev, "mine_id"),
                date=_get(ev, "start_time") or _get(ev, "date"),
                severity=float(_get(ev, "severity") or 0.0),
                confidence=float(_get(ev, "confidence") or 0.0),
                title=str(_get(ev, "title") or ""), source_urls=list(urls), reasons=reasons))
    out.sort(key=lambda a: (-a.severity, a.watchlist, a.event_id))
    return out
