"""Tables for people: chosen columns, translated headers, readable numbers (no raw dumps).

A view declares its columns as :class:`Col` (column, catalogue key of the header, format); the
full table, all columns, stays downloadable as CSV.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from reslog.web.i18n import Translator


@dataclass(frozen=True)
class Col:
    """One displayed column: DataFrame column, header key, format and alignment."""

    name: str
    label: str
    fmt: str = "text"  # text|int|num1|num2|num3|sig|pct1|frac_pct|country|commodity|event_type|stage|date|datetime|year|mono

    @property
    def numeric(self) -> bool:
        return self.fmt in ("int", "num1", "num2", "num3", "sig", "pct1", "frac_pct")

    @property
    def css(self) -> str:
        """``num`` (right-aligned figures) or ``nw`` (names and dates that must not wrap)."""
        if self.numeric:
            return "num"
        if self.fmt == "mono":
            return "mono"
        return "nw" if self.fmt in ("country", "commodity", "event_type", "date", "datetime", "year", "stage") else ""


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA or v is pd.NaT


def format_value(v: Any, fmt: str, t: Translator) -> str:
    """One cell as text (``—`` when missing)."""
    if _missing(v):
        return "—"
    try:
        if fmt == "int":
            return f"{float(v):,.0f}"
        if fmt == "num1":
            return f"{float(v):,.1f}"
        if fmt == "num2":
            return f"{float(v):,.2f}"
        if fmt == "num3":
            return f"{float(v):,.3f}"
        if fmt == "sig":
            x = float(v)
            return f"{x:,.3g}" if abs(x) < 1000 else f"{x:,.0f}"
        if fmt == "pct1":
            return f"{float(v):.1f}%"
        if fmt == "frac_pct":
            return f"{100 * float(v):.1f}%"
    except (TypeError, ValueError):
        return str(v)
    if fmt == "country":
        return f"{t.country(v)}"
    if fmt == "commodity":
        return t.commodity(v)
    if fmt == "stage":
        return t.get(f"map.stage.{v}", str(v))
    if fmt == "event_type":
        return t.event_type(v)
    if fmt == "date":
        ts = pd.Timestamp(v)
        return ts.strftime("%Y-%m-%d")
    if fmt == "state":  # early-warning state / GISTM level
        return t.get(f"sites.state.{v}", str(v))
    if fmt == "datetime":
        return pd.Timestamp(v).strftime("%Y-%m-%d %H:%M")
    if fmt == "year":
        try:
            return str(int(float(v)))
        except (TypeError, ValueError):
            return str(v)
    return str(v)


@dataclass
class HtmlTable:
    """What a template needs to draw a table and its download link."""

    name: str
    headers: list[tuple[str, str]]  # (header text, css class)
    rows: list[list[str]]
    total_rows: int
    download_url: str


def html_table(df: pd.DataFrame, cols: list[Col], t: Translator, *, name: str, download_url: str,
               limit: int | None = 200) -> HtmlTable:
    """Format ``df``'s ``cols`` for display (first ``limit`` rows)."""
    cols = [c for c in cols if c.name in df.columns]
    shown = df if limit is None else df.head(limit)
    rows = [[format_value(r[c.name], c.fmt, t) for c in cols] for _, r in shown.iterrows()]
    return HtmlTable(name, [(t(c.label), c.css) for c in cols], rows, len(df), download_url)


def csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 CSV with a byte-order mark so spreadsheet programs read Japanese names correctly."""
    buf = io.StringIO()
    df.to_csv(buf, index=False)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
