"""Amazon Mining Watch labelled points → labelled sites, geographic hold-out and region groups.

Each AMW point file carries one label (the file name says it: ``…positives…``, ``…negatives…``).
reslog maps every file to the kind of surface the simulator draws at that point
(:data:`FILE_KINDS`), so the hard negatives of AMW (river banks, aquaculture and farm ponds,
industrial sites, landslides) become the corresponding false-positive scenes. Points inside the
hold-out polygon (``geo_holdout_caroni.geojson``, Río Caroní, Venezuela) are the test region;
the rest are grouped in 2° × 2° cells, and whole cells go to training or validation.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from reslog.errors import InputError

FILE_KINDS: dict[str, tuple[str, ...]] = {
    "MinesPos2018-2020Sentinel_points.geojson": ("mine",),
    "v2.4_amazon_positives.geojson": ("mine",),
    "v3.2-3.7ensemble_positives2025-08.geojson": ("mine",),
    "GeoCompass2023-filt-positives-samp1500.geojson": ("mine",),
    "BD_MineriaAurifera_Peru-curated2026-04-06.geojson": ("mine",),
    "dredge_mining_positives2025-08.geojson": ("dredge",),
    "v2.4_amazon_negatives.geojson": ("forest", "river", "pasture", "road"),
    "riverbank_negatives_v2025-08.geojson": ("sandbar", "braided"),
    "industrial_negatives2025-08.geojson": ("urban",),
    "landslide_negatives2025-08.geojson": ("landslide",),
    "aquaculture-faziendas-negatives2025-08.geojson": ("aquaculture", "farm_ponds"),
}
HOLDOUT_FILE = "geo_holdout_caroni.geojson"
CELL_DEG = 2.0


@dataclass(frozen=True)
class Site:
    """One labelled place: where, what the simulator draws there, and its source."""

    lon: float
    lat: float
    kind: str
    label: int
    source: str
    area_ha: float | None = None

    @property
    def seed(self) -> int:
        h = hashlib.sha256(f"{self.lon:.6f},{self.lat:.6f},{self.source}".encode()).digest()
        return int.from_bytes(h[:4], "little")

    @property
    def region(self) -> tuple[int, int]:
        return (int(np.floor(self.lon / CELL_DEG)), int(np.floor(self.lat / CELL_DEG)))

    @property
    def region_seed(self) -> int:
        return (self.region[0] * 7919 + self.region[1] * 104729) & 0x7FFFFFFF


def read_points(path: str | Path) -> list[tuple[float, float, dict]]:
    """(lon, lat, properties) of the Point features of a GeoJSON file (lon/lat WGS84)."""
    p = Path(path)
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except OSError as e:
        raise InputError(p, f"cannot read: {e.strerror or e}") from e
    except json.JSONDecodeError as e:
        raise InputError(p, f"not valid JSON: {e.msg} at line {e.lineno}") from None
    feats = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(feats, list):
        raise InputError(p, "not a GeoJSON FeatureCollection (no 'features' list)")
    out = []
    for n, f in enumerate(feats, start=1):
        g = (f or {}).get("geometry") or {}
        if g.get("type") != "Point":
            raise InputError(p, f"geometry type {g.get('type')!r}: label files hold Points",
                             row=n, field="geometry")
        try:
            lon, lat = (float(x) for x in g["coordinates"][:2])
        except (KeyError, TypeError, ValueError):
            raise InputError(p, "coordinates are not [lon, lat] numbers", row=n,
                             field="coordinates") from None
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise InputError(p, f"({lon}, {lat}) is not a lon/lat position", row=n,
                             field="coordinates")
        out.append((lon, lat, f.get("properties") or {}))
    return out


def read_polygon(path: str | Path):
    """The (multi)polygon of a one-feature GeoJSON (shapely geometry)."""
    from shapely.geometry import shape
    from shapely.ops import unary_union

    p = Path(path)
    doc = json.loads(p.read_text(encoding="utf-8"))
    geoms = [shape(f["geometry"]) for f in doc.get("features", [])]
    if not geoms:
        raise InputError(p, "no feature: a hold-out file needs one polygon")
    return unary_union(geoms)


def load_sites(folder: str | Path, *, files: dict[str, tuple[str, ...]] | None = None,
               max_per_file: int | None = None, seed: int = 0) -> list[Site]:
    """Labelled sites from the AMW ``sampling_locations`` folder.

    ``max_per_file`` keeps a random sample (seeded) of each file, to bound the simulation time.
    """
    folder = Path(folder)
    out: list[Site] = []
    for name, kinds in (files or FILE_KINDS).items():
        path = folder / name
        if not path.exists():
            raise InputError(path, "label file not found (AMW sampling_locations folder expected)")
        pts = read_points(path)
        if max_per_file and len(pts) > max_per_file:
            rng = np.random.default_rng(seed + len(name))
            pts = [pts[i] for i in sorted(rng.choice(len(pts), max_per_file, replace=False))]
        for lon, lat, props in pts:
            s0 = Site(lon, lat, kinds[0], 0, name)
            kind = kinds[s0.seed % len(kinds)]
            area = props.get("Area_ha")
            out.append(Site(lon, lat, kind, int(kind in ("mine", "dredge")), name,
                            float(area) if isinstance(area, (int, float)) else None))
    return out


def kinds_for_file(name: str) -> tuple[str, ...]:
    """Scene kinds for a label file: AMW's known files, else by 'pos'/'neg' in the name."""
    if name in FILE_KINDS:
        return FILE_KINDS[name]
    low = name.lower()
    if "neg" in low:
        return FILE_KINDS["v2.4_amazon_negatives.geojson"]
    if "pos" in low or "mine" in low:
        return ("mine",)
    raise InputError(name, "cannot tell the label of this file: its name holds neither "
                     "'positive' nor 'negative' (AMW's convention)")


def load_label_files(paths: list[Path], *, max_per_file: int | None = None,
                     seed: int = 0) -> list[Site]:
    """Sites from individual label files (each one label, named the AMW way)."""
    out: list[Site] = []
    for p in paths:
        p = Path(p)
        out += load_sites(p.parent, files={p.name: kinds_for_file(p.name)},
                          max_per_file=max_per_file, seed=seed)
    return out


def split_sites(sites: list[Site], holdout, *, val_share: float = 0.25,
                seed: int = 0) -> dict[str, list[Site]]:
    """``train`` / ``validation`` / ``holdout``: hold-out by polygon, validation by whole cells."""
    from shapely import contains_xy

    lon = np.array([s.lon for s in sites])
    lat = np.array([s.lat for s in sites])
    inside = contains_xy(holdout, lon, lat)
    rest = [s for s, i in zip(sites, inside) if not i]
    cells = sorted({s.region for s in rest})
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(cells))
    n_val = max(1, int(round(val_share * len(cells))))
    val_cells = {cells[i] for i in order[:n_val]}
    return {"train": [s for s in rest if s.region not in val_cells],
            "validation": [s for s in rest if s.region in val_cells],
            "holdout": [s for s, i in zip(sites, inside) if i]}


def extra_holdout_negatives(holdout, kinds: tuple[str, ...], per_kind: int,
                            seed: int = 0) -> list[Site]:
    """Known false positives placed at random points inside the hold-out region (seeded)."""
    from shapely import contains_xy

    minx, miny, maxx, maxy = holdout.bounds
    rng = np.random.default_rng(seed)
    out = []
    for k in kinds:
        n = 0
        while n < per_kind:
            x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
            if contains_xy(holdout, x, y):
                out.append(Site(float(x), float(y), k, 0, f"simulated {k} in hold-out"))
                n += 1
    return out
