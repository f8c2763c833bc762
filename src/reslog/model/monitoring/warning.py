"""Early warning for one sensor: seasonal baseline + robust anomaly score, change points, and a
short-term forecast with a prediction interval that says when the guideline will be crossed.

All three work on the **hourly median** of the sensor's QC-clean readings, and all are *causal*:
the value at hour ``t`` uses only data up to ``t``.

1. **Seasonal baseline and robust score.** For hour-of-day ``h`` on day ``d`` the baseline is the
   median of the values at hour ``h`` on the previous ``W`` days (default 14; the diurnal cycle
   of temperature, pumping, discharge …); the scale is ``σ = 1.4826 · MAD`` of the residuals
   (value − baseline) of those ``W`` days, floored at ``floor_rel`` × the baseline level. The
   anomaly score is ``z = (x − baseline) / σ``.
2. **Change points.** ``ruptures`` PELT with an L2 cost on the standardised last ``cp_hours``
   (72) hours, penalty ``β = 3·ln n`` (BIC-like); a change point whose later segment mean is
   above the earlier one (for a max limit) is an *upward shift*.
3. **Forecast.** ``statsmodels`` OLS of the last ``fit_hours`` (36) hourly values on time; the
   forecast and its ``1 − α`` (90 %) prediction interval over ``horizon_hours`` (72) say when the
   guideline is expected to be crossed: ``t_cross`` is the first hour the point forecast reaches
   the limit, ``t_cross_early`` the first hour the upper prediction bound does.

Decision at each hour (:func:`calc_warning_series`):

* ``anomaly`` — ``z ≥ z_on`` for ``persist`` consecutive hours (default 4 for 3 h), or an upward
  change point in the last 24 h with the latest ``z ≥ z_on / 2``;
* ``warning`` — an anomaly **and** a forecast crossing within the horizon (``t_cross`` set), or
  the value already above the guideline while anomalous;
* ``normal`` otherwise. The forecast is fitted only while an anomaly holds (cheap, and a trend
  in normal data is not extrapolated into alarms).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

NORMAL, ANOMALY, WARNING = 0, 1, 2
STATES = {NORMAL: "normal", ANOMALY: "anomaly", WARNING: "warning"}


@dataclass(frozen=True)
class WarningConfig:
    """Thresholds of the early-warning rules (module docstring)."""

    window_days: int = 14
    floor_rel: float = 0.05
    z_on: float = 4.0
    persist: int = 3
    cp_hours: int = 72
    fit_hours: int = 36
    horizon_hours: int = 72
    alpha: float = 0.10
    min_days: int = 7


@dataclass
class Forecast:
    """A forecast at one hour: crossing times (NaT when none in the horizon) and the path."""

    t_cross: pd.Timestamp | None
    t_cross_early: pd.Timestamp | None
    times: pd.DatetimeIndex
    mean: np.ndarray
    lower: np.ndarray
    upper: np.ndarray


def hourly(times: np.ndarray, values: np.ndarray, min_count: int = 3) -> pd.Series:
    """Hourly medians on a regular index. An hour with fewer than ``min_count`` QC-clean
    readings (e.g. when QC rejected most of them) is NaN: too little to judge."""
    s = pd.Series(np.asarray(values, float), index=pd.DatetimeIndex(times))
    r = s.resample("h")
    med, cnt = r.median(), r.count()
    return med.where(cnt >= min_count)


def calc_baseline(s: pd.Series, cfg: WarningConfig = WarningConfig()) -> tuple[np.ndarray, np.ndarray]:
    """Causal diurnal baseline and robust scale per hour of an hourly series (see docstring)."""
    idx = s.index
    day = idx.normalize()
    d0 = day[0]
    dn = ((day - d0).days).to_numpy()
    hh = idx.hour.to_numpy()
    nd = int(dn.max()) + 1
    M = np.full((nd, 24), np.nan)
    M[dn, hh] = s.to_numpy()
    W = cfg.window_days
    base_d = np.full((nd, 24), np.nan)
    scale_d = np.full(nd, np.nan)
    for d in range(nd):
        lo = max(0, d - W)
        if d - lo < cfg.min_days:
            continue
        block = M[lo:d]
        with np.errstate(all="ignore"):
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                b = np.nanmedian(block, axis=0)
                res = block - b
                mad = np.nanmedian(np.abs(res - np.nanmedian(res)))
                level = np.nanmedian(np.abs(b))
        base_d[d] = b
        scale_d[d] = max(1.4826 * mad, cfg.floor_rel * level, 1e-12)
    return base_d[dn, hh], scale_d[dn]


def calc_change_points(x: np.ndarray, pen_factor: float = 3.0, min_size: int = 6) -> list[int]:
    """ruptures PELT (L2) change points of a standardised series (indices where a segment ends,
    the series length excluded)."""
    import ruptures as rpt

    x = np.asarray(x, float)
    x = x[np.isfinite(x)]
    n = len(x)
    if n < 2 * min_size:
        return []
    algo = rpt.Pelt(model="l2", min_size=min_size, jump=1).fit(x.reshape(-1, 1))
    bkps = algo.predict(pen=pen_factor * np.log(n))
    return [b for b in bkps if b < n]


def calc_forecast(s: pd.Series, limit: float, limit_type: str = "max",
                  cfg: WarningConfig = WarningConfig()) -> Forecast:
    """OLS trend forecast of the last ``fit_hours`` with a ``1 − alpha`` prediction interval."""
    import statsmodels.api as sm

    y = s.iloc[-cfg.fit_hours:].dropna()
    if len(y) < 6:
        empty = pd.DatetimeIndex([])
        return Forecast(None, None, empty, np.array([]), np.array([]), np.array([]))
    t_last = s.index[-1]
    th = ((y.index - t_last) / pd.Timedelta(hours=1)).to_numpy(float)
    X = sm.add_constant(th)
    fit = sm.OLS(y.to_numpy(float), X).fit()
    h = np.arange(1, cfg.horizon_hours + 1, dtype=float)
    pr = fit.get_prediction(sm.add_constant(h, has_constant="add")).summary_frame(alpha=cfg.alpha)
    mean = pr["mean"].to_numpy()
    lo, hi = pr["obs_ci_lower"].to_numpy(), pr["obs_ci_upper"].to_numpy()
    times = pd.DatetimeIndex(t_last + pd.to_timedelta(h, unit="h"))
    if limit_type == "max":
        c, ce = np.flatnonzero(mean >= limit), np.flatnonzero(hi >= limit)
    else:
        c, ce = np.flatnonzero(mean <= limit), np.flatnonzero(lo <= limit)
    return Forecast(times[c[0]] if len(c) else None, times[ce[0]] if len(ce) else None,
                    times, mean, lo, hi)


def calc_warning_series(s: pd.Series, limit: float, limit_type: str = "max",
                        cfg: WarningConfig = WarningConfig()) -> pd.DataFrame:
    """State per hour of an hourly series: ``z, state, t_cross, t_cross_early, change_point``."""
    base, scale = calc_baseline(s, cfg)
    x = s.to_numpy(float)
    sign = 1.0 if limit_type == "max" else -1.0
    z = sign * (x - base) / scale
    high = np.nan_to_num(z, nan=-np.inf) >= cfg.z_on
    run = np.zeros(len(z), int)
    for i in range(len(z)):
        run[i] = run[i - 1] + 1 if (high[i] and i > 0) else (1 if high[i] else 0)
    state = np.zeros(len(z), np.int8)
    t_cross = np.full(len(z), np.datetime64("NaT"), dtype="datetime64[ns]")
    t_early = t_cross.copy()
    cp_flag = np.zeros(len(z), bool)
    above = np.nan_to_num(sign * (x - limit), nan=-np.inf) > 0
    for i in np.flatnonzero(np.nan_to_num(z, nan=-np.inf) >= cfg.z_on / 2):
        anomalous = run[i] >= cfg.persist
        if not anomalous:
            lo = max(0, i - cfg.cp_hours + 1)
            seg = z[lo:i + 1]
            cps = calc_change_points(seg)
            if cps:
                b = cps[-1]
                fin = seg[np.isfinite(seg)]
                if len(fin) - b <= 24 and np.nanmean(fin[b:]) > np.nanmean(fin[:b]):
                    cp_flag[i] = True
                    anomalous = True
        if not anomalous:
            continue
        state[i] = ANOMALY
        if above[i]:
            state[i] = WARNING
            continue
        fc = calc_forecast(s.iloc[:i + 1], limit, limit_type, cfg)
        if fc.t_cross is not None:
            state[i] = WARNING
            t_cross[i] = np.datetime64(fc.t_cross)
        if fc.t_cross_early is not None:
            t_early[i] = np.datetime64(fc.t_cross_early)
    return pd.DataFrame({"value": x, "baseline": base, "z": z, "state": state,
                         "t_cross": t_cross, "t_cross_early": t_early, "change_point": cp_flag},
                        index=s.index)
