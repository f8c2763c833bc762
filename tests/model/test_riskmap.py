"""Risk information in IO format: hand-computed disruption fractions and weight layouts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reslog.errors import ModelInputError
from reslog.model.riskmap import (calc_disruption_fraction, country_risk_weights, region_sector_weights,
                                  trade_weights)

GOV = pd.DataFrame({"country": ["AAA"] * 6 + ["BBB"] * 6, "year": [2023] * 12,
                    "indicator": ["va", "pv", "ge", "rq", "rl", "cc"] * 2,
                    "estimate": [0.0] * 6 + [-1.0] * 6})
EV = pd.DataFrame({"country": ["BBB", "BBB", "AAA"], "event_type": ["tailings_failure"] * 3,
                   "start_time": ["2020-01-01", "2022-06-01", "2021-03-01"],
                   "severity": [1.0, 0.5, 1.0], "confidence": [1.0, 1.0, 1.0],
                   "commodity": ["iron", "copper", "copper"]})


def test_disruption_fraction_by_hand() -> None:
    assert calc_disruption_fraction(0.0) == 0.0
    assert calc_disruption_fraction(0.15, 12) == pytest.approx(1 - np.exp(-0.15))
    assert calc_disruption_fraction(0.15, 6) == pytest.approx(1 - np.exp(-0.075))
    with pytest.raises(ModelInputError, match="outage_months"):
        calc_disruption_fraction(0.1, 0)


def test_country_weights_by_hand() -> None:
    W = country_risk_weights(GOV, EV, 2023, window=10)
    # AAA: WGI mean 0 → EU 5 → G 0.5; λ = 1/10 → d = 1 − e^−0.1
    assert W.loc["AAA", "governance"] == pytest.approx(0.5)
    assert W.loc["AAA", "tailings_failure"] == pytest.approx(1 - np.exp(-0.1))
    # BBB: mean −1 → EU 7 → 0.7; λ = 1.5/10
    assert W.loc["BBB", "governance"] == pytest.approx(0.7)
    assert W.loc["BBB", "disruption"] == pytest.approx(1 - np.exp(-0.15))
    assert W.loc["BBB", "combined"] == pytest.approx(0.5 * 0.7 + 0.5 * (1 - np.exp(-0.15)))
    Wc = country_risk_weights(GOV, EV, 2023, commodity="copper")
    assert Wc.loc["BBB", "disruption"] == pytest.approx(1 - np.exp(-0.05))


def test_region_sector_weights_layout_feeds_risk_footprint() -> None:
    labels = pd.MultiIndex.from_product([["R1", "R2"], ["mining", "manuf"]], names=["region", "sector"])
    W = country_risk_weights(GOV, EV, 2023)
    rw = region_sector_weights(W, {"AAA": "R1", "BBB": "R1"}, labels, sectors=["mining"],
                               activity=pd.Series({"AAA": 3.0, "BBB": 1.0}))
    assert rw.index.equals(labels)
    assert rw.loc[("R1", "mining"), "governance"] == pytest.approx((3 * 0.5 + 1 * 0.7) / 4)
    assert rw.loc[("R1", "manuf")].eq(0).all() and rw.loc[("R2", "manuf")].eq(0).all()
    # R2 has no country: the world (activity-weighted) mean, flagged — never a silent 0
    assert rw.loc[("R2", "mining"), "governance"] == pytest.approx((3 * 0.5 + 1 * 0.7) / 4)
    assert {f["region"] for f in rw.attrs["filled"]} == {"R2"}
    assert {f["risk_type"] for f in rw.attrs["filled"]} == set(W.columns)
    assert np.isfinite(rw.to_numpy()).all() and (rw.to_numpy() >= 0).all()
    # the IO engine accepts the layout
    from reslog.model.io.footprint import FootprintResult, calc_risk_footprint

    D = pd.DataFrame([[1.0, 2.0, 3.0, 4.0]], index=pd.Index(["ore"]), columns=labels)
    fp = FootprintResult.__new__(FootprintResult)
    fp.by_origin = D
    rf = calc_risk_footprint(fp, rw)
    assert rf.total.loc["ore", "governance"] == pytest.approx(
        1.0 * rw.loc[("R1", "mining"), "governance"] + 3.0 * rw.loc[("R2", "mining"), "governance"])
    with pytest.raises(ModelInputError, match="sectors"):
        region_sector_weights(W, {}, labels, sectors=["fishing"])


def test_trade_weights_commodity_specific() -> None:
    tr = pd.DataFrame({"exporter": ["BBB", "BBB"], "hs": ["260111", "260300"]})
    tw = trade_weights(tr, GOV, EV, 2023, hs_commodity={"2601": "iron", "2603": "copper"})
    d = tw[tw["risk_type"] == "disruption"].set_index("hs")["weight"]
    assert d["260111"] == pytest.approx(1 - np.exp(-0.1))
    assert d["260300"] == pytest.approx(1 - np.exp(-0.05))


@settings(max_examples=40, deadline=None)
@given(st.floats(0, 50), st.floats(0.5, 120))
def test_disruption_fraction_in_unit_interval(rate: float, months: float) -> None:
    d = calc_disruption_fraction(rate, months)
    assert 0.0 <= d < 1.0 or (d == pytest.approx(1.0))
    assert calc_disruption_fraction(rate * 2, months) >= d - 1e-12


def test_region_without_data_is_filled_explicitly() -> None:
    labels = pd.MultiIndex.from_product([["R1", "R2", "R3"], ["mining"]], names=["region", "sector"])
    W = pd.DataFrame({"governance": [0.2, 0.6, np.nan], "disruption": [0.0, 0.1, 0.3]},
                     index=["AAA", "BBB", "CCC"])
    region_of = {"AAA": "R1", "BBB": "R2", "CCC": "R3"}  # CCC has no WGI
    rw = region_sector_weights(W, region_of, labels)
    # R3's governance: mean of the countries that have it (0.2 + 0.6) / 2 = 0.4, not 0
    assert rw.loc[("R3", "mining"), "governance"] == pytest.approx(0.4)
    assert rw.loc[("R3", "mining"), "disruption"] == pytest.approx(0.3)
    assert rw.attrs["filled"] == [{"region": "R3", "risk_type": "governance", "value": pytest.approx(0.4),
                                   "rule": "world_mean"}]
    z = region_sector_weights(W, region_of, labels, fill="zero")
    assert z.loc[("R3", "mining"), "governance"] == 0.0 and len(z.attrs["filled"]) == 1
    with pytest.raises(ModelInputError, match=r"region\(s\) \['R3'\]"):
        region_sector_weights(W, region_of, labels, fill="error")
