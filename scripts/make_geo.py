"""Derive the small country geometry shipped with reslog from Natural Earth admin-0 1:110m.

Input: Natural Earth 1:110m Cultural, Admin 0 - Countries (v4.0), public domain (CC0), as
``boundaries/ne_110m_admin_0_countries.geojson`` in the shared data folder
(see /work/shared/data/PROVENANCE.md). Output: ``src/reslog/data/geo/countries_110m.json``, a
GeoJSON FeatureCollection whose features carry only ``id`` = ISO 3166-1 alpha-3 and ``name``
(Natural Earth NAME), simplified with Douglas-Peucker (tolerance 0.05 degrees, topology kept per
feature) and rounded to 2 decimals (about 1 km): small enough to inline in a page, detailed
enough for a world choropleth.

Usage: python scripts/make_geo.py [SOURCE.geojson]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from shapely.geometry import mapping, shape

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "reslog" / "data" / "geo" / "countries_110m.json"
TOLERANCE_DEG = 0.05
DECIMALS = 2


def _iso3(p: dict) -> str | None:
    """ISO alpha-3, falling back to Natural Earth's ADM0_A3 where ISO_A3 is -99 (France, Norway...)."""
    for key in ("ISO_A3", "ISO_A3_EH", "ADM0_A3"):
        v = p.get(key)
        if v and v != "-99" and len(v) == 3:
            return v
    return None


def _round(obj):
    if isinstance(obj, (list, tuple)):
        if obj and isinstance(obj[0], (int, float)):
            return [round(float(v), DECIMALS) for v in obj]
        return [_round(o) for o in obj]
    return obj


def main(src: Path) -> None:
    data = json.loads(src.read_text(encoding="utf-8"))
    feats = []
    for f in data["features"]:
        p = f["properties"]
        iso = _iso3(p)
        if iso is None:
            raise SystemExit(f"{src.name}: feature {p.get('NAME')!r} has no ISO alpha-3 code")
        geom = shape(f["geometry"]).simplify(TOLERANCE_DEG, preserve_topology=True)
        g = mapping(geom)
        feats.append({"type": "Feature", "id": iso, "properties": {"name": p["NAME"]},
                      "geometry": {"type": g["type"], "coordinates": _round(g["coordinates"])}})
    out = {"type": "FeatureCollection",
           "source": "Natural Earth 1:110m Admin 0 - Countries v4.0 (public domain, naturalearthdata.com); "
                     f"simplified {TOLERANCE_DEG} deg, {DECIMALS} decimals by scripts/make_geo.py",
           "features": sorted(feats, key=lambda f: f["id"])}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(out, separators=(",", ":"), ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(feats)} countries, {OUT.stat().st_size / 1024:.0f} KiB")


if __name__ == "__main__":
    default = Path("/work/shared/data/boundaries/ne_110m_admin_0_countries.geojson")
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else default)
