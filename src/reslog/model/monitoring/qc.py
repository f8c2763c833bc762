"""Quality control of sensor readings: range, stuck, spike, gap and drift flags (pure numerics).

Each check returns a boolean mask over the readings of **one sensor sorted by time**; the flags
are OR-ed into a bitmask (:data:`FLAGS`) that is stored beside the raw value, never instead of it.

Rules (defaults in :class:`QCConfig`; docs/monitoring.md explains the choice)
--------------------------------------------------------------------------
* **range** (1): ``value < lo`` or ``value > hi``, where ``lo/hi`` are the sensor's
  ``range_lo/range_hi`` or, when absent, the parameter's physically possible range.
* **stuck** (2): a run of at least ``n = max(stuck_min_n, ceil(stuck_min_s / Δt))`` consecutive
  readings whose values are *identical* (``|x_i - x_{i-1}| <= stuck_eps``); every reading of the
  run is flagged. Δt is the sensor's nominal interval. Real sensors have noise in the last digit;
  a value that does not move for an hour has stopped measuring.
* **spike** (4): Hampel filter, twice. With the centred window of ``2k+1`` readings, median
  ``m_i`` and ``MAD_i``, a reading is a spike when ``|x_i - m_i| > t · max(1.4826 · MAD_i,
  floor_i)`` with ``floor_i = spike_floor_rel · |m_i| + spike_floor_abs``; once with ``k = 5``
  and once with ``k = 18`` (3 h at 10 min), so that a dense burst of spikes, which takes over the
  short window's median, is still caught. A level shift lasting more than ``k`` readings is *not*
  a spike (the median follows it), so a real spill lasting more than 3 hours is not hidden; a
  pulse shorter than that is indistinguishable from a spike burst.
* **gap** (8): the first reading after a silence longer than ``gap_factor · Δt``.
* **drift** (16): only for a sensor with a co-located ``reference_sensor``: the Theil–Sen slope of
  the daily median difference ``x - x_ref`` over a trailing ``drift_days`` window exceeds
  ``drift_tol_per_day`` (units per day); all readings of that window are flagged. Without a
  reference, drift cannot be told apart from a real trend, so it is not judged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

RANGE, STUCK, SPIKE, GAP, DRIFT = 1, 2, 4, 8, 16
FLAGS = {"range": RANGE, "stuck": STUCK, "spike": SPIKE, "gap": GAP, "drift": DRIFT}
#: Flags that make a reading unusable for exceedances, warning and triggers (a gap flag does not:
#: the reading after a silence is a good reading).
BAD = RANGE | STUCK | SPIKE | DRIFT


@dataclass(frozen=True)
class QCConfig:
    """Thresholds of the QC rules (see the module docstring)."""

    stuck_min_n: int = 6
    stuck_min_s: float = 3600.0
    stuck_eps: float = 0.0
    spike_k: int = 5
    spike_k_long: int = 18
    spike_t: float = 6.0
    spike_floor_rel: float = 0.01
    spike_floor_abs: float = 1e-9
    gap_factor: float = 3.0
    drift_days: float = 7.0


def nominal_interval(t: np.ndarray) -> float:
    """Median time step in seconds of ``t`` (``datetime64``), NaN for < 2 readings."""
    if len(t) < 2:
        return float("nan")
    d = np.diff(t.astype("datetime64[ms]").astype(np.int64)) / 1e3
    return float(np.median(d))


def check_range(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Readings outside ``[lo, hi]`` (NaN bounds are open)."""
    bad = np.zeros(len(x), bool)
    if np.isfinite(lo):
        bad |= x < lo
    if np.isfinite(hi):
        bad |= x > hi
    return bad


def check_stuck(x: np.ndarray, min_run: int, eps: float = 0.0) -> np.ndarray:
    """Readings in a run of ≥ ``min_run`` consecutive (near-)identical values."""
    n = len(x)
    if n == 0:
        return np.zeros(0, bool)
    same = np.r_[False, np.abs(np.diff(x)) <= eps]
    run_id = np.cumsum(~same)
    sizes = np.bincount(run_id)
    return sizes[run_id] >= min_run


def check_spike(x: np.ndarray, k: int, t: float, floor_rel: float, floor_abs: float) -> np.ndarray:
    """Hampel filter on a centred window of ``2k+1`` readings."""
    n = len(x)
    if n < 2 * k + 1:
        return np.zeros(n, bool)
    s = pd.Series(x)  # NaN readings are left out of the windows
    med = s.rolling(2 * k + 1, center=True, min_periods=k + 1).median()
    mad = (s - med).abs().rolling(2 * k + 1, center=True, min_periods=k + 1).median()
    scale = np.maximum(1.4826 * mad.to_numpy(), floor_rel * np.abs(med.to_numpy()) + floor_abs)
    dev = np.abs(x - med.to_numpy())
    with np.errstate(invalid="ignore"):
        return np.nan_to_num(dev > t * scale, nan=False).astype(bool)


