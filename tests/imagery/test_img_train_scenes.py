"""Training on real-scene files (here: simulated mosaics written as GeoTIFFs) at label points."""

from __future__ import annotations

import json

import numpy as np
from pyproj import Transformer
from shapely.geometry import box

from reslog.intel.imagery.labels import Site, load_label_files
from reslog.intel.imagery.simulate import simulate_mosaic
from reslog.intel.imagery.training import train_on_scenes
from reslog.sources.sentinel2 import write_scene

KINDS = [["mine", "forest", "mine"], ["sandbar", "mine", "urban"]]


def test_train_on_scene_files_uses_points_inside_and_counts_the_rest(tmp_path):
    d = tmp_path / "scenes"
    d.mkdir()
    sites = []
    for n, (lon, lat) in enumerate([(-70.5, -12.5), (-66.5, -8.5), (-60.5, -4.5), (-56.5, -2.5)]):
        m = simulate_mosaic(KINDS, 30 + n, lon, lat, clouds=False)
        write_scene(d / f"s{n}.tif", m.refl, crs=m.crs, transform=m.transform, scl=m.scl)
        inv = Transformer.from_crs(m.crs, 4326, always_xy=True)
        a, _, c, _, e, f = m.transform
        for i, row in enumerate(KINDS):
            for j, k in enumerate(row):
                x, y = c + a * (j * 144 + 72), f + e * (i * 144 + 72)
                lo, la = inv.transform(x, y)
                sites.append(Site(lo, la, k, int(k == "mine"), "test"))
    sites.append(Site(10.0, 50.0, "mine", 1, "test"))  # outside every scene
    res = train_on_scenes(sites, box(0, 40, 20, 60), d, members=2)
    out = res.metrics["outside_every_scene"]
    assert out["holdout"] == 1 and out["train"] == 0 and out["validation"] == 0
    assert res.metrics["simulated"] is False and 0.05 <= res.model.threshold <= 0.95
    assert res.model_change is None


def test_label_file_kinds(tmp_path):
    p = tmp_path / "my_negatives.geojson"
    p.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [1, 2]}}]}))
    s = load_label_files([p])
    assert len(s) == 1 and s[0].label == 0
