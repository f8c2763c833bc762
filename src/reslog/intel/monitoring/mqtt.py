"""MQTT listener: ``reslog sites listen --broker HOST:PORT``.

Topic tree (all under a configurable root, default ``reslog/v1``)
-----------------------------------------------------------------
==========================================  =================================================
topic                                       payload
==========================================  =================================================
``reslog/v1/{site}/readings``               a batch: ``{"batch_id", "readings": [{sensor, time,
                                            value, unit?}, …]}`` (:mod:`.payload`)
``reslog/v1/{site}/sensors/{sensor}``       one sensor: ``{"batch_id", "time", "value",
                                            "unit"?}`` or ``{"batch_id", "readings": [{time,
                                            value, unit?}, …]}``
==========================================  =================================================

The listener subscribes to ``{root}/+/readings`` and ``{root}/+/sensors/+`` with QoS 1.

Delivery guarantees
-------------------
* The MQTT session is persistent (``clean_session=False``, fixed client id), so the broker
  keeps QoS-1 messages for the listener while it or the broker is down (mosquitto with
  ``persistence true`` keeps them across a broker restart).
* **Acknowledgement after storage** (``manual_ack``): a message is acknowledged (PUBACK) only
  after the readings it carries are committed to the store. A crash before that means the broker
  sends it again; its batch id makes the second delivery a no-op. Acks owed on a connection that
  has since dropped are not sent on the new one (the broker re-sends those messages).
* A message without ``batch_id`` gets the SHA-256 of its payload as id, so an exact redelivery
  is still stored once.
* A malformed payload (not JSON, not a batch, a topic outside the tree, an unknown site) is
  logged, counted in :attr:`Listener.stats` and acknowledged (re-sending it cannot help); it
  never stops the listener.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from reslog.intel.monitoring.ingest import BatchResult, ingest_many
from reslog.intel.monitoring.payload import PayloadError, parse_batch
from reslog.intel.monitoring.registry import Registry, UnknownSite
from reslog.store.readings import ReadingStore

log = logging.getLogger("reslog.sites.mqtt")
ROOT = "reslog/v1"


@dataclass
class ListenerStats:
    """Counters of a running listener."""

    messages: int = 0
    batches_stored: int = 0
    duplicate_batches: int = 0
    readings_stored: int = 0
    readings_rejected: int = 0
    malformed: int = 0
    connects: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class _Msg:
    gen: int
    mid: int
    qos: int
    site: str
    batch_id: str
    raw: object


def parse_broker(text: str) -> tuple[str, int]:
    """``HOST:PORT`` (``PORT`` defaults to 1883)."""
    host, _, port = text.rpartition(":") if ":" in text else (text, "", "1883")
    if not host:
        host, port = text, "1883"
    try:
        return host, int(port)
    except ValueError:
        raise ValueError(f"--broker '{text}' is not HOST:PORT") from None


class Listener:
    """Subscribe to the topic tree, ingest through the common rules, ack after storage.

    Parameters
    ----------
    host, port : the broker. store : the readings store.
    registry : a callable returning the current :class:`Registry` (reloaded when it changes).
    flush_readings, flush_seconds : a flush stores what has arrived when either is reached.
    on_flush : called with the batch results of each flush (e.g. to evaluate triggers).
    """

    def __init__(self, host: str, port: int, store: ReadingStore, registry: Callable[[], Registry],
                 *, root: str = ROOT, client_id: str = "reslog-listener", flush_readings: int = 20_000,
                 flush_seconds: float = 0.5, on_flush: Callable[[list[BatchResult]], None] | None = None
                 ) -> None:
        import paho.mqtt.client as mqtt

        self.host, self.port, self.store, self.registry = host, port, store, registry
        self.root = root.rstrip("/")
        self.flush_readings, self.flush_seconds, self.on_flush = flush_readings, flush_seconds, on_flush
        self.stats = ListenerStats()
        self._q: queue.Queue[_Msg] = queue.Queue()
        self._gen = 0
        self._stop = threading.Event()
        self.connected = threading.Event()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id,
                                  clean_session=False, manual_ack=True)
        self.client.reconnect_delay_set(min_delay=0.05, max_delay=1.0)
        self.client.max_inflight_messages_set(1000)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message

    # ------------------------------------------------------------------ callbacks (network thread)
    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        self._gen += 1
        self.stats.connects += 1
        if reason_code.is_failure:
            log.error("broker refused the connection: %s", reason_code)
            return
        client.subscribe([(f"{self.root}/+/readings", 1), (f"{self.root}/+/sensors/+", 1)])
        self.connected.set()
        log.info("connected to %s:%d (session present: %s)", self.host, self.port,
                 flags.session_present)

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        self.connected.clear()
        self._gen += 1
        log.warning("disconnected from the broker (%s); reconnecting", reason_code)

    def _malformed(self, msg, why: str) -> None:
        self.stats.malformed += 1
        log.warning("malformed message on %s: %s", msg.topic, why)
        if len(self.stats.errors) < 100:
            self.stats.errors.append(f"{msg.topic}: {why}")
        self.client.ack(msg.mid, msg.qos)

    def _on_message(self, client, userdata, msg) -> None:
        self.stats.messages += 1
        try:
            rest = msg.topic[len(self.root) + 1:].split("/") if msg.topic.startswith(self.root + "/") else []
            if len(rest) == 2 and rest[1] == "readings":
                site, sensor = rest[0], None
            elif len(rest) == 3 and rest[1] == "sensors":
                site, sensor = rest[0], rest[2]
            else:
                self._malformed(msg, "topic outside the tree")
                return
            bid, raw = parse_batch(msg.payload, default_sensor=sensor)
            self._q.put(_Msg(self._gen, msg.mid, msg.qos, site, bid or raw.sha256, raw))
        except PayloadError as e:
            self._malformed(msg, str(e))
        except Exception as e:  # noqa: BLE001 - nothing in a payload may stop the listener
            self._malformed(msg, f"{type(e).__name__}: {e}")

    # ------------------------------------------------------------------ main loop
    def _flush(self, pending: list[_Msg]) -> None:
        reg = self.registry()
        good, results = [], []
        for m in pending:
            try:
                reg.site(m.site)
                good.append(m)
            except UnknownSite as e:
                self.stats.malformed += 1
                log.warning("message for unknown site: %s", e)
                self._ack(m)
        if good:
            results = ingest_many(self.store, reg, [(m.site, m.raw, m.batch_id) for m in good], via="mqtt")
            for r in results:
                if r.duplicate:
                    self.stats.duplicate_batches += 1
                else:
                    self.stats.batches_stored += 1
                self.stats.readings_stored += r.accepted
                self.stats.readings_rejected += r.rejected
            for m in good:
                self._ack(m)
        if self.on_flush is not None and results:
            try:
                self.on_flush(results)
            except Exception as e:  # noqa: BLE001 - a hook must not stop ingest
                log.error("on_flush failed: %s", e)

    def _ack(self, m: _Msg) -> None:
        if m.gen == self._gen and m.qos > 0:
            self.client.ack(m.mid, m.qos)

    def run(self, *, stop: threading.Event | None = None, max_seconds: float | None = None) -> ListenerStats:
        """Connect and process messages until ``stop`` is set (or ``max_seconds`` pass)."""
        stop = stop or self._stop
        self.client.connect_async(self.host, self.port, keepalive=30)
        self.client.loop_start()
        t_end = None if max_seconds is None else time.monotonic() + max_seconds
        pending: list[_Msg] = []
        n_pending = 0
        t_first = 0.0
        try:
            while not stop.is_set() and (t_end is None or time.monotonic() < t_end):
                idle = False
                try:
                    m = self._q.get(timeout=0.05)
                    if not pending:
                        t_first = time.monotonic()
                    pending.append(m)
                    n_pending += len(m.raw.frame)
                except queue.Empty:
                    idle = True
                if pending and (idle or n_pending >= self.flush_readings
                                or time.monotonic() - t_first >= self.flush_seconds):
                    try:
                        self._flush(pending)
                    except Exception as e:  # noqa: BLE001 - not acked: the broker re-sends
                        log.error("flush failed (%s); messages will be re-delivered", e)
                        self.stats.errors.append(f"flush: {e}")
                    pending, n_pending = [], 0
        finally:
            if pending:
                try:
                    self._flush(pending)
                except Exception as e:  # noqa: BLE001
                    log.error("final flush failed: %s", e)
            self.client.disconnect()
            self.client.loop_stop()
        return self.stats

    def stop(self) -> None:
        """Ask :meth:`run` to return."""
        self._stop.set()
