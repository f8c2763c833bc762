"""Scene reading (multi-band, folder with 20 m bands, SCL) and every bad input of issue 10."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import rasterio
from affine import Affine

from reslog.errors import InputError
from reslog.intel.imagery.bands import BANDS, PATCH
from reslog.intel.imagery.detect import detect
from reslog.intel.imagery.labels import Site
from reslog.intel.imagery.simulate import simulate_mosaic
from reslog.intel.imagery.training import train_on_scenes
from reslog.sources.sentinel2 import open_scene, write_scene

CRS = "EPSG:32620"
T = (10.0, 0.0, 500000.0, 0.0, -10.0, 700000.0)


def _refl(h=PATCH * 2, w=PATCH * 2, v=0.1):
    r = np.full((10, h, w), v, np.float32)
    r[BANDS.index("B08")] = 0.3
    return r


def test_multiband_roundtrip_and_scl_mask(tmp_path):
    refl = _refl()
    scl = np.full(refl.shape[1:], 4, np.uint8)
    scl[:10, :10] = 9  # cloud
    scl[10:20, :10] = 3  # shadow
    p = write_scene(tmp_path / "a.tif", refl, crs=CRS, transform=T, scl=scl, date="2024-01-05")
    sc = open_scene(p)
    assert sc.date == "2024-01-05" and sc.patch_shape == (2, 2)
    r, valid, counts = sc.read_window(0, 0, PATCH, PATCH)
    np.testing.assert_allclose(r[0], 0.1, atol=1e-4)
    assert counts["cloud"] == 200 and not valid[:20, :10].any() and valid[20:, :].all()


def test_folder_with_20m_bands_is_resampled(tmp_path):
    d = tmp_path / "S2B_MSIL2A_20240105T143729.SAFE" / "GRANULE" / "IMG_DATA"
    d.mkdir(parents=True)
    for i, b in enumerate(BANDS):
        res = 10 if b in ("B02", "B03", "B04", "B08") else 20
        n = 2 * PATCH * 10 // res
        prof = dict(driver="GTiff", width=n, height=n, count=1, dtype="uint16", crs=CRS,
                    transform=Affine(res, 0, T[2], 0, -res, T[5]))
        with rasterio.open(d / f"T20NQF_20240105T143729_{b}_{res}m.tif", "w", **prof) as dst:
            dst.write(np.full((1, n, n), 1000 + 100 * i, np.uint16))
    sc = open_scene(tmp_path / "S2B_MSIL2A_20240105T143729.SAFE")
    assert sc.grid.width == 2 * PATCH and sc.date == "2024-01-05"
    r, valid, _ = sc.read_window(0, 0, PATCH, PATCH)
    assert r.shape == (10, PATCH, PATCH) and valid.all()
    np.testing.assert_allclose(r[:, 5, 5], [(1000 + 100 * i) / 1e4 for i in range(10)], atol=1e-6)


def test_wrong_band_count(tmp_path):
    p = write_scene(tmp_path / "x.tif", _refl()[:9], crs=CRS, transform=T,
                    descriptions=list(BANDS[:9]))
    with pytest.raises(InputError, match="9 band"):
        open_scene(p)


def test_wrong_band_order(tmp_path):
    names = list(BANDS)
    names[2], names[3] = names[3], names[2]
    p = write_scene(tmp_path / "x.tif", _refl(), crs=CRS, transform=T, descriptions=names)
    with pytest.raises(InputError, match=r"band order .* \(first difference at band 3: B05 instead of B04\)"):
        open_scene(p)


def test_missing_band_descriptions(tmp_path):
    p = tmp_path / "x.tif"
    with rasterio.open(p, "w", driver="GTiff", width=96, height=96, count=10, dtype="uint16",
                       crs=CRS, transform=Affine(*T)) as dst:
        dst.write(np.ones((10, 96, 96), np.uint16) * 1000)
    with pytest.raises(InputError) as e:
        open_scene(p)
    assert e.value.field == "descriptions" and "no description" in str(e.value)


def test_no_crs(tmp_path):
    p = tmp_path / "x.tif"
    with rasterio.open(p, "w", driver="GTiff", width=96, height=96, count=10,
                       dtype="uint16") as dst:
        dst.write(np.ones((10, 96, 96), np.uint16) * 1000)
        for i, b in enumerate(BANDS, start=1):
            dst.set_band_description(i, b)
    with pytest.raises(InputError, match="no CRS") as e:
        open_scene(p)
    assert e.value.field == "crs"


def test_folder_missing_band(tmp_path):
    (tmp_path / "B02.tif").write_bytes(b"")
    with pytest.raises(InputError, match="no file for band"):
        open_scene(tmp_path)


def test_fully_clouded_scene_gives_empty_result_with_reason(tmp_path, single_model):
    scl = np.full((2 * PATCH, 2 * PATCH), 9, np.uint8)
    p = write_scene(tmp_path / "c.tif", _refl(), crs=CRS, transform=T, scl=scl)
    det = detect(p, single_model)
    assert not det.valid.any() and "fully clouded" in det.reason


def test_nodata_everywhere_gives_empty_result_with_reason(tmp_path, single_model):
    p = tmp_path / "n.tif"
    with rasterio.open(p, "w", driver="GTiff", width=96, height=96, count=10, dtype="uint16",
                       crs=CRS, transform=Affine(*T)) as dst:
        dst.write(np.zeros((10, 96, 96), np.uint16))
        for i, b in enumerate(BANDS, start=1):
            dst.set_band_description(i, b)
    det = detect(p, single_model)
    assert det.reason.startswith("nodata everywhere")


def test_two_scenes_on_different_grids(tmp_path, tiny_models):
    from reslog.intel.imagery.model import PatchModel

    a = write_scene(tmp_path / "a.tif", _refl(), crs=CRS, transform=T)
    T2 = (10.0, 0.0, 500480.0, 0.0, -10.0, 700000.0)
    b = write_scene(tmp_path / "b.tif", _refl(), crs=CRS, transform=T2)
    with pytest.raises(InputError, match="different grid") as e:
        detect(a, PatchModel.load(tiny_models / "change"), before=b)
    assert e.value.field == "grid"


def test_label_point_outside_every_scene(tmp_path):
    from shapely.geometry import box

    m = simulate_mosaic([["mine"]], 1, -63.0, 6.5)
    d = tmp_path / "scenes"
    d.mkdir()
    write_scene(d / "s.tif", m.refl, crs=m.crs, transform=m.transform, scl=m.scl)
    far = [Site(10.0, 50.0, "mine", 1, "test"), Site(11.0, 51.0, "forest", 0, "test")]
    with pytest.raises(InputError, match="no label point falls inside any scene"):
        train_on_scenes(far, box(-64, 4, -61, 8), d)


def test_bad_hotspot_file_names_row_and_field(tmp_path):
    from reslog.intel.imagery.service import read_hotspots

    p = tmp_path / "h.geojson"
    p.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": None, "properties": {
            "hotspot_id": "a", "area_ha": -3, "centroid_lat": 0, "centroid_lon": 0,
            "probability": 0.9}}]}))
    with pytest.raises(InputError) as e:
        read_hotspots(p)
    assert e.value.row == 1 and e.value.field == "area_ha"
