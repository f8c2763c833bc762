r"""Spectral indices, per-patch statistics, texture, neighbourhood context and change features.

Pixel indices (reflectances :math:`\rho`, Sentinel-2 band names):

* NDVI :math:`=(\rho_{08}-\rho_{04})/(\rho_{08}+\rho_{04})` (Rouse et al. 1974);
* NDWI :math:`=(\rho_{03}-\rho_{08})/(\rho_{03}+\rho_{08})` (McFeeters 1996);
* MNDWI :math:`=(\rho_{03}-\rho_{11})/(\rho_{03}+\rho_{11})` (Xu 2006);
* bare-soil index BSI :math:`=((\rho_{11}+\rho_{04})-(\rho_{08}+\rho_{02}))/
  ((\rho_{11}+\rho_{04})+(\rho_{08}+\rho_{02}))` (Rikimaru et al. 2002);
* turbidity NDTI :math:`=(\rho_{04}-\rho_{03})/(\rho_{04}+\rho_{03})` (Lacaux et al. 2007);
* ferric iron :math:`\rho_{04}/\rho_{02}` (Segal 1982).

Per 48 × 48 patch (valid pixels only; SCL-masked pixels are left out): mean and standard
deviation of each band and index; the shares of water, turbid water, bare soil, iron-rich bare
soil, vegetation and bright pixels; the share of water pixels touching bare soil (ponds in
scars); texture (mean absolute NDVI difference between 4-neighbours); and the elongation of
the bare-soil pixels (ratio of the eigenvalues of their coordinate covariance: roads and
landslides are long and thin, pits are not). :func:`context_features` adds the 3 × 3 patch
neighbourhood mean of the key shares, and :func:`change_features` the differences to a
``before`` scene.

All functions work window by window, so a tile is never loaded whole: a patch's features
depend only on its own pixels, so any window split aligned to the patch grid gives the same
numbers up to float32 rounding (≈1e-6, from the summation order over differently shaped
windows), and the same split gives bit-identical numbers.
"""

from __future__ import annotations

import numpy as np

from reslog.intel.imagery.bands import BAND_INDEX as BI
from reslog.intel.imagery.bands import BANDS, PATCH

INDICES = ("ndvi", "ndwi", "mndwi", "bsi", "ndti", "ferric")
SHARES = ("water", "turbid", "bare", "iron_bare", "veg", "bright", "pond_edge")
PATCH_FEATURES: tuple[str, ...] = (
    tuple(f"{b}_mean" for b in BANDS) + tuple(f"{b}_std" for b in BANDS)
    + tuple(f"{i}_mean" for i in INDICES) + tuple(f"{i}_std" for i in INDICES)
    + tuple(f"{s}_share" for s in SHARES) + ("texture", "bare_elongation", "valid_share")
)
CONTEXT_OF = ("turbid_share", "bare_share", "iron_bare_share", "water_share", "pond_edge_share")
CONTEXT_FEATURES = tuple(f"ctx_{f}" for f in CONTEXT_OF)
CHANGE_FEATURES = ("d_ndvi_mean", "d_bare_share", "d_turbid_share", "d_iron_bare_share")
MIN_VALID = 0.5
"""Patches with fewer valid (unmasked) pixels than this share are not classified."""


def _ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a - b) / np.maximum(a + b, 1e-6)


def calc_indices(refl: np.ndarray) -> dict[str, np.ndarray]:
    """The six pixel indices of a reflectance cube (band, row, col) → dict of (row, col) arrays."""
    g = lambda b: refl[BI[b]]  # noqa: E731
    b02, b03, b04, b08, b11 = g("B02"), g("B03"), g("B04"), g("B08"), g("B11")
    return {
        "ndvi": _ratio(b08, b04), "ndwi": _ratio(b03, b08), "mndwi": _ratio(b03, b11),
        "bsi": _ratio(b11 + b04, b08 + b02), "ndti": _ratio(b04, b03),
        "ferric": b04 / np.maximum(b02, 1e-4),
    }


