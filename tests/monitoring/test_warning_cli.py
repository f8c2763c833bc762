"""Early warning (acceptance on simulated incidents), forecast crossing, and the CLI end to end
on the real tailings-pond record (Ouellet et al. 2022, shared data)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from reslog.cli import app
from reslog.model.monitoring.evaluate import evaluate_early_warning
from reslog.model.monitoring.simulate import LIMIT, simulate_sensor
from reslog.model.monitoring.warning import WarningConfig, calc_forecast, calc_warning_series, hourly

runner = CliRunner()


def test_acceptance_on_simulated_incidents() -> None:
    df, s = evaluate_early_warning(n_per_kind=3, seed=7)
    # the slow breakthrough is detected before the guideline is crossed, with a lead time
    assert s["breakthrough_detection_rate"] == 1.0
    assert s["lead_time_h_min"] > 6.0
    # the sensor faults (stuck high, spike burst, error-value drop-out) raise no warning
    assert s["fault_sensors_alarmed"] == 0
    # false alarms within the documented rate (docs/monitoring.md: at most 0.1 per sensor-month)
    assert s["false_alarms_per_sensor_month"] <= 0.1
    assert s["spill_detected_within_3h"] == 1.0


def test_forecast_crossing_hand_checked() -> None:
    idx = pd.date_range("2024-01-01", periods=48, freq="h")
    s = pd.Series(0.002 + 0.0001 * np.arange(48), index=idx)    # +0.1 ug/L per hour
    fc = calc_forecast(s, 0.01005, "max", WarningConfig(fit_hours=36, horizon_hours=72))
    # last value 0.0067 at hour 47; +33 h → 0.0100 < 0.01005, +34 h → 0.0101: first crossing at +34 h
    assert fc.t_cross == idx[-1] + pd.Timedelta(hours=34)
    assert fc.t_cross_early <= fc.t_cross
    assert fc.upper[0] >= fc.mean[0] >= fc.lower[0]


def test_no_warning_on_background() -> None:
    sim = simulate_sensor("none", 123)
    ws = calc_warning_series(hourly(sim.times, sim.values), LIMIT)
    assert (ws["state"] == 2).sum() == 0


def _write_registry(tmp_path):
    (tmp_path / "sites.csv").write_text(
        "site_id,name,org_id,mine_id,lat,lon,country\n"
        "pond,Tailings facility (Ouellet et al. 2022),1,,52.0,-120.0,CAN\n"
        "bt,Breakthrough test,1,bra-corrego-do-feijao,-20.1,-44.1,BRA\n")
    (tmp_path / "sensors.csv").write_text(
        "sensor_id,site_id,parameter,unit,lat,lon,guideline_sets,interval_s,trigger_amber,trigger_red,trigger_basis\n"
        "pond-level,pond,water_level,m,52.0,-120.0,,300,338.9,339.2,level\n"
        "pond-baro,pond,piezometric_pressure,mH2O,52.0,-120.0,,300,,,\n"
        "bt-as,bt,As,mg/L,-20.1,-44.1,WHO-DW,600,,,\n")


def test_cli_on_real_tailings_pond_record(shared_data, tmp_path) -> None:
    f = shared_data / "monitoring" / "dVsVs_tailings_pp_station.csv"
    if not f.exists():
        pytest.skip("tailings pond record not in shared data")
    _write_registry(tmp_path)
    db = str(tmp_path / "wh.duckdb")
    r = runner.invoke(app, ["sites", "register", "--sites", str(tmp_path / "sites.csv"),
                            "--sensors", str(tmp_path / "sensors.csv"), "--db", db])
    assert r.exit_code == 0, r.output
    args = ["sites", "ingest", "pond", str(f), "--column", "Primary Pond Level[m]=pond-level",
            "--column", "Barometric Pressure[mH20]=pond-baro", "--db", db]
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    assert "52,956 readings stored, 0 rejected" in " ".join(r.output.split())   # 2 × 26,478 rows
    r = runner.invoke(app, args)
    assert "already stored" in " ".join(r.output.split())
    from reslog.store.readings import ReadingStore

    store = ReadingStore(tmp_path / "readings")
    assert store.months("pond") == ["2020-06", "2020-07", "2020-08"]
    jul = store.query("pond", sensor_id="pond-level", start="2020-07-01", end="2020-08-01")
    src = pd.read_csv(f, encoding="utf-8-sig")
    n_jul = int(src["Time"].str.startswith("2020-07").sum())       # the record has a few gaps
    assert len(jul) == n_jul and 337 < jul["value"].median() < 340
    baro = store.query("pond", sensor_id="pond-baro", start="2020-06-01", end="2020-06-02")
    assert baro["raw_unit"].iloc[0] == "mH2O" and baro["value"].iloc[0] == pytest.approx(9.797680382 * 9.80665)
    r = runner.invoke(app, ["sites", "status", "pond", "--db", db])
    assert r.exit_code == 0 and "pond-level" in r.output


def test_cli_warn_on_breakthrough_writes_events(tmp_path) -> None:
    _write_registry(tmp_path)
    db = str(tmp_path / "wh.duckdb")
    runner.invoke(app, ["sites", "register", "--sites", str(tmp_path / "sites.csv"),
                        "--sensors", str(tmp_path / "sensors.csv"), "--db", db])
    sim = simulate_sensor("breakthrough", 11, days=45)
    warn_at = sim.first_exceedance - pd.Timedelta(hours=6)     # evaluate before the exceedance
    keep = sim.times < np.datetime64(sim.first_exceedance + pd.Timedelta(days=1))
    pd.DataFrame({"sensor_id": "bt-as", "time": pd.DatetimeIndex(sim.times[keep]).strftime("%Y-%m-%dT%H:%M:%SZ"),
                  "value": sim.values[keep]}).to_csv(tmp_path / "bt.csv", index=False)
    r = runner.invoke(app, ["sites", "ingest", "bt", str(tmp_path / "bt.csv"), "--db", db])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["sites", "warn", "bt", "--now", str(warn_at), "--db", db])
    assert r.exit_code == 0, r.output
    out = " ".join(r.output.split())
    assert "warning" in out and "risk event(s) written" in out
    from reslog.store.warehouse import Warehouse

    with Warehouse.open(db, read_only=True) as wh:
        ev = wh.query("SELECT event_type, mine_id FROM risk_events")
    assert set(ev["event_type"]) == {"pollution"} and set(ev["mine_id"]) == {"bra-corrego-do-feijao"}
