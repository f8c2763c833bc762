"""Spectra convolution, shipped endmember table, simulator and features: hand-checkable cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reslog.intel.imagery.bands import BANDS, PATCH
from reslog.intel.imagery.features import (
    PATCH_FEATURES,
    calc_indices,
    calc_patch_features,
    context_features,
    feature_index,
)
from reslog.intel.imagery.simulate import KINDS, Materials, simulate_scene
from reslog.intel.imagery.spectra import build_endmember_table, calc_band_reflectance, load_endmembers


def _box_srf() -> pd.DataFrame:
    wl = np.arange(300, 2601, dtype=float)
    df = pd.DataFrame(index=wl)
    for i, b in enumerate(BANDS):
        df[b] = ((wl >= 400 + 100 * i) & (wl < 450 + 100 * i)).astype(float)
    return df


def test_flat_spectrum_gives_its_value_in_every_band():
    wl = np.linspace(350, 2500, 500)
    out = calc_band_reflectance(wl, np.full(500, 0.3), _box_srf())
    assert all(abs(v - 0.3) < 1e-12 for v in out.values())


def test_linear_spectrum_gives_band_centre_value():
    wl = np.linspace(350, 2500, 2151)
    out = calc_band_reflectance(wl, wl / 10000.0, _box_srf())
    # box 400..449 nm (1 nm steps) averages to 424.5 nm
    assert out["B02"] == pytest.approx(0.04245, rel=1e-9)


def test_deleted_channels_are_skipped_and_uncovered_band_refused():
    wl = np.linspace(350, 2500, 100)
    r = np.full(100, 0.2)
    r[10] = np.nan
    assert calc_band_reflectance(wl, r, _box_srf())["B03"] == pytest.approx(0.2)
    with pytest.raises(ValueError, match="covers only"):
        calc_band_reflectance(np.linspace(350, 600, 50), np.full(50, 0.2), _box_srf())


@pytest.mark.shared_data
def test_shipped_endmembers_match_the_library(shared_data):
    lib = shared_data / "imagery_spectra" / "spectral_library_usgs_splib07"
    srf = (shared_data / "imagery_spectra" / "sentinel2_srf" /
           "S2-SRF_COPE-GSEG-EOPG-TN-15-0007_3.0_S2A.csv")
    rebuilt = build_endmember_table(lib, srf)
    shipped = load_endmembers()
    assert list(rebuilt["endmember"]) == list(shipped["endmember"])
    np.testing.assert_allclose(rebuilt[list(BANDS)].to_numpy(), shipped[list(BANDS)].to_numpy(),
                               atol=1e-6)
    # physically sensible: green vegetation has a red edge, clear water is dark in SWIR
    veg = shipped.set_index("endmember").loc["grass_lawn_green"]
    assert veg["B08"] > 5 * veg["B04"]
    assert shipped.set_index("endmember").loc["seawater_open_ocean", "B11"] < 0.03


def test_simulator_is_deterministic_and_labels_mines_only():
    mats = Materials()
    a = simulate_scene("mine", 5, materials=mats, area_ha=20)
    b = simulate_scene("mine", 5, materials=mats, area_ha=20)
    np.testing.assert_array_equal(a.refl, b.refl)
    assert a.refl.shape == (len(BANDS), 3 * PATCH, 3 * PATCH)
    assert a.patch_truth()[1, 1] > 0.05
    for k in KINDS:
        s = simulate_scene(k, 11, materials=mats, clouds=False)
        assert np.isfinite(s.refl).all() and s.refl.min() > 0 and s.refl.max() < 1.6
        if k not in ("mine", "dredge"):
            assert not s.truth.any(), k


def test_before_scene_lacks_the_mine():
    s = simulate_scene("mine", 8, area_ha=30, before=True, clouds=False)
    g, gb = calc_patch_features(s.refl), calc_patch_features(s.before)
    i = feature_index("bare_share")
    assert g[1, 1, i] > gb[1, 1, i] + 0.05


def test_water_patch_features():
    em = load_endmembers().set_index("endmember")
    refl = np.broadcast_to(em.loc["water_montmor_16.5gl", list(BANDS)].to_numpy(np.float32)[:, None, None],
                           (10, PATCH, PATCH)).copy()
    f = calc_patch_features(refl)[0, 0]
    assert f[feature_index("water_share")] == 1.0
    assert f[feature_index("turbid_share")] == 1.0
    assert f[feature_index("bare_share")] == 0.0
    # one-pass float32 variance: error below the L2A quantum (1e-4 reflectance)
    assert f[feature_index("B04_std")] == pytest.approx(0.0, abs=1e-4)


def test_elongation_line_versus_disc():
    refl = np.full((10, PATCH, PATCH), 0.03, np.float32)
    refl[BANDS.index("B08")] = 0.3  # vegetation
    line = refl.copy()
    bare = np.array([0.10, 0.12, 0.16, 0.17, 0.18, 0.19, 0.19, 0.19, 0.30, 0.25], np.float32)
    line[:, 24, 4:44] = bare[:, None]
    disc = refl.copy()
    yy, xx = np.mgrid[0:PATCH, 0:PATCH]
    m = (yy - 24) ** 2 + (xx - 24) ** 2 <= 36
    disc[:, m] = bare[:, None]
    e = feature_index("bare_elongation")
    assert calc_patch_features(line)[0, 0, e] > 0.95
    assert calc_patch_features(disc)[0, 0, e] < 0.1


def test_window_split_gives_identical_features():
    s = simulate_scene("mine", 21, size=4 * PATCH, area_ha=30)
    whole = calc_patch_features(s.refl)
    parts = np.full_like(whole, np.nan)
    for r in (0, 2):
        for c in (0, 2):
            win = s.refl[:, r * PATCH:(r + 2) * PATCH, c * PATCH:(c + 2) * PATCH]
            parts[r:r + 2, c:c + 2] = calc_patch_features(win)
    np.testing.assert_allclose(whole, parts, atol=2e-5)  # float32 rounding only


def test_masked_pixels_are_left_out():
    s = simulate_scene("forest", 3, clouds=False)
    valid = np.ones(s.truth.shape, bool)
    valid[:PATCH, :PATCH] = False
    g = calc_patch_features(s.refl, valid)
    assert np.isnan(g[0, 0]).all()
    assert g[1, 1, feature_index("valid_share")] == 1.0


def test_context_is_the_mean_of_the_neighbours():
    g = np.zeros((3, 3, len(PATCH_FEATURES)), np.float32)
    i = feature_index("turbid_share")
    g[0, 0, i] = 0.8
    g[2, 2, i] = np.nan
    ctx = context_features(g)
    assert ctx[1, 1, 0] == pytest.approx(0.8 / 7)  # 7 finite neighbours, one at 0.8


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0.0005, 1.2), min_size=10, max_size=10))
def test_indices_are_bounded(vals):
    refl = np.array(vals, np.float32)[:, None, None]
    idx = calc_indices(refl)
    for k in ("ndvi", "ndwi", "mndwi", "bsi", "ndti"):
        assert -1.0 - 1e-6 <= float(idx[k][0, 0]) <= 1.0 + 1e-6
    assert float(idx["ferric"][0, 0]) > 0
