"""The JSON batch format shared by HTTP and MQTT, with a tolerant parser for half-sent batches.

::

    {"batch_id": "gw7-2024-06-01T10:00Z",
     "readings": [{"sensor": "pz-3", "time": "2024-06-01T10:00:00Z", "value": 101.2, "unit": "kPa"},
                  ...]}

``sensor`` may be written ``sensor_id``; ``unit`` is optional (the sensor's registered unit).
On an MQTT per-sensor topic (``reslog/v1/{site}/sensors/{sensor}``) the sensor comes from the
topic and a single reading may be sent as ``{"batch_id": …, "time": …, "value": …}``.

A body cut off in transit (``{"batch_id": "b", "readings": [{…}, {…}, {"sens``) is not
refused as a whole: the complete readings before the cut are kept, the cut is reported as one
problem, and the batch is marked incomplete, so a retry under the same id stores the rest.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import numpy as np
import pandas as pd

from reslog.sources.sensors import RawReadings


class PayloadError(ValueError):
    """The payload is not a reading batch at all (not JSON, no ``readings`` list …)."""


_READINGS = re.compile(rb'"readings"\s*:\s*\[')
_BATCH = re.compile(rb'"batch_id"\s*:\s*"((?:[^"\\]|\\.){1,200})"')


def _frame(items: list[Any], default_sensor: str | None) -> tuple[pd.DataFrame, list[tuple[int, str, str]]]:
    sensors, times, values, units, problems = [], [], [], [], []
    for i, r in enumerate(items, start=1):
        if not isinstance(r, dict):
            problems.append((i, "reading", "a reading must be a JSON object"))
            sensors.append(None), times.append(None), values.append(None), units.append("")
            continue
        sensors.append(r.get("sensor", r.get("sensor_id", default_sensor)))
        times.append(r.get("time"))
        values.append(r.get("value"))
        units.append(r.get("unit") or "")
    df = pd.DataFrame({"sensor_id": pd.Series(sensors, dtype=object).fillna(""),
                       "time": pd.Series(times, dtype=object).astype(str),
                       "value": pd.Series(values, dtype=object), "unit": units,
                       "row": np.arange(1, len(items) + 1)})
    if problems:
        bad = [p[0] - 1 for p in problems]
        df = df.drop(index=bad)
    vals = df["value"]
    num = pd.to_numeric(vals.where(vals.map(lambda v: not isinstance(v, bool)), "bool"),
                        errors="coerce")
    # keep the original object for error messages where it is not a number
    df["value"] = vals.where(num.isna(), num)
    return df, problems


def parse_batch(body: bytes, *, default_sensor: str | None = None) -> tuple[str | None, RawReadings]:
    """``(batch_id, raw readings)`` of a JSON batch body; see the module docstring.

    Raises
    ------
    PayloadError
        Not JSON and not a recognisable truncated batch either.
    """
    sha = hashlib.sha256(body).hexdigest()
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return _parse_truncated(body, default_sensor, sha)
    if isinstance(doc, list):
        doc = {"readings": doc}
    if not isinstance(doc, dict):
        raise PayloadError("the payload must be a JSON object with a 'readings' list")
    bid = doc.get("batch_id")
    if bid is not None and (not isinstance(bid, str) or not bid.strip() or len(bid) > 200):
        raise PayloadError("'batch_id' must be a non-empty string of at most 200 characters")
    if "readings" in doc:
        items = doc["readings"]
        if not isinstance(items, list):
            raise PayloadError("'readings' must be a list")
    elif "value" in doc:
        items = [doc]
    else:
        raise PayloadError("the payload has no 'readings' list (nor a single 'value')")
    df, problems = _frame(items, default_sensor)
    return bid, RawReadings(df, problems, True, sha)


def _parse_truncated(body: bytes, default_sensor: str | None, sha: str) -> tuple[str | None, RawReadings]:
    m = _READINGS.search(body)
    if m is None:
        raise PayloadError("the payload is not valid JSON")
    b = _BATCH.search(body, 0, m.start())
    bid = json.loads(b'"' + b.group(1) + b'"') if b else None
    text = body[m.end():].decode("utf-8", errors="replace")
    dec = json.JSONDecoder()
    items: list[Any] = []
    pos, n = 0, len(text)
    while True:
        while pos < n and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= n or text[pos] == "]":
            break
        try:
            obj, pos = dec.raw_decode(text, pos)
        except ValueError:
            break
        items.append(obj)
    complete_tail = pos < n and text[pos] == "]"
    if complete_tail:  # valid list but the document was broken elsewhere
        raise PayloadError("the payload is not valid JSON")
    df, problems = _frame(items, default_sensor)
    problems.append((len(items) + 1, "readings", "the batch was cut off here (half-sent); the "
                     f"{len(items)} complete readings before the cut were read; send the batch "
                     "again with the same batch_id to deliver the rest"))
    return bid, RawReadings(df, problems, False, sha)
