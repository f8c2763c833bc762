"""Detection over a whole scene, streamed window by window, single-process or on Dask.

Stage 1 (per window, embarrassingly parallel): read a window aligned to the 48-px patch grid
and compute its patch features (:func:`reslog.intel.imagery.features.calc_patch_features`).
A window holds ``window_patches`` × ``window_patches`` patches (default 32 → 1,536² px,
≈ 95 MB of float32 reflectance), so memory is bounded whatever the tile size.

Stage 2 (whole patch grid, small: a 10,980² tile has 228 × 228 patches): neighbourhood context,
two-date change features, the ensemble's probability per patch.

A patch's features depend only on its own pixels, and windows are aligned to the patch grid;
the Dask path (``client`` given: one task per window, each worker opening the scene itself)
computes exactly the same windows as the single-process path, so features, probabilities and
polygons are bit-identical. (A different ``window_patches`` changes features only at float32
rounding level.)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from reslog.errors import InputError
from reslog.intel.imagery.bands import PATCH
from reslog.intel.imagery.features import PATCH_FEATURES, calc_patch_features, model_matrix
from reslog.intel.imagery.model import PatchModel
from reslog.sources.sentinel2 import SceneSpec, Sentinel2Scene, open_scene


@dataclass
class Detection:
    """Patch probabilities of one scene and what was masked."""

    prob: np.ndarray
    valid: np.ndarray
    spec: SceneSpec
    threshold: float
    counts: dict[str, int]
    reason: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def positive(self) -> np.ndarray:
        return self.valid & (np.nan_to_num(self.prob) >= self.threshold)


def windows(shape: tuple[int, int], window_patches: int) -> list[tuple[int, int, int, int]]:
    """(row, col, height, width) in pixels of windows tiling the patch grid ``shape`` (patches)."""
    r, c = shape
    out = []
    for i in range(0, r, window_patches):
        for j in range(0, c, window_patches):
            h = min(window_patches, r - i)
            w = min(window_patches, c - j)
            out.append((i * PATCH, j * PATCH, h * PATCH, w * PATCH))
    return out


_OPEN: dict[str, Sentinel2Scene] = {}


def _cached_scene(spec_key: str, spec: SceneSpec) -> Sentinel2Scene:
    """One open scene per process (each Dask worker opens its own file handles)."""
    if spec_key not in _OPEN:
        if len(_OPEN) >= 4:
            _OPEN.pop(next(iter(_OPEN))).close()
        _OPEN[spec_key] = Sentinel2Scene(spec)
    return _OPEN[spec_key]


def scan_window(spec: SceneSpec, win: tuple[int, int, int, int]
                ) -> tuple[tuple[int, int, int, int], np.ndarray, dict[str, int]]:
    """Stage 1 for one window: its patch-feature block and masked-pixel counts."""
    key = repr((spec.multiband, sorted(spec.bands.items()), spec.scl))
    scene = _cached_scene(key, spec)
    refl, valid, counts = scene.read_window(*win)
    return win, calc_patch_features(refl, valid), counts


def scan_features(spec: SceneSpec, *, window_patches: int = 32, client=None
                  ) -> tuple[np.ndarray, dict[str, int]]:
    """Patch-feature grid (rows, cols, features) of a whole scene and summed pixel counts."""
    assert spec.grid is not None
    shape = (spec.grid.height // PATCH, spec.grid.width // PATCH)
    if shape[0] == 0 or shape[1] == 0:
        raise InputError(spec.multiband or spec.name, f"the scene ({spec.grid.width}×"
                         f"{spec.grid.height} px) is smaller than one {PATCH}×{PATCH} patch")
    grid = np.full(shape + (len(PATCH_FEATURES),), np.nan, np.float32)
    counts = {"pixels": 0, "nodata": 0, "cloud": 0}
    wins = windows(shape, window_patches)

    def place(res) -> None:
        (r0, c0, h, w), block, cnt = res
        grid[r0 // PATCH: r0 // PATCH + h // PATCH, c0 // PATCH: c0 // PATCH + w // PATCH] = block
        for k in counts:
            counts[k] += cnt[k]

    if client is None:
        for w in wins:
            place(scan_window(spec, w))
    else:
        from distributed import as_completed

        futs = client.map(scan_window, [spec] * len(wins), wins, pure=False)
        for fut in as_completed(futs):
            place(fut.result())
            fut.release()
    return grid, counts


def detect(scene: str | Sentinel2Scene, model: PatchModel, *, before: str | Sentinel2Scene | None = None,
           window_patches: int = 32, client=None, threshold: float | None = None) -> Detection:
    """Mining probability of every patch of ``scene`` (and an empty-result reason if any).

    Raises
    ------
    InputError
        ``before`` on a different grid than ``scene``; a model that needs (or lacks) change
        features for the given scenes.
    """
    sc = scene if isinstance(scene, Sentinel2Scene) else open_scene(scene)
    bf = None
    if before is not None:
        bf = before if isinstance(before, Sentinel2Scene) else open_scene(before)
        if not sc.grid.same_as(bf.grid):
            raise InputError(bf.spec.multiband or bf.spec.name,
                             f"the --before scene is on a different grid ({bf.grid.describe()}) "
                             f"than the scene ({sc.grid.describe()}); resample it to the same "
                             "grid first (e.g. gdalwarp -tr/-te/-t_srs)", field="grid")
    if bf is not None and not model.with_change:
        raise InputError(sc.spec.name, "a --before scene was given but the model was trained "
                         "without change features; use the two-date model (model_change)")
    if bf is None and model.with_change:
        raise InputError(sc.spec.name, "this model needs a --before scene (it uses change "
                         "features); use the single-date model or pass --before")
    grid, counts = scan_features(sc.spec, window_patches=window_patches, client=client)
    bgrid = None
    if bf is not None:
        bgrid, _ = scan_features(bf.spec, window_patches=window_patches, client=client)
    own_valid = np.isfinite(grid[..., 0])
    vs = np.nan_to_num(grid[..., PATCH_FEATURES.index("valid_share")])
    from reslog.intel.imagery.features import MIN_VALID

    valid = own_valid & (vs >= MIN_VALID)
    X = model_matrix(grid, bgrid)
    prob = np.full(valid.size, np.nan)
    ok = valid.ravel()
    if ok.any():
        prob[ok] = model.predict_proba(X[ok])
    prob = prob.reshape(valid.shape)
    reason = None
    if not valid.any():
        if counts["nodata"] >= counts["pixels"]:
            reason = "nodata everywhere: every pixel of the scene is no data (DN 0 or SCL 0)"
        elif counts["cloud"] + counts["nodata"] >= counts["pixels"]:
            reason = ("the scene is fully clouded: every pixel is masked by the SCL band as cloud, "
                      "cloud shadow or cirrus")
        else:
            reason = (f"no patch has ≥ {MIN_VALID:.0%} valid pixels (cloud {counts['cloud']:,} px, "
                      f"no data {counts['nodata']:,} px of {counts['pixels']:,})")
    thr = model.threshold if threshold is None else threshold
    return Detection(prob=prob, valid=valid, spec=sc.spec, threshold=thr, counts=counts,
                     reason=reason)
