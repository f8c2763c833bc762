"""MQTT ingest against a real mosquitto broker on loopback: same rules, idempotent batches,
malformed payloads counted, and no acknowledged reading lost across a broker restart."""

from __future__ import annotations

import json
import threading
import time

import pandas as pd
import pytest

from reslog.intel.monitoring.mqtt import Listener, parse_broker

from .broker import Mosquitto

paho = pytest.importorskip("paho.mqtt.client")


def _publisher(port: int, client_id: str):
    c = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=False)
    c.reconnect_delay_set(0.05, 0.5)
    c.max_queued_messages_set(0)
    c.max_inflight_messages_set(1000)
    c.connect("127.0.0.1", port)
    c.loop_start()
    return c


def _batch(bid: str, start: pd.Timestamp, n: int, sensor: str = "pz1") -> bytes:
    t = pd.date_range(start, periods=n, freq="min")
    return json.dumps({"batch_id": bid, "readings": [
        {"sensor": sensor, "time": x.isoformat() + "Z", "value": 100.0 + i * 0.01, "unit": "kPa"}
        for i, x in enumerate(t)]}).encode()


def _wait(cond, timeout: float = 30.0) -> bool:
    t_end = time.monotonic() + timeout
    while time.monotonic() < t_end:
        if cond():
            return True
        time.sleep(0.05)
    return cond()


@pytest.fixture()
def broker(tmp_path):
    b = Mosquitto(tmp_path / "broker").start()
    yield b
    b.stop()


def _listen(broker, store, reg, client_id="reslog-test-listener"):
    lst = Listener("127.0.0.1", broker.port, store, lambda: reg, client_id=client_id,
                   flush_seconds=0.2)
    stop = threading.Event()
    th = threading.Thread(target=lst.run, kwargs={"stop": stop}, daemon=True)
    th.start()
    assert lst.connected.wait(10), "listener did not connect"
    return lst, stop, th


def test_parse_broker() -> None:
    assert parse_broker("10.0.0.5:1884") == ("10.0.0.5", 1884)
    assert parse_broker("broker") == ("broker", 1883)


def test_mqtt_batches_malformed_and_retry(broker, site_env) -> None:
    _db, store, reg = site_env
    lst, stop, th = _listen(broker, store, reg)
    pub = _publisher(broker.port, "pub-1")
    try:
        body = _batch("m-1", pd.Timestamp("2024-01-01"), 10)
        infos = [pub.publish("reslog/v1/tsf1/readings", body, qos=1),
                 pub.publish("reslog/v1/tsf1/readings", body, qos=1),            # retry: same id
                 pub.publish("reslog/v1/tsf1/readings", b"{not json", qos=1),    # malformed
                 pub.publish("reslog/v1/tsf1/readings", b'{"x": 1}', qos=1),     # not a batch
                 pub.publish("reslog/v1/nosuchsite/readings", body, qos=1),       # unknown site
                 pub.publish("reslog/v1/tsf1/sensors/inc1", json.dumps(
                     {"batch_id": "s-1", "time": "2024-01-01T00:00:00Z", "value": 1.5, "unit": "cm"}),
                     qos=1),
                 pub.publish("reslog/v1/tsf1/readings", json.dumps({"batch_id": "m-2", "readings": [
                     {"sensor": "pz1", "time": "2024-01-01T00:20:00Z", "value": "high"},
                     {"sensor": "pz1", "time": "2024-01-01T00:21:00Z", "value": 101}]}), qos=1)]
        for i in infos:
            i.wait_for_publish(10)
        assert _wait(lambda: lst.stats.messages >= 7 and store.count("tsf1") >= 12)
        time.sleep(0.5)
        assert store.count("tsf1") == 12                    # 10 + 1 + 1 (the 'high' one rejected)
        assert lst.stats.malformed == 3
        assert lst.stats.duplicate_batches == 1
        assert lst.stats.readings_rejected == 1
        assert th.is_alive()                                 # nothing stopped the listener
        inc = store.query("tsf1", sensor_id="inc1")
        assert inc["value"].tolist() == [15.0] and inc["raw_unit"].tolist() == ["cm"]
    finally:
        pub.loop_stop()
        stop.set()
        th.join(10)


def test_broker_restart_loses_no_acknowledged_reading(broker, site_env) -> None:
    """QoS 1 + persistent sessions + persistence in the broker + ack after storage."""
    _db, store, reg = site_env
    lst, stop, th = _listen(broker, store, reg)
    pub = _publisher(broker.port, "pub-restart")
    n_batches, per = 60, 50

    def send(k: int, payload: bytes) -> None:
        """Publish until the broker acknowledges (PUBACK), as a field gateway does: a batch
        that got no acknowledgement is sent again under the same batch id."""
        for _ in range(100):
            info = pub.publish("reslog/v1/tsf1/readings", payload, qos=1)
            try:
                info.wait_for_publish(2.0)
                if info.is_published():
                    return
            except (RuntimeError, ValueError):
                pass
            time.sleep(0.1)
        raise AssertionError(f"batch {k} never acknowledged by the broker")

    try:
        t0 = pd.Timestamp("2024-02-01")
        restarter = None
        for k in range(n_batches):
            if k == 30:       # restart the broker while batches are in flight
                restarter = threading.Thread(target=broker.restart)
                restarter.start()
            send(k, _batch(f"r-{k}", t0 + pd.Timedelta(minutes=k * per), per))
        restarter.join(30)
        expected = n_batches * per
        assert _wait(lambda: store.count("tsf1") >= expected, 60), \
            f"stored {store.count('tsf1')} of {expected} acknowledged readings; {lst.stats}"
        time.sleep(1.0)
        df = store.query("tsf1", sensor_id="pz1")
        assert len(df) == expected and df["time"].is_unique
        assert lst.stats.connects >= 2
    finally:
        pub.loop_stop()
        stop.set()
        th.join(10)


def test_reslog_sites_listen_command(broker, site_env) -> None:
    """The real command in its own process, as deployed: `reslog sites listen --broker …`."""
    import os
    import subprocess
    import sys

    db, store, _reg = site_env
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p.endswith("src")) or
           os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen([sys.executable, "-m", "reslog", "sites", "listen", "--broker",
                             f"127.0.0.1:{broker.port}", "--db", str(db), "--readings", str(store.root),
                             "--client-id", "cli-listener", "--seconds", "60"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    pub = _publisher(broker.port, "pub-cli")
    try:
        k = 0
        t_end = time.monotonic() + 40
        while store.count("tsf1") == 0 and time.monotonic() < t_end:   # until it has subscribed
            pub.publish("reslog/v1/tsf1/readings", _batch(f"c-{k}", pd.Timestamp("2024-03-01")
                                                          + pd.Timedelta(minutes=5 * k), 5), qos=1)
            k += 1
            time.sleep(0.5)
        pub.publish("reslog/v1/tsf1/readings", b"\x00garbage", qos=1).wait_for_publish(5)
        last = pub.publish("reslog/v1/tsf1/readings", _batch("c-last", pd.Timestamp("2024-03-02"), 5), qos=1)
        last.wait_for_publish(5)
        assert _wait(lambda: len(store.query("tsf1", sensor_id="pz1", start="2024-03-02")) == 5, 30)
        assert proc.poll() is None                        # garbage did not stop it
    finally:
        pub.loop_stop()
        proc.terminate()
        out = proc.communicate(timeout=20)[0].decode(errors="replace")
    assert "malformed message" in out
