"""The common ingest rules: per-reading errors with the good readings kept, idempotent batches."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from reslog.intel.monitoring.ingest import ingest_readings
from reslog.intel.monitoring.parameters import UnitProblem, conversion
from reslog.sources.sensors import RawReadings, read_readings_file
from reslog.store.readings import ReadingStore

NOW = pd.Timestamp("2024-06-01T00:00:00")


def _raw(rows, complete=True):
    df = pd.DataFrame(rows, columns=["sensor_id", "time", "value", "unit"])
    df["row"] = np.arange(1, len(df) + 1)
    return RawReadings(df, [], complete)


def test_each_bad_reading_is_named_and_good_ones_kept(site_env, tmp_path) -> None:
    _db, store, reg = site_env
    f = tmp_path / "r.csv"
    f.write_text(
        "sensor_id,time,value,unit\n"
        "as-up,2024-01-01T00:00:00Z,0.005,\n"          # 1 good (canonical unit)
        "as-up,2024-01-01T00:10:00Z,7,ug/L\n"           # 2 good, converted to 0.007 mg/L
        "as-up,2024-01-01T00:10:00Z,8,ug/L\n"           # 3 duplicate timestamp
        "as-up,2024-01-01T00:05:00Z,8,ug/L\n"           # 4 out of order
        "as-up,2024-01-01T00:20:00Z,n/a,\n"             # 5 non-numeric
        "as-up,2024-01-01T00:30:00Z,1,furlong\n"        # 6 unknown unit
        "ghost,2024-01-01T00:30:00Z,1,\n"               # 7 unregistered sensor
        "x1,2024-01-01T00:30:00Z,1,\n"                  # 8 sensor of another site
        "pz1,2030-01-01T00:00:00Z,100,\n"               # 9 future
        "pz1,2024-01-01T00:00:00+02:00,14.5,psi\n"      # 10 good: offset → UTC, psi → kPa
        "pz1,2024-01-01T00:10\n")                       # 11 half-written last line
    raw = read_readings_file(f)
    res = ingest_readings(store, reg, "tsf1", raw, batch_id="b1", via="file", now=NOW)
    assert (res.accepted, res.rejected) == (3, 8)
    errs = {int(r.row): (r.field, r.message) for r in res.problems.itertuples()}
    assert errs[3][0] == "time" and "duplicate" in errs[3][1]
    assert errs[4][0] == "time" and "out-of-order" in errs[4][1]
    assert errs[5][0] == "value" and "'n/a'" in errs[5][1]
    assert errs[6][0] == "unit" and "furlong" in errs[6][1]
    assert errs[7][0] == "sensor" and "not registered" in errs[7][1]
    assert errs[8][0] == "sensor" and "another site" in errs[8][1]
    assert errs[9][0] == "time" and "future" in errs[9][1]
    assert errs[11][0] == "row" and "half-written" in errs[11][1]
    got = store.query("tsf1")
    pz = got[got["sensor_id"] == "pz1"].iloc[0]
    assert pz["time"] == pd.Timestamp("2023-12-31T22:00:00")
    assert pz["value"] == pytest.approx(14.5 * 6.894757293168361)
    assert pz["raw_value"] == 14.5 and pz["raw_unit"] == "psi"           # raw kept as received
    a = got[got["sensor_id"] == "as-up"]
    assert a["value"].tolist() == pytest.approx([0.005, 0.007])
    assert np.isnan(a["raw_value"].iloc[0]) and a["raw_value"].iloc[1] == 7.0


def test_retried_batch_is_stored_once_and_later_readings_must_advance(site_env) -> None:
    _db, store, reg = site_env
    b = _raw([("as-up", "2024-01-01T00:00:00Z", 0.001, ""), ("as-up", "2024-01-01T00:10:00Z", 0.002, "")])
    r1 = ingest_readings(store, reg, "tsf1", b, batch_id="gw-1", via="http", now=NOW)
    r2 = ingest_readings(store, reg, "tsf1", b, batch_id="gw-1", via="mqtt", now=NOW)
    assert r1.accepted == 2 and r2.duplicate and r2.accepted == 0
    assert store.count("tsf1") == 2
    # the same readings under a new batch id are duplicates of stored readings
    r3 = ingest_readings(store, reg, "tsf1", b, batch_id="gw-2", via="http", now=NOW)
    assert r3.accepted == 0 and r3.rejected == 2
    assert set(r3.problems["message"].str.slice(0, 14)) == {"late reading: ",
                                                             "duplicate of a"}
    # a batch id may not move to another site
    r4 = ingest_readings(store, reg, "other", _raw([("x1", "2024-01-01", 1, "")]), batch_id="gw-1",
                         via="http", now=NOW)
    assert r4.accepted == 0 and "already used" in r4.problems["message"][0]


def test_half_sent_batch_retry_stores_only_the_rest(site_env) -> None:
    _db, store, reg = site_env
    rows = [("as-up", f"2024-01-01T00:{m:02d}:00Z", 0.001 * m, "") for m in range(0, 60, 10)]
    half = _raw(rows[:3], complete=False)
    r1 = ingest_readings(store, reg, "tsf1", half, batch_id="h", via="http", now=NOW)
    assert r1.accepted == 3 and not r1.complete
    r2 = ingest_readings(store, reg, "tsf1", _raw(rows), batch_id="h", via="http", now=NOW)
    assert r2.accepted == 3 and r2.rejected == 0
    r3 = ingest_readings(store, reg, "tsf1", _raw(rows), batch_id="h", via="http", now=NOW)
    assert r3.duplicate
    assert store.query("tsf1")["value"].tolist() == pytest.approx([0.001 * m for m in range(0, 60, 10)])


def test_sensor_month_query_reads_only_its_partition(site_env) -> None:
    _db, store, reg = site_env
    t = pd.date_range("2024-01-01", "2024-03-31 23:50", freq="10min")
    rows = [("pz1", x.isoformat() + "Z", 100.0 + i % 7, "") for i, x in enumerate(t)]
    ingest_readings(store, reg, "tsf1", _raw(rows), batch_id="q", via="file", now=NOW)
    assert store.months("tsf1") == ["2024-01", "2024-02", "2024-03"]
    assert len(store.files("tsf1", ["2024-02"])) == 1
    n = store.compact("tsf1", "2024-02")
    assert n == 29 * 144
    feb = store.query("tsf1", sensor_id="pz1", start="2024-02-01", end="2024-03-01")
    assert len(feb) == 29 * 144 and feb["time"].is_monotonic_increasing
    # a batch retried after compaction is still a no-op
    assert ingest_readings(store, reg, "tsf1", _raw(rows), batch_id="q", via="file", now=NOW).duplicate
    assert store.count("tsf1") == len(t)


@given(st.sampled_from(["mg/L", "ug/L", "µg/L", "g/m^3", "ng/mL"]),
       st.floats(min_value=0, max_value=1e4, allow_nan=False))
@settings(max_examples=40, deadline=None)
def test_concentration_units_round_trip(unit: str, v: float) -> None:
    a, b = conversion(unit, "As")
    factor = {"mg/L": 1, "ug/L": 1e-3, "µg/L": 1e-3, "g/m^3": 1, "ng/mL": 1e-3}[unit]
    assert v * a + b == pytest.approx(v * factor, rel=1e-12)


def test_ambiguous_or_wrong_dimension_units_are_refused() -> None:
    for unit, par in (("ppm", "As"), ("kPa", "As"), ("mg/L", "pH"), ("mm", "piezometric_pressure")):
        with pytest.raises(UnitProblem):
            conversion(unit, par)
    assert conversion("degF", "temperature")[0] == pytest.approx(5 / 9)
    assert conversion("mH2O", "piezometric_pressure") == (pytest.approx(9.80665), 0.0)
