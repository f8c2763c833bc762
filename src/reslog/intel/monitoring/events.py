"""Exceedance and trigger episodes → risk events, written through the warehouse.

* A guideline exceedance episode → ``pollution`` event; severity from the peak ratio to the
  limit (:func:`reslog.model.monitoring.exceedance.severity_of_ratio`); confidence 0.9 with ≥ 3
  exceeding readings/periods, else 0.7.
* An amber or red GISTM trigger episode → ``tailings_failure`` event marked as a *precursor*
  in its title and description (no failure has happened); severity 0.5 (amber) / 0.85 (red),
  confidence 0.8.

Every event is linked to the site's mine (``mine_id`` of the site) and located at the sensor.
Event ids are deterministic (site, sensor, rule, episode start), so re-running ``reslog sites
warn`` updates an episode (e.g. its end) instead of adding a new event. The ingest is one
warehouse transaction with a ledger entry (source ``site_monitoring``).
"""

from __future__ import annotations

import hashlib

import pandas as pd

from reslog.intel.monitoring.analysis import sensor_location
from reslog.intel.monitoring.registry import Registry
from reslog.model.monitoring.exceedance import severity_of_ratio
from reslog.model.monitoring.triggers import TARP
from reslog.schema import TAXONOMY_VERSION
from reslog.sources.base import Parsed, SourceMeta
from reslog.sources.validate import finish

SOURCE = "site_monitoring"


def _site_ctx(registry: Registry, site_id: str) -> tuple[object, object]:
    s = registry.sites.loc[site_id]
    mine = s["mine_id"] if isinstance(s["mine_id"], str) and s["mine_id"] else None
    country = s["country"] if isinstance(s["country"], str) and s["country"] else None
    return mine, country


def exceedance_events(registry: Registry, exc: pd.DataFrame) -> pd.DataFrame:
    """Pollution events, one per exceedance episode."""
    rows = []
    for e in exc.itertuples(index=False):
        mine, country = _site_ctx(registry, e.site_id)
        lat, lon = sensor_location(registry, e.site_id, e.sensor_id)
        start = pd.Timestamp(e.start)
        op = ">" if e.limit_type == "max" else "<"
        rows.append({
            "event_id": f"mon-exc-{e.site_id}-{e.sensor_id}-{e.set_id}-{e.parameter}-"
                        f"{e.limit_type}-{e.averaging}-{start:%Y%m%dT%H%M}",
            "event_type": "pollution", "start_time": start, "end_time": pd.Timestamp(e.end),
            "lat": lat, "lon": lon, "country": country, "mine_id": mine, "commodity": None,
            "severity": severity_of_ratio(float(e.ratio)),
            "confidence": 0.9 if e.n >= 3 else 0.7, "deaths": None, "release_m3": None,
            "title": f"{e.parameter} {op} {e.set_id} guideline at sensor {e.sensor_id} "
                     f"(site {e.site_id})",
            "description": (f"{e.n} {'readings' if e.averaging == 'sample' else e.averaging + ' means'}"
                            f" {op} {e.limit:g} {e.unit} ({e.averaging}); peak {e.peak:.4g} {e.unit}"
                            f" = {e.ratio:.2f}× the limit. Limit: {e.citation}"),
            "source_urls": None, "source": SOURCE})
    return pd.DataFrame(rows)


def trigger_events(registry: Registry, eps: pd.DataFrame) -> pd.DataFrame:
    """Tailings-failure *precursor* events, one per amber/red trigger episode."""
    rows = []
    for e in eps.itertuples(index=False):
        mine, country = _site_ctx(registry, e.site_id)
        lat, lon = sensor_location(registry, e.site_id, e.sensor_id)
        start = pd.Timestamp(e.start)
        what = "rate of change per day" if e.basis == "rate" else "level"
        rows.append({
            "event_id": f"mon-gistm-{e.site_id}-{e.sensor_id}-{start:%Y%m%dT%H%M}",
            "event_type": "tailings_failure", "start_time": start, "end_time": pd.Timestamp(e.end),
            "lat": lat, "lon": lon, "country": country, "mine_id": mine, "commodity": None,
            "severity": 0.85 if e.level == "red" else 0.5, "confidence": 0.8,
            "deaths": None, "release_m3": None,
            "title": f"GISTM {e.level} trigger (tailings-failure precursor): {e.parameter} "
                     f"at {e.sensor_id}, site {e.site_id}",
            "description": (f"Precursor, not a failure. {e.parameter} {what} peaked at {e.peak:.4g}"
                            f" (amber {e.amber:g}, red {e.red:g}). TARP ({e.level}): "
                            f"{TARP[e.level]}"),
            "source_urls": None, "source": SOURCE})
    return pd.DataFrame(rows)


def events_parsed(events: pd.DataFrame, site_id: str) -> Parsed | None:
    """The events as a warehouse ingest (``None`` when there are none)."""
    if events.empty:
        return None
    ev = events.copy()
    ev["taxonomy_version"] = TAXONOMY_VERSION
    table = finish(ev, "risk_events")
    digest = hashlib.sha256(pd.util.hash_pandas_object(table.astype(str), index=False)
                            .to_numpy().tobytes()).hexdigest()
    meta = SourceMeta(source=SOURCE, version="reslog sites warn", licence="site operator's data",
                      citation=f"reslog site monitoring of site {site_id}", files=(f"site:{site_id}",),
                      sha256=digest)
    return Parsed({"risk_events": table}, meta)


def write_events(wh, events: pd.DataFrame, site_id: str) -> int:  # wh: Warehouse
    """Write events through the warehouse (one transaction, ledger entry); returns rows written."""
    parsed = events_parsed(events, site_id)
    if parsed is None:
        return 0
    res = wh.ingest(parsed, kind="site_monitoring")
    return 0 if res.skipped else int(res.rows.get("risk_events", 0))
