r"""Hotspots → ``asgm`` risk events for the warehouse, linked to the nearest known mine.

Each hotspot becomes one ``risk_events`` row:

* ``event_id`` = ``asgm-img-`` + the hotspot id (a hash of scene, date, grid and patches), so
  re-running the same scene writes the same ids; the ingest's content hash (over the hotspot
  document) makes the second run a no-op in the ledger;
* ``start_time`` = first-seen date: the scene date, or the date of an earlier imagery event
  within ``same_place_km`` of the centroid already in the warehouse;
* ``lat``/``lon`` = centroid; ``country`` = ISO3 from the shipped geometry;
* ``mine_id`` = the nearest ``mine_sites`` row within ``max_mine_km`` (great-circle distance,
  haversine on a 6,371 km sphere), else empty; the distance is in the description;
* ``severity`` :math:`= 1 - e^{-A/50}` for a detected area :math:`A` in hectares (50 ha → 0.63;
  an assumption documented in docs/imagery.md); ``confidence`` = mean patch probability;
* ``commodity`` = gold; ``source`` = ``imagery_s2``.
"""

from __future__ import annotations

import hashlib
import json
import math

import numpy as np
import pandas as pd

from reslog.schema import TAXONOMY_VERSION
from reslog.sources.base import Parsed, SourceMeta

SOURCE_NAME = "imagery_s2"
MAX_MINE_KM = 25.0
SAME_PLACE_KM = 1.0
EARTH_RADIUS_KM = 6371.0


def haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance in km (spherical Earth, R = 6,371 km)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def nearest_mine(lat: float, lon: float, mines: pd.DataFrame, max_km: float
                 ) -> tuple[str | None, float | None, str | None]:
    """(mine_id, distance km, name) of the nearest mine within ``max_km``, else Nones."""
    if mines is None or mines.empty:
        return None, None, None
    d = haversine_km(lat, lon, mines["lat"].to_numpy(float), mines["lon"].to_numpy(float))
    i = int(np.argmin(d))
    if d[i] > max_km:
        return None, None, None
    return str(mines["mine_id"].iloc[i]), float(d[i]), str(mines["name"].iloc[i])


def severity_from_area(area_ha: float) -> float:
    """:math:`1 - e^{-A/50}` (0 for no area, 0.63 at 50 ha, → 1 for large areas)."""
    return float(1.0 - math.exp(-max(area_ha, 0.0) / 50.0))


def hotspot_events(doc: dict, mines: pd.DataFrame | None, *, earlier: pd.DataFrame | None = None,
                   max_mine_km: float = MAX_MINE_KM, same_place_km: float = SAME_PLACE_KM,
                   simulated: bool = False) -> pd.DataFrame:
    """Canonical ``risk_events`` rows (without ``ledger_id``) for a hotspot document."""
    rows = []
    for ft in doc.get("features", []):
        p = ft["properties"]
        lat, lon = float(p["centroid_lat"]), float(p["centroid_lon"])
        first = p.get("first_seen")
        if earlier is not None and len(earlier):
            d = haversine_km(lat, lon, earlier["lat"].to_numpy(float), earlier["lon"].to_numpy(float))
            near = earlier[d <= same_place_km]
            if len(near) and near["start_time"].notna().any():
                e0 = pd.Timestamp(near["start_time"].min()).date().isoformat()
                first = min(first, e0) if first else e0
        mid, dist, mname = nearest_mine(lat, lon, mines, max_mine_km)
        link = (f"nearest known mine {mname} ({mid}) at {dist:.1f} km" if mid else
                f"no known mine within {max_mine_km:g} km")
        sim = " [simulated scene]" if simulated else ""
        rows.append({
            "event_id": f"asgm-img-{p['hotspot_id']}", "event_type": "asgm",
            "start_time": pd.Timestamp(first) if first else pd.NaT, "end_time": pd.NaT,
            "lat": lat, "lon": lon, "country": p.get("country"), "mine_id": mid,
            "commodity": "gold", "severity": severity_from_area(float(p["area_ha"])),
            "confidence": float(p["probability"]), "deaths": pd.NA, "release_m3": np.nan,
            "title": f"Possible ASGM: {p['area_ha']:.1f} ha detected in Sentinel-2 imagery{sim}",
            "description": (f"{p['patches']} patch(es) of 48×48 px, mean probability "
                            f"{p['probability']:.2f} (max {p['probability_max']:.2f}, threshold "
                            f"{p['threshold']:.2f}), scene {p['scene']}; {link}."),
            "source_urls": None, "taxonomy_version": TAXONOMY_VERSION, "source": SOURCE_NAME})
    df = pd.DataFrame(rows, columns=[
        "event_id", "event_type", "start_time", "end_time", "lat", "lon", "country", "mine_id",
        "commodity", "severity", "confidence", "deaths", "release_m3", "title", "description",
        "source_urls", "taxonomy_version", "source"])
    df["deaths"] = df["deaths"].astype("Int64")
    df["start_time"] = pd.to_datetime(df["start_time"])
    df["end_time"] = pd.to_datetime(df["end_time"])
    for c in ("lat", "lon", "release_m3", "severity", "confidence"):
        df[c] = df[c].astype("float64")
    return df


def build_parsed(doc: dict, mines: pd.DataFrame | None, *, earlier: pd.DataFrame | None = None,
                 max_mine_km: float = MAX_MINE_KM, source_file: str = "",
                 simulated: bool = False) -> Parsed:
    """A :class:`Parsed` for :meth:`Warehouse.ingest` (content hash over the hotspot features)."""
    events = hotspot_events(doc, mines, earlier=earlier, max_mine_km=max_mine_km,
                            simulated=simulated)
    canon = json.dumps({"features": doc.get("features", []), "max_mine_km": max_mine_km},
                       sort_keys=True, separators=(",", ":"))
    sha = hashlib.sha256(canon.encode()).hexdigest()
    meta = SourceMeta(
        source=SOURCE_NAME, version=f"scene {doc.get('reslog', {}).get('scene')} "
        f"{doc.get('reslog', {}).get('date')}; threshold {doc.get('reslog', {}).get('threshold')}",
        licence="derived from Copernicus Sentinel data (free and open)" if not simulated else
        "derived from a simulated scene (no licence restriction)",
        citation="reslog imagery detect (patch classifier trained on simulated scenes at Amazon "
                 "Mining Watch labelled points, Earth Genome, CC BY 4.0)",
        files=(source_file,) if source_file else (), sha256=sha)
    return Parsed({"risk_events": events}, meta, notes=[f"{len(events)} hotspot event(s)"])
