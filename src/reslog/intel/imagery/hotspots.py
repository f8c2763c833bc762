"""Hotspots: connected clusters of positive patches → polygons with area, centroid and country.

A hotspot is a set of positive patches connected through edges or corners (8-connectivity).
Its polygon is the union of its patch squares in the scene's CRS, transformed to WGS84
lon/lat (edges densified to 10 points per patch side, so curved reprojections stay faithful).

* ``area_ha``: number of patches × patch area when the CRS is projected in metres (exact for
  the pixel grid), otherwise the geodesic area on the WGS84 ellipsoid (pyproj ``Geod``);
* ``probability``: mean of the patches' ensemble probabilities (``probability_max`` too);
* ``centroid``: the polygon's centroid in the scene CRS, transformed to lon/lat;
* ``country``: ISO3 of the Natural Earth 1:110m country containing the centroid (shipped,
  simplified; ``null`` at sea or beyond the coarse coastline);
* ``first_seen``: the scene's acquisition date (the caller may replace it with an earlier
  sighting from the warehouse).

``hotspot_id`` is a hash of the scene's name, date and grid and of the patch indices, so the
same scene always gives the same ids.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy import ndimage

from reslog.intel.imagery.bands import PATCH
from reslog.intel.imagery.detect import Detection

COUNTRIES = Path(__file__).resolve().parents[2] / "data" / "imagery" / "countries_ne110m.geojson"


@lru_cache(maxsize=1)
def _countries():
    from shapely import STRtree
    from shapely.geometry import shape

    doc = json.loads(COUNTRIES.read_text(encoding="utf-8"))
    geoms = [shape(f["geometry"]) for f in doc["features"]]
    codes = [f["properties"]["iso3"] for f in doc["features"]]
    return STRtree(geoms), geoms, codes


def country_at(lon: float, lat: float) -> str | None:
    """ISO3 of the country containing (lon, lat) in the shipped Natural Earth geometry."""
    from shapely.geometry import Point

    tree, geoms, codes = _countries()
    pt = Point(lon, lat)
    for i in tree.query(pt, predicate="intersects"):
        return codes[int(i)]
    return None


def hotspot_features(det: Detection, *, min_patches: int = 1) -> list[dict]:
    """GeoJSON features (lon/lat) of the hotspots of a detection, largest first."""
    from pyproj import CRS, Geod, Transformer
    from shapely.geometry import box, mapping
    import shapely
    from shapely.ops import unary_union

    g = det.spec.grid
    assert g is not None
    pos = det.positive
    lab, n = ndimage.label(pos, structure=np.ones((3, 3), int))
    if n == 0:
        return []
    a, b, c, d, e, f = g.transform[:6]
    crs = CRS.from_wkt(g.crs)
    to_ll = Transformer.from_crs(crs, CRS.from_epsg(4326), always_xy=True)
    metric = crs.is_projected and all(
        ax.unit_name in ("metre", "meter") for ax in crs.axis_info)
    geod = Geod(ellps="WGS84")
    key = f"{det.spec.name}|{det.spec.date}|{g.crs}|{g.transform}"
    out = []
    for k in range(1, n + 1):
        rr, cc = np.nonzero(lab == k)
        if len(rr) < min_patches:
            continue
        boxes = []
        for r, cidx in zip(rr, cc):
            x0, y0 = a * cidx * PATCH + c, e * r * PATCH + f
            x1, y1 = a * (cidx + 1) * PATCH + c, e * (r + 1) * PATCH + f
            boxes.append(box(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))
        poly = unary_union(boxes)
        seg = abs(a) * PATCH / 10
        poly_ll = shapely.transform(poly.segmentize(seg), lambda x, y: to_ll.transform(x, y),
                                    interleaved=False)
        if metric:
            area_ha = len(rr) * abs(a * e) * PATCH * PATCH / 1e4
        else:
            area_ha = abs(geod.geometry_area_perimeter(poly_ll)[0]) / 1e4
        cx, cy = to_ll.transform(poly.centroid.x, poly.centroid.y)
        p = det.prob[rr, cc]
        idx = ",".join(f"{r}:{ci}" for r, ci in sorted(zip(rr.tolist(), cc.tolist())))
        hid = hashlib.sha256(f"{key}|{idx}".encode()).hexdigest()[:16]
        out.append({"type": "Feature", "geometry": mapping(poly_ll), "properties": {
            "hotspot_id": hid, "probability": round(float(np.mean(p)), 4),
            "probability_max": round(float(np.max(p)), 4), "patches": int(len(rr)),
            "area_ha": round(float(area_ha), 2), "centroid_lon": round(float(cx), 6),
            "centroid_lat": round(float(cy), 6), "country": country_at(cx, cy),
            "first_seen": det.spec.date, "scene": det.spec.name,
            "threshold": det.threshold}})
    out.sort(key=lambda ft: (-ft["properties"]["area_ha"], ft["properties"]["hotspot_id"]))
    return out


def feature_collection(det: Detection, features: list[dict], *, simulated: bool,
                       model_info: dict | None = None) -> dict:
    """The GeoJSON document ``reslog imagery detect`` writes (with an empty-result reason)."""
    valid = int(det.valid.sum())
    reason = det.reason
    if reason is None and not features:
        reason = (f"no patch reached the threshold {det.threshold:.2f} among {valid:,} valid "
                  "patches")
    return {"type": "FeatureCollection", "features": features, "reslog": {
        "scene": det.spec.name, "date": det.spec.date, "threshold": det.threshold,
        "patches_valid": valid, "patches_total": int(det.valid.size),
        "pixels": det.counts, "empty_reason": reason if not features else None,
        "simulated_training": simulated, "model": model_info or {}}}
