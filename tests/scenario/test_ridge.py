"""Known-answer tests of the trade-projection ridge, baselines and skill protocol."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from reslog.errors import ModelInputError
from reslog.model.scenario.baselines import persistence_forecast, trend_forecast
from reslog.model.scenario.features import FEATURES, calc_features
from reslog.model.scenario.ridge import fit_ridge_cv, ridge_solve, time_series_folds
from reslog.model.scenario.skill import skill_table
from reslog.model.scenario.synthetic import synthetic_panel


def test_ridge_recovers_known_coefficients() -> None:
    rng = np.random.default_rng(1)
    n_c, years = 40, np.arange(2000, 2021)
    X = rng.normal(size=(n_c * len(years), 4))
    beta = np.array([1.5, -0.7, 0.3, 2.0])
    y = 0.8 + X @ beta + 0.01 * rng.standard_normal(len(X))
    yr = np.tile(years, n_c)
    fit = fit_ridge_cv(X, y, yr, groups=np.repeat(np.arange(n_c), len(years)))
    assert fit.cv_scheme.startswith("time-series")
    np.testing.assert_allclose(fit.beta, beta, atol=5e-3)
    assert abs(fit.intercept - 0.8) < 5e-3
    assert fit.alpha <= 0.1  # noise is tiny: CV picks a small penalty


def test_ridge_on_collinear_drivers_recovers_identifiable_combinations() -> None:
    # ln E/Y = ln E - ln Y etc.: only the totals on (ln E, ln Y, ln P) are identified.
    beta = np.array([0.4, 0.2, 0.1, 0.5, 0.3])
    p = synthetic_panel(beta, noise=0.01, n_countries=40, seed=3)
    fit = fit_ridge_cv(p[list(FEATURES)].to_numpy(), p["y"].to_numpy(), p["year"].to_numpy(),
                       p["country"].to_numpy(), alphas=(1e-6, 1e-4, 1e-2))
    b = fit.beta
    np.testing.assert_allclose([b[0] + b[1] + b[2], b[3] - b[1], b[4] - b[2]],
                               [0.7, 0.3, 0.2], atol=0.02)


def test_closed_form_matches_normal_equations_by_hand() -> None:
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0]])
    y = np.array([1.0, 2.0, 3.0, 5.0])
    a = 0.5
    mu, sd = X.mean(0), X.std(0)
    Z = (X - mu) / sd
    b = np.linalg.inv(Z.T @ Z + a * np.eye(2)) @ Z.T @ (y - y.mean())
    beta, c, _, _ = ridge_solve(X, y, a)
    np.testing.assert_allclose(beta, b / sd)
    np.testing.assert_allclose(c, y.mean() - mu @ (b / sd))


@settings(max_examples=25, deadline=None)
@given(st.integers(3, 30), st.integers(1, 6))
def test_time_series_folds_never_train_on_the_future(n_years: int, n_splits: int) -> None:
    years = np.repeat(np.arange(2000, 2000 + n_years), 2)
    for tr, te in time_series_folds(years, n_splits):
        assert years[tr].max() < years[te].min()
        assert not (tr & te).any()


def test_single_year_falls_back_to_grouped_cv() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    y = X @ [1.0, 2.0] + 0.01 * rng.standard_normal(60)
    fit = fit_ridge_cv(X, y, np.full(60, 2021), groups=np.arange(60).astype(str))
    assert fit.cv_scheme.startswith("grouped")
    np.testing.assert_allclose(fit.beta, [1, 2], atol=0.02)


def test_conformal_interval_covers_at_nominal_rate() -> None:
    beta = np.array([0.4, 0.2, 0.1, 0.5, 0.3])
    p = synthetic_panel(beta, noise=0.2, n_countries=60, seed=5)
    train, test = p[p.year < 2016], p[p.year >= 2016]
    fit = fit_ridge_cv(train[list(FEATURES)].to_numpy(), train["y"].to_numpy(),
                       train["year"].to_numpy(), train["country"].to_numpy())
    m, lo, hi = fit.predict_interval(test[list(FEATURES)].to_numpy(), 0.9)
    cover = np.mean((test["y"] >= lo) & (test["y"] <= hi))
    assert 0.8 <= cover <= 0.99


def test_baselines_by_hand() -> None:
    train = pd.DataFrame({"country": ["A"] * 3 + ["B"], "year": [2000, 2001, 2002, 2002],
                          "y": [1.0, 2.0, 3.0, 7.0]})
    test = pd.DataFrame({"country": ["A", "B", "C"], "year": [2004, 2004, 2004]})
    np.testing.assert_allclose(persistence_forecast(train, test)[:2], [3.0, 7.0])
    assert np.isnan(persistence_forecast(train, test)[2])
    np.testing.assert_allclose(trend_forecast(train, test)[:2], [5.0, 7.0])


def test_skill_table_fixed_effects_wins_when_countries_differ() -> None:
    beta = np.array([0.4, 0.2, 0.1, 0.5, 0.3])
    p = synthetic_panel(beta, noise=0.05, tau=1.0, n_countries=30, seed=7)
    t = skill_table(p, holdout=3, with_gbm=False).set_index("model")
    assert t.loc["ridge + country effects", "rmse_log"] < t.loc["ridge (published)", "rmse_log"]
    assert t.loc["ridge + country effects", "skill_vs_persistence"] > 0


def test_features_refuse_non_positive_drivers() -> None:
    with pytest.raises(ModelInputError, match="ghg = 0.0"):
        calc_features(pd.DataFrame({"ghg": [1.0, 0.0], "gdp": [1.0, 1.0], "population": [1.0, 2.0]}))


def test_pipeline_recovers_elasticities_and_projects_known_world_total() -> None:
    from reslog.model.scenario.projection import fit_products, project_products

    beta = np.array([0.4, 0.2, 0.1, 0.5, 0.3])
    p = synthetic_panel(beta, noise=0.01, n_countries=30, seed=11).assign(product=847191)
    p["feature_year"] = p["year"]
    fits, summary = fit_products(p)
    f = fits[847191].fit
    assert summary["cv"].iloc[0].startswith("time-series")
    b = f.beta
    np.testing.assert_allclose([b[0] + b[1] + b[2], b[3] - b[1], b[4] - b[2]], [0.7, 0.3, 0.2], atol=0.02)
    # projecting on the drivers of the last year reproduces the observed world total (noise 1 %)
    last = p[p["year"] == 2020].assign(scenario="s")[["scenario", "country", "year", "ghg", "gdp", "population"]]
    proj = project_products(fits, last.reset_index(drop=True))
    assert proj["world"].iloc[0] == pytest.approx(p.loc[p["year"] == 2020, "volume"].sum(), rel=0.02)
    assert proj["lower"].iloc[0] < proj["world"].iloc[0] < proj["upper"].iloc[0]
