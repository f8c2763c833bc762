r"""Ridge regression with the penalty chosen by time-series cross-validation, and split-conformal
prediction intervals (the published trade-projection method).

Model, on standardised regressors :math:`\tilde x = (x - \bar x)/s`:

.. math:: \hat\beta = \arg\min_\beta \|y - \bar y - \tilde X\beta\|^2 + \alpha\|\beta\|^2
          = (\tilde X^\top \tilde X + \alpha I)^{-1}\tilde X^\top (y - \bar y)

(the intercept is not penalised). Coefficients are reported back on the original scale,
:math:`\beta_j / s_j`.

**Penalty.** :math:`\alpha` is chosen on a log grid by *expanding-window* time-series CV: the
distinct years are cut into ``n_splits + 1`` consecutive blocks; fold *f* trains on blocks
``0..f`` and tests on block ``f + 1`` (as ``sklearn.model_selection.TimeSeriesSplit``), so no
fold ever uses the future to predict the past. The mean squared out-of-fold error picks
:math:`\alpha`. With fewer than 3 distinct years (one BACI year), time-series CV is impossible:
then K-fold CV *grouped by country* is used instead and the fit says so (``cv_scheme``).

**Intervals.** Split-conformal on the out-of-fold residuals :math:`r_i` of the chosen
:math:`\alpha`: the half-width is the :math:`\lceil (n+1)(1-a)\rceil`-th smallest
:math:`|r_i|`, giving :math:`\hat y \pm q` with marginal coverage :math:`\ge 1-a` when future
residuals are exchangeable with the CV residuals (an assumption that trending data can break;
coverage is measured on held-out years in docs/scenario.md).

References
----------
Hoerl, A. E. & Kennard, R. W. (1970) Ridge regression. Technometrics 12, 55–67.
Duan, N. (1983) Smearing estimate: a nonparametric retransformation method. JASA 78, 605–610.
Vovk, V., Gammerman, A. & Shafer, G. (2005) Algorithmic Learning in a Random World. Springer.
Lei, J. et al. (2018) Distribution-free predictive inference for regression. JASA 113, 1094–1111.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from reslog.errors import ModelInputError

DEFAULT_ALPHAS = tuple(np.logspace(-4, 4, 33))


def ridge_solve(X: np.ndarray, y: np.ndarray, alpha: float) -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:
    """Closed-form ridge on standardised columns. Returns (beta_original_scale, intercept, mean, scale)."""
    mu = X.mean(axis=0)
    sd = X.std(axis=0)
    sd = np.where(sd > 0, sd, 1.0)
    Z = (X - mu) / sd
    ym = float(y.mean())
    p = Z.shape[1]
    b = np.linalg.solve(Z.T @ Z + alpha * np.eye(p), Z.T @ (y - ym))
    beta = b / sd
    return beta, ym - float(mu @ beta), mu, sd


def time_series_folds(years: np.ndarray, n_splits: int = 5) -> list[tuple[np.ndarray, np.ndarray]]:
    """Expanding-window folds over distinct years: (train_mask, test_mask) pairs."""
    uy = np.unique(years)
    k = min(n_splits, len(uy) - 1)
    if k < 1:
        return []
    blocks = np.array_split(uy, k + 1)
    out = []
    for f in range(k):
        train_years = np.concatenate(blocks[: f + 1])
        test_years = blocks[f + 1]
        out.append((np.isin(years, train_years), np.isin(years, test_years)))
    return out


def grouped_folds(groups: np.ndarray, n_splits: int = 5, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """K folds with every group (country) wholly in one test fold."""
    ug = np.unique(groups)
    rng = np.random.default_rng(seed)
    perm = rng.permutation(ug)
    k = max(2, min(n_splits, len(ug)))
    parts = np.array_split(perm, k)
    return [(~np.isin(groups, p), np.isin(groups, p)) for p in parts if len(p)]


@dataclass
class RidgeFit:
    """A fitted ridge: coefficients (original scale), intercept, chosen penalty, CV record."""

    beta: np.ndarray
    intercept: float
    alpha: float
    cv_scheme: str
    cv_mse: dict[float, float] = field(default_factory=dict)
    oof_residuals: np.ndarray = field(default_factory=lambda: np.empty(0))
    feature_names: tuple[str, ...] = ()

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Point prediction :math:`X\\beta + b`."""
        return np.asarray(X, dtype=float) @ self.beta + self.intercept

    def conformal_halfwidth(self, level: float = 0.9) -> float:
        """Split-conformal half-width at ``level`` coverage (inf when too few residuals)."""
        r = np.sort(np.abs(self.oof_residuals))
        n = len(r)
        k = int(np.ceil((n + 1) * level))
        if n == 0 or k > n:
            return float("inf")
        return float(r[k - 1])

    def smearing_factor(self) -> float:
        r"""Duan's (1983) smearing factor :math:`\overline{\exp(r_i)}` of the out-of-fold
        residuals: ``exp(prediction) * factor`` estimates the *mean* of the back-transformed
        target (``exp(prediction)`` alone is its median)."""
        r = self.oof_residuals
        return float(np.mean(np.exp(r))) if len(r) else 1.0

    def predict_interval(self, X: np.ndarray, level: float = 0.9) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(mean, lower, upper) at ``level`` (split-conformal)."""
        m = self.predict(X)
        h = self.conformal_halfwidth(level)
        return m, m - h, m + h


def fit_ridge_cv(X: np.ndarray, y: np.ndarray, years: np.ndarray, groups: np.ndarray | None = None,
                 alphas: tuple[float, ...] = DEFAULT_ALPHAS, n_splits: int = 5,
                 feature_names: tuple[str, ...] = ()) -> RidgeFit:
    """Ridge with :math:`\\alpha` by time-series CV (grouped CV when < 3 years). See module doc.

    Parameters
    ----------
    X : (n, p) regressors. y : (n,) target (e.g. log tonnes). years : (n,) year of each row.
    groups : (n,) country of each row (needed for the grouped fallback).
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    years = np.asarray(years)
    if X.ndim != 2 or len(X) != len(y) or len(y) != len(years):
        raise ModelInputError(f"ridge: shapes X{X.shape}, y{y.shape}, years{years.shape} disagree")
    if not (np.isfinite(X).all() and np.isfinite(y).all()):
        raise ModelInputError("ridge: X and y must be finite (drop or impute missing rows first)")
    if len(y) < 4:
        raise ModelInputError(f"ridge: {len(y)} rows is too few to fit and cross-validate")
    if len(np.unique(years)) >= 3:
        folds, scheme = time_series_folds(years, n_splits), "time-series (expanding window)"
    else:
        if groups is None:
            raise ModelInputError("ridge: fewer than 3 years and no groups for grouped CV")
        folds, scheme = grouped_folds(np.asarray(groups), n_splits), "grouped by country (K-fold)"
    mse: dict[float, float] = {}
    oof_by_alpha: dict[float, np.ndarray] = {}
    for a in alphas:
        err, res = [], np.full(len(y), np.nan)
        for tr, te in folds:
            if tr.sum() < 2 or te.sum() == 0:
                continue
            b, c, _, _ = ridge_solve(X[tr], y[tr], a)
            r = y[te] - (X[te] @ b + c)
            res[te] = r
            err.append(r)
        if not err:
            raise ModelInputError("ridge: no usable CV fold (too few rows per year/group)")
        e = np.concatenate(err)
        mse[float(a)] = float(np.mean(e ** 2))
        oof_by_alpha[float(a)] = res[np.isfinite(res)]
    best = min(mse, key=lambda a: (mse[a], -a))
    beta, icpt, _, _ = ridge_solve(X, y, best)
    return RidgeFit(beta, icpt, best, scheme, mse, oof_by_alpha[best], tuple(feature_names))
