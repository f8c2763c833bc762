"""Panel known answers: PanelOLS equals the hand-written within estimator; BH by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from reslog.model.panel.dmi import build_dmi, calc_imported_content
from reslog.model.panel.estimate import benjamini_hochberg, panel_ols, within_estimator


def _panel(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(25):
        a = rng.normal(0, 2)
        for t in range(2000, 2012):
            x1, x2 = rng.normal(size=2) + a * 0.3
            rows.append({"country": f"C{c}", "year": t, "x1": x1, "x2": x2,
                         "y": a + 0.5 * x1 - 1.2 * x2 + rng.normal(0, 0.3)})
    return pd.DataFrame(rows)


def test_panelols_matches_hand_within_estimator() -> None:
    df = _panel()
    hand = within_estimator(df, "y", ["x1", "x2"])
    lm = panel_ols(df, "y", ["x1", "x2"])
    np.testing.assert_allclose(lm.params[["x1", "x2"]].to_numpy(), hand["coef"].to_numpy(), rtol=1e-10)
    np.testing.assert_allclose(lm.std_errors[["x1", "x2"]].to_numpy(), hand["se"].to_numpy(), rtol=1e-4)  # same sandwich; constants agree to ~2e-5
    np.testing.assert_allclose(hand["coef"], [0.5, -1.2], atol=0.05)


def test_within_estimator_tiny_case_by_hand() -> None:
    # two countries, two years: the within slope is the ratio of demeaned changes
    df = pd.DataFrame({"country": ["A", "A", "B", "B"], "year": [1, 2, 1, 2],
                       "x": [0.0, 2.0, 1.0, 2.0], "y": [1.0, 5.0, 0.0, 2.0]})
    # demeaned: A x ±1, y ±2 ; B x ±0.5, y ±1 → slope = (2*1*2 + 2*0.5*1)/(2*1 + 2*0.25) = 5/2.5 = 2
    assert within_estimator(df, "y", ["x"]).loc["x", "coef"] == pytest.approx(2.0)


def test_benjamini_hochberg_by_hand() -> None:
    p = np.array([0.01, 0.04, 0.03, np.nan, 0.5])
    # sorted 0.01, 0.03, 0.04, 0.5 ; n=4 → 0.04, 0.06, 0.0533, 0.5 → monotone 0.04, 0.0533, 0.0533, 0.5
    np.testing.assert_allclose(benjamini_hochberg(p), [0.04, 0.16 / 3, 0.16 / 3, np.nan, 0.5])


def test_dmi_components_and_imported_content() -> None:
    trade = pd.DataFrame({"t": [2010, 2010], "j": [36, 36], "k": [260500, 810520], "q_clean": [100.0, 10.0]})
    imp = calc_imported_content(trade, {("260500", "cobalt"): 0.1, ("810520", "cobalt"): 0.9}, {36: "AUS"})
    assert imp["imported_t"].iloc[0] == pytest.approx(19.0)
    mined = pd.DataFrame({"country": ["AUS"], "commodity": ["cobalt"], "year": [2010], "quantity": [5.0]})
    d = build_dmi(mined, imp)
    assert d["dmi_t"].iloc[0] == pytest.approx(24.0) and np.isnan(d["recycled_t"].iloc[0])
