r"""Fixed-effects panel regressions of SDG indicators on metal input, with clustered errors and
a multiple-testing correction (the published metals–SDG method).

For indicator *s*, metal *m* and component (mined or imported):

.. math:: \ln s_{c,t} = \alpha_c + \beta\,\ln(1 + M_{c,t}) + \gamma^\top w_{c,t} + \varepsilon_{c,t}

with :math:`\alpha_c` country fixed effects, :math:`M` the metal input in tonnes and controls
:math:`w` = (ln GDP, ln population, ln primary energy, WGI mean of the six dimensions).
Estimated by ``linearmodels.PanelOLS`` (``entity_effects=True``) with standard errors
clustered by country; :func:`within_estimator` is the same estimator written out by hand
(demeaning by country, OLS, cluster-robust sandwich with the small-sample factor
:math:`\frac{N-1}{N-K}`, K = slope regressors + 1, as linearmodels' default), used as the known answer in the tests.

**Worsened.** An indicator worsens significantly with a metal when :math:`\beta` has the
adverse sign (:mod:`reslog.model.panel.indicators`) and its Benjamini–Hochberg adjusted
p-value (false-discovery rate, over *all* tests of the run) is below ``q`` (default 0.05).

References
----------
Benjamini, Y. & Hochberg, Y. (1995) Controlling the false discovery rate. JRSS B 57, 289–300.
Cameron, A. C. & Miller, D. L. (2015) A practitioner's guide to cluster-robust inference.
J. Human Resources 50, 317–372.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from reslog.errors import ModelInputError

CONTROLS = ("ln_gdp", "ln_pop", "ln_energy", "wgi")


def within_estimator(df: pd.DataFrame, y: str, x: list[str], entity: str = "country") -> pd.DataFrame:
    """Hand-written within (country fixed effects) OLS with country-clustered errors.

    Returns a frame indexed by regressor with ``coef, se, t, p``.
    """
    d = df[[entity, y, *x]].dropna()
    if d[entity].nunique() < 2:
        raise ModelInputError("within estimator: need ≥ 2 countries")
    dm = d[[y, *x]] - d.groupby(entity)[[y, *x]].transform("mean")
    Y = dm[y].to_numpy(float)
    X = dm[x].to_numpy(float)
    XtX_inv = np.linalg.pinv(X.T @ X)
    b = XtX_inv @ X.T @ Y
    e = Y - X @ b
    n, k = X.shape
    G = d[entity].nunique()
    meat = np.zeros((k, k))
    for _, idx in d.groupby(entity).indices.items():
        s = X[idx].T @ e[idx]
        meat += np.outer(s, s)
    # linearmodels' default clustered covariance (debiased=False): small-sample factor
    # (N-1)/(N-K) with K = slope regressors + 1 (the constant absorbed by the effects);
    # no G/(G-1) factor (linearmodels' PanelOLS clustered, debiased=False)
    V = XtX_inv @ meat @ XtX_inv * ((n - 1) / (n - k - 1))
    se = np.sqrt(np.maximum(np.diag(V), 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):  # a perfect fit has se = 0
        t = b / se
    p = 2 * stats.norm.sf(np.abs(t))
    return pd.DataFrame({"coef": b, "se": se, "t": t, "p": p}, index=x)


def panel_ols(df: pd.DataFrame, y: str, x: list[str], entity: str = "country", time: str = "year"):
    """``linearmodels.PanelOLS`` with entity effects and country-clustered errors."""
    from linearmodels.panel import PanelOLS

    d = df[[entity, time, y, *x]].dropna().set_index([entity, time])
    return PanelOLS(d[y], d[x], entity_effects=True, drop_absorbed=True).fit(
        cov_type="clustered", cluster_entity=True)


def benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """BH-adjusted p-values (monotone, capped at 1; NaN stays NaN)."""
    p = np.asarray(p, float)
    out = np.full_like(p, np.nan)
    ok = np.isfinite(p)
    q = p[ok]
    n = len(q)
    if n == 0:
        return out
    order = np.argsort(q)
    ranked = q[order] * n / np.arange(1, n + 1)
    adj = np.minimum.accumulate(ranked[::-1])[::-1]
    res = np.empty(n)
    res[order] = np.minimum(adj, 1.0)
    out[ok] = res
    return out


def run_panel(data: pd.DataFrame, indicators: list[str], directions: dict[str, int],
              metals: list[str], components: tuple[str, ...] = ("mined_t", "imported_t"),
              min_countries: int = 5, min_obs: int = 30, q: float = 0.05) -> pd.DataFrame:
    """All regressions: one row per (metal, component, indicator) with β, clustered SE, p,
    BH-adjusted p, and ``worsened``.

    ``data``: ``country, year, metal`` + components + indicators + :data:`CONTROLS`.
    """
    rows = []
    for m in metals:
        dm = data[data["metal"] == m]
        for comp in components:
            if comp not in dm or dm[comp].notna().sum() == 0:
                rows.append({"metal": m, "component": comp, "indicator": "—",
                             "status": "no data for this component"})
                continue
            d = dm.assign(ln_metal=np.log1p(dm[comp].clip(lower=0)))
            for ind in indicators:
                dd = d.assign(ln_y=np.log(d[ind].where(d[ind] > 0)))
                dd = dd.dropna(subset=["ln_y", "ln_metal", *CONTROLS])
                nc = dd["country"].nunique()
                base = {"metal": m, "component": comp, "indicator": ind, "n_obs": len(dd),
                        "n_countries": nc,
                        "years": f"{int(dd['year'].min())}–{int(dd['year'].max())}" if len(dd) else ""}
                if nc < min_countries or len(dd) < min_obs:
                    rows.append({**base, "status": f"too little data (< {min_countries} countries or < {min_obs} obs)"})
                    continue
                res = panel_ols(dd, "ln_y", ["ln_metal", *CONTROLS])
                b = float(res.params["ln_metal"])
                rows.append({**base, "status": "estimated", "beta": b,
                             "se": float(res.std_errors["ln_metal"]), "p": float(res.pvalues["ln_metal"]),
                             "adverse_sign": bool(np.sign(b) == directions.get(ind, 0))})
    out = pd.DataFrame(rows)
    if "p" in out:
        out["p_bh"] = benjamini_hochberg(out["p"].to_numpy(float))
        out["worsened"] = (out["p_bh"] < q) & out["adverse_sign"].fillna(False).astype(bool)
    return out
