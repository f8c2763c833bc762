"""Fixtures of the imagery tests: a small model trained on simulated sites, scene writers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("rasterio")
pytest.importorskip("lightgbm")
pytest.importorskip("shapely")

from reslog.intel.imagery.features import feature_names  # noqa: E402
from reslog.intel.imagery.labels import Site  # noqa: E402
from reslog.intel.imagery.model import PatchModel, choose_threshold, fit_ensemble  # noqa: E402
from reslog.intel.imagery.simulate import KINDS, simulate_mosaic  # noqa: E402
from reslog.intel.imagery.training import site_patches  # noqa: E402
from reslog.sources.sentinel2 import write_scene  # noqa: E402


def _sites(n_per_kind: int, lon0: float, seed: int) -> list[Site]:
    rng = np.random.default_rng(seed)
    out = []
    for k in KINDS:
        reps = n_per_kind * (4 if k == "mine" else 1)
        for _ in range(reps):
            out.append(Site(float(lon0 + rng.uniform(0, 1.9)), float(2 + rng.uniform(0, 1.9)), k,
                            int(k in ("mine", "dredge")), "test"))
    return out


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory) -> Path:
    """Single- and two-date models trained on ~130 simulated sites (fast, not accurate)."""
    d = tmp_path_factory.mktemp("model")
    tr = site_patches(_sites(6, -70.0, 1))
    va = site_patches(_sites(3, -66.0, 2))
    for tag, attr in (("single", "X"), ("change", "Xc")):
        m = fit_ensemble(getattr(tr, attr), tr.y, feature_names(tag == "change"), members=2,
                         seed=0, n_jobs=1)
        m.threshold = choose_threshold(va.y, m.predict_proba(getattr(va, attr)))[0]
        m.info = {"simulated": True}
        m.save(d / tag)
    return d


@pytest.fixture(scope="session")
def single_model(tiny_models) -> PatchModel:
    return PatchModel.load(tiny_models / "single")


@pytest.fixture(scope="session")
def scene_pair(tmp_path_factory) -> tuple[Path, Path]:
    """A 2 × 3-cell simulated scene (432 × 288 px) in Venezuela and its before-scene."""
    d = tmp_path_factory.mktemp("scenes")
    m = simulate_mosaic([["forest", "mine", "sandbar"], ["road", "mine", "urban"]], 3, -63.0, 6.5)
    a = write_scene(d / "S2_20240301_scene.tif", m.refl, crs=m.crs, transform=m.transform,
                    scl=m.scl, date="2024-03-01")
    b = write_scene(d / "before.tif", m.before, crs=m.crs, transform=m.transform, date="2023-02-01")
    return a, b
