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

from reslog.errors import ReslogError
from reslog.intel.monitoring.parameters import PARAMETERS, conversion
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


def _parse_times(t: pd.Series) -> np.ndarray:
    """Naive-UTC ``datetime64[ms]``; NaT where the value is not an ISO 8601 time."""
    if pd.api.types.is_datetime64_any_dtype(t):
        tt = t.dt.tz_convert("UTC").dt.tz_localize(None) if getattr(t.dt, "tz", None) else t
        return tt.to_numpy().astype("datetime64[ms]")
    try:  # fast path: Arrow's strict ISO 8601 parser (offsets converted to UTC)
        import pyarrow.compute as pc

        arr = pa.array(t.to_numpy(dtype=object, na_value=None), pa.string())
        ts = pc.cast(pc.utf8_trim_whitespace(arr), pa.timestamp("ms", "UTC"))
        return ts.cast(pa.int64()).to_numpy(zero_copy_only=False).astype("datetime64[ms]")
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        pass
    s = t.astype(str).str.strip()
    out = pd.to_datetime(s, utc=True, errors="coerce", format="ISO8601")
    miss = out.isna() & (s != "")
    if miss.any():  # logger styles such as "2020-06-01 0:00": one inferred format, no guessing per row
        alt = pd.to_datetime(s[miss], utc=True, errors="coerce")
        out = out.where(~miss, alt)
    return out.dt.tz_localize(None).to_numpy().astype("datetime64[ms]")


def _parse_values(v: pd.Series) -> np.ndarray:
    """float64; NaN where the value is not a number."""
    if pd.api.types.is_numeric_dtype(v) and not pd.api.types.is_bool_dtype(v):
        return v.to_numpy(dtype=float, na_value=np.nan)
    try:
        import pyarrow.compute as pc

        arr = pa.array(v.to_numpy(dtype=object, na_value=None))
        if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
            return pc.cast(pc.utf8_trim_whitespace(arr), pa.float64()).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        pass
    obj = v.to_numpy(dtype=object)
    num = pd.to_numeric(pd.Series(obj).map(lambda x: None if isinstance(x, bool) else x).astype(object)
                        .map(lambda x: x.strip() if isinstance(x, str) else x), errors="coerce")
    return num.to_numpy(dtype=float, na_value=np.nan)


def _problems(mask: np.ndarray, rows: np.ndarray, sensors, field_: str,
              msg: np.ndarray | str) -> pd.DataFrame:
    idx = np.flatnonzero(mask)
    sens = sensors(idx) if callable(sensors) else sensors[idx]
    m = msg if isinstance(msg, str) else msg[idx]
    return pd.DataFrame({"row": rows[idx], "sensor_id": sens, "field": field_, "message": m})


@dataclass
class _Checked:
    """A batch after the static rules (everything but time order), before the store."""

    res: BatchResult
    skip: int
    n_seen: int
    scodes: np.ndarray        # sensor code per reading (into suniq)
    suniq: np.ndarray         # distinct sensor ids (object)
    times: np.ndarray         # datetime64[ms]
    values: np.ndarray        # as received
    conv: np.ndarray          # canonical
    pcodes: np.ndarray        # (sensor, unit) pair code per reading
    punit: np.ndarray         # effective unit per pair (object)
    pcanon: np.ndarray        # pair unit is the canonical unit
    seq: np.ndarray
    rows: np.ndarray
    bad: np.ndarray
    problems: list[pd.DataFrame]
    raw: RawReadings
    done: bool = False

    def sensor_of(self, idx: np.ndarray) -> np.ndarray:
        return self.suniq[self.scodes[idx]] if len(self.suniq) else np.full(len(idx), None, object)


def _empty_checked(res: BatchResult, raw: RawReadings) -> _Checked:
    z = np.zeros(0)
    return _Checked(res, 0, 0, z.astype(np.int64), z.astype(object), z.astype("datetime64[ms]"), z, z,
                    z.astype(np.int64), z.astype(object), z.astype(bool), z.astype(np.int32),
                    z.astype(np.int64), z.astype(bool), [], raw, done=True)


