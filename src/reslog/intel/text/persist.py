"""Extracted-event files ↔ objects, and merged events → the warehouse ``risk_events`` table.

``reslog events ingest`` reads the JSON lines written by ``reslog events extract``
(:func:`read_events_jsonl`, tolerant: a bad line is reported with its number and skipped),
de-duplicates them, and hands a :class:`reslog.sources.base.Parsed` with provenance
(:func:`build_parsed`) to :meth:`reslog.store.warehouse.Warehouse.ingest`.
"""

from __future__ import annotations

import json
import math
from dataclasses import fields
from pathlib import Path

import pandas as pd

from reslog.errors import InputError
from reslog.intel.text.dedup import MergedEvent
from reslog.intel.text.extract import ExtractedEvent
from reslog.intel.text.ingest import Problem
from reslog.schema import EVENT_TYPES, TAXONOMY_VERSION
from reslog.sources.base import Parsed, SourceMeta, sha256_files

SOURCE_NAME = "text_events"
_FIELDS = {f.name for f in fields(ExtractedEvent)}


def _num(v: object, lo: float | None = None, hi: float | None = None) -> float | None:
    if v is None or isinstance(v, bool):
        return None
    if not isinstance(v, (int, float)) or math.isnan(float(v)) or math.isinf(float(v)):
        raise ValueError(f"{v!r} is not a finite number")
    x = float(v)
    if (lo is not None and x < lo) or (hi is not None and x > hi):
        raise ValueError(f"{x:g} is outside [{lo}, {hi}]")
    return x


def parse_event_record(rec: dict) -> ExtractedEvent:
    """An :class:`ExtractedEvent` from one output record; ``ValueError`` names the bad field."""
    if not isinstance(rec.get("id"), str) or not rec["id"]:
        raise ValueError("field 'id': missing")
    if rec.get("event_type") not in EVENT_TYPES:
        raise ValueError(f"field 'event_type': {rec.get('event_type')!r} is not a taxonomy type")
    for key, lo, hi in (("severity", 0.0, 1.0), ("confidence", 0.0, 1.0), ("lat", -90.0, 90.0),
                        ("lon", -180.0, 180.0), ("release_m3", 0.0, None), ("deaths", 0.0, None)):
        try:
            _num(rec.get(key), lo, hi)
        except ValueError as e:
            raise ValueError(f"field '{key}': {e}") from None
    kw = {k: v for k, v in rec.items() if k in _FIELDS}
    kw.setdefault("severity", 0.0)
    kw.setdefault("confidence", 0.0)
    for k in ("country", "commodity", "mine_id", "lat", "lon", "date"):
        kw.setdefault(k, None)
    return ExtractedEvent(**kw)


def read_events_jsonl(path: str | Path) -> tuple[list[ExtractedEvent], list[Problem]]:
    """Events of an extraction output file, with a problem per bad line."""
    p = Path(path)
    problems: list[Problem] = []
    out: list[ExtractedEvent] = []
    try:
        fh = open(p, "rb")
    except OSError as e:
        raise InputError(p, f"cannot open: {e.strerror or e}") from e
    with fh:
        for n, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                rec = json.loads(raw.decode("utf-8"))
                if not isinstance(rec, dict):
                    raise ValueError("not a JSON object")
                out.append(parse_event_record(rec))
            except (UnicodeDecodeError, ValueError, TypeError) as e:
                problems.append(Problem(str(p), n, None, f"{e}; line skipped"))
    return out, problems


def merged_to_frame(events: list[MergedEvent]) -> pd.DataFrame:
    """Rows of the canonical ``risk_events`` table (without ``ledger_id``)."""
    rows = []
    for m in events:
        rows.append({
            "event_id": m.event_id, "event_type": m.event_type,
            "start_time": pd.Timestamp(m.start_time) if m.start_time else pd.NaT,
            "end_time": pd.Timestamp(m.end_time) if m.end_time else pd.NaT,
            "lat": m.lat, "lon": m.lon, "country": m.country, "mine_id": m.mine_id,
            "commodity": m.commodity, "severity": float(m.severity), "confidence": float(m.confidence),
            "deaths": m.deaths, "release_m3": m.release_m3, "title": m.title,
            "description": m.description, "source_urls": "|".join(m.source_urls),
            "taxonomy_version": TAXONOMY_VERSION, "source": SOURCE_NAME,
        })
    df = pd.DataFrame(rows, columns=[
        "event_id", "event_type", "start_time", "end_time", "lat", "lon", "country", "mine_id",
        "commodity", "severity", "confidence", "deaths", "release_m3", "title", "description",
        "source_urls", "taxonomy_version", "source"])
    df["deaths"] = df["deaths"].astype("Int64")
    for c in ("lat", "lon", "release_m3"):
        df[c] = df[c].astype("float64")
    df["start_time"] = pd.to_datetime(df["start_time"])
    df["end_time"] = pd.to_datetime(df["end_time"])
    return df


def build_parsed(events: list[MergedEvent], path: str | Path, model_key: str = "") -> Parsed:
    """A :class:`Parsed` for the warehouse: the ``risk_events`` rows and their provenance."""
    p = Path(path)
    meta = SourceMeta(
        source=SOURCE_NAME,
        version=f"taxonomy {TAXONOMY_VERSION}; text model {model_key or 'n/a'}",
        licence="derived data; the terms of the source articles apply to their text",
        citation=f"reslog text-intel extraction from {p.name} (see the source_urls of each event)",
        files=(str(p),), sha256=sha256_files([p]))
    return Parsed({"risk_events": merged_to_frame(events)}, meta,
                  notes=[f"{len(events)} de-duplicated events"])
