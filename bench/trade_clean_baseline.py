"""Straightforward pandas groupby-apply implementation of the trade cleaning (the baseline).

Same method as :func:`reslog.model.trade.clean.clean_trade` (centred 5-year moving average over
calendar years, residual 2σ rule, linear interpolation of outliers, missing q from the product's
median unit value), written the obvious way: one Python call per exporter–importer–product
series. Kept here as the yardstick of ``bench/trade_clean.py`` and as an independent check of
the vectorised version's output.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _clean_series(g: pd.DataFrame, window: int = 5, n_sigma: float = 2.0, min_years: int = 5,
                  sigma_rtol: float = 1e-9) -> pd.DataFrame:
    s = g.set_index("t")["q_filled"].sort_index()
    full = s.reindex(range(int(s.index.min()), int(s.index.max()) + 1))
    ma = full.rolling(window, center=True, min_periods=1).mean().reindex(s.index)
    obs = s.notna()
    r = (s - ma)[obs]
    sigma = r.std(ddof=1)
    flag = pd.Series(False, index=s.index)
    if obs.sum() >= min_years and pd.notna(sigma) and sigma > sigma_rtol * s[obs].abs().mean():
        flag[obs] = (r.abs() > n_sigma * sigma).to_numpy()
    clean = s.copy()
    if flag.any():
        tmp = s.where(~flag)
        good = tmp.notna()
        clean[flag] = np.interp(s.index[flag].to_numpy(float), s.index[good].to_numpy(float),
                                tmp[good].to_numpy(float))
    return pd.DataFrame({"t": s.index.to_numpy(), "q_clean": clean.to_numpy(),
                         "outlier": flag.to_numpy()})


def clean_trade_baseline(trade: pd.DataFrame) -> pd.DataFrame:
    """Baseline cleaning: groupby(i, j, k).apply(per-series function)."""
    df = trade.copy()
    ok = (df["q"] > 0) & (df["v"] > 0)
    uv = (df.loc[ok, "v"] / df.loc[ok, "q"]).groupby([df.loc[ok, "k"], df.loc[ok, "t"]]).median()
    uv_all = (df.loc[ok, "v"] / df.loc[ok, "q"]).groupby(df.loc[ok, "k"]).median()
    est = df["q"].isna()

    def unit_value(row: pd.Series) -> float:
        key = (row["k"], row["t"])
        if key in uv.index:
            return float(uv.loc[key])
        return float(uv_all.get(row["k"], np.nan))

    df["q_filled"] = df["q"]
    if est.any():
        df.loc[est, "q_filled"] = df.loc[est, "v"] / df.loc[est].apply(unit_value, axis=1)
    df["q_estimated"] = est & df["q_filled"].notna()
    res = (df.groupby(["i", "j", "k"], group_keys=True)[["t", "q_filled"]]
           .apply(_clean_series).reset_index(level=[0, 1, 2]))
    return df.drop(columns="q_filled").merge(res, on=["i", "j", "k", "t"], how="left")
