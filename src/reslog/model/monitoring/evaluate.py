"""Evaluation of the early warning on simulated incidents (protocol in docs/monitoring.md).

For each simulated sensor (:mod:`.simulate`): QC flags (:mod:`.qc`) → QC-clean readings →
hourly medians → :func:`.warning.calc_warning_series` against the 0.01 mg/L limit. A state at
hour ``H`` (the median of ``[H, H+1)``) is available at ``H + 1 h``; that is the warning time.

Metrics
-------
* **breakthrough detection rate**: share of breakthrough sensors with a warning at or before the
  first QC-clean reading above the limit (what an exceedance-only system would see first);
  **lead time** = that first exceedance − the first warning after onset (hours).
* **spill detection**: share with a warning within 3 h of onset; **delay** = first warning −
  onset.
* **fault alarms**: sensors of the fault scenario with any warning from the fault's start to
  3 days later (must be 0).
* **false alarms per sensor-month**: warning episodes (warnings less than 24 h apart form one
  episode) outside incidents — the whole record of ``none`` sensors and the time before onset
  of every other sensor — divided by the sensor-months watched (after the 7-day warm-up).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from reslog.model.monitoring.qc import BAD, calc_qc_flags
from reslog.model.monitoring.simulate import LIMIT, SimulatedSensor, simulate_sensor
from reslog.model.monitoring.warning import WARNING, WarningConfig, calc_warning_series, hourly

HOUR = pd.Timedelta(hours=1)


@dataclass
class SensorOutcome:
    """What the early warning did on one simulated sensor."""

    kind: str
    seed: int
    fault: str | None
    onset: pd.Timestamp | None
    first_exceedance: pd.Timestamp | None
    first_warning: pd.Timestamp | None
    false_episodes: int
    watched_days: float


def _episodes(times: pd.DatetimeIndex) -> int:
    if len(times) == 0:
        return 0
    return int(1 + (np.diff(times.values) > np.timedelta64(24, "h")).sum())


def evaluate_sensor(sim: SimulatedSensor, seed: int, cfg: WarningConfig = WarningConfig()) -> SensorOutcome:
    """Run QC + early warning on one simulated sensor."""
    f = calc_qc_flags(sim.times, sim.values, lo=0.0, hi=10_000.0, interval_s=600.0)
    ok = (f & BAD) == 0
    t, x = sim.times[ok], sim.values[ok]
    s = hourly(t, x)
    ws = calc_warning_series(s, LIMIT, "max", cfg)
    warn_at = ws.index[ws["state"].to_numpy() == WARNING] + HOUR
    exc = t[x > LIMIT]
    first_exc = pd.Timestamp(exc[0]) if len(exc) and sim.kind in ("breakthrough", "spill") else None
    start = s.index[0] + pd.Timedelta(days=cfg.min_days)
    quiet_end = sim.onset if sim.onset is not None else s.index[-1] + HOUR
    false = warn_at[(warn_at >= start) & (warn_at < quiet_end)]
    after = warn_at[warn_at >= sim.onset] if sim.onset is not None else warn_at[:0]
    if sim.kind == "fault":
        after = after[after <= sim.onset + pd.Timedelta(days=3)]
    return SensorOutcome(sim.kind, seed, sim.fault, sim.onset, first_exc,
                         after[0] if len(after) else None, _episodes(false),
                         max(0.0, (quiet_end - start) / pd.Timedelta(days=1)))


def evaluate_early_warning(n_per_kind: int = 20, seed: int = 0, days: int = 60,
                           cfg: WarningConfig = WarningConfig()) -> tuple[pd.DataFrame, dict[str, float]]:
    """Simulate ``n_per_kind`` sensors of each kind and return (per-sensor outcomes, summary)."""
    rows = []
    for k, kind in enumerate(("breakthrough", "spill", "fault", "none")):
        for i in range(n_per_kind):
            sd = seed * 100_000 + k * 1000 + i
            o = evaluate_sensor(simulate_sensor(kind, sd, days=days), sd, cfg)
            rows.append(o.__dict__)
    df = pd.DataFrame(rows)
    return df, summarise(df)


def summarise(df: pd.DataFrame) -> dict[str, float]:
    """The metrics of the module docstring from per-sensor outcomes."""
    out: dict[str, float] = {}
    b = df[df["kind"] == "breakthrough"]
    b_ok = b["first_warning"].notna() & b["first_exceedance"].notna() & (b["first_warning"] <= b["first_exceedance"])
    lead = ((b["first_exceedance"] - b["first_warning"]) / HOUR)[b_ok]
    out["breakthrough_n"] = float(len(b))
    out["breakthrough_detection_rate"] = float(b_ok.mean()) if len(b) else float("nan")
    out["lead_time_h_median"] = float(lead.median()) if len(lead) else float("nan")
    out["lead_time_h_p10"] = float(lead.quantile(0.1)) if len(lead) else float("nan")
    out["lead_time_h_min"] = float(lead.min()) if len(lead) else float("nan")
    sp = df[df["kind"] == "spill"]
    delay = (sp["first_warning"] - sp["onset"]) / HOUR
    out["spill_n"] = float(len(sp))
    out["spill_detected_within_3h"] = float((delay <= 3).mean()) if len(sp) else float("nan")
    out["spill_delay_h_median"] = float(delay.median()) if len(sp) else float("nan")
    fa = df[df["kind"] == "fault"]
    out["fault_n"] = float(len(fa))
    out["fault_sensors_alarmed"] = float(fa["first_warning"].notna().sum())
    months = df["watched_days"].sum() / 30.0
    out["sensor_months_watched"] = float(months)
    out["false_alarm_episodes"] = float(df["false_episodes"].sum())
    out["false_alarms_per_sensor_month"] = float(df["false_episodes"].sum() / months) if months else float("nan")
    return out
