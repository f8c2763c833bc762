r"""Out-of-sample skill on held-out recent years: ridge (published), persistence, log-linear
trend, and the better models of :mod:`reslog.model.scenario.better`.

Protocol, per product group: the last ``holdout`` distinct years are the test set, every
earlier year trains (no future information in the fit, the penalty search or the intervals).
Scores on the test rows that every model can predict (countries seen in training):

* RMSE of log volume, :math:`\sqrt{\overline{(y - \hat y)^2}}` (a 0.1 RMSE ≈ 10 % error);
* skill against persistence, :math:`1 - \mathrm{RMSE}_m / \mathrm{RMSE}_\text{persistence}`
  (> 0 beats "no change", 1 is perfect, < 0 worse than no change);
* coverage of the 90 % conformal interval (ridge models).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from reslog.errors import ModelInputError
from reslog.model.scenario.baselines import persistence_forecast, trend_forecast
from reslog.model.scenario.better import fit_fixed_effects_ridge, fit_growth_ridge, fit_monotone_gbm
from reslog.model.scenario.features import FEATURES
from reslog.model.scenario.ridge import fit_ridge_cv

MONOTONE = tuple(1 if f in ("log_gdp", "log_pop") else 0 for f in FEATURES)


def holdout_split(panel: pd.DataFrame, holdout: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Train on all but the last ``holdout`` distinct years; test on those."""
    years = np.sort(panel["year"].unique())
    if len(years) <= holdout + 2:
        raise ModelInputError(f"skill: {len(years)} distinct years; need more than holdout + 2 = "
                              f"{holdout + 2} to train and test")
    cut = years[-holdout]
    return panel[panel["year"] < cut], panel[panel["year"] >= cut]


def evaluate_group(panel: pd.DataFrame, holdout: int = 3, with_gbm: bool = True) -> pd.DataFrame:
    """Skill rows (one per model) for one product group; ``panel`` has country, year, y, FEATURES."""
    train, test = holdout_split(panel, holdout)
    test = test[test["country"].isin(set(train["country"]))]
    if test.empty:
        raise ModelInputError("skill: no test row for a country seen in training")
    Xtr, Xte = train[list(FEATURES)].to_numpy(float), test[list(FEATURES)].to_numpy(float)
    ytr, yte = train["y"].to_numpy(float), test["y"].to_numpy(float)
    preds: dict[str, tuple[np.ndarray, float | None]] = {}
    rf = fit_ridge_cv(Xtr, ytr, train["year"].to_numpy(), train["country"].to_numpy())
    preds["ridge (published)"] = (rf.predict(Xte), rf.conformal_halfwidth(0.9))
    preds["persistence"] = (persistence_forecast(train, test), None)
    preds["log-linear trend"] = (trend_forecast(train, test), None)
    fe = fit_fixed_effects_ridge(train["country"].to_numpy(), train["year"].to_numpy(), Xtr, ytr)
    preds["ridge + country effects"] = (fe.predict(test["country"].to_numpy(), Xte),
                                        fe.conformal_halfwidth(0.9))
    gr = fit_growth_ridge(train["country"].to_numpy(), train["year"].to_numpy(), Xtr, ytr)
    preds["persistence + ridge elasticities"] = (gr.predict(test["country"].to_numpy(), Xte), None)
    if with_gbm:
        try:
            g = fit_monotone_gbm(Xtr, ytr, MONOTONE)
            preds["gradient boosting (monotone)"] = (g.predict(Xte), None)
        except ModuleNotFoundError:
            pass
    rmse_p = float(np.sqrt(np.nanmean((yte - preds["persistence"][0]) ** 2)))
    rows = []
    for name, (p, h) in preds.items():
        ok = np.isfinite(p)
        rmse = float(np.sqrt(np.mean((yte[ok] - p[ok]) ** 2)))
        cov = float(np.mean(np.abs(yte[ok] - p[ok]) <= h)) if h is not None and np.isfinite(h) else np.nan
        rows.append({"model": name, "rmse_log": rmse,
                     "skill_vs_persistence": 1 - rmse / rmse_p if rmse_p > 0 else np.nan,
                     "coverage_90": cov, "n_test": int(ok.sum()),
                     "train_years": f"{int(train['year'].min())}–{int(train['year'].max())}",
                     "test_years": f"{int(test['year'].min())}–{int(test['year'].max())}"})
    return pd.DataFrame(rows)


def skill_table(panel: pd.DataFrame, holdout: int = 3, with_gbm: bool = True) -> pd.DataFrame:
    """:func:`evaluate_group` for every ``group`` of ``panel``; groups that cannot be evaluated
    get one row with the reason in ``model``."""
    out = []
    for g, part in panel.groupby("group", sort=True):
        try:
            t = evaluate_group(part, holdout, with_gbm)
        except ModelInputError as e:
            t = pd.DataFrame([{"model": f"not evaluated: {e}"}])
        out.append(t.assign(group=g))
    cols = ["group", "model", "rmse_log", "skill_vs_persistence", "coverage_90", "n_test",
            "train_years", "test_years"]
    return pd.concat(out, ignore_index=True).reindex(columns=cols)
