"""Orchestration over stored readings: quality control, exceedances and GISTM triggers per site.

Each function reads through :class:`~reslog.store.readings.ReadingStore`, calls the pure
functions of :mod:`reslog.model.monitoring` and returns frames; :mod:`.events` turns exceedance
and trigger episodes into risk events written through the warehouse.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from reslog.intel.monitoring.parameters import PARAMETERS
from reslog.intel.monitoring.registry import Registry
from reslog.model.monitoring.exceedance import calc_episodes, calc_exceedances
from reslog.model.monitoring.qc import BAD, QCConfig, calc_qc_flags
from reslog.model.monitoring.triggers import (calc_rate_per_day, calc_trigger_episodes,
                                              calc_trigger_levels)
from reslog.sources.sensors import read_guidelines
from reslog.store.readings import ReadingStore

CONTEXT = pd.Timedelta(days=1)


def _num(v: object) -> float:
    return float(v) if v is not None and not pd.isna(v) else float("nan")


def run_qc(store: ReadingStore, registry: Registry, site_id: str, *,
           months: list[str] | None = None, cfg: QCConfig = QCConfig()) -> dict[str, int]:
    """Flag every reading of a site (month by month, with one day of context before each month)
    and write the flags beside the readings. Returns flagged readings per month."""
    sensors = registry.sensors_of(site_id)
    out: dict[str, int] = {}
    for m in months or store.months(site_id):
        m0 = pd.Timestamp(m + "-01")
        m1 = m0 + pd.offsets.MonthBegin(1)
        df = store.query(site_id, start=m0 - CONTEXT - pd.Timedelta(days=cfg.drift_days), end=m1,
                         with_qc=False)
        parts = []
        by = {k: g for k, g in df.groupby("sensor_id", sort=False)}
        for sid, g in by.items():
            if sid not in sensors.index:
                continue
            s = sensors.loc[sid]
            p = PARAMETERS[s["parameter"]]
            lo = _num(s["range_lo"]) if not pd.isna(s["range_lo"]) else p.lo
            hi = _num(s["range_hi"]) if not pd.isna(s["range_hi"]) else p.hi
            ref = None
            if isinstance(s["reference_sensor"], str) and s["reference_sensor"] in by:
                r = by[s["reference_sensor"]]
                ref = (r["time"].to_numpy(), r["value"].to_numpy())
            f = calc_qc_flags(g["time"].to_numpy(), g["value"].to_numpy(), lo=lo, hi=hi,
                              interval_s=_num(s["interval_s"]) or None, cfg=cfg, ref=ref,
                              drift_tol_per_day=_num(s["drift_tol_per_day"])
                              if not pd.isna(s["drift_tol_per_day"]) else None)
            sel = (g["time"] >= m0).to_numpy()
            parts.append(pd.DataFrame({"sensor_id": sid, "time": g["time"].to_numpy()[sel],
                                       "qc_flags": f[sel]}))
        flags = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
            columns=["sensor_id", "time", "qc_flags"])
        out[m] = store.write_qc(site_id, m, flags)
    return out


def guideline_table(registry: Registry) -> pd.DataFrame:
    """Shipped guideline rows plus the site-specific/national rows registered in the warehouse."""
    g = read_guidelines()
    if len(registry.guidelines):
        extra = registry.guidelines.drop(columns=["ledger_id"], errors="ignore")
        g = pd.concat([g[~g["set_id"].isin(extra["set_id"])], extra], ignore_index=True)
    return g


def find_exceedances(store: ReadingStore, registry: Registry, site_id: str, *,
                     start: pd.Timestamp | None = None, end: pd.Timestamp | None = None
                     ) -> pd.DataFrame:
    """Exceedance episodes of QC-clean readings against every guideline set of each sensor."""
    sensors = registry.sensors_of(site_id)
    g = guideline_table(registry)
    df = store.query(site_id, start=start, end=end)
    df = df[(df["qc_flags"] & BAD) == 0]
    rows = []
    for sid, r in df.groupby("sensor_id", sort=False):
        if sid not in sensors.index:
            continue
        s = sensors.loc[sid]
        sets = [x.strip() for x in str(s["guideline_sets"] or "").split(";") if x.strip()]
        rules = g[g["set_id"].isin(sets) & (g["parameter"] == s["parameter"])]
        for rule in rules.itertuples(index=False):
            exc = calc_exceedances(r["time"].to_numpy(), r["value"].to_numpy(), rule.value,
                                   rule.limit_type, rule.averaging)
            ep = calc_episodes(exc, rule.value, rule.limit_type)
            for e in ep.itertuples(index=False):
                rows.append({"site_id": site_id, "sensor_id": sid, "parameter": s["parameter"],
                             "set_id": rule.set_id, "limit_type": rule.limit_type,
                             "limit": rule.value, "unit": rule.unit, "averaging": rule.averaging,
                             "citation": rule.citation, "start": e.start, "end": e.end,
                             "peak": e.peak, "ratio": e.ratio, "n": int(e.n)})
    return pd.DataFrame(rows, columns=["site_id", "sensor_id", "parameter", "set_id", "limit_type",
                                       "limit", "unit", "averaging", "citation", "start", "end",
                                       "peak", "ratio", "n"])


def evaluate_triggers(store: ReadingStore, registry: Registry, site_id: str, *,
                      start: pd.Timestamp | None = None, end: pd.Timestamp | None = None,
                      rate_window: pd.Timedelta = pd.Timedelta(hours=24)) -> tuple[pd.DataFrame, pd.DataFrame]:
    """GISTM trigger status: ``(current, episodes)``. ``current`` has one row per trigger sensor
    (latest metric and level); ``episodes`` the amber/red episodes."""
    sensors = registry.sensors_of(site_id)
    trig = sensors[sensors["trigger_basis"].notna()]
    cur, eps = [], []
    if trig.empty:
        return pd.DataFrame(columns=["sensor_id", "parameter", "basis", "time", "metric", "level"]), \
            pd.DataFrame(columns=["site_id", "sensor_id", "parameter", "basis", "start", "end", "level", "peak"])
    df = store.query(site_id, sensor_id=list(trig.index), start=start, end=end)
    df = df[(df["qc_flags"] & BAD) == 0]
    for sid, r in df.groupby("sensor_id", sort=False):
        s = trig.loc[sid]
        t, x = r["time"].to_numpy(), r["value"].to_numpy()
        metric = calc_rate_per_day(t, x, rate_window) if s["trigger_basis"] == "rate" else x
        lev = calc_trigger_levels(metric, _num(s["trigger_amber"]), _num(s["trigger_red"]))
        from reslog.model.monitoring.triggers import LEVELS

        cur.append({"sensor_id": sid, "parameter": s["parameter"], "basis": s["trigger_basis"],
                    "time": t[-1], "metric": metric[-1], "level": LEVELS[int(lev[-1])]})
        for e in calc_trigger_episodes(t, metric, lev).itertuples(index=False):
            eps.append({"site_id": site_id, "sensor_id": sid, "parameter": s["parameter"],
                        "basis": s["trigger_basis"], "start": e.start, "end": e.end,
                        "level": e.level, "peak": e.peak,
                        "amber": _num(s["trigger_amber"]), "red": _num(s["trigger_red"])})
    return pd.DataFrame(cur), pd.DataFrame(eps)


def sensor_location(registry: Registry, site_id: str, sensor_id: str) -> tuple[float, float]:
    """(lat, lon) of a sensor, else of its site (NaN when neither is known)."""
    s = registry.sensors.loc[sensor_id]
    if not pd.isna(s["lat"]):
        return float(s["lat"]), float(s["lon"])
    site = registry.sites.loc[site_id]
    return _num(site["lat"]), _num(site["lon"])


__all__ = ["run_qc", "find_exceedances", "evaluate_triggers", "guideline_table", "np"]


def early_warning(store: ReadingStore, registry: Registry, site_id: str, *,
                  now: pd.Timestamp | None = None, history_days: int = 28, cfg=None) -> pd.DataFrame:
    """Early-warning state of every sensor with a guideline (the strictest ``sample`` limit of
    its sets): latest hour, value, baseline, score, state, forecast crossing times."""
    from reslog.model.monitoring.warning import STATES, WarningConfig, calc_warning_series, hourly

    cfg = cfg or WarningConfig()
    sensors = registry.sensors_of(site_id)
    g = guideline_table(registry)
    end = pd.Timestamp(now) if now is not None else None
    if end is None:
        last = store.last_times()
        ts = [last[s] for s in sensors.index if s in last]
        if not ts:
            return pd.DataFrame()
        end = max(ts) + pd.Timedelta(minutes=1)
    df = store.query(site_id, start=end - pd.Timedelta(days=history_days), end=end)
    df = df[(df["qc_flags"] & BAD) == 0]
    rows = []
    for sid, r in df.groupby("sensor_id", sort=False):
        if sid not in sensors.index:
            continue
        s = sensors.loc[sid]
        sets = [x.strip() for x in str(s["guideline_sets"] or "").split(";") if x.strip()]
        rules = g[g["set_id"].isin(sets) & (g["parameter"] == s["parameter"])
                  & (g["averaging"] == "sample")]
        if rules.empty:
            continue
        mx = rules[rules["limit_type"] == "max"]
        rule = mx.loc[mx["value"].idxmin()] if len(mx) else rules.iloc[0]
        h = hourly(r["time"].to_numpy(), r["value"].to_numpy())
        if h.notna().sum() < 24 * cfg.min_days:
            rows.append({"sensor_id": sid, "parameter": s["parameter"], "limit": rule["value"],
                         "set_id": rule["set_id"], "state": "insufficient history"})
            continue
        ws = calc_warning_series(h, float(rule["value"]), rule["limit_type"], cfg)
        last = ws.dropna(subset=["value"]).iloc[-1]
        rows.append({"sensor_id": sid, "parameter": s["parameter"], "limit": rule["value"],
                     "set_id": rule["set_id"], "hour": last.name, "value": last["value"],
                     "baseline": last["baseline"], "z": last["z"], "state": STATES[int(last["state"])],
                     "t_cross": last["t_cross"], "t_cross_early": last["t_cross_early"],
                     "change_point": bool(last["change_point"])})
    return pd.DataFrame(rows)
