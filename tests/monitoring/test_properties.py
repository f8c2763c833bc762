"""Properties of the ingest rules and the store (hypothesis), concurrent writers, rate triggers."""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings, strategies as st

from reslog.intel.monitoring.analysis import evaluate_triggers
from reslog.intel.monitoring.ingest import ingest_readings
from reslog.sources.sensors import RawReadings

NOW = pd.Timestamp("2025-01-01")
T0 = pd.Timestamp("2024-01-01")


def _raw(rows) -> RawReadings:
    df = pd.DataFrame(rows, columns=["sensor_id", "time", "value", "unit"])
    df["row"] = np.arange(1, len(df) + 1)
    return RawReadings(df)


@given(st.lists(st.tuples(st.sampled_from(["as-up", "pz1", "ghost"]), st.integers(0, 30),
                          st.one_of(st.floats(-1e3, 1e3, allow_nan=False), st.just("x"))),
                min_size=1, max_size=60))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_reading_accounted_for_and_times_strictly_increase(site_env, data) -> None:
    _db, store, reg = site_env
    bid = f"p-{abs(hash(tuple(map(str, data))))}-{np.random.default_rng().integers(1 << 40)}"
    rows = [(s, (T0 + pd.Timedelta(minutes=m)).isoformat() + "Z", v, "") for s, m, v in data]
    before = store.count("tsf1")
    res = ingest_readings(store, reg, "tsf1", _raw(rows), batch_id=bid, via="file", now=NOW)
    assert res.accepted + res.rejected == len(rows)
    assert len(res.problems) == res.rejected
    assert store.count("tsf1") - before == res.accepted
    got = store.query("tsf1")
    for _sid, g in got.groupby("sensor_id"):
        assert g["time"].is_monotonic_increasing and g["time"].is_unique
    again = ingest_readings(store, reg, "tsf1", _raw(rows), batch_id=bid, via="file", now=NOW)
    assert again.duplicate and store.count("tsf1") - before == res.accepted


def test_concurrent_writers_lose_nothing(site_env) -> None:
    _db, store, reg = site_env
    from reslog.store.readings import ReadingStore

    def job(sensor: str, k: int) -> None:
        st_ = ReadingStore(store.root)            # as another process would open it
        for b in range(10):
            rows = [(sensor, (T0 + pd.Timedelta(minutes=b * 10 + i)).isoformat() + "Z", 1.0 + i, "")
                    for i in range(10)]
            r = ingest_readings(st_, reg, "tsf1", _raw(rows), batch_id=f"{sensor}-{b}", via="http", now=NOW)
            assert r.accepted == 10

    ths = [threading.Thread(target=job, args=(s, k)) for k, s in enumerate(["as-up", "pz1", "ph1"])]
    [t.start() for t in ths]
    [t.join() for t in ths]
    assert store.count("tsf1") == 300
    assert store.info()["batches"] == 30


def test_displacement_rate_trigger_red(site_env) -> None:
    _db, store, reg = site_env
    t = pd.date_range("2024-05-01", periods=3 * 144, freq="10min")
    days = np.arange(len(t)) / 144
    x = np.where(days < 1.5, 2.0 * days, 3.0 + 25.0 * (days - 1.5))     # 2 → 25 mm/day
    x = x + 0.01 * np.sin(np.arange(len(t)))
    ingest_readings(store, reg, "tsf1", _raw([("inc1", a.isoformat() + "Z", v, "") for a, v in zip(t, x)]),
                    batch_id="inc", via="file", now=NOW)
    cur, eps = evaluate_triggers(store, reg, "tsf1")
    c = cur.set_index("sensor_id").loc["inc1"]
    assert c["level"] == "red" and 20 < c["metric"] < 30                  # amber 5, red 20 mm/day
    assert eps[eps["sensor_id"] == "inc1"]["level"].tolist() == ["red"]
