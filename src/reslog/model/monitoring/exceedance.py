"""Guideline exceedances per reading and per averaging period, grouped into episodes (pure).

For a guideline row (``limit_type`` max/min, ``value`` in the parameter's canonical unit,
``averaging`` sample/hour/day/month) and one sensor's QC-clean readings:

* ``sample``: every reading with ``x > L`` (max) or ``x < L`` (min) is an exceedance;
* ``hour``/``day``/``month``: the mean of the readings in each calendar period (UTC) is compared
  with ``L``; the period is the exceedance.

Consecutive exceedances of the same sensor and guideline less than ``merge_gap`` apart form one
**episode** (start, end, peak value, peak ratio ``x/L`` for max limits or ``L/x`` for min limits,
number of exceeding readings/periods). An episode becomes one pollution risk event.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

_FREQ = {"hour": "h", "day": "D", "month": "MS"}


def calc_exceedances(t: np.ndarray, x: np.ndarray, limit: float, limit_type: str,
                     averaging: str) -> pd.DataFrame:
    """Exceeding readings or periods: columns ``start, end, value, n``."""
    s = pd.Series(np.asarray(x, float), index=pd.DatetimeIndex(t)).dropna()
    if s.empty:
        return pd.DataFrame(columns=["start", "end", "value", "n"])
    if averaging == "sample":
        v = s
        start = v.index
        end = v.index
        n = np.ones(len(v), int)
    else:
        freq = _FREQ[averaging]
        g = s.resample(freq)
        v = g.mean().dropna()
        n = g.count().reindex(v.index).to_numpy()
        start = v.index
        end = v.index + pd.tseries.frequencies.to_offset(freq)
    hit = v.to_numpy() > limit if limit_type == "max" else v.to_numpy() < limit
    return pd.DataFrame({"start": np.asarray(start)[hit], "end": np.asarray(end)[hit],
                         "value": v.to_numpy()[hit], "n": np.asarray(n)[hit]})


def calc_episodes(exc: pd.DataFrame, limit: float, limit_type: str,
                  merge_gap: pd.Timedelta = pd.Timedelta(days=1)) -> pd.DataFrame:
    """Merge exceedances less than ``merge_gap`` apart: ``start, end, peak, ratio, n``."""
    if exc.empty:
        return pd.DataFrame(columns=["start", "end", "peak", "ratio", "n"])
    e = exc.sort_values("start").reset_index(drop=True)
    new = np.r_[True, (e["start"].to_numpy()[1:] - e["end"].to_numpy()[:-1]) > merge_gap.to_timedelta64()]
    grp = np.cumsum(new)
    agg = e.groupby(grp).agg(start=("start", "min"), end=("end", "max"), n=("n", "sum"),
                             vmax=("value", "max"), vmin=("value", "min"))
    if limit_type == "max":
        agg["peak"] = agg["vmax"]
        agg["ratio"] = agg["vmax"] / limit if limit else np.inf
    else:
        agg["peak"] = agg["vmin"]
        agg["ratio"] = np.where(agg["vmin"] != 0, limit / agg["vmin"].where(agg["vmin"] != 0, np.nan), np.inf)
    return agg[["start", "end", "peak", "ratio", "n"]].reset_index(drop=True)


def severity_of_ratio(ratio: float) -> float:
    """Event severity in [0, 1] from the peak ratio to the limit: ``0.3 + 0.35·log10(1 + r)``,
    capped at 1 (r = 1 → 0.41, 10 → 0.66, 100 → 1.0)."""
    if not np.isfinite(ratio):
        return 1.0
    return float(min(1.0, 0.3 + 0.35 * np.log10(1.0 + max(ratio, 0.0))))