def _check_static(store: ReadingStore, registry: Registry, site_id: str, raw: RawReadings,
                  batch_id: str, via: str, now: pd.Timestamp | None) -> _Checked:
    registry.site(site_id)
    res = BatchResult(batch_id=batch_id, site_id=site_id, via=via, complete=raw.complete)
    prev = store.batch(batch_id)
    if prev is not None and (prev.site_id != site_id or prev.complete):
        if prev.site_id != site_id:
            res.rejected = len(raw.frame)
            res.problems = pd.DataFrame([{"row": 0, "sensor_id": None, "field": "batch_id",
                                          "message": f"batch id '{batch_id}' was already used for "
                                                     f"site '{prev.site_id}'; use a new batch id"}])
        else:
            res.duplicate = True
        return _empty_checked(res, raw)
    skip = prev.n_seen if prev is not None else 0
    df = raw.frame
    n_seen = len(df)  # complete readings seen (a truncated tail is not one)
    seq = np.arange(len(df), dtype=np.int64)
    rows = df["row"].to_numpy() if "row" in df.columns else seq + 1
    if skip:
        df = df.iloc[skip:]
        seq, rows = seq[skip:], rows[skip:]
    seq = seq.astype(np.int32)
    problems = [pd.DataFrame([{"row": r, "sensor_id": None, "field": f, "message": m}
                              for r, f, m in raw.problems])] if raw.problems else []
    n = len(df)
    # sensors: one code per distinct id; every registry lookup is done on the distinct ids
    sraw = df["sensor_id"]
    scodes, suniq = pd.factorize(sraw.astype(str).str.strip() if sraw.dtype == object else sraw.str.strip())
    suniq = np.asarray(suniq, dtype=object)
    look = registry.lookup
    info = [look.get(x) for x in suniq]
    u_ok = np.array([i is not None and i[0] == site_id for i in info], dtype=bool)
    u_else = np.array([i is not None for i in info], dtype=bool)
    ok_sensor = u_ok[scodes] if n else np.zeros(0, bool)
    bad = ~ok_sensor
    c = _Checked(res, skip, n_seen, scodes, suniq, np.zeros(0), np.zeros(0), np.zeros(0),
                 np.zeros(0, np.int64), np.zeros(0, object), np.zeros(0, bool), seq, rows, bad,
                 problems, raw)
    if bad.any():
        msg = np.where(u_else[scodes], f"sensor is registered at another site, not at '{site_id}'",
                       f"sensor is not registered at site '{site_id}'; register it first").astype(object)
        problems.append(_problems(bad, rows, c.sensor_of, "sensor", msg))
    values = _parse_values(df["value"])
    bad_v = ~np.isfinite(values) & ~bad
    if bad_v.any():
        vr = df["value"].to_numpy(dtype=object)
        problems.append(_problems(bad_v, rows, c.sensor_of, "value",
                                  np.array([f"'{v}' is not a finite number" for v in vr], dtype=object)))
    bad |= bad_v
    times = _parse_times(df["time"])
    bad_t = np.isnat(times) & ~bad
    if bad_t.any():
        tr = df["time"].to_numpy(dtype=object)
        problems.append(_problems(bad_t, rows, c.sensor_of, "time",
                                  np.array([f"'{v}' is not an ISO 8601 date-time" for v in tr], dtype=object)))
    bad |= bad_t
    now = pd.Timestamp.now(tz="UTC").tz_localize(None) if now is None else pd.Timestamp(now)
    limit = np.datetime64(now + FUTURE_TOLERANCE, "ms")
    bad_f = ~bad & (times > limit)
    if bad_f.any():
        problems.append(_problems(bad_f, rows, c.sensor_of, "time",
                                  f"timestamp is in the future (after {now:%Y-%m-%dT%H:%M:%S}Z + 5 min)"))
    bad |= bad_f
    # units: one conversion per distinct (sensor, unit as sent) pair
    ucodes, uuniq = pd.factorize(df["unit"].fillna("").astype(str))
    uuniq = np.asarray([str(u).strip() for u in uuniq], dtype=object)
    key = scodes.astype(np.int64) * (len(uuniq) + 1) + ucodes
    pcodes, pkeys = pd.factorize(key)
    pkeys = np.asarray(pkeys)
    p_s, p_u = pkeys // (len(uuniq) + 1), pkeys % (len(uuniq) + 1)
    npair = len(pkeys)
    punit = np.empty(npair, dtype=object)
    pcanon = np.zeros(npair, bool)
    pscale, poff = np.full(npair, np.nan), np.full(npair, np.nan)
    perr = np.full(npair, "", dtype=object)
    for k in range(npair):
        if not u_ok[p_s[k]]:
            punit[k] = uuniq[p_u[k]]
            continue
        _site, par, reg_unit = info[p_s[k]]
        unit = uuniq[p_u[k]] or reg_unit
        punit[k] = unit
        try:
            pscale[k], poff[k] = conversion(unit, par)
            pcanon[k] = unit == PARAMETERS[par].unit
        except ReslogError as e:
            perr[k] = str(e)
    conv = values * pscale[pcodes] + poff[pcodes]
    bad_u = ~bad & (perr[pcodes] != "")
    if bad_u.any():
        problems.append(_problems(bad_u, rows, c.sensor_of, "unit", perr[pcodes]))
    bad |= bad_u
    c.times, c.values, c.conv, c.pcodes, c.punit, c.pcanon, c.bad = times, values, conv, pcodes, punit, pcanon, bad
    return c


