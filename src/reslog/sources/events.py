"""Risk events in the canonical layout: CSV or JSON lines.

Columns (CSV header, or the keys of each JSON object, one object per line)::

    event_id,event_type,start_time,end_time,lat,lon,country,mine_id,commodity,severity,
    confidence,deaths,release_m3,title,description,source_urls,source

* ``event_type`` must be a type of the risk taxonomy (:data:`reslog.schema.EVENT_TYPES`);
  every row is stamped with :data:`reslog.schema.TAXONOMY_VERSION` (a ``taxonomy_version``
  column, if present, must equal it);
* ``start_time``/``end_time`` ISO 8601 (``2019-01-25`` or ``2019-01-25T12:28:00-02:00``,
  stored as naive UTC); ``end_time`` ≥ ``start_time``;
* ``severity`` and ``confidence`` in [0, 1]; ``lat``/``lon`` both or neither;
* ``country`` any name/code :func:`reslog.schema.resolve_country` knows (no aggregates);
* ``commodity`` canonical name or alias; ``deaths`` integer ≥ 0; ``release_m3`` ≥ 0;
* ``source_urls`` ``|``-separated http(s) URLs (a JSON list in JSON lines);
* ``event_id``, ``event_type``, ``severity``, ``confidence`` and ``source`` are required.

Row numbers: CSV data rows (header = 0); JSON lines: the line number.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from reslog.errors import InputError
from reslog.schema import EVENT_TYPES, TAXONOMY_VERSION
from reslog.sources.base import Parsed, SourceMeta
from reslog.sources.validate import (
    check_unique_rows,
    col_commodity,
    col_country,
    col_enum,
    col_number,
    col_text,
    col_timestamp,
    decode_strict,
    fail_first,
    finish,
    read_bytes,
    read_csv_table,
    sha256_bytes,
)

EVENT_COLUMNS = ["event_id", "event_type", "start_time", "end_time", "lat", "lon", "country",
                 "mine_id", "commodity", "severity", "confidence", "deaths", "release_m3",
                 "title", "description", "source_urls", "source"]
REQUIRED = ["event_id", "event_type", "severity", "confidence", "source"]
OPTIONAL = [c for c in EVENT_COLUMNS if c not in REQUIRED] + ["taxonomy_version"]


def validate_events(path: Path, df: pd.DataFrame) -> pd.DataFrame:
    """Canonical ``risk_events`` frame from a frame of strings (index = row numbers)."""
    event_id = col_text(path, df, "event_id")
    check_unique_rows(path, pd.DataFrame({"event_id": event_id}, index=df.index), ["event_id"])
    etype = col_enum(path, df, "event_type", list(EVENT_TYPES))
    tv = df["taxonomy_version"].astype(str).str.strip()
    fail_first(path, (tv != "") & (tv != TAXONOMY_VERSION), "taxonomy_version",
               lambda v: f"taxonomy version {v} differs from this reslog's {TAXONOMY_VERSION}; "
               "map the event types to the current taxonomy first", tv)
    start = col_timestamp(path, df, "start_time", required=False)
    end = col_timestamp(path, df, "end_time", required=False)
    fail_first(path, start.notna() & end.notna() & (end < start), "end_time",
               lambda v: f"end_time {v} is before start_time", df["end_time"])
    lat = col_number(path, df, "lat", required=False, allow_negative=True, lo=-90, hi=90)
    lon = col_number(path, df, "lon", required=False, allow_negative=True, lo=-180, hi=180)
    fail_first(path, lat.isna() != lon.isna(), "lon" if lon.isna().any() else "lat",
               "give both lat and lon, or neither")
    urls = df["source_urls"].astype(str).str.strip()
    parts = urls.str.split("|")
    bad_url = parts.map(lambda ps: any(p.strip() and not p.strip().lower().startswith(
        ("http://", "https://")) for p in ps))
    fail_first(path, bad_url, "source_urls",
               lambda v: f"'{v}' holds a value that is not an http(s) URL ('|' separates URLs)",
               urls)
    urls = parts.map(lambda ps: "|".join(p.strip() for p in ps if p.strip()))
    out = pd.DataFrame({
        "event_id": event_id, "event_type": etype, "start_time": start, "end_time": end,
        "lat": lat, "lon": lon,
        "country": col_country(path, df, "country", required=False),
        "mine_id": col_text(path, df, "mine_id", required=False),
        "commodity": col_commodity(path, df, "commodity", required=False),
        "severity": col_number(path, df, "severity", lo=0, hi=1),
        "confidence": col_number(path, df, "confidence", lo=0, hi=1),
        "deaths": col_number(path, df, "deaths", required=False, integer=True),
        "release_m3": col_number(path, df, "release_m3", required=False),
        "title": col_text(path, df, "title", required=False),
        "description": col_text(path, df, "description", required=False),
        "source_urls": urls.where(urls != "", None),
        "taxonomy_version": TAXONOMY_VERSION,
        "source": col_text(path, df, "source"),
    }, index=df.index)
    return finish(out, "risk_events")


def read_risk_events(path: str | Path, *, source_name: str = "risk_events",
                     version: str | None = None,
                     licence: str = "as cited per row (source column)") -> Parsed:
    """Read risk events (``.csv``, or ``.jsonl``/``.ndjson``/``.json`` lines) into ``risk_events``.

    Raises
    ------
    InputError
        Unknown event type, severity/confidence outside [0, 1], unknown country or commodity,
        non-ISO time, end before start, duplicate ``event_id``, bad JSON line — naming the file,
        the row (CSV data row or JSON line number) and the field.
    """
    path = Path(path)
    data = read_bytes(path)
    if path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        df = _jsonl_frame(path, data)
    else:
        df = read_csv_table(path, REQUIRED, optional=OPTIONAL, data=data)
    events = validate_events(path, df)
    meta = SourceMeta(source=source_name, version=version or path.name, licence=licence,
                      citation="per-row citations in the source and source_urls columns",
                      files=(str(path.resolve()),), sha256=sha256_bytes(data))
    return Parsed(tables={"risk_events": events}, meta=meta)


def _jsonl_frame(path: Path, data: bytes) -> pd.DataFrame:
    text = decode_strict(path, data)
    if not text.strip():
        raise InputError(path, "file is empty (no JSON line)", row=0, field="event_id")
    lines = text.splitlines()
    ends_nl = text.endswith(("\n", "\r"))
    allowed = set(EVENT_COLUMNS) | {"taxonomy_version"}
    rows, index = [], []
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            trunc = (" — the file looks truncated (last line cut)" if n == len(lines)
                     and not ends_nl else "")
            raise InputError(path, f"not valid JSON: {e.msg} at column {e.colno}{trunc}", row=n,
                             field=None) from None
        if not isinstance(obj, dict):
            raise InputError(path, "each line must be a JSON object", row=n)
        extra = sorted(set(obj) - allowed)
        if extra:
            raise InputError(path, f"unknown key(s) {extra}; allowed keys are {EVENT_COLUMNS}",
                             row=n, field=extra[0])
        missing = [k for k in REQUIRED if k not in obj]
        if missing:
            raise InputError(path, f"missing key(s) {missing}", row=n, field=missing[0])
        rec = {}
        for k in allowed:
            v = obj.get(k)
            if k == "source_urls" and isinstance(v, list):
                v = "|".join(str(x) for x in v)
            if isinstance(v, (dict, list)):
                raise InputError(path, f"a {type(v).__name__} is not allowed here", row=n,
                                 field=k)
            if isinstance(v, float) and v != v:
                v = "nan"  # refused by the numeric check
            rec[k] = "" if v is None else (repr(v) if isinstance(v, float) else str(v))
        rows.append(rec)
        index.append(n)
    return pd.DataFrame(rows, index=pd.Index(index, name="row"), columns=sorted(allowed)
                        ).astype(str)
