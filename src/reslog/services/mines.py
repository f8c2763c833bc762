"""Mine sites as a GeoJSON FeatureCollection (RFC 7946: coordinates are [lon, lat])."""

from __future__ import annotations

from typing import Any

import pandas as pd

from reslog.services.provenance import Provenance, provenance
from reslog.store.warehouse import Warehouse


def mine_rows(wh: Warehouse, *, commodity: str | None = None, country: str | None = None,
              type_: str | None = None, mine_id: str | None = None) -> pd.DataFrame:
    """Filtered ``mine_sites`` rows; ``commodity`` matches one of the ``;``-separated commodities."""
    where, params = [], []
    if commodity is not None:
        where.append("list_contains(string_split(commodities, ';'), ?)")
        params.append(commodity)
    for col, val in (("country", country), ("type", type_), ("mine_id", mine_id)):
        if val is not None:
            where.append(f"{col} = ?")
            params.append(val)
    sql = "SELECT * FROM mine_sites" + (" WHERE " + " AND ".join(where) if where else "")
    return wh.query(sql + " ORDER BY mine_id", params)


def feature(r: dict[str, Any]) -> dict[str, Any]:
    """One mine as a GeoJSON Feature (properties: every column but lat/lon)."""
    props = {k: v for k, v in r.items() if k not in ("lat", "lon")}
    props["commodities"] = [c for c in str(r.get("commodities") or "").split(";") if c]
    return {"type": "Feature", "id": r["mine_id"],
            "geometry": {"type": "Point", "coordinates": [float(r["lon"]), float(r["lat"])]},
            "properties": props}


def mines_geojson(df: pd.DataFrame) -> dict[str, Any]:
    """A FeatureCollection of the rows of ``df``."""
    recs = df.astype(object).where(df.notna(), None).to_dict(orient="records")
    return {"type": "FeatureCollection", "features": [feature(r) for r in recs]}


def mines_provenance(wh: Warehouse, df: pd.DataFrame) -> Provenance:
    """Ledger entries of the mine rows."""
    return provenance(wh, df, notes=["Each mine row cites its source in the 'source' property."])
