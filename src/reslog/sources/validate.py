"""Strict, vectorised validation shared by the readers.

Every reader turns a file into a frame of strings whose index is the **data row number**
(1-based; the header is row 0; for JSON lines the line number; for spreadsheets the sheet row
minus one), then converts each column with one of the ``col_*`` functions below. A column is
checked with one vectorised pass; when it fails, the first offending row is named in an
:class:`~reslog.errors.InputError` together with the file, the field and the raw value.

Row numbers count blank lines, so for files without quoted line breaks ``row == line - 1``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from reslog.errors import InputError
from reslog.schema import resolve_commodity, resolve_country

_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


# --------------------------------------------------------------------------- bytes and text
def locate_offset(data: bytes, offset: int, delimiter: bytes = b",") -> tuple[int, str | None]:
    """Row number (0 = header line) and header field at byte ``offset`` of a delimited file.

    Quotes are ignored (this is used only to place encoding errors and binary bytes).
    """
    row = data.count(b"\n", 0, offset)
    header_end = data.find(b"\n")
    header = data[: header_end if header_end >= 0 else len(data)]
    names = [h.strip().strip(b'"').decode("utf-8", "replace").lstrip("\ufeff")
             for h in header.split(delimiter)]
    line_start = data.rfind(b"\n", 0, offset) + 1
    col = data.count(delimiter, line_start, offset)
    field = names[col] if 0 <= col < len(names) and names[col] else None
    return row, field


def decode_strict(path: Path, data: bytes, *, encodings: tuple[str, ...] = ("utf-8-sig",),
                  delimiter: bytes = b",") -> str:
    """Decode ``data`` or raise an :class:`InputError` naming the row and field of the bad byte.

    NUL bytes (binary junk, UTF-16 files, spreadsheets saved under a ``.csv`` name) are refused.
    """
    nul = data.find(b"\x00")
    if nul >= 0:
        row, field = locate_offset(data, nul, delimiter)
        raise InputError(path, f"binary content (NUL byte at byte {nul}): not a UTF-8 text file; "
                         "export it as UTF-8 CSV and try again", row=row, field=field)
    last: UnicodeDecodeError | None = None
    for enc in encodings:
        try:
            return data.decode(enc)
        except UnicodeDecodeError as e:
            last = e
    assert last is not None
    row, field = locate_offset(data, last.start, delimiter)
    bad = data[last.start:last.start + 4]
    raise InputError(
        path, f"cannot be decoded as {' or '.join(encodings)} (byte {last.start} = {bad!r}: "
        f"{last.reason}); the file is probably Latin-1/Windows-1252 or binary — save it as UTF-8",
        row=row, field=field)


def read_bytes(path: Path) -> bytes:
    """Bytes of ``path``, with an :class:`InputError` (not an ``OSError``) when unreadable."""
    path = Path(path)
    if path.is_dir():
        raise InputError(path, "is a folder, a file was expected", row=0)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "file not found", row=0) from None
    except OSError as e:
        raise InputError(path, f"cannot be read ({e.strerror})", row=0) from None


# --------------------------------------------------------------------------- CSV
def parse_csv_text(path: Path, text: str, *, delimiter: str = ",",
                   duplicate_names: bool = False) -> tuple[list[str], pd.DataFrame]:
    """Parse CSV text strictly into (header, frame of strings indexed by data row number).

    Raises on an empty file, unterminated quotes, a record with a wrong number of fields
    (naming the first missing or extra field), a truncated last line, and a column name that
    appears twice (unless ``duplicate_names``: later copies become ``name.1``, ``name.2``…).
    """
    if not text.strip():
        raise InputError(path, "file is empty (no header line)", row=0)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    truncated_tail = not text.endswith(("\n", "\r"))
    try:
        header = next(reader)
    except csv.Error as e:
        raise InputError(path, f"malformed header line ({e})", row=0) from None
    header = [h.strip().lstrip("\ufeff").strip() for h in header]
    n = len(header)
    seen: dict[str, int] = {}
    for pos, h in enumerate(header):
        if h and h in seen:
            if not duplicate_names:
                raise InputError(path, f"column '{h}' appears twice in the header", row=0,
                                 field=h)
            seen[h] += 1
            header[pos] = f"{h}.{seen[h] - 1}"
        seen.setdefault(h, 1)
    rows: list[list[str]] = []
    index: list[int] = []
    rec = 0
    try:
        for fields in reader:
            rec += 1
            if not fields or (len(fields) == 1 and not fields[0].strip() and n > 1):
                continue  # blank line
            if len(fields) != n:
                at_end = truncated_tail and _is_last(reader)
                if len(fields) < n:
                    missing = header[len(fields)]
                    if at_end:
                        raise InputError(path, f"file looks truncated: the last line stops after "
                                         f"{len(fields)} of {n} fields", row=rec, field=missing)
                    raise InputError(path, f"row has {len(fields)} fields but the header has {n}; "
                                     f"'{missing}' and later fields are missing", row=rec,
                                     field=missing)
                raise InputError(path, f"row has {len(fields)} fields but the header has {n} "
                                 f"(extra value {fields[n]!r}); check quoting of text with commas",
                                 row=rec, field=header[-1])
            rows.append(fields)
            index.append(rec)
    except csv.Error as e:
        raise InputError(path, f"file looks truncated or badly quoted ({e}): a quoted value is "
                         "never closed", row=rec + 1, field=None) from None
    df = pd.DataFrame(rows, columns=header, index=pd.Index(index, name="row"), dtype=object)
    return header, df


def _is_last(reader: "csv._reader") -> bool:  # type: ignore[name-defined]
    try:
        nxt = next(reader)
    except (StopIteration, csv.Error):
        return True
    return not nxt


def read_csv_table(
    path: Path,
    required: Sequence[str],
    *,
    optional: Sequence[str] = (),
    rename: Mapping[str, str] | None = None,
    encodings: tuple[str, ...] = ("utf-8-sig",),
    delimiter: str = ",",
    require_rows: bool = True,
    data: bytes | None = None,
) -> pd.DataFrame:
    """Read a CSV strictly: strings only, header checked, index = data row number.

    Parameters
    ----------
    path : file to read.
    required : columns that must be present (after ``rename``).
    optional : columns kept when present (added as empty strings when absent).
    rename : header aliases to canonical names (applied before the check).
    require_rows : refuse a file with a header but no data row.

    Returns
    -------
    DataFrame of ``str`` with ``required`` + ``optional`` columns (others are dropped).
    """
    path = Path(path)
    raw = read_bytes(path) if data is None else data
    text = decode_strict(path, raw, encodings=encodings, delimiter=delimiter.encode())
    header, df = parse_csv_text(path, text, delimiter=delimiter)
    if rename:
        df = df.rename(columns=dict(rename))
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise InputError(path, f"missing column(s) {missing}; the header has {header}", row=0,
                         field=missing[0])
    if require_rows and df.empty:
        raise InputError(path, "file has a header but no data rows", row=1, field=required[0])
    for c in optional:
        if c not in df.columns:
            df[c] = ""
    return df[list(required) + [c for c in optional if c not in required]].astype(str)


# --------------------------------------------------------------------------- first bad row
def fail_first(path: Path, bad: pd.Series, field: str,
               message: str | Callable[[object], str], values: pd.Series | None = None) -> None:
    """Raise an :class:`InputError` at the first row where ``bad`` is True (no-op otherwise).

    ``message`` is a string or a function of the offending raw value (from ``values``).
    """
    if not bool(bad.any()):
        return
    row = bad.index[np.argmax(bad.to_numpy(dtype=bool))]
    raw = values.loc[row] if values is not None else None
    msg = message(raw) if callable(message) else message
    raise InputError(path, msg, row=int(row), field=field)


def _strip(s: pd.Series) -> pd.Series:
    return s.astype(str).str.strip()


def col_text(path: Path, df: pd.DataFrame, col: str, *, required: bool = True,
             max_len: int | None = None) -> pd.Series:
    """Stripped text; ``None`` for empty cells (an error if ``required``)."""
    s = _strip(df[col])
    empty = s == ""
    if required:
        fail_first(path, empty, col, "a value is required here but the cell is empty")
    if max_len is not None:
        fail_first(path, s.str.len() > max_len, col,
                   lambda v: f"text longer than {max_len} characters ({len(str(v))})", s)
    return s.where(~empty, None).astype(object)


def col_number(
    path: Path, df: pd.DataFrame, col: str, *, required: bool = True,
    allow_negative: bool = False, integer: bool = False, lo: float | None = None,
    hi: float | None = None, na_values: Iterable[str] = (), values: pd.Series | None = None,
) -> pd.Series:
    """Parse a numeric column (thousands separators ``1,234,567`` allowed) in one pass.

    Empty cells (and ``na_values``) become missing; they are an error when ``required``.
    ``NaN``/``inf`` spelled out, negative numbers (unless ``allow_negative``), values outside
    ``[lo, hi]`` and non-integers (when ``integer``) are errors naming the first bad row.

    Returns
    -------
    ``float64`` Series, or ``Int64`` when ``integer``.
    """
    raw = _strip(df[col] if values is None else values)
    na = set(na_values)
    empty = (raw == "") | raw.isin(na) if na else raw == ""
    cleaned = raw.where(~raw.str.match(_THOUSANDS), raw.str.replace(",", "", regex=False))
    num = pd.to_numeric(cleaned.where(~empty, None), errors="coerce").astype("float64")
    not_num = ~empty & (num.isna() | ~np.isfinite(num.fillna(0.0)))
    fail_first(path, not_num, col, lambda v: (
        f"'{v}' is not a number (a finite number is required; NaN/inf are refused)"), raw)
    if required:
        fail_first(path, empty, col, "a number is required here but the cell is empty")
    if not allow_negative:
        fail_first(path, num < 0, col, lambda v: f"negative value {v} is not allowed", raw)
    if lo is not None:
        fail_first(path, num < lo, col, lambda v: f"value {v} is below the minimum {lo:g}", raw)
    if hi is not None:
        fail_first(path, num > hi, col, lambda v: f"value {v} is above the maximum {hi:g}", raw)
    if integer:
        fail_first(path, num.notna() & (num != np.round(num)), col,
                   lambda v: f"'{v}' is not a whole number", raw)
        return num.round().astype("Int64")
    return num


def col_country(path: Path, df: pd.DataFrame, col: str, *, required: bool = True,
                allow_aggregates: bool = False) -> pd.Series:
    """Resolve a country column (names, alpha-2/3, numeric codes) to ISO 3166 alpha-3.

    Each distinct value is resolved once with :func:`reslog.schema.resolve_country`.
    ``WLD``/``ROW`` are accepted only with ``allow_aggregates``.
    """
    raw = _strip(df[col])
    uniq = {v: resolve_country(v) for v in raw.unique() if v != ""}
    iso = raw.map(lambda v: uniq.get(v) if v else None)
    empty = raw == ""
    if required:
        fail_first(path, empty, col, "a country is required here but the cell is empty")
    fail_first(path, ~empty & iso.isna(), col, lambda v: (
        f"unknown country '{v}' (use an ISO 3166 code or an English name)"), raw)
    if not allow_aggregates:
        fail_first(path, iso.isin(["WLD", "ROW"]), col, lambda v: (
            f"'{v}' is an aggregate (world / other countries), not a country"), raw)
    return iso.astype(object)


def col_commodity(path: Path, df: pd.DataFrame, col: str, *, required: bool = True,
                  sep: str | None = None) -> pd.Series:
    """Resolve a commodity column to canonical names (``sep`` splits multi-valued cells).

    Multi-valued cells come back joined by ``;`` in canonical names, duplicates removed.
    """
    raw = _strip(df[col])
    empty = raw == ""
    if required:
        fail_first(path, empty, col, "a commodity is required here but the cell is empty")
    cache: dict[str, str | None] = {}

    def one(text: str) -> str | None:
        if text not in cache:
            if sep is None:
                cache[text] = resolve_commodity(text)
            else:
                parts = [p.strip() for p in re.split(sep, text) if p.strip()]
                names = [resolve_commodity(p) for p in parts]
                cache[text] = None if not parts or any(n is None for n in names) else ";".join(
                    dict.fromkeys(n for n in names if n))
        return cache[text]

    out = raw.map(lambda v: one(v) if v else None)
    fail_first(path, ~empty & out.isna(), col, lambda v: (
        f"unknown commodity in '{v}' (see `reslog.schema.COMMODITIES` for names and aliases)"), raw)
    return out.astype(object)


def col_enum(path: Path, df: pd.DataFrame, col: str, allowed: Iterable[str], *,
             required: bool = True, aliases: Mapping[str, str] | None = None,
             default: str | None = None) -> pd.Series:
    """Lower-cased value that must be in ``allowed`` (after ``aliases``); empty → ``default``."""
    allowed = list(allowed)
    raw = _strip(df[col])
    low = raw.str.lower()
    if aliases:
        low = low.map(lambda v: aliases.get(v, v))
    empty = raw == ""
    if required and default is None:
        fail_first(path, empty, col, f"a value is required here (one of {allowed})")
    fail_first(path, ~empty & ~low.isin(allowed), col,
               lambda v: f"'{v}' is not one of {allowed}", raw)
    return low.where(~empty, default).astype(object)


def col_timestamp(path: Path, df: pd.DataFrame, col: str, *, required: bool = True) -> pd.Series:
    """ISO 8601 date or date-time (``2019-01-25``, ``2019-01-25T12:28:00Z``) → naive UTC.

    Offsets are converted to UTC and dropped (the warehouse stores ``TIMESTAMP`` in UTC).
    """
    raw = _strip(df[col])
    empty = raw == ""
    if required:
        fail_first(path, empty, col, "an ISO 8601 date/time is required here but the cell is empty")
    cache: dict[str, pd.Timestamp | None] = {}
    for v in raw[~empty].unique():
        cache[v] = _parse_iso(v)
    ts = raw.map(lambda v: cache.get(v) if v else None)
    fail_first(path, ~empty & ts.isna(), col, lambda v: (
        f"'{v}' is not an ISO 8601 date/time (YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss][Z|±hh:mm])"),
        raw)
    return pd.to_datetime(ts.where(~empty, None), utc=False).astype("datetime64[us]")


_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?(Z|[+-]\d{2}:?\d{2})?$")


def _parse_iso(v: str) -> pd.Timestamp | None:
    if not _ISO.match(v):
        return None
    try:
        ts = datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        return None
    t = pd.Timestamp(ts)
    if t.tzinfo is not None:
        t = t.tz_convert("UTC").tz_localize(None)
    return t


def check_unique_rows(path: Path, df: pd.DataFrame, keys: Sequence[str],
                      values: pd.DataFrame | None = None) -> None:
    """Raise on the first row whose ``keys`` repeat an earlier row, naming both rows."""
    frame = df if values is None else values
    dup = frame.duplicated(list(keys), keep="first")
    if not dup.any():
        return
    row = frame.index[np.argmax(dup.to_numpy())]
    key = tuple(_py(frame.loc[row, k]) for k in keys)
    first = frame.index[(frame[list(keys)] == pd.Series(key, index=list(keys))).all(axis=1)][0]
    shown = ", ".join(f"{k}={v!r}" for k, v in zip(keys, key))
    raise InputError(path, f"duplicate key ({shown}): already on row {first}", row=int(row),
                     field=keys[0])


def _py(v: object) -> object:
    return v.item() if hasattr(v, "item") else v


# --------------------------------------------------------------------------- provenance
def sha256_bytes(*blobs: bytes) -> str:
    """SHA-256 over the concatenation of ``blobs`` (same as hashing the files in order)."""
    h = hashlib.sha256()
    for b in blobs:
        h.update(b)
    return h.hexdigest()


def _column_types(table: str) -> dict[str, str]:
    from reslog.store.tables import all_tables

    body = re.sub(r"PRIMARY KEY\s*\([^)]*\)", "", all_tables()[table][0])
    out: dict[str, str] = {}
    for part in body.split(","):
        tok = part.strip().split()
        if len(tok) >= 2:
            out[tok[0].strip('"')] = tok[1].upper()
    return out


_DTYPES = {"VARCHAR": object, "INTEGER": "Int64", "SMALLINT": "Int64", "BIGINT": "Int64",
           "DOUBLE": "float64", "BOOLEAN": "boolean", "TIMESTAMP": "datetime64[us]"}


def finish(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """Order ``df`` as the canonical columns of ``table`` (minus ``ledger_id``), cast each to its
    canonical dtype (VARCHAR → object with ``None``, INTEGER → ``Int64``, DOUBLE → ``float64``,
    BOOLEAN → ``boolean``, TIMESTAMP → ``datetime64[us]``) and reset the index."""
    from reslog.store.tables import columns

    cols = [c for c in columns(table) if c != "ledger_id"]
    missing = [c for c in cols if c not in df.columns]
    if missing:  # programming error, not a user error
        raise AssertionError(f"{table}: reader did not produce {missing}")
    types = _column_types(table)
    out = {}
    for c in cols:
        s = df[c]
        dt = _DTYPES.get(types.get(c, "VARCHAR"), object)
        if dt is object:
            s = s.astype(object).where(s.notna(), None)
        else:
            s = s.astype(dt)
        out[c] = s.reset_index(drop=True)
    return pd.DataFrame(out, columns=cols)
