"""STAC adapter against saved responses (offline), and the API routes in the real app."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from reslog.errors import ReslogError
from reslog.intel.imagery.bands import BANDS, PATCH
from reslog.intel.imagery.simulate import simulate_mosaic
from reslog.sources.stac import item_bands, open_item, search_scenes

DATA = Path(__file__).parent / "data" / "stac"


class SavedIO:
    """A StacApiIO answering from saved JSON files; records the requests."""

    def __init__(self, banddir: Path):
        from pystac_client.stac_api_io import StacApiIO

        outer = self

        class _IO(StacApiIO):
            def request(self, href, method=None, headers=None, parameters=None):  # noqa: D401
                outer.calls.append((href, method, parameters))
                name = "search.json" if href.rstrip("/").endswith("/search") else "landing.json"
                return (DATA / name).read_text().replace("{BANDDIR}", str(banddir))

        self.calls: list = []
        self.io = _IO()


def _write_bands(d: Path, iid: str) -> None:
    import rasterio
    from affine import Affine

    m = simulate_mosaic([["mine"]], 4, -63.0, 6.5)
    for i, b in enumerate(BANDS):
        with rasterio.open(d / f"{iid}_{b}.tif", "w", driver="GTiff", width=3 * PATCH,
                           height=3 * PATCH, count=1, dtype="uint16", crs=m.crs,
                           transform=Affine(*m.transform)) as dst:
            dst.write(np.clip(m.refl[i] * 1e4, 1, 65535).astype(np.uint16), 1)
    with rasterio.open(d / f"{iid}_SCL.tif", "w", driver="GTiff", width=3 * PATCH,
                       height=3 * PATCH, count=1, dtype="uint8", crs=m.crs,
                       transform=Affine(*m.transform)) as dst:
        dst.write(m.scl, 1)


def test_search_sorts_by_cloud_and_maps_assets(tmp_path):
    io = SavedIO(tmp_path)
    items = search_scenes((-63.1, 6.4, -62.9, 6.6), "2024-01-01", "2024-03-31", stac_io=io.io)
    assert [it["id"] for it in items] == ["S2B_20NQF_20240105_0_L2A", "S2A_20NQF_20240301_0_L2A"]
    body = next(p for h, m, p in io.calls if h.endswith("/search"))
    assert list(body["collections"]) == ["sentinel-2-l2a"]
    assert list(body["bbox"]) == [-63.1, 6.4, -62.9, 6.6]
    assert body["query"] == {"eo:cloud_cover": {"lt": 30.0}}
    bands = item_bands(items[0])
    assert set(bands) == set(BANDS) | {"SCL"} and bands["B8A"].endswith("_B8A.tif")


def test_item_is_streamed_as_a_scene(tmp_path):
    io = SavedIO(tmp_path)
    item = search_scenes((-63.1, 6.4, -62.9, 6.6), "2024-01-01", "2024-03-31", stac_io=io.io)[0]
    _write_bands(tmp_path, item["id"])
    sc = open_item(item)
    assert sc.date == "2024-01-05" and sc.patch_shape == (3, 3)
    refl, valid, _ = sc.read_window(0, 0, PATCH, PATCH)
    assert refl.shape == (10, PATCH, PATCH) and valid.any()


def test_missing_asset_and_bad_bbox():
    with pytest.raises(ReslogError, match="no asset for band"):
        item_bands({"id": "x", "assets": {"blue": {"href": "a.tif"}}})
    with pytest.raises(ReslogError, match="bbox"):
        search_scenes((10, 0, 5, 1), "2024-01-01", "2024-02-01")


def _app_with_keys(tmp_path, **settings):
    """The real app (``create_app``) on a fresh warehouse, with an analyst and a viewer API key."""
    from reslog.api.app import create_app
    from reslog.api.settings import Settings
    from reslog.platform import accounts

    app = create_app(Settings(db=tmp_path / "wh" / "w.duckdb", secret_key="test", **settings))
    with app.state.platform.sessions() as db:
        org = accounts.get_or_create_org(db, "Imagery test org")
        keys = {role: accounts.create_api_key(db, org.id, None, role, role).key
                for role in ("analyst", "viewer")}
        db.commit()
    return app, keys


def test_api_router(tmp_path, scene_pair, tiny_models):
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from reslog.api.deps import get_settings

    app, keys = _app_with_keys(tmp_path, imagery_model=tiny_models)
    analyst = {"Authorization": f"Bearer {keys['analyst']}"}
    with TestClient(app, raise_server_exceptions=False) as c:
        scene, _ = scene_pair
        resp = c.post("/api/imagery/detect", json={"scene": str(scene)}, headers=analyst)
        assert resp.status_code == 200, resp.text
        doc = resp.json()
        assert doc["type"] == "FeatureCollection" and doc["reslog"]["simulated_scene"] is True
        bad = c.post("/api/imagery/detect", json={"scene": str(tmp_path / "nope.tif")}, headers=analyst)
        assert bad.status_code == 422
        assert bad.headers["content-type"].startswith("application/problem+json")
        assert "no such file" in bad.json()["detail"]
        # A viewer may read the layer but not run a detection.
        viewer = {"Authorization": f"Bearer {keys['viewer']}"}
        assert c.post("/api/imagery/detect", json={"scene": str(scene)}, headers=viewer).status_code == 403
        assert c.get("/api/imagery/hotspots", headers=viewer).json() == {
            "type": "FeatureCollection", "features": []}
        # With a scene folder configured, nothing outside it is read.
        fenced = app.state.settings.model_copy(update={"imagery_scenes": tmp_path / "elsewhere"})
        app.dependency_overrides[get_settings] = lambda: fenced
        denied = c.post("/api/imagery/detect", json={"scene": str(scene)}, headers=analyst)
        assert denied.status_code == 403 and denied.json()["errors"][0]["field"] == "body.scene"
        hot = tmp_path / "h.geojson"
        hot.write_text(json.dumps(doc))
        denied = c.get("/api/imagery/exposure", params={"hotspots": str(hot)}, headers=viewer)
        assert denied.status_code == 403 and denied.json()["errors"][0]["field"] == "query.hotspots.0"
        app.dependency_overrides.clear()
        # Exposure reads the app's own warehouse (no HS 7108 trade in a fresh one).
        e = c.get("/api/imagery/exposure", params={"hotspots": str(hot)}, headers=viewer)
        assert e.status_code == 200 and "no HS 7108" in e.json()["empty_reason"], e.text
    app.state.hub.close()


def test_stac_patches_for_training(tmp_path):
    from pyproj import Transformer

    from reslog.intel.imagery.labels import Site
    from reslog.intel.imagery.training import stac_patches

    io = SavedIO(tmp_path)
    for iid in ("S2B_20NQF_20240105_0_L2A", "S2A_20NQF_20240301_0_L2A"):
        _write_bands(tmp_path, iid)
    m = simulate_mosaic([["mine"]], 4, -63.0, 6.5)
    a, _, c, _, e, f = m.transform
    lon, lat = Transformer.from_crs(m.crs, 4326, always_xy=True).transform(c + a * 72, f + e * 72)
    inside = Site(lon, lat, "mine", 1, "test")
    edge = Site(lon + 0.02, lat, "mine", 1, "test")  # the window would leave the scene
    ps, outside = stac_patches([inside, edge], "2024-01-01", "2024-03-31", stac_io=io.io)
    assert len(ps.y) == 1 and ps.y[0] == 1 and outside == [edge]
    assert np.isfinite(ps.X).all()


def test_api_routes_need_auth(tmp_path):
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    app, _keys = _app_with_keys(tmp_path)
    with TestClient(app, raise_server_exceptions=False) as c:
        # 401 from the platform's require_role, as problem+json
        for r in (c.get("/api/imagery/hotspots"), c.get("/api/imagery/exposure"),
                  c.post("/api/imagery/detect", json={"scene": "x.tif"})):
            assert r.status_code == 401, r.text
            assert r.headers["content-type"].startswith("application/problem+json")
        bad = c.get("/api/imagery/hotspots", headers={"Authorization": "Bearer rsk_wrong"})
        assert bad.status_code == 401
    app.state.hub.close()
