"""The ingest rules every path shares (files, HTTP, MQTT): one function, one set of rules.

:func:`ingest_readings` takes raw readings (strings or numbers, as they arrived) of one batch,
judges each reading, stores the good ones through :class:`reslog.store.readings.ReadingStore` and
returns a :class:`BatchResult` listing every rejected reading with its row, field and reason.

Per-reading rules (a failing reading is rejected; the others are kept)
----------------------------------------------------------------------
1. ``sensor``: the sensor must be registered at the batch's site.
2. ``value``: a finite number (strings such as ``"12.5"`` are accepted; ``"n/a"``, ``NaN`` not).
3. ``time``: ISO 8601 (an offset is converted to UTC; no offset means UTC); not later than
   *now* + 5 minutes (clock skew tolerance).
4. ``unit``: empty means the sensor's registered unit; otherwise a pint unit of the
   parameter's dimension (:mod:`reslog.intel.monitoring.parameters`), converted exactly.
5. ``time`` order, per sensor: a timestamp repeated inside the batch is a duplicate (the first
   is kept); a timestamp earlier than one before it in the batch is out of order; a timestamp at
   or before the latest already stored for the sensor is a duplicate / late reading.
   Timestamps therefore strictly increase per sensor in the store.

Batch rules
-----------
* The batch id makes retries idempotent: a complete batch seen before stores nothing and
  returns ``duplicate=True``. Ids are the client's (HTTP/MQTT ``batch_id``), or the file's
  SHA-256 for file ingest.
* A half-sent batch (truncated JSON, a cut-off last CSV line) keeps its complete readings and is
  recorded as incomplete with the number of readings seen; its retry under the same id stores
  only the readings after them.
* Range, spikes, stuck values, gaps and drift are *not* ingest rules: such readings are stored
  (the raw value is never changed) and flagged by quality control (:mod:`.qc`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from reslog.intel.monitoring.parameters import PARAMETERS, convert_values
from reslog.intel.monitoring.registry import Registry
from reslog.sources.sensors import RawReadings
from reslog.store.readings import ReadingStore

FUTURE_TOLERANCE = pd.Timedelta(minutes=5)


@dataclass
class BatchResult:
    """What one batch did."""

    batch_id: str
    site_id: str
    via: str
    accepted: int = 0
    rejected: int = 0
    duplicate: bool = False
    complete: bool = True
    problems: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["row", "sensor_id", "field", "message"]))

    def to_dict(self, limit: int = 100) -> dict[str, Any]:
        """JSON-able summary with at most ``limit`` problems."""
        probs = self.problems.head(limit)
        return {"batch_id": self.batch_id, "site": self.site_id, "via": self.via,
                "accepted": self.accepted, "rejected": self.rejected,
                "duplicate_batch": self.duplicate, "complete": self.complete,
                "errors": [{"row": int(r.row), "sensor": None if pd.isna(r.sensor_id) else str(r.sensor_id),
                            "field": r.field, "message": r.message}
                           for r in probs.itertuples(index=False)],
                "errors_truncated": max(0, len(self.problems) - limit)}


def _parse_times(t: pd.Series) -> pd.Series:
    """Naive-UTC ``datetime64[ms]``; NaT where the value is not an ISO 8601 time."""
    if pd.api.types.is_datetime64_any_dtype(t):
        tt = t.dt.tz_convert("UTC").dt.tz_localize(None) if getattr(t.dt, "tz", None) else t
        return tt.astype("datetime64[ms]")
    s = t.astype(str).str.strip()
    out = pd.to_datetime(s, utc=True, errors="coerce", format="ISO8601")
    miss = out.isna() & (s != "")
    if miss.any():  # logger styles such as "2020-06-01 0:00": one inferred format, no guessing per row
        alt = pd.to_datetime(s[miss], utc=True, errors="coerce")
        out = out.where(~miss, alt)
    return out.dt.tz_localize(None).astype("datetime64[ms]")


def _problems(mask: np.ndarray, rows: np.ndarray, sensors: np.ndarray, field_: str,
              msg: np.ndarray | str) -> pd.DataFrame:
    idx = np.flatnonzero(mask)
    m = msg if isinstance(msg, str) else msg[idx]
    return pd.DataFrame({"row": rows[idx], "sensor_id": sensors[idx], "field": field_, "message": m})


@dataclass
class _Checked:
    """A batch after the static rules (everything but time order), before the store."""

    res: BatchResult
    skip: int
    n_seen: int
    sensors: np.ndarray
    times: np.ndarray
    values: np.ndarray
    conv: np.ndarray
    units: np.ndarray
    canon: np.ndarray
    seq: np.ndarray
    rows: np.ndarray
    bad: np.ndarray
    problems: list[pd.DataFrame]
    raw: RawReadings
    done: bool = False


def _check_static(store: ReadingStore, registry: Registry, site_id: str, raw: RawReadings,
                  batch_id: str, via: str, now: pd.Timestamp | None) -> _Checked:
    registry.site(site_id)
    res = BatchResult(batch_id=batch_id, site_id=site_id, via=via, complete=raw.complete)
    prev = store.batch(batch_id)
    empty = np.zeros(0)
    if prev is not None and (prev.site_id != site_id or prev.complete):
        if prev.site_id != site_id:
            res.rejected = len(raw.frame)
            res.problems = pd.DataFrame([{"row": 0, "sensor_id": None, "field": "batch_id",
                                          "message": f"batch id '{batch_id}' was already used for "
                                                     f"site '{prev.site_id}'; use a new batch id"}])
        else:
            res.duplicate = True
        return _Checked(res, 0, 0, empty, empty, empty, empty, empty, empty, empty, empty,
                        np.zeros(0, bool), [], raw, done=True)
    skip = prev.n_seen if prev is not None else 0
    df = raw.frame
    n_seen = len(df)  # complete readings seen (a truncated tail is not one)
    seq_all = np.arange(len(df), dtype=np.int64)
    rows = df["row"].to_numpy() if "row" in df.columns else seq_all + 1
    keep_new = seq_all >= skip
    if not keep_new.all():
        df = df[keep_new]
    seq = seq_all[keep_new].astype(np.int32)
    rows = rows[keep_new]
    problems = [pd.DataFrame([{"row": r, "sensor_id": None, "field": f, "message": m}
                              for r, f, m in raw.problems])] if raw.problems else []
    n = len(df)
    sensors = df["sensor_id"].astype(str).str.strip().to_numpy(dtype=object)
    reg = registry.sensors
    known = pd.Index(reg.index[reg["site_id"] == site_id])
    ok_sensor = known.get_indexer(sensors) >= 0
    bad = ~ok_sensor
    if bad.any():
        elsewhere = pd.Index(reg.index).get_indexer(sensors) >= 0
        msg = np.where(elsewhere, f"sensor is registered at another site, not at '{site_id}'",
                       f"sensor is not registered at site '{site_id}'; register it first")
        problems.append(_problems(bad, rows, sensors, "sensor", msg.astype(object)))
    vraw = df["value"]
    values = (vraw.to_numpy(dtype=float) if pd.api.types.is_numeric_dtype(vraw)
              else pd.to_numeric(vraw.astype(str).str.strip(), errors="coerce").to_numpy(dtype=float))
    bad_v = ~np.isfinite(values) & ~bad
    if bad_v.any():
        problems.append(_problems(bad_v, rows, sensors, "value", np.array(
            [f"'{v}' is not a finite number" for v in vraw.to_numpy()], dtype=object)))
    bad |= bad_v
    times = _parse_times(df["time"]).to_numpy()
    bad_t = np.isnat(times) & ~bad
    if bad_t.any():
        problems.append(_problems(bad_t, rows, sensors, "time", np.array(
            [f"'{v}' is not an ISO 8601 date-time" for v in df["time"].to_numpy()], dtype=object)))
    bad |= bad_t
    now = pd.Timestamp.now(tz="UTC").tz_localize(None) if now is None else pd.Timestamp(now)
    limit = np.datetime64(now + FUTURE_TOLERANCE, "ms")
    bad_f = ~bad & (times > limit)
    if bad_f.any():
        problems.append(_problems(bad_f, rows, sensors, "time",
                                  f"timestamp is in the future (after {now:%Y-%m-%dT%H:%M:%S}Z + 5 min)"))
    bad |= bad_f
    units = df["unit"].fillna("").astype(str).str.strip().to_numpy(dtype=object)
    par = np.full(n, "", dtype=object)
    reg_unit = np.full(n, "", dtype=object)
    if ok_sensor.any():
        par[ok_sensor] = reg["parameter"].reindex(sensors[ok_sensor]).to_numpy()
        reg_unit[ok_sensor] = reg["unit"].reindex(sensors[ok_sensor]).to_numpy()
    units = np.where(units == "", reg_unit, units)
    canon_of = {p: PARAMETERS[p].unit for p in PARAMETERS}
    canon = np.array([canon_of.get(p, "") for p in par], dtype=object) if n else par
    conv = np.full(n, np.nan)
    cand = ~bad
    if cand.any():
        c, err = convert_values(values[cand], units[cand].astype(str), par[cand].astype(str))
        conv[cand] = c
        e_full = np.full(n, "", dtype=object)
        e_full[cand] = err
        bad_u = cand & (e_full != "")
        if bad_u.any():
            problems.append(_problems(bad_u, rows, sensors, "unit", e_full))
        bad |= bad_u
    return _Checked(res, skip, n_seen, sensors, times, values, conv, units, canon, seq, rows,
                    bad, problems, raw)


def _check_order_and_stage(w, c: _Checked) -> None:
    """Time-order rules against the batch and the store, then stage the good readings."""
    res = c.res
    prev2 = w.lookup(res.batch_id)
    if prev2 is not None and prev2.complete:
        res.duplicate = True
        return
    if prev2 is not None and prev2.n_seen != c.skip:  # another writer advanced it meanwhile
        raise RuntimeError(f"batch {res.batch_id} was advanced concurrently; retry")
    n, bad, sensors, rows = len(c.sensors), c.bad, c.sensors, c.rows
    good = np.flatnonzero(~bad)
    if len(good):
        g = pd.DataFrame({"s": sensors[good], "t": c.times[good].astype("int64"), "i": good})
        tt = g["t"].to_numpy()
        dup = g.duplicated(["s", "t"], keep="first").to_numpy()
        prior = g.groupby("s", sort=False)["t"].cummax().groupby(g["s"], sort=False).shift(1).to_numpy()
        ooo = ~dup & ~np.isnan(prior) & (tt < np.nan_to_num(prior, nan=0))
        hwm = w.hwm(list(pd.unique(g["s"])))
        last = g["s"].map(hwm).to_numpy(dtype=float)
        late = ~dup & ~ooo & ~np.isnan(last) & (tt <= np.nan_to_num(last, nan=0))
        same = late & (tt == np.nan_to_num(last, nan=0))
        for mask, msg in ((dup, "duplicate timestamp in this batch (the first reading is kept)"),
                          (ooo, "out-of-order timestamp: earlier than a previous reading of "
                                "this sensor in the batch"),
                          (late & ~same, "late reading: at or before the latest stored reading "
                                         "of this sensor"),
                          (same, "duplicate of a stored reading (same sensor and time)")):
            if mask.any():
                idx = g["i"].to_numpy()[mask]
                m = np.zeros(n, bool)
                m[idx] = True
                c.problems.append(_problems(m, rows, sensors, "time", msg))
                bad[idx] = True
        good = np.flatnonzero(~bad)
    raw_unit = c.units[good].astype(str)
    is_canon = raw_unit == c.canon[good].astype(str)
    tab = pa.table({
        "sensor_id": pa.array(sensors[good].astype(str), pa.string()),
        "time": pa.array(c.times[good].astype("datetime64[ms]"), pa.timestamp("ms")),
        "value": pa.array(c.conv[good], pa.float64()),
        "raw_value": pa.array(np.where(is_canon, np.nan, c.values[good]), pa.float64(),
                              mask=is_canon),
        "raw_unit": pa.array(raw_unit, pa.string()),
        "seq": pa.array(c.seq[good], pa.int32()),
    })
    res.accepted = int(len(good))
    res.rejected = int(n - len(good) + len(c.raw.problems))
    w.write(site_id=res.site_id, batch_id=res.batch_id, via=res.via, sha256=c.raw.sha256 or None,
            rows=tab, n_seen=c.n_seen, n_accepted=res.accepted, n_rejected=res.rejected,
            complete=c.raw.complete, previous=prev2)


def ingest_many(store: ReadingStore, registry: Registry,
                batches: list[tuple[str, RawReadings, str]], *, via: str,
                now: pd.Timestamp | None = None) -> list[BatchResult]:
    """Apply the rules to several batches ``(site_id, raw, batch_id)`` and store them in **one**
    store transaction (one file per site and month): how HTTP and MQTT reach their throughput.
    Batches are judged in order, so a later batch sees the readings of an earlier one."""
    checked = [_check_static(store, registry, site, raw, bid, via, now) for site, raw, bid in batches]
    todo = [c for c in checked if not c.done]
    if todo:
        with store.writer() as w:
            seen: set[str] = set()
            for c in todo:
                if c.res.batch_id in seen:  # the same id twice in one flush
                    c.res.duplicate = True
                    continue
                seen.add(c.res.batch_id)
                _check_order_and_stage(w, c)
    for c in checked:
        if c.problems:
            c.res.problems = pd.concat([p for p in c.problems if len(p)], ignore_index=True
                                       ).sort_values("row", kind="stable").reset_index(drop=True)
    return [c.res for c in checked]


def ingest_readings(store: ReadingStore, registry: Registry, site_id: str, raw: RawReadings, *,
                    batch_id: str, via: str, now: pd.Timestamp | None = None) -> BatchResult:
    """Apply the common rules to one batch and store its good readings (see module docstring)."""
    return ingest_many(store, registry, [(site_id, raw, batch_id)], via=via, now=now)[0]
