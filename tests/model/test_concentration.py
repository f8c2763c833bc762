"""Hand-computed HHI / HHI_WGI and invariants of reslog.model.concentration."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reslog.errors import ModelInputError
from reslog.model.concentration import (
    calc_hhi,
    calc_hhi_wgi,
    calc_shares,
    calc_wgi_eu,
    concentration_table,
    scale_wgi_eu,
)


def _prod(d: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame({"country": list(d), "quantity": list(d.values())})


def test_shares_and_hhi_by_hand() -> None:
    # CHN 60, AUS 20, CHL 10, other 10 of a world total of 100
    s = calc_shares(_prod({"AUS": 20, "CHN": 60, "CHL": 10, "ROW": 10, "WLD": 100}))
    assert list(s.index) == ["CHN", "AUS", "CHL", "ROW"]
    assert s.to_dict() == pytest.approx({"CHN": 60, "AUS": 20, "CHL": 10, "ROW": 10})
    # ROW excluded from the sum of squares: 3600 + 400 + 100
    assert calc_hhi(s) == pytest.approx(4100.0)


def test_withheld_goes_to_residual() -> None:
    s = calc_shares(_prod({"CHN": 50, "AUS": 30, "USA": float("nan"), "WLD": 100}))
    assert "USA" not in s.index
    assert s["ROW"] == pytest.approx(20.0)
    assert calc_hhi(s) == pytest.approx(2500 + 900)


def test_world_total_rounded_below_sum_uses_sum() -> None:
    s = calc_shares(_prod({"CHN": 60, "AUS": 50, "WLD": 100}))
    assert s["CHN"] == pytest.approx(600 / 11)
    assert "ROW" not in s.index
    assert s.sum() == pytest.approx(100.0)


def test_explicit_world_total_overrides_wld_row() -> None:
    s = calc_shares(_prod({"CHN": 50, "WLD": 100}), world_total=200)
    assert s["CHN"] == pytest.approx(25.0)
    assert s["ROW"] == pytest.approx(75.0)


def test_no_world_total_uses_reported_sum() -> None:
    s = calc_shares(_prod({"CHN": 3, "AUS": 1}))
    assert s.to_dict() == pytest.approx({"CHN": 75.0, "AUS": 25.0})
    assert calc_hhi(s) == pytest.approx(75**2 + 25**2)


@pytest.mark.parametrize(
    "bad, msg",
    [({"CHN": -1.0, "AUS": 2.0}, "negative"), ({"CHN": float("nan")}, "zero or unknown")],
)
def test_bad_production_raises(bad: dict[str, float], msg: str) -> None:
    with pytest.raises(ModelInputError, match=msg):
        calc_shares(_prod(bad))


def test_duplicate_country_raises() -> None:
    df = pd.DataFrame({"country": ["CHN", "CHN"], "quantity": [1.0, 2.0]})
    with pytest.raises(ModelInputError, match="duplicate"):
        calc_shares(df)


def test_scale_wgi_eu_endpoints() -> None:
    assert scale_wgi_eu(2.5) == 0.0
    assert scale_wgi_eu(-2.5) == 10.0
    assert scale_wgi_eu(0.0) == 5.0
    assert scale_wgi_eu(1.0) == 3.0
    assert scale_wgi_eu(3.0) == 0.0  # clipped
    np.testing.assert_allclose(scale_wgi_eu(np.array([-0.5, 0.25])), [6.0, 4.5])


def test_hhi_wgi_by_hand() -> None:
    s = pd.Series({"CHN": 60.0, "AUS": 20.0, "CHL": 10.0, "ROW": 10.0})
    wgi = pd.Series({"CHN": 6.0, "AUS": 1.5, "CHL": 3.0})
    # 0.36*6 + 0.04*1.5 + 0.01*3 = 2.16 + 0.06 + 0.03
    assert calc_hhi_wgi(s, wgi) == pytest.approx(2.25)
    # export restriction of +10 % on China
    assert calc_hhi_wgi(s, wgi, trade_factor={"CHN": 1.1}) == pytest.approx(2.16 * 1.1 + 0.09)


def test_hhi_wgi_missing_country() -> None:
    s = pd.Series({"CHN": 60.0, "XKX": 40.0})
    with pytest.raises(ModelInputError, match="XKX"):
        calc_hhi_wgi(s, {"CHN": 6.0})
    assert calc_hhi_wgi(s, {"CHN": 6.0}, missing="exclude") == pytest.approx(0.36 * 6)


def test_shares_validation() -> None:
    with pytest.raises(ModelInputError, match=r"sum to"):
        calc_hhi(pd.Series({"A": 80.0, "B": 30.0}))
    with pytest.raises(ModelInputError, match="0, 100"):
        calc_hhi(pd.Series({"A": 120.0}))


def test_calc_wgi_eu_uses_latest_year_and_mean() -> None:
    rows = []
    for ind, est in zip(("va", "pv", "ge", "rq", "rl", "cc"), (0.0, 0.5, 1.0, 1.5, -0.5, 0.5)):
        rows.append(("AUS", 2022, ind, est))
        rows.append(("AUS", 2023, ind, est + 0.5))
        rows.append(("AUS", 2025, ind, 9.0))  # after the reference year: ignored
    g = pd.DataFrame(rows, columns=["country", "year", "indicator", "estimate"])
    out = calc_wgi_eu(g, 2024)
    assert out.loc["AUS", "wgi_year"] == 2023
    assert out.loc["AUS", "wgi_mean"] == pytest.approx(0.5 + 0.5)
    assert out.loc["AUS", "wgi_eu"] == pytest.approx(3.0)


def test_concentration_table_by_hand() -> None:
    prod = pd.DataFrame({
        "country": ["CHN", "AUS", "ROW", "WLD", "CHL", "PER", "WLD"],
        "commodity": ["rare_earths"] * 4 + ["copper"] * 3,
        "year": [2024] * 7,
        "stage": ["mine"] * 7,
        "quantity": [80.0, 10.0, 10.0, 100.0, 5.0, 3.0, 10.0],
        "unit": ["t REO"] * 4 + ["kt Cu"] * 3,
        "source": ["usgs"] * 7,
    })
    gov = pd.DataFrame(
        [(c, 2023, ind, e) for c, e in (("CHN", -0.5), ("AUS", 1.5)) for ind in
         ("va", "pv", "ge", "rq", "rl", "cc")],
        columns=["country", "year", "indicator", "estimate"])
    t = concentration_table(prod, gov, 2024).set_index("commodity")
    ree = t.loc["rare_earths"]
    assert ree["hhi"] == pytest.approx(6400 + 100)
    assert ree["hhi_wgi"] == pytest.approx(0.64 * 6.0 + 0.01 * 2.0)
    assert ree["n_countries"] == 2 and ree["top1"] == "CHN"
    assert ree["top_producers"].startswith("China 80.0%")
    assert ree["wgi_coverage_pct"] == pytest.approx(90.0)
    assert ree["world_total"] == pytest.approx(100.0)
    cu = t.loc["copper"]
    assert cu["hhi"] == pytest.approx(50**2 + 30**2)
    assert cu["row_share_pct"] == pytest.approx(20.0)
    assert np.isnan(cu["hhi_wgi"]) and cu["wgi_coverage_pct"] == 0.0
    assert cu["unit"] == "kt Cu"


def test_concentration_table_mixed_units_raise() -> None:
    prod = pd.DataFrame({"country": ["CHN", "AUS"], "commodity": ["x", "x"], "year": [2024, 2024],
                         "stage": ["mine", "mine"], "quantity": [1.0, 1.0], "unit": ["t", "kt"],
                         "source": ["s", "s"]})
    gov = pd.DataFrame(columns=["country", "year", "indicator", "estimate"])
    with pytest.raises(ModelInputError, match="one unit"):
        concentration_table(prod, gov, 2024)


_q = st.floats(min_value=0.0, max_value=1e6, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(_q, min_size=1, max_size=12), st.floats(min_value=0, max_value=10))
def test_hhi_invariants(qs: list[float], w: float) -> None:
    if sum(qs) <= 0:
        return
    prod = _prod({f"C{i:02d}": q for i, q in enumerate(qs)})
    s = calc_shares(prod)
    assert s.sum() == pytest.approx(100.0)
    hhi = calc_hhi(s)
    n = int((s > 0).sum())
    assert 10_000 / n - 1e-6 <= hhi <= 10_000 + 1e-6
    # a uniform WGI w scales the HHI: HHI_WGI = w · HHI / 10,000
    wgi = pd.Series(w, index=s.index)
    assert calc_hhi_wgi(s, wgi) == pytest.approx(w * hhi / 10_000, abs=1e-9)
    assert not math.isnan(hhi)


@settings(max_examples=40, deadline=None)
@given(st.lists(_q, min_size=1, max_size=8), st.floats(min_value=1.0, max_value=1e7))
def test_row_makes_hhi_lower_bound(qs: list[float], extra: float) -> None:
    if sum(qs) <= 0:
        return
    prod = _prod({f"C{i:02d}": q for i, q in enumerate(qs)})
    full = calc_shares(prod)
    with_row = calc_shares(prod, world_total=sum(qs) + extra)
    assert calc_hhi(with_row) <= calc_hhi(full) + 1e-6
    assert with_row.sum() == pytest.approx(100.0)
    assert with_row["ROW"] == pytest.approx(100.0 * extra / (sum(qs) + extra))


def test_concentration_table_latest_year_by_default() -> None:
    prod = pd.DataFrame({
        "country": ["CHN", "AUS", "CHN", "AUS"], "commodity": ["x"] * 4, "year": [2023, 2023, 2024, 2024],
        "stage": ["mine"] * 4, "quantity": [1.0, 1.0, 3.0, 1.0], "unit": ["t"] * 4, "source": ["s"] * 4})
    gov = pd.DataFrame(columns=["country", "year", "indicator", "estimate"])
    t = concentration_table(prod, gov)
    assert t["year"].tolist() == [2024]
    assert t["hhi"].iloc[0] == pytest.approx(75**2 + 25**2)