def _classes(refl: np.ndarray, idx: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    water = (idx["mndwi"] > 0.2) & (idx["ndvi"] < 0.2)
    turbid = water & (refl[BI["B04"]] > 0.09)
    bare = (idx["bsi"] > 0.05) & (idx["ndvi"] < 0.25) & ~water
    iron = bare & (idx["ferric"] > 1.6)
    veg = idx["ndvi"] > 0.55
    bright = refl[BI["B03"]] > 0.25
    return {"water": water, "turbid": turbid, "bare": bare, "iron_bare": iron, "veg": veg,
            "bright": bright}


def _blocks(a: np.ndarray) -> np.ndarray:
    """(…, H, W) → (…, H/48, W/48, 48*48)."""
    *lead, h, w = a.shape
    r, c = h // PATCH, w // PATCH
    a = a[..., : r * PATCH, : c * PATCH].reshape(*lead, r, PATCH, c, PATCH)
    return np.moveaxis(a, -3, -2).reshape(*lead, r, c, PATCH * PATCH)


def _psum(a: np.ndarray) -> np.ndarray:
    """Sum over each whole 48 × 48 patch: (…, H, W) → (…, H/48, W/48)."""
    *lead, h, w = a.shape
    r, c = h // PATCH, w // PATCH
    s = a[..., : r * PATCH, : c * PATCH].reshape(*lead, r * PATCH, c, PATCH).sum(-1)
    return s.reshape(*lead, r, PATCH, c).sum(-2)


def _tiles(a: np.ndarray) -> np.ndarray:
    """(H, W) → (H/48, W/48, 48, 48) view of whole patches."""
    h, w = a.shape
    r, c = h // PATCH, w // PATCH
    return a[: r * PATCH, : c * PATCH].reshape(r, PATCH, c, PATCH).swapaxes(1, 2)


def calc_patch_features(refl: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
    """Features of every whole 48 × 48 patch of a window.

    Parameters
    ----------
    refl : reflectance (10 bands in :data:`BANDS` order, rows, cols), float32, unitless.
    valid : pixels to use (not masked by SCL / nodata); default all.

    Returns
    -------
    ndarray (patch rows, patch cols, len(PATCH_FEATURES)), float32; NaN where a patch has no
    valid pixel.
    """
    refl = np.asarray(refl, dtype=np.float32)
    _, h, w = refl.shape
    h, w = h // PATCH * PATCH, w // PATCH * PATCH
    refl = refl[:, :h, :w]
    if valid is None:
        valid = np.ones((h, w), bool)
    valid = valid[:h, :w]
    all_valid = bool(valid.all())
    vf = valid.astype(np.float32)

    def msum(a: np.ndarray) -> np.ndarray:
        return _psum(a if all_valid else a * vf)

    idx = calc_indices(refl)
    cls = _classes(refl, idx)
    n = _psum(vf)
    nn = np.maximum(n, 1.0)
    feats: list[np.ndarray] = []
    # band by band and index by index: temporaries stay one band large
    means, stds = [], []
    for band in refl:
        m = msum(band) / nn
        means.append(m)
        stds.append(np.sqrt(np.maximum(msum(band * band) / nn - m * m, 0)))
    feats += means + stds
    means, stds = [], []
    for name in INDICES:
        a = idx[name]
        m = msum(a) / nn
        means.append(m)
        stds.append(np.sqrt(np.maximum(msum(a * a) / nn - m * m, 0)))
    feats += means + stds
    for name in SHARES[:-1]:
        feats.append(_psum((cls[name] & valid).astype(np.float32)) / nn)
    # water pixels with a bare-soil 4-neighbour in the same patch (pond in a scar), and texture
    # (mean |ΔNDVI| to the right and lower neighbour in the same patch): both patch-local, so
    # a patch's features never depend on its neighbours' pixels
    bare = _tiles(cls["bare"])
    nb = np.zeros_like(bare)
    nb[..., 1:, :] |= bare[..., :-1, :]
    nb[..., :-1, :] |= bare[..., 1:, :]
    nb[..., :, 1:] |= bare[..., :, :-1]
    nb[..., :, :-1] |= bare[..., :, 1:]
    vt = _tiles(valid)
    edge = _tiles(cls["water"]) & nb & vt
    feats.append(edge.sum(axis=(-2, -1)) / nn)
    nd = _tiles(idx["ndvi"])
    tex = np.zeros(nd.shape, np.float32)
    tex[..., :, :-1] += np.abs(np.diff(nd, axis=-1))
    tex[..., :-1, :] += np.abs(np.diff(nd, axis=-2))
    feats.append((tex * vt).sum(axis=(-2, -1)) / nn / 2)
    feats.append(_elongation((bare & vt).reshape(bare.shape[0], bare.shape[1], -1).astype(np.float32)))
    feats.append(n / (PATCH * PATCH))
    out = np.stack(feats, axis=-1).astype(np.float32)
    out[n == 0] = np.nan
    return out


_YY, _XX = np.mgrid[0:PATCH, 0:PATCH]
_YY = _YY.ravel().astype(np.float32)
_XX = _XX.ravel().astype(np.float32)


def _elongation(m: np.ndarray) -> np.ndarray:
    """1 − λ_min/λ_max of the pixel-coordinate covariance of a mask per patch (0 round, 1 line)."""
    s = m.sum(-1)
    ss = np.maximum(s, 1.0)
    my, mx = (m * _YY).sum(-1) / ss, (m * _XX).sum(-1) / ss
    vyy = (m * _YY * _YY).sum(-1) / ss - my * my
    vxx = (m * _XX * _XX).sum(-1) / ss - mx * mx
    vxy = (m * _YY * _XX).sum(-1) / ss - my * mx
    tr, det = vyy + vxx, vyy * vxx - vxy * vxy
    disc = np.sqrt(np.maximum(tr * tr / 4 - det, 0))
    l1, l2 = tr / 2 + disc, np.maximum(tr / 2 - disc, 0)
    e = 1 - l2 / np.maximum(l1, 1e-6)
    return np.where(s >= 8, e, 0.0)


def feature_index(name: str) -> int:
    """Column of a patch feature."""
    return PATCH_FEATURES.index(name)


def context_features(grid: np.ndarray) -> np.ndarray:
    """3 × 3 neighbourhood means (centre excluded, NaN-aware) of :data:`CONTEXT_OF` per patch.

    ``grid`` is the whole scene's patch-feature grid (rows, cols, features); the result has
    shape (rows, cols, len(CONTEXT_FEATURES)).
    """
    r, c, _ = grid.shape
    cols = [feature_index(f) for f in CONTEXT_OF]
    g = grid[:, :, cols]
    pad = np.pad(g, ((1, 1), (1, 1), (0, 0)), constant_values=np.nan)
    acc = np.zeros_like(g)
    cnt = np.zeros_like(g)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            if dy == dx == 0:
                continue
            s = pad[1 + dy: 1 + dy + r, 1 + dx: 1 + dx + c]
            ok = np.isfinite(s)
            acc += np.where(ok, s, 0)
            cnt += ok
    return (acc / np.maximum(cnt, 1)).astype(np.float32)


def change_features(after: np.ndarray, before: np.ndarray) -> np.ndarray:
    """Differences after − before of NDVI mean and the bare, turbid and iron-rich shares."""
    cols = [feature_index(f) for f in ("ndvi_mean", "bare_share", "turbid_share", "iron_bare_share")]
    return (after[..., cols] - before[..., cols]).astype(np.float32)


def feature_names(with_change: bool) -> tuple[str, ...]:
    """Columns of the model matrix: patch, context and (optionally) change features."""
    return PATCH_FEATURES + CONTEXT_FEATURES + (CHANGE_FEATURES if with_change else ())


def model_matrix(grid: np.ndarray, before_grid: np.ndarray | None = None) -> np.ndarray:
    """(rows·cols, features) matrix for the classifier from patch-feature grids."""
    parts = [grid, context_features(grid)]
    if before_grid is not None:
        parts.append(change_features(grid, before_grid))
    m = np.concatenate(parts, axis=-1)
    return m.reshape(-1, m.shape[-1])
