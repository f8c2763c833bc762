"""Country geometry shipped with reslog (Natural Earth admin-0 1:110m, public domain).

``data/geo/countries_110m.json`` is derived by ``scripts/make_geo.py`` (simplified, rounded, only
``id`` = ISO3 and ``name`` kept); see ``data/geo/SOURCES.md``. Reading it needs no network.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from reslog.paths import PACKAGE_DATA

GEO_FILE = PACKAGE_DATA / "geo" / "countries_110m.json"


@lru_cache(maxsize=1)
def countries_geojson() -> dict[str, Any]:
    """The shipped world country polygons as a GeoJSON FeatureCollection (feature ``id`` = ISO3)."""
    return json.loads(GEO_FILE.read_text(encoding="utf-8"))


def country_ids() -> list[str]:
    """ISO3 codes that have a polygon in the shipped geometry."""
    return [f["id"] for f in countries_geojson()["features"]]
