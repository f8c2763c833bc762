r"""Trade projections to 2050 (orchestrator): cleaned bilateral trade → country volumes per
product → ridge on GHG, GDP and population features → country projections along scenario
paths → world volume per product with intervals.

* **Target.** For product *k*, country *c* (the importer) and year *t*: :math:`V_{c,k,t} =
  \sum_i q^{clean}_{i,c,k,t}` (tonnes, the cleaned quantity of :mod:`reslog.model.trade.clean`),
  regressed in logs, :math:`y = \ln V`. Zero volumes have no logarithm and are left out
  (the model describes countries that trade the product).
* **Features** are those of :mod:`reslog.model.scenario.features`, taken at year *t* or, when
  the indicator series ends earlier (OWID GHG ends in 2016), the latest year within
  ``max_lag`` years before *t* (stated in the fit summary).
* **World volume** :math:`W_{k,t} = \bar s_k \sum_c \exp(\hat y_{c,k,t})` over the countries
  fitted and present in the scenario paths, with :math:`\bar s_k` Duan's smearing factor (the
  mean of :math:`\exp` of the out-of-fold residuals): :math:`\exp(\hat y)` alone is the
  conditional *median*, and a sum of medians of skewed volumes badly understates the total
  (``world_median`` keeps it for comparison). Interval: the sum of the country interval ends
  (exact if country errors move together, conservative otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from reslog.errors import ModelInputError
from reslog.model.scenario.features import FEATURES, calc_features
from reslog.model.scenario.ridge import RidgeFit, fit_ridge_cv


def aggregate_imports(cleaned: pd.DataFrame, iso: dict[int, str]) -> pd.DataFrame:
    """``t, i, j, k, q_clean`` → ``product, country, year, volume`` (tonnes, importer = country)."""
    need = {"t", "j", "k", "q_clean"}
    if not need <= set(cleaned.columns):
        raise ModelInputError(f"aggregate_imports: need columns {sorted(need)}")
    d = cleaned[["t", "j", "k", "q_clean"]].copy()
    d["country"] = d["j"].map(lambda c: iso.get(int(c)))
    d = d[d["country"].notna() & np.isfinite(d["q_clean"])]
    g = d.groupby(["k", "country", "t"], as_index=False)["q_clean"].sum()
    return g.rename(columns={"k": "product", "t": "year", "q_clean": "volume"})


def indicators_wide(hist: pd.DataFrame) -> pd.DataFrame:
    """``country, year, indicator, value`` → ``country, year, ghg, gdp, population``."""
    m = {"ghg_total": "ghg", "gdp_usd": "gdp", "population": "population"}
    h = hist[hist["indicator"].isin(m)].assign(indicator=lambda d: d["indicator"].map(m))
    return h.pivot_table(index=["country", "year"], columns="indicator", values="value").reset_index()


def attach_features(volumes: pd.DataFrame, drivers: pd.DataFrame, max_lag: int = 5) -> pd.DataFrame:
    """Add :data:`FEATURES` (and ``feature_year``) to volumes, each driver taken at the latest
    year ≤ t within ``max_lag``. Rows without all drivers are dropped."""
    out = volumes.copy()
    out["_t"] = out["year"].astype(int)
    lag_years = []
    for col in ("ghg", "gdp", "population"):
        s = drivers[["country", "year", col]].dropna().rename(columns={"year": f"_y_{col}"})
        s[f"_y_{col}"] = s[f"_y_{col}"].astype(int)
        s = s.sort_values(f"_y_{col}")
        out = out.sort_values("_t")
        out = pd.merge_asof(out, s, left_on="_t", right_on=f"_y_{col}", by="country",
                            direction="backward", tolerance=max_lag)
        lag_years.append(f"_y_{col}")
    out = out.dropna(subset=["ghg", "gdp", "population"])
    out = out[(out[["ghg", "gdp", "population"]] > 0).all(axis=1)]
    out["feature_year"] = out[lag_years].min(axis=1).astype(int)
    feats = calc_features(out[["ghg", "gdp", "population"]])
    out = pd.concat([out.drop(columns=lag_years + ["_t"]), feats], axis=1)
    return out.sort_values(["product", "country", "year"]).reset_index(drop=True)


@dataclass
class ProductFit:
    """One product's fit and what it was fitted on."""

    product: int | str
    fit: RidgeFit
    countries: list[str]
    years: tuple[int, int]
    feature_years: tuple[int, int]
    n_rows: int


