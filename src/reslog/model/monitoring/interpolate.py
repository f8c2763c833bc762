"""Spatial interpolation of a parameter over monitoring points: ordinary kriging, IDW fallback.

Method choice (:func:`calc_surface`)
------------------------------------
* **Ordinary kriging** (PyKrige ``OrdinaryKriging``) when there are at least
  ``MIN_KRIGING_POINTS`` (6) points with distinct values. The variogram model (spherical,
  exponential, gaussian, linear) is the one with the smallest leave-one-out (LOO) RMSE; kriging
  also gives the kriging variance at each cell.
* **Inverse-distance weighting** (power 2) otherwise, and also when the best kriging LOO RMSE is
  worse than IDW's (a variogram fitted to a handful of points can be meaningless) or the kriging
  system is singular.

Coordinates are planar metres (the caller projects longitude/latitude); values are in the
parameter's canonical unit. Kriging is exact at data points (no nugget is forced), so the LOO
error is the honest measure of accuracy, and it is returned with the surface.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from reslog.errors import ModelInputError

MIN_KRIGING_POINTS = 6
VARIOGRAMS = ("spherical", "exponential", "gaussian", "linear")


@dataclass
class Surface:
    """An interpolated grid: ``z[i, j]`` at ``(gx[j], gy[i])``; ``variance`` for kriging."""

    gx: np.ndarray
    gy: np.ndarray
    z: np.ndarray
    variance: np.ndarray | None
    method: str
    loo_rmse: float


def calc_idw(xy: np.ndarray, z: np.ndarray, qxy: np.ndarray, power: float = 2.0) -> np.ndarray:
    """Inverse-distance-weighted estimate at query points ``qxy`` (exact at data points)."""
    d = np.sqrt(((qxy[:, None, :] - xy[None, :, :]) ** 2).sum(-1))
    out = np.empty(len(qxy))
    hit = d < 1e-9
    exact = hit.any(1)
    w = 1.0 / np.where(hit, 1.0, d) ** power
    out[~exact] = (w[~exact] * z).sum(1) / w[~exact].sum(1)
    out[exact] = z[hit[exact].argmax(1)]
    return out


def _krige(xy: np.ndarray, z: np.ndarray, qxy: np.ndarray, model: str) -> tuple[np.ndarray, np.ndarray]:
    from pykrige.ok import OrdinaryKriging

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ok = OrdinaryKriging(xy[:, 0], xy[:, 1], z, variogram_model=model, verbose=False,
                             enable_plotting=False)
        zz, ss = ok.execute("points", qxy[:, 0], qxy[:, 1])
    return np.asarray(zz, float), np.asarray(ss, float)


def calc_loo_rmse(xy: np.ndarray, z: np.ndarray, method: str) -> float:
    """Leave-one-out RMSE of ``method`` (``idw`` or a variogram model name)."""
    err = []
    for i in range(len(z)):
        m = np.arange(len(z)) != i
        if method == "idw":
            p = calc_idw(xy[m], z[m], xy[i:i + 1])[0]
        else:
            p = _krige(xy[m], z[m], xy[i:i + 1], method)[0][0]
        err.append(p - z[i])
    e = np.asarray(err)
    return float(np.sqrt(np.mean(e ** 2))) if np.isfinite(e).all() else float("inf")


def calc_surface(xy: np.ndarray, z: np.ndarray, gx: np.ndarray, gy: np.ndarray, *,
                 method: str = "auto") -> Surface:
    """Interpolate ``z`` at points ``xy`` (n×2, metres) onto the grid ``gx × gy``.

    ``method``: ``auto`` (see the module docstring), ``kriging`` or ``idw``.
    """
    xy = np.asarray(xy, float)
    z = np.asarray(z, float)
    ok = np.isfinite(z) & np.isfinite(xy).all(1)
    xy, z = xy[ok], z[ok]
    if len(z) < 2:
        raise ModelInputError(f"a heat map needs at least 2 monitoring points with a value; got {len(z)}")
    gxx, gyy = np.meshgrid(gx, gy)
    q = np.column_stack([gxx.ravel(), gyy.ravel()])
    can_krige = len(z) >= MIN_KRIGING_POINTS and np.ptp(z) > 0
    idw_loo = calc_loo_rmse(xy, z, "idw")
    if method in ("auto", "kriging") and can_krige:
        scores = {}
        for v in VARIOGRAMS:
            try:
                scores[v] = calc_loo_rmse(xy, z, v)
            except (np.linalg.LinAlgError, ValueError):
                scores[v] = float("inf")
        best = min(scores, key=scores.get)
        if method == "kriging" or scores[best] <= idw_loo:
            try:
                zz, ss = _krige(xy, z, q, best)
                return Surface(gx, gy, zz.reshape(len(gy), len(gx)), ss.reshape(len(gy), len(gx)),
                               f"ordinary kriging ({best} variogram)", scores[best])
            except (np.linalg.LinAlgError, ValueError):
                pass
    elif method == "kriging":
        raise ModelInputError(f"kriging needs at least {MIN_KRIGING_POINTS} points with distinct "
                              f"values; got {len(z)}")
    zz = calc_idw(xy, z, q)
    return Surface(gx, gy, zz.reshape(len(gy), len(gx)), None, "inverse-distance weighting (p=2)",
                   idw_loo)
