"""Benchmark: a site-monitoring network of 1,000 sensors reporting every minute.

Usage::

    python bench/sensor_ingest.py [--sensors 1000] [--file-minutes 1440] [--files 3]
                                  [--http-readings 600000] [--mqtt-readings 600000]
                                  [--query-months 12] [--workdir DIR] [--keep]

Parts (each prints readings/s and the ratio to its target):

1. **File path** — ``--files`` consecutive Parquet files of ``--file-minutes`` minutes of all
   sensors (1,440 min × 1,000 sensors = 1.44 M readings a file), each read with
   ``read_readings_file`` and stored with ``ingest_readings`` (every rule: registry, values,
   times, future, units with pint, per-sensor order against the store's high-water marks; one
   store transaction a file). Also one CSV file of the same day. Target ≥ 100,000 readings/s.
   Named baseline: **row-at-a-time insert** — the same readings inserted one ``INSERT`` per
   reading into a DuckDB table (``executemany``), measured on 20,000 readings.
2. **HTTP** — a uvicorn server in a separate process serving the ``/api/sites`` router (the
   platform's auth dependency overridden with a fixed principal, as the platform is not merged
   here), and 4 client threads posting JSON batches of one minute of the network (1,000
   readings). Target ≥ 20,000 readings/s.
3. **MQTT** — mosquitto on loopback (generated config), ``reslog sites listen`` in a separate
   process, one publisher sending QoS-1 batches of 500 readings; the clock stops when the store
   holds every reading. Target ≥ 20,000 readings/s.
4. **Sensor-month query** — months of compacted data for all sensors written straight into the
   store layout (1,000 sensors × 43,200 minutes ≈ 43.2 M readings a month, 525.6 M for 12
   months), then ``ReadingStore.query(site, sensor_id, month)`` for 30 random sensor-months,
   measured at 1 month and at ``--query-months``. Target < 100 ms.

Peak resident memory is sampled (psutil, 50 ms) for this process and its children.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import psutil
import pyarrow as pa
import pyarrow.parquet as pq

PARAMS = [("As", "ug/L", 3.0), ("Cu", "mg/L", 0.05), ("pH", "pH", 7.2), ("EC", "uS/cm", 850.0),
          ("piezometric_pressure", "kPa", 120.0), ("displacement", "mm", 3.0),
          ("groundwater_level", "m", 412.0), ("turbidity", "NTU", 4.0), ("SO4", "mg/L", 300.0),
          ("Zn", "mg/L", 0.2)]
SITE = "bench"


class PeakRSS:
    """Peak RSS of this process plus its children, sampled every 50 ms."""

    def __init__(self) -> None:
        self.proc = psutil.Process()
        self.peak = 0
        self.peak_children = 0
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.peak = max(self.peak, self.proc.memory_info().rss)
                ch = sum(c.memory_info().rss for c in self.proc.children(recursive=True))
                self.peak_children = max(self.peak_children, ch)
            except psutil.Error:
                pass
            time.sleep(0.05)

    def __enter__(self) -> "PeakRSS":
        self._t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._t.join()


def sensor_ids(n: int) -> list[str]:
    return [f"s{i:05d}" for i in range(n)]


def setup_registry(work: Path, n: int) -> Path:
    from reslog.sources.sensors import read_sensors, read_sites
    from reslog.store.warehouse import Warehouse

    (work / "sites.csv").write_text(f"site_id,name,org_id,lat,lon\n{SITE},Bench site,1,-20.1,-44.1\n")
    rows = ["sensor_id,site_id,parameter,unit,interval_s"]
    for i, s in enumerate(sensor_ids(n)):
        p, u, _ = PARAMS[i % len(PARAMS)]
        rows.append(f"{s},{SITE},{p},{u},60")
    (work / "sensors.csv").write_text("\n".join(rows) + "\n")
    db = work / "wh.duckdb"
    with Warehouse.open(db) as wh:
        wh.ingest(read_sites(work / "sites.csv"), kind="monitoring_sites")
        wh.ingest(read_sensors(work / "sensors.csv"), kind="monitoring_sensors")
    return db


def minute_frame(n_sensors: int, t0: pd.Timestamp, minutes: int, seed: int) -> pd.DataFrame:
    """All sensors for ``minutes`` minutes from ``t0``, time-major (as a network sends them)."""
    rng = np.random.default_rng(seed)
    ids = np.array(sensor_ids(n_sensors), dtype=object)
    level = np.array([PARAMS[i % len(PARAMS)][2] for i in range(n_sensors)])
    t = pd.date_range(t0, periods=minutes, freq="min")
    v = np.round(np.repeat(level[None, :], minutes, 0) * (1 + 0.02 * rng.standard_normal((minutes, n_sensors))), 4)
    return pd.DataFrame({"sensor_id": np.tile(ids, minutes), "time": np.repeat(t.values, n_sensors),
                         "value": v.ravel()})


def fmt_rate(n: int, s: float) -> str:
    return f"{n:,} readings in {s:.2f} s = {n / s:,.0f} readings/s"


# ----------------------------------------------------------------------------- 1. files
def bench_files(work: Path, db: Path, n_sensors: int, minutes: int, files: int) -> dict:
    from reslog.intel.monitoring.ingest import ingest_readings
    from reslog.intel.monitoring.registry import Registry
    from reslog.sources.sensors import read_readings_file
    from reslog.store.readings import ReadingStore
    from reslog.store.warehouse import Warehouse

    with Warehouse.open(db, read_only=True) as wh:
        reg = Registry.from_warehouse(wh)
    store = ReadingStore(work / "readings-files")
    t0 = pd.Timestamp("2024-01-01")
    paths = []
    for k in range(files):
        df = minute_frame(n_sensors, t0 + pd.Timedelta(minutes=k * minutes), minutes, k)
        p = work / f"day{k}.parquet"
        pq.write_table(pa.Table.from_pandas(df, preserve_index=False), p)
        paths.append(p)
    csvp = work / "csvday.csv"
    dfc = minute_frame(n_sensors, t0 + pd.Timedelta(minutes=files * minutes), minutes, 99)
    dfc["time"] = pd.DatetimeIndex(dfc["time"]).strftime("%Y-%m-%dT%H:%M:%SZ")
    dfc.to_csv(csvp, index=False)
    total, t_all = 0, 0.0
    for p in paths:
        t = time.perf_counter()
        raw = read_readings_file(p)
        res = ingest_readings(store, reg, SITE, raw, batch_id=raw.sha256, via="file",
                              now=pd.Timestamp("2030-01-01"))
        dt = time.perf_counter() - t
        assert res.rejected == 0, res.to_dict(3)
        total += res.accepted
        t_all += dt
        print(f"  parquet {p.name}: {fmt_rate(res.accepted, dt)}")
    t = time.perf_counter()
    raw = read_readings_file(csvp)
    res = ingest_readings(store, reg, SITE, raw, batch_id=raw.sha256, via="file", now=pd.Timestamp("2030-01-01"))
    dt_csv = time.perf_counter() - t
    assert res.rejected == 0
    print(f"  csv {csvp.name}: {fmt_rate(res.accepted, dt_csv)}")
    t = time.perf_counter()
    again = ingest_readings(store, reg, SITE, read_readings_file(paths[0]), batch_id=read_readings_file(paths[0]).sha256,
                            via="file")
    dt_retry = time.perf_counter() - t
    assert again.duplicate
    # named baseline: one INSERT per reading
    import duckdb

    sub = minute_frame(n_sensors, t0, 20, 5).head(20_000)
    con = duckdb.connect()
    con.execute("CREATE TABLE r (sensor_id VARCHAR, time TIMESTAMP, value DOUBLE)")
    rows = list(sub.itertuples(index=False, name=None))
    t = time.perf_counter()
    con.executemany("INSERT INTO r VALUES (?, ?, ?)", rows)
    dt_base = time.perf_counter() - t
    base_rate = len(rows) / dt_base
    rate = total / t_all
    print(f"  sustained parquet: {fmt_rate(total, t_all)}; ratio to target 100,000/s: {rate / 1e5:.1f}x")
    print(f"  baseline (row-at-a-time DuckDB INSERT): {base_rate:,.0f} readings/s; reslog/baseline {rate / base_rate:.1f}x")
    print(f"  retry of a stored file: {dt_retry * 1000:.0f} ms, stored nothing")
    return {"file_rate": rate, "csv_rate": res.accepted / dt_csv, "baseline_rate": base_rate,
            "file_readings": total}


# ----------------------------------------------------------------------------- 2. HTTP
def serve(args: argparse.Namespace) -> None:
    """Child process: the /api/sites router on uvicorn."""
    from dataclasses import dataclass

    import uvicorn
    from fastapi import FastAPI

    from reslog.api.routers import sites
    from reslog.intel.monitoring.registry import Registry
    from reslog.store.readings import ReadingStore
    from reslog.store.warehouse import Warehouse

    @dataclass
    class Principal:
        user_id: int
        org_id: int
        role: str = "analyst"
        via: str = "api_key"

    with Warehouse.open(args.db, read_only=True) as wh:
        reg = Registry.from_warehouse(wh)
    store = ReadingStore(args.readings)
    app = FastAPI()
    app.include_router(sites.router)
    app.dependency_overrides[sites.require_ingest] = lambda: Principal(1, 1)
    app.dependency_overrides[sites.get_store] = lambda: store
    app.dependency_overrides[sites.get_registry] = lambda: reg
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bench_http(work: Path, db: Path, n_sensors: int, n_readings: int, batch: int) -> dict:
    import httpx

    port = _free_port()
    rd = work / "readings-http"
    proc = subprocess.Popen([sys.executable, __file__, "serve", "--port", str(port), "--db", str(db),
                             "--readings", str(rd)], env={**os.environ})
    try:
        for _ in range(200):
            try:
                httpx.get(f"http://127.0.0.1:{port}/docs", timeout=0.5)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        minutes = max(1, n_readings // n_sensors)
        df = minute_frame(n_sensors, pd.Timestamp("2024-03-01"), minutes, 3)
        df["time"] = pd.DatetimeIndex(df["time"]).strftime("%Y-%m-%dT%H:%M:%SZ")
        # 4 field gateways, each owning a quarter of the sensors, each uploading every
        # `per_minutes` minutes (a batch of sensors/4 × per_minutes readings), in time order.
        gateways = 4
        per_minutes = max(1, batch // (n_sensors // gateways))
        sid = df["sensor_id"].to_numpy()
        gw_of = np.array([int(x[1:]) % gateways for x in sid])
        queues: list[list[bytes]] = []
        for g in range(gateways):
            part = df[gw_of == g]
            rec = list(part.itertuples(index=False, name=None))
            size = (n_sensors // gateways) * per_minutes
            queues.append([json.dumps({"batch_id": f"http-g{g}-{k}", "readings": [
                {"sensor": s, "time": t, "value": v} for s, t, v in rec[i:i + size]]}).encode()
                for k, i in enumerate(range(0, len(rec), size))])
        bodies = [q[0] for q in queues]
        accepted = [0]
        errors: list[str] = []
        lock = threading.Lock()

        def worker(g: int) -> None:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as c:
                for body in queues[g]:
                    r = c.post(f"/api/sites/{SITE}/readings", content=body,
                               headers={"content-type": "application/json"})
                    if r.status_code != 200:
                        errors.append(r.text[:200])
                        return
                    with lock:
                        accepted[0] += r.json()["accepted"]

        t = time.perf_counter()
        ths = [threading.Thread(target=worker, args=(g,)) for g in range(gateways)]
        [th.start() for th in ths]
        [th.join() for th in ths]
        dt = time.perf_counter() - t
        assert not errors, errors[:2]
        # retry of the first batch: stored once
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as c:
            dup = c.post(f"/api/sites/{SITE}/readings", content=bodies[0]).json()
        assert dup["duplicate_batch"], dup
    finally:
        proc.terminate()
        proc.wait(10)
    rate = accepted[0] / dt
    print(f"  HTTP: {fmt_rate(accepted[0], dt)}; ratio to target 20,000/s: {rate / 2e4:.1f}x "
          f"({gateways} gateways in parallel, batches of {len(json.loads(bodies[0])['readings'])} readings, "
          f"{sum(len(q) for q in queues)} requests)")
    return {"http_rate": rate}


# ----------------------------------------------------------------------------- 3. MQTT
def bench_mqtt(work: Path, db: Path, n_sensors: int, n_readings: int) -> dict:
    import paho.mqtt.client as paho

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from monitoring.broker import Mosquitto

    from reslog.store.readings import ReadingStore

    broker = Mosquitto(work / "broker").start()
    rd = work / "readings-mqtt"
    store = ReadingStore(rd)
    listener = subprocess.Popen([sys.executable, "-m", "reslog", "sites", "listen", "--broker",
                                 f"127.0.0.1:{broker.port}", "--db", str(db), "--readings", str(rd),
                                 "--no-triggers", "--seconds", "600"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # wait until the listener has subscribed: a probe batch must come back through the store
        pub = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id="bench-pub", clean_session=False)
        pub.max_inflight_messages_set(200)
        pub.connect("127.0.0.1", broker.port)
        pub.loop_start()
        t_wait = time.perf_counter()
        k = 0
        while store.count(SITE) == 0:
            if time.perf_counter() - t_wait > 120 or listener.poll() is not None:
                raise RuntimeError("the listener did not start")
            pub.publish(f"reslog/v1/{SITE}/readings", json.dumps({"batch_id": f"probe-{k}", "readings": [
                {"sensor": "s00000", "time": f"2024-03-31T00:{k % 60:02d}:00Z", "value": 1.0}]}), qos=1)
            k += 1
            time.sleep(0.5)
        time.sleep(1.0)
        probe = store.count(SITE)
        per = 500
        minutes = max(1, n_readings // n_sensors)
        df = minute_frame(n_sensors, pd.Timestamp("2024-04-01"), minutes, 4)
        df["time"] = pd.DatetimeIndex(df["time"]).strftime("%Y-%m-%dT%H:%M:%SZ")
        recs = list(df.itertuples(index=False, name=None))
        payloads = [json.dumps({"batch_id": f"mq-{k}", "readings": [
            {"sensor": s, "time": t, "value": v} for s, t, v in recs[i:i + per]]}).encode()
            for k, i in enumerate(range(0, len(recs), per))]
        t = time.perf_counter()
        infos = [pub.publish(f"reslog/v1/{SITE}/readings", p, qos=1) for p in payloads]
        for i in infos:
            i.wait_for_publish(120)
        t_pub = time.perf_counter() - t
        expected = len(recs) + probe
        while store.count(SITE) < expected and time.perf_counter() - t < 600:
            time.sleep(0.05)
        dt = time.perf_counter() - t
        got = store.count(SITE) - probe
        expected -= probe
        pub.loop_stop()
    finally:
        listener.terminate()
        listener.wait(20)
        broker.stop()
    rate = got / dt
    print(f"  MQTT: {fmt_rate(got, dt)} (published in {t_pub:.2f} s, QoS 1, {len(payloads)} messages "
          f"of {per}); ratio to target 20,000/s: {rate / 2e4:.1f}x")
    assert got == expected, (got, expected)
    return {"mqtt_rate": rate}


# ----------------------------------------------------------------------------- 4. query
def month_batches(n_sensors: int, month: pd.Timestamp, seed: int, chunk: int = 25):
    rng = np.random.default_rng(seed)
    t = pd.date_range(month, month + pd.offsets.MonthBegin(1), freq="min", inclusive="left")
    nt = len(t)
    ids = sensor_ids(n_sensors)
    tms = t.values.astype("datetime64[ms]")
    for a in range(0, n_sensors, chunk):
        block = ids[a:a + chunk]
        k = len(block)
        level = np.array([PARAMS[(a + i) % len(PARAMS)][2] for i in range(k)])
        v = np.round(np.repeat(level, nt) * (1 + 0.02 * rng.standard_normal(k * nt)), 4)
        yield pa.table({
            "sensor_id": pa.array(np.repeat(np.array(block, dtype=object), nt), pa.string()),
            "time": pa.array(np.tile(tms, k), pa.timestamp("ms")),
            "value": pa.array(v, pa.float64()),
            "raw_value": pa.nulls(k * nt, pa.float64()),
            "raw_unit": pa.array(np.repeat(np.array([PARAMS[(a + i) % len(PARAMS)][1] for i in range(k)],
                                                    dtype=object), nt), pa.string()),
            "batch_no": pa.array(np.repeat(np.arange(nt) // 60, k).astype(np.int64) + 1, pa.int64()),
            "seq": pa.array(np.tile(np.arange(nt) % 60, k).astype(np.int32), pa.int32()),
        })


def bench_query(work: Path, n_sensors: int, months: int, n_queries: int = 30) -> dict:
    from reslog.store.readings import ReadingStore

    store = ReadingStore(work / "readings-query")
    rng = np.random.default_rng(0)
    ids = sensor_ids(n_sensors)
    out: dict = {}
    written = 0
    for m in range(months):
        month = pd.Timestamp("2023-01-01") + pd.offsets.MonthBegin(m)
        label = f"{month:%Y-%m}"
        rel = f"site={SITE}/month={label}/c{m:04d}.parquet"
        t = time.perf_counter()
        n = store.write_compacted_batches(rel, month_batches(n_sensors, month, m))
        store.register_file(SITE, label, rel, n)
        written += n
        size = sum(f.stat().st_size for f in (store.root / f"site={SITE}").rglob("*.parquet"))
        print(f"  wrote {label}: {n:,} readings in {time.perf_counter() - t:.1f} s; store {size / 2**30:.2f} GiB "
              f"({size / written:.2f} B/reading)")
        if m + 1 in (1, months):
            lat = []
            for _ in range(n_queries):
                s = ids[rng.integers(n_sensors)]
                mm = pd.Timestamp("2023-01-01") + pd.offsets.MonthBegin(int(rng.integers(m + 1)))
                t = time.perf_counter()
                df = store.query(SITE, sensor_id=s, start=mm, end=mm + pd.offsets.MonthBegin(1))
                lat.append(time.perf_counter() - t)
                assert len(df) == mm.days_in_month * 1440, (s, mm, len(df))
            lat_ms = np.array(lat) * 1000
            print(f"  sensor-month query at {written:,} readings ({m + 1} months): median "
                  f"{np.median(lat_ms):.1f} ms, p95 {np.percentile(lat_ms, 95):.1f} ms, max {lat_ms.max():.1f} ms "
                  f"({n_queries} random sensor-months, {mm.days_in_month * 1440:,} rows each); target < 100 ms")
            out[f"query_{m + 1}m"] = {"readings": written, "median_ms": float(np.median(lat_ms)),
                                      "p95_ms": float(np.percentile(lat_ms, 95))}
    out["bytes_per_reading"] = size / written
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd")
    sv = sub.add_parser("serve")
    sv.add_argument("--port", type=int)
    sv.add_argument("--db")
    sv.add_argument("--readings")
    ap.add_argument("--sensors", type=int, default=1000)
    ap.add_argument("--file-minutes", type=int, default=1440)
    ap.add_argument("--files", type=int, default=3)
    ap.add_argument("--http-readings", type=int, default=600_000)
    ap.add_argument("--mqtt-readings", type=int, default=600_000)
    ap.add_argument("--http-batch", type=int, default=2500, help="Readings per HTTP request.")
    ap.add_argument("--query-months", type=int, default=12)
    ap.add_argument("--only", default="files,http,mqtt,query")
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    if args.cmd == "serve":
        serve(args)
        return
    work = args.workdir or Path(tempfile.mkdtemp(prefix="reslog-sensor-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"work dir {work}; free disk {shutil.disk_usage(work).free / 2**30:.0f} GiB; "
          f"{os.cpu_count()} CPUs")
    results: dict = {}
    try:
        with PeakRSS() as mem:
            db = setup_registry(work, args.sensors)
            parts = args.only.split(",")
            if "files" in parts:
                print("1. file path")
                results.update(bench_files(work, db, args.sensors, args.file_minutes, args.files))
            if "http" in parts:
                print("2. HTTP")
                results.update(bench_http(work, db, args.sensors, args.http_readings, args.http_batch))
            if "mqtt" in parts:
                print("3. MQTT")
                results.update(bench_mqtt(work, db, args.sensors, args.mqtt_readings))
            if "query" in parts:
                print("4. sensor-month query")
                results.update(bench_query(work, args.sensors, args.query_months))
        print(f"peak RSS: bench process {mem.peak / 2**30:.2f} GiB; children (server, listener, "
              f"broker) {mem.peak_children / 2**30:.2f} GiB")
        results["peak_rss_gib"] = mem.peak / 2**30
        results["peak_rss_children_gib"] = mem.peak_children / 2**30
        print(json.dumps(results, default=float))
    finally:
        if not args.keep and args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
