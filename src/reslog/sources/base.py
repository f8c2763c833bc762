"""What every reader returns, and helpers they share (hashing, CSV opening, validation)."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import pandas as pd

from reslog.errors import InputError


@dataclass(frozen=True)
class SourceMeta:
    """Provenance of one ingest: recorded in the ledger, attached to every row it writes.

    Attributes
    ----------
    source : short source name (``usgs_mcs``, ``baci``, ``wgi``, ``mine_sites``, ``risk_events``...).
    version : release or year (``MCS 2026``, ``V202401``, ``2024 update``).
    licence : licence of the data (``public domain (US Government work)``, ``Etalab 2.0``...).
    citation : how to cite it.
    files : the files read (all of them count in the content hash).
    sha256 : content hash over all files, in order.
    """

    source: str
    version: str
    licence: str
    citation: str
    files: tuple[str, ...]
    sha256: str


@dataclass
class SqlScan:
    """A large table that the warehouse loads itself by a DuckDB ``SELECT`` (streaming, no pandas).

    ``sql`` is a SELECT producing exactly the canonical columns of ``table`` (except ``ledger_id``).
    ``checks`` are SELECTs that must return no row; each returns (row, field, message) of the
    first offending line and is run inside the ingest transaction before commit.
    """

    sql: str
    checks: list[str] = field(default_factory=list)
    rows_hint: int | None = None
    replace_where: str | None = None
    """SQL predicate on the target table: rows matching it are deleted before the insert (so a
    newer release of the same year replaces the older one). ``None`` deletes nothing."""
    file: str = ""
    """The file reported in errors raised by ``checks``."""


@dataclass
class Parsed:
    """Canonical tables produced by one reader call, with their provenance.

    ``tables`` maps canonical table names (see ``reslog.store.tables``) to a DataFrame with
    exactly the canonical columns (except ``ledger_id``, added by the warehouse) or to a
    :class:`SqlScan` for tables too large for memory.
    """

    tables: dict[str, pd.DataFrame | SqlScan]
    meta: SourceMeta
    notes: list[str] = field(default_factory=list)


def sha256_files(paths: Iterable[Path]) -> str:
    """SHA-256 over the bytes of ``paths`` (in the given order)."""
    h = hashlib.sha256()
    for p in paths:
        with open(p, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()


def read_text_strict(path: Path, encodings: tuple[str, ...] = ("utf-8-sig",)) -> str:
    """Read a text file, failing with an :class:`InputError` naming row and field of a bad byte
    (or a NUL byte: binary junk). See :func:`reslog.sources.validate.decode_strict`."""
    from reslog.sources.validate import decode_strict, read_bytes

    return decode_strict(Path(path), read_bytes(Path(path)), encodings=encodings)


def read_csv_strict(
    path: Path,
    required: Iterable[str],
    *,
    encodings: tuple[str, ...] = ("utf-8-sig",),
) -> pd.DataFrame:
    """Read a CSV strictly as strings (all columns kept), check required columns.

    Wrong field counts, unclosed quotes and a truncated last line are refused by
    :func:`reslog.sources.validate.parse_csv_text`. The frame has a 0-based index: data row
    ``i`` of the file is index ``i - 1`` (the header is row 0).
    """
    from reslog.sources.validate import parse_csv_text

    path = Path(path)
    header, df = parse_csv_text(path, read_text_strict(path, encodings))
    required = list(required)
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise InputError(path, f"missing column(s) {missing}; found {header}", row=0,
                         field=missing[0])
    return df.reset_index(drop=True).astype(str)


def parse_number(
    path: Path, row: int, fieldname: str, raw: object, *, allow_negative: bool = False,
    allow_empty: bool = False,
) -> float | None:
    """Parse one numeric cell (thousands separators allowed) or raise an :class:`InputError`."""
    s = "" if raw is None else str(raw).strip().replace(",", "")
    if s == "":
        if allow_empty:
            return None
        raise InputError(path, "a number is required here but the cell is empty", row=row,
                         field=fieldname)
    try:
        v = float(s)
    except ValueError:
        raise InputError(path, f"'{raw}' is not a number", row=row, field=fieldname) from None
    if math.isnan(v) or math.isinf(v):
        raise InputError(path, f"'{raw}' is not a finite number", row=row, field=fieldname)
    if v < 0 and not allow_negative:
        raise InputError(path, f"negative value {v:g} is not allowed", row=row, field=fieldname)
    return v


def check_unique(path: Path, df: pd.DataFrame, keys: list[str], rows: pd.Series | None = None) -> None:
    """Raise an :class:`InputError` on the first row whose ``keys`` repeat an earlier row,
    naming both rows. ``rows`` gives the file row number of each frame row (default: a
    0-based index + 1). See :func:`reslog.sources.validate.check_unique_rows`."""
    from reslog.sources.validate import check_unique_rows

    numbered = df[list(keys)].copy()
    numbered.index = (rows.loc[df.index] if rows is not None else pd.Series(df.index + 1)).astype(int).to_numpy()
    check_unique_rows(path, numbered, keys)
