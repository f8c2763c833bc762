r"""Models offered beside the published pooled ridge when they beat it on held-out skill.

**Ridge with country fixed effects** (a gravity-style panel): the same regressors, but each
country keeps its own level,

.. math:: y_{c,t} = \mu_c + (x_{c,t} - \bar x_c)^\top\beta + \varepsilon_{c,t},

fitted by ridge on within-country demeaned data (:math:`\alpha` by the same time-series CV)
with :math:`\mu_c = \bar y_c`, the country's training mean. Pooled ridge explains *levels*
across countries from GHG, GDP and population; most of that cross-country variation is
country-specific (size of the sector, trade geography) and is better absorbed by
:math:`\mu_c`, so :math:`\beta` only has to explain changes over time — which is what a
projection needs. A country with no training row cannot be projected by this model.

**Gradient boosting with monotone constraints** (``sklearn`` ``HistGradientBoostingRegressor``):
non-linear in the regressors, constrained to be non-decreasing in log GDP and log population
(larger economies do not trade less, other things equal). Trees cannot extrapolate beyond the
training range, which matters to 2050: it is evaluated, not used for the scenario figures
unless it wins.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from reslog.model.scenario.ridge import DEFAULT_ALPHAS, RidgeFit, fit_ridge_cv


@dataclass
class FixedEffectsRidge:
    """Ridge on within-country deviations plus a country level."""

    fit: RidgeFit
    y_mean: dict[str, float]
    x_mean: dict[str, np.ndarray]

    def predict(self, countries: np.ndarray, X: np.ndarray) -> np.ndarray:
        """Predictions (NaN for a country never seen in training)."""
        out = np.full(len(X), np.nan)
        for n, c in enumerate(countries):
            if c in self.y_mean:
                out[n] = self.y_mean[c] + (X[n] - self.x_mean[c]) @ self.fit.beta
        return out

    def conformal_halfwidth(self, level: float = 0.9) -> float:
        """Split-conformal half-width of the within-country residuals."""
        return self.fit.conformal_halfwidth(level)


def fit_fixed_effects_ridge(countries: np.ndarray, years: np.ndarray, X: np.ndarray, y: np.ndarray,
                            alphas: tuple[float, ...] = DEFAULT_ALPHAS) -> FixedEffectsRidge:
    """Fit :class:`FixedEffectsRidge` (see the module docstring)."""
    df = pd.DataFrame(X).assign(_c=countries, _y=y)
    xm = df.groupby("_c").mean(numeric_only=True)
    ym = xm.pop("_y")
    Xd = X - xm.loc[countries].to_numpy()
    yd = y - ym.loc[countries].to_numpy()
    fit = fit_ridge_cv(Xd, yd, years, groups=countries, alphas=alphas)
    fit.intercept = 0.0
    return FixedEffectsRidge(fit, ym.to_dict(), {c: xm.loc[c].to_numpy() for c in xm.index})


def fit_monotone_gbm(X: np.ndarray, y: np.ndarray, monotone: tuple[int, ...], seed: int = 0):
    """``HistGradientBoostingRegressor`` with monotone constraints (needs scikit-learn)."""
    from sklearn.ensemble import HistGradientBoostingRegressor
    from threadpoolctl import threadpool_limits

    m = HistGradientBoostingRegressor(max_iter=150, learning_rate=0.05, max_leaf_nodes=15,
                                      min_samples_leaf=10, monotonic_cst=list(monotone),
                                      random_state=seed)
    with threadpool_limits(1):  # small data: OpenMP threads only contend
        return m.fit(X, y)


@dataclass
class GrowthRidge:
    r"""Persistence plus driver elasticities: :math:`\hat y_{c,t} = y_{c,T} + (x_{c,t} - x_{c,T})^\top\beta`,
    with :math:`\beta` fitted by ridge (time-series CV) on year-to-year changes
    :math:`\Delta y_{c,t} = \Delta x_{c,t}^\top\beta + u` (no intercept: no drift beyond what the
    drivers imply). It nests persistence (:math:`\beta = 0`), so a large penalty falls back to it."""

    fit: RidgeFit
    last_y: dict[str, float]
    last_x: dict[str, np.ndarray]

    def predict(self, countries: np.ndarray, X: np.ndarray) -> np.ndarray:
        """Predictions (NaN for a country never seen in training)."""
        out = np.full(len(X), np.nan)
        for n, c in enumerate(countries):
            if c in self.last_y:
                out[n] = self.last_y[c] + (X[n] - self.last_x[c]) @ self.fit.beta
        return out


def fit_growth_ridge(countries: np.ndarray, years: np.ndarray, X: np.ndarray, y: np.ndarray,
                     alphas: tuple[float, ...] = DEFAULT_ALPHAS) -> GrowthRidge:
    """Fit :class:`GrowthRidge` on consecutive-year differences within each country."""
    df = pd.DataFrame(X).assign(_c=countries, _t=years, _y=y).sort_values(["_c", "_t"])
    same = (df["_c"].to_numpy()[1:] == df["_c"].to_numpy()[:-1]) & \
        (np.diff(df["_t"].to_numpy()) == 1)
    Xs, ys = df.drop(columns=["_c", "_t", "_y"]).to_numpy(float), df["_y"].to_numpy(float)
    dX, dy = (Xs[1:] - Xs[:-1])[same], (ys[1:] - ys[:-1])[same]
    dyr, dc = df["_t"].to_numpy()[1:][same], df["_c"].to_numpy()[1:][same]
    fit = fit_ridge_cv(np.vstack([dX, -dX]), np.r_[dy, -dy], np.r_[dyr, dyr], np.r_[dc, dc],
                       alphas=alphas)  # symmetrised: the intercept is exactly 0
    fit.intercept = 0.0
    last = df.groupby("_c").tail(1).set_index("_c")
    return GrowthRidge(fit, last["_y"].to_dict(),
                       {c: last.drop(columns=["_t", "_y"]).loc[c].to_numpy(float) for c in last.index})
