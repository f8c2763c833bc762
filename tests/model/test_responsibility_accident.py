"""Accident responsibility: hand-computed consumer-based and shared allocations."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reslog.errors import ModelInputError
from reslog.model.responsibility_accident import (
    allocate_consumer_based,
    allocate_shared,
    alpha_from_io,
    responsibility_table,
)

SHARES = pd.Series({"CHN": 0.6, "JPN": 0.2, "BRA": 0.2})


def test_consumer_based_by_hand() -> None:
    r = allocate_consumer_based({"deaths": 270, "release_m3": 1.2e7}, SHARES)
    assert r.loc["CHN", "deaths"] == pytest.approx(162)
    assert r.loc["JPN", "release_m3"] == pytest.approx(2.4e6)


def test_shared_by_hand() -> None:
    r = allocate_shared({"deaths": 100}, "BRA", SHARES, alpha=0.3)
    # BRA: 0.3·100 + 0.7·100·0.2 = 44; CHN: 0.7·60 = 42
    assert r.loc["BRA", "deaths"] == pytest.approx(44)
    assert r.loc["CHN", "deaths"] == pytest.approx(42)
    assert r["deaths"].sum() == pytest.approx(100)


def test_alpha_and_errors() -> None:
    assert alpha_from_io(30, 100) == pytest.approx(0.3)
    with pytest.raises(ModelInputError):
        alpha_from_io(130, 100)
    with pytest.raises(ModelInputError, match="alpha"):
        allocate_shared({"d": 1}, "BRA", SHARES, alpha=1.5)
    with pytest.raises(ModelInputError, match="burden"):
        allocate_consumer_based({"d": -1}, SHARES)


def test_table_has_both_rules() -> None:
    t = responsibility_table({"deaths": 10}, "AUS", SHARES, alpha=0.5)
    assert set(t.columns) == {"deaths_consumer", "deaths_shared"}
    assert t.loc["AUS", "deaths_shared"] == pytest.approx(5) and t.loc["AUS", "deaths_consumer"] == 0


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0.01, 100), min_size=1, max_size=8), st.floats(0, 1e6), st.floats(0, 1))
def test_rules_conserve_burden(w: list[float], b: float, alpha: float) -> None:
    s = pd.Series(w, index=[f"C{i}" for i in range(len(w))])
    assert allocate_consumer_based({"b": b}, s)["b"].sum() == pytest.approx(b, abs=1e-6)
    assert allocate_shared({"b": b}, "PRD", s, alpha=alpha)["b"].sum() == pytest.approx(b, abs=1e-6)


def test_one_alpha_for_lenzen_in_both_modules() -> None:
    import numpy as np

    from reslog.model.io.responsibility import calc_shared_responsibility

    # 2 sectors: the mine (0) uses 20 of its own output; x = 100, v = 100 − 20 − 10 = 70
    Z = np.array([[20.0, 30.0], [10.0, 5.0]])
    Y = np.array([[50.0], [45.0]])
    x = Z.sum(axis=1) + Y.sum(axis=1)
    F = np.array([[1.0, 0.0]])
    _, _, alpha_io = calc_shared_responsibility(Z, Y, x, F)
    v0 = x[0] - Z[:, 0].sum()
    assert alpha_io[0] == pytest.approx(v0 / (x[0] - Z[0, 0]))      # 70 / 80 = 0.875
    assert alpha_from_io(v0, x[0], own_use=Z[0, 0]) == pytest.approx(alpha_io[0], rel=1e-15)
    assert alpha_from_io(v0, x[0], own_use=Z[0, 0]) == pytest.approx(0.875)
