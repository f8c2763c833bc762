"""Trade cleaning: hand-made series with known answers, edge cases, and a per-series reference."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reslog.errors import ModelInputError
from reslog.model.trade.clean import (
    CleaningParams,
    calc_moving_average,
    clean_trade,
    estimate_missing_quantity,
    partition_by_product,
)


def frame(qs, years=None, i=1, j=2, k=260500, v=None):
    years = list(range(2000, 2000 + len(qs))) if years is None else years
    return pd.DataFrame({"t": years, "i": i, "j": j, "k": k,
                         "v": v if v is not None else [1.0] * len(qs), "q": qs})


def test_spike_is_flagged_and_interpolated():
    q = [10.0, 10.0, 10.0, 100.0, 10.0, 10.0, 10.0]
    out = clean_trade(frame(q))
    # MA at 2003 = (10+10+100+10+10)/5 = 28 → residual 72; other residuals are ≤ 18
    assert out["outlier"].tolist() == [False, False, False, True, False, False, False]
    assert out["q_clean"].tolist() == [10.0] * 7
    assert out["q"].tolist() == q  # raw kept


def test_interpolation_is_linear_in_time_across_gaps():
    years = [2000, 2001, 2002, 2004, 2005, 2006, 2007]
    q = [10.0, 11.0, 12.0, 500.0, 15.0, 16.0, 17.0]
    out = clean_trade(frame(q, years))
    assert out["outlier"].tolist() == [False, False, False, True, False, False, False]
    # between 2002 (12) and 2005 (15): 2004 → 12 + 3 * 2/3 = 14
    assert out.loc[3, "q_clean"] == pytest.approx(14.0)


def test_end_outlier_takes_nearest_valid_value():
    q = [10.0, 10.0, 11.0, 10.0, 10.0, 11.0, 200.0]
    out = clean_trade(frame(q))
    assert out["outlier"].iloc[-1]
    assert out["q_clean"].iloc[-1] == 11.0


def test_moving_average_is_centred_truncated_and_skips_absent_years():
    sid = np.zeros(5, dtype=np.int64)
    t = np.array([2000, 2001, 2003, 2004, 2010])
    q = np.array([1.0, 2.0, 4.0, 8.0, 100.0])
    ma = calc_moving_average(sid, t, q, 5, centred=True)
    # 2000: {2000,2001} → 1.5; 2001: {2000,2001,2003} → 7/3; 2003: {2001,2003,2004} → 14/3
    # 2004: {2003,2004} → 6; 2010: alone → 100
    assert ma == pytest.approx([1.5, 7 / 3, 14 / 3, 6.0, 100.0])
    trailing = calc_moving_average(sid, t, q, 3, centred=False)
    # 2003: {2001, 2003} (2002 absent) → 3; 2010 alone
    assert trailing == pytest.approx([1.0, 1.5, 3.0, 6.0, 100.0])


def test_short_series_and_constant_series_are_never_flagged():
    short = clean_trade(frame([1.0, 1.0, 50.0, 1.0]))  # 4 < min_years 5
    assert not short["outlier"].any()
    const = clean_trade(frame([0.1] * 9))  # σ = 0 up to rounding
    assert not const["outlier"].any()
    assert const["q_clean"].tolist() == [0.1] * 9


def test_missing_quantity_from_product_median_unit_value():
    df = pd.DataFrame({
        "t": [2020, 2020, 2020, 2020, 2021],
        "i": [1, 3, 4, 5, 5], "j": [2, 2, 2, 2, 2], "k": [260500] * 5,
        "v": [10.0, 30.0, 80.0, 50.0, 12.0], "q": [5.0, 10.0, np.nan, 10.0, np.nan],
    })
    q, est = estimate_missing_quantity(df)
    # 2020 unit values 2, 3, 5 → median 3 → 80 / 3; 2021 has none → all-years median 3 → 4
    assert est.tolist() == [False, False, True, False, True]
    assert q[2] == pytest.approx(80 / 3)
    assert q[4] == pytest.approx(4.0)
    out = clean_trade(df)
    assert out["q_estimated"].tolist() == est.tolist()


def test_product_without_any_unit_value_keeps_nan():
    df = frame([np.nan, np.nan], v=[1.0, 2.0])
    out = clean_trade(df)
    assert out["q_clean"].isna().all() and not out["q_estimated"].any()


def test_bad_input_is_named():
    with pytest.raises(ModelInputError, match="negative q"):
        clean_trade(frame([1.0, -2.0]))
    dup = pd.concat([frame([1.0]), frame([2.0])])
    with pytest.raises(ModelInputError, match="duplicate key t=2000"):
        clean_trade(dup)
    with pytest.raises(ModelInputError, match="lacks column"):
        clean_trade(frame([1.0]).drop(columns="v"))
    with pytest.raises(ModelInputError, match="odd"):
        CleaningParams(window=4)


def reference(df: pd.DataFrame, p: CleaningParams) -> pd.DataFrame:
    """Per-series loop written from the definition (independent of the vectorised code)."""
    rows = []
    for _, g in df.groupby(["i", "j", "k"]):
        g = g.sort_values("t")
        t, q = g["t"].to_numpy(), g["q"].to_numpy(float)
        h = (p.window - 1) // 2
        ma = np.array([q[np.abs(t - tt) <= h].mean() for tt in t])
        r = q - ma
        flag = np.zeros(len(q), bool)
        margin = np.full(len(q), np.inf)  # |r| / threshold: ties (≈ 1) may round either way
        floor = p.sigma_rtol * np.abs(q).mean()
        if p.scale == "sd":
            sigma = r.std(ddof=1) if len(r) > 1 else np.nan
            if len(q) >= p.min_years and sigma > floor:
                flag = np.abs(r) > p.n_sigma * sigma
                margin = np.abs(r) / (p.n_sigma * sigma)
        elif len(q) >= p.min_years:  # leave-one-out σ, written as a loop
            for m in range(len(q)):
                others = np.delete(r, m)
                thr = max(p.n_sigma * others.std(ddof=1), floor)
                flag[m] = abs(r[m]) > thr
                margin[m] = abs(r[m]) / thr if thr > 0 else np.inf
        clean = q.copy()
        if flag.any():
            clean[flag] = np.interp(t[flag], t[~flag], q[~flag])
        rows.append(g.assign(q_clean=clean, outlier=flag, margin=margin))
    return pd.concat(rows)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(1995, 2010),
                          st.floats(0.0, 1e4, allow_nan=False)), min_size=1, max_size=60),
       st.sampled_from(["loo", "sd"]))
def test_vectorised_equals_definition(rows, scale):
    df = pd.DataFrame(rows, columns=["k", "t", "q"]).drop_duplicates(["k", "t"])
    df = df.assign(i=1, j=2, v=1.0)
    p = CleaningParams(scale=scale)
    got = clean_trade(df, p).sort_values(["k", "t"])
    ref = reference(df, p).sort_values(["k", "t"])
    differ = got["outlier"].to_numpy() != ref["outlier"].to_numpy()
    # only exact ties |r| = threshold (e.g. residuals [0, 0, 0, a, −a]) may round either way
    assert (np.abs(ref["margin"].to_numpy()[differ] - 1) < 1e-9).all()
    if not differ.any():
        np.testing.assert_allclose(got["q_clean"], ref["q_clean"], rtol=1e-9, atol=1e-9)


def test_partition_by_chapter_gives_the_same_result():
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"t": np.tile(np.arange(2000, 2010), 6), "i": 1, "j": 2,
                       "k": np.repeat([260500, 260400, 282200, 282540, 810520, 850760], 10),
                       "v": rng.uniform(1, 2, 60), "q": rng.lognormal(0, 1, 60)})
    whole = clean_trade(df).sort_values(["k", "t"]).reset_index(drop=True)
    parts = pd.concat([clean_trade(p) for p in partition_by_product(df).values()])
    parts = parts.sort_values(["k", "t"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(whole, parts)


@pytest.mark.parametrize("q", [[1.0, 1.0, 1.0, 1.0, 100.0], [1.0, 1.0, 100.0, 1.0, 1.0],
                               [1.0, 1.0, 1.0, 1.0, 1.0, 100.0]])
def test_short_series_spike_is_flagged(q):
    # the published single-σ rule cannot fire here: |r_t| ≤ (n−1)/√n·σ = 1.79σ (n=5), 2.04σ (n=6)
    spike = int(np.argmax(q))
    for scale in ("loo", "mad"):
        out = clean_trade(frame(q), CleaningParams(scale=scale))
        assert out["outlier"].tolist() == [k == spike for k in range(len(q))], scale
        assert out["q_clean"].iloc[spike] == pytest.approx(1.0)
    if len(q) == 5:
        assert not clean_trade(frame(q), CleaningParams(scale="sd"))["outlier"].any()


def test_samuelson_cap_of_the_published_rule():
    # the largest standardised deviation one point of n can reach is (n−1)/√n
    for n in (5, 6):
        r = np.array([-1.0] * (n - 1) + [n - 1.0])
        assert abs(r[-1] - r.mean()) / r.std(ddof=1) == pytest.approx((n - 1) / np.sqrt(n))
