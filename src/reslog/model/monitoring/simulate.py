"""Simulated sensor records with known incidents, for the early-warning evaluation (pure).

A dissolved-arsenic sensor reporting every 10 minutes for ``days`` days around a guideline of
0.01 mg/L (WHO): background ``bg`` ~ U(0.002, 0.004) mg/L with a diurnal cycle (±10 %), AR(1)
process noise (φ = 0.95, sd 4 % of bg) and measurement noise (sd 3 % of bg), quantised to the
sensor resolution 0.0001 mg/L. Incidents start at a random time ``t0`` between day 28 and day 40:

* ``breakthrough`` — a slow contaminant breakthrough: logistic rise
  ``bg + A / (1 + exp(−(t − t_mid)/τ))`` with ``A`` ~ U(0.02, 0.04), ``τ`` ~ U(0.6, 1.5) days and
  ``t_mid = t0 + 4τ``: the guideline is crossed days after the rise begins;
* ``spill`` — a sudden spill: a jump of ``A`` ~ U(0.03, 0.08) at ``t0`` decaying with a half-life
  of 1 day;
* ``fault`` — a sensor fault that must not alarm: one of (a) stuck at a high value 0.02–0.05
  for 12 h, (b) a burst of spikes (10 % of readings ×5–×20) for 2 days, (c) a drop-out to the
  logger's error value −9999 for 6 h, then back to the true background;
* ``none`` — background only (for false alarms).

Returns the readings and the truth (incident kind, onset, first true exceedance of the limit).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

LIMIT = 0.01
STEP_MIN = 10


@dataclass
class SimulatedSensor:
    """One simulated record: readings and what really happened."""

    kind: str
    times: np.ndarray
    values: np.ndarray
    onset: pd.Timestamp | None
    first_exceedance: pd.Timestamp | None
    fault: str | None = None


def simulate_sensor(kind: str, seed: int, *, days: int = 60,
                    start: str = "2024-01-01") -> SimulatedSensor:
    """Simulate one sensor (see the module docstring)."""
    rng = np.random.default_rng(seed)
    n = days * 24 * 60 // STEP_MIN
    t = pd.date_range(start, periods=n, freq=f"{STEP_MIN}min")
    td = np.arange(n) * STEP_MIN / 1440.0
    bg = rng.uniform(0.002, 0.004)
    diurnal = 1 + 0.10 * np.sin(2 * np.pi * (td % 1) + rng.uniform(0, 2 * np.pi))
    e = rng.normal(0, 0.04 * bg * np.sqrt(1 - 0.95 ** 2), n)
    ar = np.zeros(n)
    for i in range(1, n):
        ar[i] = 0.95 * ar[i - 1] + e[i]
    truth = bg * diurnal + ar
    onset = None
    fault = None
    t0d = rng.uniform(28, 40)
    if kind == "breakthrough":
        A, tau = rng.uniform(0.02, 0.04), rng.uniform(0.6, 1.5)
        tmid = t0d + 4 * tau
        truth = truth + A / (1 + np.exp(-(td - tmid) / tau))
        onset = t[np.searchsorted(td, t0d)]
    elif kind == "spill":
        A = rng.uniform(0.03, 0.08)
        k = td >= t0d
        truth = truth + np.where(k, A * 0.5 ** (np.maximum(td - t0d, 0) / 1.0), 0.0)
        onset = t[np.searchsorted(td, t0d)]
    meas = truth + rng.normal(0, 0.03 * bg, n)
    meas = np.round(meas, 4)
    if kind == "fault":
        fault = ["stuck_high", "spike_burst", "dropout"][seed % 3]
        i0 = np.searchsorted(td, t0d)
        onset = t[i0]
        if fault == "stuck_high":
            meas[i0:i0 + 72] = round(rng.uniform(0.02, 0.05), 4)
        elif fault == "spike_burst":
            j = i0 + np.flatnonzero(rng.random(288) < 0.10)
            meas[j] = np.round(meas[j] * rng.uniform(5, 20, len(j)), 4)
        else:
            meas[i0:i0 + 36] = -9999.0
    first = None
    if kind in ("breakthrough", "spill"):
        hit = np.flatnonzero(truth > LIMIT)
        first = t[hit[0]] if len(hit) else None
    return SimulatedSensor(kind, t.to_numpy(), meas, onset, first, fault)
