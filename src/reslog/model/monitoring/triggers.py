"""Tailings-facility trigger levels (green / amber / red) in the manner of GISTM Principle 7.

The Global Industry Standard on Tailings Management (ICMM, UNEP, PRI 2020), Requirement 7.2 and
7.3, asks for a performance-monitoring programme with *trigger levels* set by the Engineer of
Record from the design, each tied to a *trigger action response plan* (TARP). GISTM gives no
numbers: the levels are site- and instrument-specific, so reslog reads them from the sensor
registry (``trigger_amber``, ``trigger_red``) and only evaluates them.

* ``trigger_basis = "level"``: the reading itself (e.g. piezometric pressure, kPa).
* ``trigger_basis = "rate"``: the rate of change per day (e.g. displacement, mm/day), the
  ordinary-least-squares slope of the QC-clean readings over a trailing window (default 24 h,
  at least 3 readings).

A reading is **red** when the value ≥ red level, **amber** when ≥ amber level, else **green**.
Consecutive amber/red readings less than ``merge_gap`` apart form one episode; its level is the
highest reached.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

GREEN, AMBER, RED = 0, 1, 2
LEVELS = {GREEN: "green", AMBER: "amber", RED: "red"}

#: Trigger action response plan (TARP) summary per level (docs/monitoring.md cites GISTM 7.3).
TARP = {
    "green": "Normal operation: routine monitoring and reporting.",
    "amber": "Increase monitoring frequency, inspect the facility, verify the instrument, notify "
             "the Engineer of Record and the Responsible Tailings Facility Engineer, review the "
             "trend against the design and prepare the red-level actions.",
    "red": "Implement the emergency preparedness and response plan: stop deposition as required, "
           "notify the accountable executive, authorities and potentially affected communities, "
           "take the pre-defined risk-reducing actions.",
}


def calc_rate_per_day(t: np.ndarray, x: np.ndarray, window: pd.Timedelta = pd.Timedelta(hours=24),
                      min_n: int = 3) -> np.ndarray:
    """Trailing-window OLS slope of ``x`` (units per day) at each reading; NaN when too few."""
    n = len(x)
    out = np.full(n, np.nan)
    if n == 0:
        return out
    ms = t.astype("datetime64[ms]").astype(np.int64)
    ts = (ms - ms[0]) / 86_400_000.0  # days since the first reading (keeps the sums well-conditioned)
    w = window / pd.Timedelta(days=1)
    lo = np.searchsorted(ts, ts - w, side="left")
    cs = np.cumsum(np.r_[0.0, ts])
    cx = np.cumsum(np.r_[0.0, x])
    ctt = np.cumsum(np.r_[0.0, ts * ts])
    ctx = np.cumsum(np.r_[0.0, ts * x])
    hi = np.arange(1, n + 1)
    m = hi - lo
    st, sx, stt, stx = cs[hi] - cs[lo], cx[hi] - cx[lo], ctt[hi] - ctt[lo], ctx[hi] - ctx[lo]
    den = m * stt - st * st
    with np.errstate(invalid="ignore", divide="ignore"):
        slope = (m * stx - st * sx) / den
    ok = (m >= min_n) & (np.abs(den) > 1e-12)
    out[ok] = slope[ok]
    return out


def calc_trigger_levels(metric: np.ndarray, amber: float, red: float) -> np.ndarray:
    """GREEN/AMBER/RED per reading of ``metric`` (NaN → GREEN; NaN thresholds are ignored)."""
    lev = np.zeros(len(metric), np.int8)
    m = np.nan_to_num(metric, nan=-np.inf)
    if np.isfinite(amber):
        lev[m >= amber] = AMBER
    if np.isfinite(red):
        lev[m >= red] = RED
    return lev


def calc_trigger_episodes(t: np.ndarray, metric: np.ndarray, levels: np.ndarray,
                          merge_gap: pd.Timedelta = pd.Timedelta(hours=6)) -> pd.DataFrame:
    """Episodes of amber or red: ``start, end, level, peak`` (peak of the metric)."""
    idx = np.flatnonzero(levels >= AMBER)
    if len(idx) == 0:
        return pd.DataFrame(columns=["start", "end", "level", "peak"])
    tt = t[idx].astype("datetime64[ms]")
    new = np.r_[True, np.diff(tt) > merge_gap.to_timedelta64()]
    g = np.cumsum(new)
    df = pd.DataFrame({"g": g, "t": tt, "lev": levels[idx], "m": metric[idx]})
    a = df.groupby("g").agg(start=("t", "min"), end=("t", "max"), lev=("lev", "max"), peak=("m", "max"))
    a["level"] = a["lev"].map(LEVELS)
    return a[["start", "end", "level", "peak"]].reset_index(drop=True)
