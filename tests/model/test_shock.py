"""Shock analysis: hand-computed supply cut, trade allocation and Ghosh propagation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reslog.errors import ModelInputError
from reslog.model.shock import (
    allocate_to_consumers,
    analyse_shock,
    calc_destinations,
    calc_supply_cut,
    parse_capacity,
    propagate_ghosh,
    propagate_ghosh_mixed,
)


def test_supply_cut_by_hand() -> None:
    c = calc_supply_cut(12e6, 6, world_production=2.4e9, country_production=4.0e8,
                        origin="BRA", commodity="iron")
    assert c.tonnes == pytest.approx(6e6)
    assert c.share_world == pytest.approx(0.005)
    assert c.share_country == pytest.approx(0.03)
    with pytest.raises(ModelInputError, match="exceeds"):
        calc_supply_cut(5e8, 6, world_production=2.4e9, country_production=4e8, origin="BRA",
                        commodity="iron")
    with pytest.raises(ModelInputError, match="months"):
        calc_supply_cut(1, 0, world_production=2, country_production=2, origin="BRA", commodity="iron")


def test_parse_capacity() -> None:
    assert parse_capacity("30 Mt/y iron ore") == 30e6
    assert parse_capacity("1,200 kt") == 1.2e6
    assert parse_capacity("unknown") is None
    assert parse_capacity(float("nan")) is None


def test_destinations_and_allocation_by_hand() -> None:
    d = calc_destinations(100.0, pd.Series({"CHN": 60.0, "JPN": 20.0}), "BRA")
    assert d.to_dict() == {"CHN": 60.0, "JPN": 20.0, "BRA": 20.0}
    a = allocate_to_consumers(10.0, d)
    assert list(a.index) == ["CHN", "BRA", "JPN"] or list(a.index) == ["CHN", "JPN", "BRA"]
    assert a.loc["CHN", "lost_tonnes"] == pytest.approx(6.0)
    assert a["lost_tonnes"].sum() == pytest.approx(10.0)
    # exports above production: no negative domestic use
    assert calc_destinations(50.0, pd.Series({"CHN": 80.0}), "BRA")["BRA"] == 0.0


def test_ghosh_two_sector_by_hand() -> None:
    # mining (m) sells 40 to steel (s); x_m = 100, x_s = 200.  B = [[0, .4], [0, 0]]
    lab = pd.Index(["m", "s"])
    Z = pd.DataFrame([[0.0, 40.0], [0.0, 0.0]], index=lab, columns=lab)
    x = pd.Series([100.0, 200.0], index=lab)
    g = propagate_ghosh(Z, x, pd.Series({"m": 10.0}))
    # Δx_m = 10; Δx_s = 10·0.4 = 4
    assert g.loc["m", "delta_x"] == pytest.approx(10.0)
    assert g.loc["s", "delta_x"] == pytest.approx(4.0)
    assert g.loc["s", "rel_loss"] == pytest.approx(0.02)
    with pytest.raises(ModelInputError, match="not in Z"):
        propagate_ghosh(Z, x, pd.Series({"zz": 1.0}))


def test_analyse_shock_report_names_consumers() -> None:
    cut = calc_supply_cut(12.0, 12, world_production=100.0, country_production=50.0,
                          origin="BRA", commodity="iron")
    lab = pd.Index([("BRA", "c2"), ("CHN", "c12")])
    Z = pd.DataFrame([[0.0, 30.0], [0.0, 0.0]], index=lab, columns=lab)
    x = pd.Series([60.0, 300.0], index=lab)
    rep = analyse_shock(cut, pd.Series({"CHN": 30.0, "JPN": 10.0, "BRA": 10.0}), unit_value=1.0,
                        Z=Z, x=x, origin_label=("BRA", "c2"))
    assert rep.consumers.loc["CHN", "lost_tonnes"] == pytest.approx(7.2)
    text = rep.summary()
    assert "China (CHN): 7 t" in text and "Japan" in text
    assert rep.sectors is not None
    assert rep.sectors.loc[[("CHN", "c12")], "delta_x"].iloc[0] == pytest.approx(6.0)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0, 1e6), min_size=1, max_size=10), st.floats(0, 1e6))
def test_allocation_conserves_tonnes(flows: list[float], lost: float) -> None:
    if sum(flows) <= 0:
        return
    d = pd.Series(flows, index=[f"C{i}" for i in range(len(flows))])
    a = allocate_to_consumers(lost, d)
    assert a["lost_tonnes"].sum() == pytest.approx(lost, rel=1e-9, abs=1e-6)
    assert (a["lost_tonnes"] >= 0).all()


def test_plain_ghosh_overstates_own_loss_mixed_does_not() -> None:
    # mining m uses 10 of its own output and sells 40 to steel s; x_m = 100, x_s = 200.
    lab = pd.Index(["m", "s"])
    Z = pd.DataFrame([[10.0, 40.0], [0.0, 0.0]], index=lab, columns=lab)
    x = pd.Series([100.0, 200.0], index=lab)
    plain = propagate_ghosh(Z, x, pd.Series({"m": 10.0}))
    assert plain.loc["m", "delta_x"] == pytest.approx(10.0 / 0.9)  # Δv·G_mm > Δv
    mixed = propagate_ghosh_mixed(Z, x, pd.Series({"m": 10.0}))
    # by hand: q_m = 10/100 = 0.1 fixed; q_s = q_m·A_ms = 0.1·40/200 = 0.02 → Δx_s = 4
    assert mixed.loc["m", "delta_x"] == 10.0
    assert mixed.loc["s", "rel_loss"] == pytest.approx(0.02)
    assert mixed.loc["s", "delta_x"] == pytest.approx(4.0)


def test_analyse_shock_origin_loses_exactly_the_cut() -> None:
    cut = calc_supply_cut(12.0, 6, world_production=100.0, country_production=50.0,
                          origin="BRA", commodity="iron")
    lab = pd.Index([("BRA", "c2"), ("CHN", "c12")])
    Z = pd.DataFrame([[5.0, 30.0], [2.0, 0.0]], index=lab, columns=lab)
    x = pd.Series([60.0, 300.0], index=lab)
    rep = analyse_shock(cut, pd.Series({"CHN": 1.0}), unit_value=0.5, Z=Z, x=x,
                        origin_label=("BRA", "c2"))
    assert rep.sectors is not None
    assert rep.sectors.loc[[("BRA", "c2")], "delta_x"].iloc[0] == pytest.approx(6.0 * 0.5, rel=1e-15)
    assert not any("upper bound" in n for n in rep.notes)


def test_mixed_loss_beyond_output_is_refused() -> None:
    lab = pd.Index(["m", "s"])
    Z = pd.DataFrame([[0.0, 40.0], [0.0, 0.0]], index=lab, columns=lab)
    x = pd.Series([100.0, 200.0], index=lab)
    with pytest.raises(ModelInputError, match=r"must lie in \[0, x\]"):
        propagate_ghosh_mixed(Z, x, pd.Series({"m": 150.0}))


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.floats(0.0, 1.0))
def test_mixed_ghosh_own_loss_exact_and_others_bounded(seed: int, frac: float) -> None:
    rng = np.random.default_rng(seed)
    n = 6
    Z = rng.uniform(0, 10, (n, n))
    x = Z.sum(axis=0) + rng.uniform(10, 50, n)  # value added > 0 → column sums of A < 1
    lab = pd.Index([f"s{i}" for i in range(n)])
    g = propagate_ghosh_mixed(pd.DataFrame(Z, lab, lab), pd.Series(x, lab), pd.Series({"s0": frac * x[0]}))
    assert g.loc["s0", "delta_x"] == pytest.approx(frac * x[0], rel=1e-12, abs=1e-12)
    assert (g["delta_x"] >= -1e-9).all()
    # no other sector loses a larger share than the shocked one (A's column sums < 1)
    assert (g["rel_loss"] <= frac + 1e-9).all()