def _check_order_and_stage(w, c: _Checked) -> None:
    """Time-order rules against the batch and the store, then stage the good readings."""
    res = c.res
    prev2 = w.lookup(res.batch_id)
    if prev2 is not None and prev2.complete:
        res.duplicate = True
        return
    if prev2 is not None and prev2.n_seen != c.skip:  # another writer advanced it meanwhile
        raise RuntimeError(f"batch {res.batch_id} was advanced concurrently; retry")
    n, bad, rows = len(c.scodes), c.bad, c.rows
    good = np.flatnonzero(~bad)
    if len(good):
        sc = c.scodes[good]
        tt = c.times[good].astype(np.int64)
        order = np.argsort(sc, kind="stable")                    # by sensor, then batch order
        s_o, t_o = sc[order], tt[order]
        first = np.r_[True, s_o[1:] != s_o[:-1]]
        if bool(np.all(first[1:] | (np.diff(t_o) > 0))):       # the usual case: strictly increasing
            dup_o = np.zeros(len(t_o), bool)
            ooo_o = dup_o
        else:
            low = np.int64(-(2 ** 62))
            cm = pd.Series(t_o).groupby(s_o).cummax().to_numpy()
            prior = np.where(first, low, np.r_[low, cm[:-1]])      # max of earlier readings
            dup_o = pd.DataFrame({"s": s_o, "t": t_o}).duplicated().to_numpy()
            ooo_o = ~dup_o & (t_o < prior)
        uniq_s = np.unique(sc)
        hwm = w.hwm([str(x) for x in c.suniq[uniq_s]])
        last_u = np.full(len(c.suniq), np.nan)
        for code in uniq_s:
            v = hwm.get(str(c.suniq[code]))
            if v is not None:
                last_u[code] = v
        last = last_u[s_o]
        has = ~np.isnan(last)
        lastv = np.nan_to_num(last, nan=0).astype(np.int64)
        late_o = ~dup_o & ~ooo_o & has & (t_o <= lastv)
        same_o = late_o & (t_o == lastv)
        inv = np.empty_like(order)
        inv[order] = np.arange(len(order))
        for mask_o, msg in ((dup_o, "duplicate timestamp in this batch (the first reading is kept)"),
                            (ooo_o, "out-of-order timestamp: earlier than a previous reading of "
                                    "this sensor in the batch"),
                            (late_o & ~same_o, "late reading: at or before the latest stored reading "
                                               "of this sensor"),
                            (same_o, "duplicate of a stored reading (same sensor and time)")):
            if mask_o.any():
                idx = good[order[mask_o]]
                m = np.zeros(n, bool)
                m[idx] = True
                c.problems.append(_problems(m, rows, c.sensor_of, "time", msg))
                bad[idx] = True
        good = np.flatnonzero(~bad)
    pc_good = c.pcodes[good]
    is_canon = c.pcanon[pc_good]
    sens = pa.DictionaryArray.from_arrays(pa.array(c.scodes[good].astype(np.int32)),
                                          pa.array(c.suniq.astype(str), pa.string())).cast(pa.string())
    unit = pa.DictionaryArray.from_arrays(pa.array(pc_good.astype(np.int32)),
                                          pa.array(c.punit.astype(str), pa.string())).cast(pa.string())
    tab = pa.table({
        "sensor_id": sens,
        "time": pa.array(c.times[good], pa.timestamp("ms")),
        "value": pa.array(c.conv[good], pa.float64()),
        "raw_value": pa.array(np.where(is_canon, np.nan, c.values[good]), pa.float64(), mask=is_canon),
        "raw_unit": unit,
        "seq": pa.array(c.seq[good], pa.int32()),
    })
    res.accepted = int(len(good))
    res.rejected = int(n - len(good) + len(c.raw.problems))
    hw: dict[str, int] = {}
    if len(good):
        sg, tg = c.scodes[good], c.times[good].astype(np.int64)
        mx = pd.Series(tg).groupby(sg).max()
        hw = {str(c.suniq[k]): int(v) for k, v in mx.items()}
    w.write(site_id=res.site_id, batch_id=res.batch_id, via=res.via, sha256=c.raw.sha256 or None,
            rows=tab, n_seen=c.n_seen, n_accepted=res.accepted, n_rejected=res.rejected,
            complete=c.raw.complete, previous=prev2, hwm_updates=hw)


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
