"""Stock-flow known answers: mass balance every year to 1e-9, hand-computed cohorts."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from reslog.errors import ModelInputError
from reslog.model.scenario.stockflow import Lifetime, calc_cohort_stock, check_balance, run_stock_flow


def _run(inflow: np.ndarray, rec: float = 0.5):
    T, R, G = inflow.shape
    techs = [f"g{k}" for k in range(G)]
    lts = {t: Lifetime(kind, a, b) for t, (kind, a, b) in
           zip(techs, [("normal", 10, 3), ("weibull", 3.0, 12.0), ("lognormal", 15, 5)] * G)}
    inten = np.arange(1, G * 2 + 1, dtype=float).reshape(G, 2)
    return run_stock_flow(inflow, np.arange(2000, 2000 + T), [f"r{r}" for r in range(R)], techs,
                          lts, inten, ["A", "B"], np.full((G, 2), rec))


def test_hand_computed_cohorts() -> None:
    surv = np.array([1.0, 0.5, 0.0, 0.0])
    stock, out = calc_cohort_stock(np.array([10.0, 0.0, 4.0, 0.0]), surv)
    np.testing.assert_allclose(stock, [10, 5, 4, 2])
    np.testing.assert_allclose(out, [0, 5, 5, 2])


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 40), st.integers(1, 3), st.integers(1, 3), st.floats(0, 1), st.integers(0, 10_000))
def test_mass_balance_every_year(T: int, R: int, G: int, rec: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    inflow = rng.lognormal(0, 2, size=(T, R, G)) * (rng.random((T, R, G)) > 0.2)
    res = _run(inflow, rec)
    table = check_balance(res, rtol=1e-9)
    assert (table["max_relative_residual"] <= 1e-9).all()
    # cumulative: all that entered is in stock or has left
    np.testing.assert_allclose(inflow.sum(0), res.stock[-1] + res.outflow.sum(0), rtol=1e-9)


def test_survival_starts_at_one_and_decreases() -> None:
    for lt in (Lifetime("normal", 5, 4), Lifetime("weibull", 5.3759, 30), Lifetime("lognormal", 12, 3)):
        s = lt.survival(60)
        assert s[0] == pytest.approx(1.0) and (np.diff(s) <= 1e-15).all()


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ModelInputError, match="recovery"):
        _run(np.ones((3, 1, 1)), rec=1.5)
    with pytest.raises(ModelInputError, match="kind"):
        Lifetime("gamma", 1, 1)
    with pytest.raises(ModelInputError, match="≥ 0"):
        _run(-np.ones((3, 1, 1)))
