"""QC rules, exceedances (per reading and per averaging period), GISTM triggers → risk events
that `reslog shock` and the event feed see."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from reslog.intel.monitoring.analysis import evaluate_triggers, find_exceedances, run_qc
from reslog.intel.monitoring.events import exceedance_events, trigger_events, write_events
from reslog.intel.monitoring.ingest import ingest_readings
from reslog.intel.monitoring.registry import Registry
from reslog.model.monitoring.exceedance import calc_episodes, calc_exceedances, severity_of_ratio
from reslog.model.monitoring.qc import (DRIFT, GAP, RANGE, SPIKE, STUCK, calc_qc_flags,
                                        check_drift, check_stuck)
from reslog.model.monitoring.triggers import AMBER, RED, calc_rate_per_day, calc_trigger_levels
from reslog.sources.sensors import RawReadings, read_guidelines, read_guidelines_parsed
from reslog.store.warehouse import Warehouse

NOW = pd.Timestamp("2025-01-01")


def _raw(sensor: str, t: pd.DatetimeIndex, x: np.ndarray, unit: str = "") -> RawReadings:
    return RawReadings(pd.DataFrame({"sensor_id": sensor, "time": t, "value": x, "unit": unit,
                                     "row": np.arange(1, len(t) + 1)}))


# ----------------------------------------------------------------------------- QC rules
def test_qc_rules_hand_checked() -> None:
    t = pd.date_range("2024-01-01", periods=120, freq="10min").to_numpy()
    rng = np.random.default_rng(1)
    x = 7.0 + rng.normal(0, 0.02, 120)
    x[10] = 9.5                       # spike
    x[30:40] = 7.31                   # stuck for 10 readings (> 6 = 1 h at 10 min)
    x[60] = 15.2                      # outside pH range
    t = np.r_[t[:80], t[80:] + np.timedelta64(2, "h")]   # a 2 h gap before reading 80
    x[100:] += 0.5                    # a real level shift: must NOT be a spike
    f = calc_qc_flags(t, x, lo=0, hi=14, interval_s=600)
    assert np.flatnonzero(f & SPIKE).tolist() == [10]
    assert np.flatnonzero(f & STUCK).tolist() == list(range(30, 40))
    assert np.flatnonzero(f & RANGE).tolist() == [60]
    assert np.flatnonzero(f & GAP).tolist() == [80]
    assert not (f[95:] & SPIKE).any()


def test_stuck_needs_the_full_run() -> None:
    assert check_stuck(np.array([1, 1, 1, 2, 2, 2, 2.0]), 4).tolist() == [False] * 3 + [True] * 4


def test_drift_against_reference() -> None:
    t = pd.date_range("2024-01-01", periods=20 * 24, freq="h").to_numpy()
    ref = 100 + np.sin(np.arange(len(t)) / 24 * 2 * np.pi)
    days = np.arange(len(t)) / 24
    x = ref + np.where(days > 10, 0.5 * (days - 10), 0.0)     # drifts 0.5 units/day after day 10
    f = check_drift(t, x, t, ref, tol_per_day=0.2, window_days=5)
    assert not f[: 8 * 24].any() and f[-24:].all()
    f2 = calc_qc_flags(t, x, lo=0, hi=1e4, interval_s=3600, ref=(t, ref), drift_tol_per_day=0.2)
    assert (f2[-24:] & DRIFT).all()


# ----------------------------------------------------------------------------- exceedances
def test_exceedance_per_sample_and_per_day() -> None:
    t = pd.date_range("2024-01-01", periods=4 * 24, freq="h")
    x = np.full(len(t), 0.005)
    x[30] = 0.02                                 # one sample over 0.01 on day 2
    x[48:72] = 0.012                             # day 3 mean 0.012
    e = calc_exceedances(t.to_numpy(), x, 0.01, "max", "sample")
    assert len(e) == 25
    ep = calc_episodes(e, 0.01, "max")
    assert len(ep) == 1 and ep["peak"][0] == 0.02 and ep["ratio"][0] == pytest.approx(2.0)
    d = calc_exceedances(t.to_numpy(), x, 0.01, "max", "day")
    assert d["start"].tolist() == [pd.Timestamp("2024-01-03")] and d["value"][0] == pytest.approx(0.012)
    ph = calc_exceedances(t.to_numpy(), np.r_[np.full(90, 7.0), np.full(6, 5.9)], 6.0, "min", "sample")
    assert len(ph) == 6
    assert severity_of_ratio(1.0) == pytest.approx(0.405, abs=1e-3)
    assert severity_of_ratio(1000.0) == 1.0


def test_shipped_guidelines_are_cited_and_canonical() -> None:
    g = read_guidelines()
    assert set(g["set_id"]) == {"WHO-DW", "IFC-EHS-MINING"}
    assert g["citation"].str.len().min() > 40
    who_as = g[(g["set_id"] == "WHO-DW") & (g["parameter"] == "As")]["value"].iloc[0]
    assert who_as == pytest.approx(0.01)
    assert {"As", "Hg", "Cd", "Pb", "Cu", "Zn", "CN", "SO4", "pH", "turbidity"} <= set(g["parameter"])


def test_exceedance_becomes_pollution_event_linked_to_the_mine(site_env, tmp_path) -> None:
    db, store, reg = site_env
    (tmp_path / "site_limits.csv").write_text(
        "set_id,parameter,limit_type,value,unit,averaging,basis,citation\n"
        "SITE-DAILY,As,max,8,ug/L,day,permit,Operating permit 2024 condition 12 (test)\n")
    with Warehouse.open(db) as wh:
        wh.ingest(read_guidelines_parsed(tmp_path / "site_limits.csv"), kind="monitoring_guidelines")
        reg = Registry.from_warehouse(wh)
    t = pd.date_range("2024-03-01", periods=3 * 144, freq="10min")
    x = 0.004 + 0.0001 * np.sin(np.arange(len(t)))
    x[144:288] = 0.009 + 0.0001 * np.sin(np.arange(144))  # day 2: mean 9 ug/L > 8 (site), < 10 (WHO)
    x[300] = 0.5                                  # a spike: flagged by QC, never an exceedance
    ingest_readings(store, reg, "tsf1", _raw("as-up", t, x), batch_id="e", via="file", now=NOW)
    run_qc(store, reg, "tsf1")
    exc = find_exceedances(store, reg, "tsf1")
    assert exc["set_id"].tolist() == ["SITE-DAILY"]
    assert exc["averaging"][0] == "day" and exc["peak"][0] == pytest.approx(0.009, abs=2e-4)
    ev = exceedance_events(reg, exc)
    with Warehouse.open(db) as wh:
        assert write_events(wh, ev, "tsf1") == 1
        assert write_events(wh, ev, "tsf1") == 0           # same content: idempotent
        got = wh.query("SELECT * FROM risk_events")
    assert got["event_type"].tolist() == ["pollution"]
    assert got["mine_id"][0] == "bra-corrego-do-feijao" and got["country"][0] == "BRA"
    assert "Operating permit" in got["description"][0]


# ----------------------------------------------------------------------------- triggers
def test_trigger_levels_and_rate() -> None:
    lev = calc_trigger_levels(np.array([100, 125, 151, np.nan]), 120, 150)
    assert lev.tolist() == [0, AMBER, RED, 0]
    t = pd.date_range("2024-01-01", periods=48, freq="h").to_numpy()
    r = calc_rate_per_day(t, np.arange(48) * 0.5)          # 0.5 mm/h = 12 mm/day
    assert r[-1] == pytest.approx(12.0)


def test_amber_piezometer_trigger_reaches_shock_and_event_feed(site_env, tmp_path, monkeypatch) -> None:
    db, store, reg = site_env
    t = pd.date_range("2024-05-01", periods=6 * 24, freq="10min")
    p = np.linspace(100, 130, len(t))                        # crosses amber (120), not red (150)
    ingest_readings(store, reg, "tsf1", _raw("pz1", t, p), batch_id="pz", via="mqtt", now=NOW)
    cur, eps = evaluate_triggers(store, reg, "tsf1")
    assert cur.set_index("sensor_id").loc["pz1", "level"] == "amber"
    assert eps["level"].tolist() == ["amber"]
    ev = trigger_events(reg, eps)
    with Warehouse.open(db) as wh:
        write_events(wh, ev, "tsf1")
    event_id = ev["event_id"][0]
    from reslog.cli import app

    runner = CliRunner()
    out = runner.invoke(app, ["shock", "--event", event_id, "--months", "3", "--db", str(db)])
    assert out.exit_code == 0, out.output
    assert "Brazil" in out.output or "BRA" in out.output
    wl = tmp_path / "wl.json"
    wl.write_text(json.dumps([{"name": "tailings", "mines": ["bra-corrego-do-feijao"]}]))
    out = runner.invoke(app, ["events", "alerts", "--watchlist", str(wl), "--db", str(db)])
    assert out.exit_code == 0, out.output
    rec = [json.loads(line) for line in out.output.splitlines() if line.startswith("{")]
    assert any(event_id in json.dumps(r) for r in rec)