def check_gap(t: np.ndarray, interval_s: float, factor: float) -> np.ndarray:
    """The first reading after a silence longer than ``factor · interval_s``."""
    if len(t) < 2 or not np.isfinite(interval_s):
        return np.zeros(len(t), bool)
    d = np.diff(t.astype("datetime64[ms]").astype(np.int64)) / 1e3
    return np.r_[False, d > factor * interval_s]


def theil_sen_slope(days: np.ndarray, y: np.ndarray) -> float:
    """Theil–Sen slope of ``y`` against ``days`` (units per day); NaN for < 3 points."""
    ok = np.isfinite(y)
    if ok.sum() < 3:
        return float("nan")
    return float(stats.theilslopes(y[ok], days[ok]).slope)


def check_drift(t: np.ndarray, x: np.ndarray, t_ref: np.ndarray, x_ref: np.ndarray,
                tol_per_day: float, window_days: float) -> np.ndarray:
    """Readings in a trailing window where the sensor drifts from its reference by more than
    ``tol_per_day`` (Theil–Sen slope of the daily median difference)."""
    flags = np.zeros(len(t), bool)
    if len(t) == 0 or len(t_ref) == 0 or not np.isfinite(tol_per_day):
        return flags
    a = pd.Series(x, index=pd.DatetimeIndex(t)).resample("1D").median()
    b = pd.Series(x_ref, index=pd.DatetimeIndex(t_ref)).resample("1D").median()
    d = (a - b).dropna()
    if len(d) < 3:
        return flags
    days = (d.index - d.index[0]).days.to_numpy(dtype=float)
    w = int(max(3, round(window_days)))
    tt = pd.DatetimeIndex(t)
    for end in range(w - 1, len(d)):
        sl = theil_sen_slope(days[end - w + 1:end + 1], d.to_numpy()[end - w + 1:end + 1])
        if np.isfinite(sl) and abs(sl) > tol_per_day:
            lo = d.index[end - w + 1]
            hi = d.index[end] + pd.Timedelta(days=1)
            flags |= np.asarray((tt >= lo) & (tt < hi))
    return flags


def calc_qc_flags(t: np.ndarray, x: np.ndarray, *, lo: float, hi: float, interval_s: float | None,
                  cfg: QCConfig = QCConfig(), ref: tuple[np.ndarray, np.ndarray] | None = None,
                  drift_tol_per_day: float | None = None) -> np.ndarray:
    """Bitmask of QC flags for one sensor's readings sorted by time.

    Parameters
    ----------
    t : datetime64 times (sorted ascending). x : values in the canonical unit.
    lo, hi : valid range. interval_s : nominal interval (s); None → median step.
    ref : ``(t_ref, x_ref)`` of a co-located reference sensor, for the drift check.
    """
    x = np.asarray(x, float)
    flags = np.zeros(len(x), np.int32)
    if len(x) == 0:
        return flags
    dt = interval_s if interval_s and np.isfinite(interval_s) else nominal_interval(t)
    flags[check_range(x, lo, hi)] |= RANGE
    run = max(cfg.stuck_min_n, int(np.ceil(cfg.stuck_min_s / dt))) if np.isfinite(dt) and dt > 0 \
        else cfg.stuck_min_n
    flags[check_stuck(x, run, cfg.stuck_eps)] |= STUCK
    # Spikes are judged among the readings not already flagged (a stuck run would make MAD zero).
    xs = np.where(flags & (RANGE | STUCK), np.nan, x)
    spikes = check_spike(xs, cfg.spike_k, cfg.spike_t, cfg.spike_floor_rel, cfg.spike_floor_abs)
    if cfg.spike_k_long:  # a dense burst defeats the short window; the long one still sees it
        spikes |= check_spike(xs, cfg.spike_k_long, cfg.spike_t, cfg.spike_floor_rel, cfg.spike_floor_abs)
    flags[spikes] |= SPIKE
    flags[check_gap(t, dt, cfg.gap_factor)] |= GAP
    if ref is not None and drift_tol_per_day is not None:
        flags[check_drift(t, x, ref[0], ref[1], drift_tol_per_day, cfg.drift_days)] |= DRIFT
    return flags


def describe_flags(flags: int) -> list[str]:
    """Names of the flags set in ``flags``."""
    return [k for k, v in FLAGS.items() if flags & v]