def fit_products(panel: pd.DataFrame, min_rows: int = 8) -> tuple[dict, pd.DataFrame]:
    """Ridge per product on ``panel`` (from :func:`attach_features`, ``volume`` > 0).

    Returns (fits by product, summary table); products with fewer than ``min_rows`` usable rows
    are listed in the summary with the reason and not fitted.
    """
    fits, rows = {}, []
    for k, g in panel.groupby("product", sort=True):
        g = g[g["volume"] > 0]
        base = {"product": k, "n_rows": len(g), "n_countries": g["country"].nunique(),
                "years": f"{g['year'].min()}–{g['year'].max()}" if len(g) else ""}
        if len(g) < min_rows:
            rows.append({**base, "status": f"not fitted: {len(g)} rows < {min_rows}"})
            continue
        f = fit_ridge_cv(g[list(FEATURES)].to_numpy(float), np.log(g["volume"].to_numpy(float)),
                         g["year"].to_numpy(), g["country"].to_numpy(), feature_names=FEATURES)
        fits[k] = ProductFit(k, f, sorted(g["country"].unique()),
                             (int(g["year"].min()), int(g["year"].max())),
                             (int(g["feature_year"].min()), int(g["feature_year"].max())), len(g))
        rows.append({**base, "status": "fitted", "alpha": f.alpha, "cv": f.cv_scheme,
                     "cv_rmse_log": float(np.sqrt(f.cv_mse[f.alpha])),
                     "interval90_factor": float(np.exp(f.conformal_halfwidth(0.9))),
                     **{f"beta_{n}": b for n, b in zip(FEATURES, f.beta)}})
    return fits, pd.DataFrame(rows)


def project_products(fits: dict, paths: pd.DataFrame, level: float = 0.9) -> pd.DataFrame:
    """World volume per product, scenario and year: ``product, scenario, year, world`` (mean,
    smearing), ``world_median, lower, upper, n_countries`` (tonnes)."""
    feats = calc_features(paths[["ghg", "gdp", "population"]])
    P = pd.concat([paths[["scenario", "country", "year"]], feats], axis=1)
    out = []
    for k, pf in fits.items():
        sub = P[P["country"].isin(pf.countries)]
        if sub.empty:
            continue
        m, lo, hi = pf.fit.predict_interval(sub[list(FEATURES)].to_numpy(float), level)
        smear = pf.fit.smearing_factor()
        d = sub[["scenario", "year"]].assign(world=np.exp(m) * smear, world_median=np.exp(m),
                                             lower=np.exp(lo), upper=np.exp(hi), n=1)
        agg = d.groupby(["scenario", "year"], as_index=False).agg(
            world=("world", "sum"), world_median=("world_median", "sum"), lower=("lower", "sum"),
            upper=("upper", "sum"), n_countries=("n", "sum"))
        out.append(agg.assign(product=k))
    if not out:
        raise ModelInputError("projection: no fitted product has a country in the scenario paths")
    cols = ["product", "scenario", "year", "world", "world_median", "lower", "upper", "n_countries"]
    return pd.concat(out, ignore_index=True)[cols]


def history_totals(panel: pd.DataFrame, fits: dict) -> pd.DataFrame:
    """Observed world volume per product and year over the fitted countries (for the figure)."""
    rows = []
    for k, pf in fits.items():
        g = panel[(panel["product"] == k) & panel["country"].isin(pf.countries)]
        rows.append(g.groupby("year", as_index=False)["volume"].sum().assign(product=k))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=["year", "volume", "product"])
