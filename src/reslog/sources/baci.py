"""CEPII BACI bilateral trade, as CEPII publishes it.

A release folder (e.g. ``BACI_HS17_V202401/``) holds one data file per year,
``BACI_HS17_Y2022_V202401.csv`` with columns ``t,i,j,k,v,q``:

* ``t`` year; ``i`` exporter and ``j`` importer (BACI numeric country codes, ISO 3166
  numeric except a few such as 842 USA, 699 India, 490 "Other Asia, nes" = Taiwan);
* ``k`` HS 6-digit product code (integer, leading zero dropped: 10111 = 010111);
* ``v`` value, thousand current US dollars (FOB); ``q`` quantity, metric tons (padded with
  spaces, ``NA`` when missing);

plus ``country_codes_V202401.csv`` and ``product_codes_HS17_V202401.csv``. The file name gives
the HS revision and the release. :func:`read_baci` takes the folder (all data files) or one data
file beside its code files; code files are found in the same folder as
``[baci_]country_codes_V<release>.csv`` and ``[baci_]product_codes_HS<rr>_V<release>.csv``, or
given explicitly with ``country_codes=`` / ``product_codes=``.

Scale: a year holds ~11 million rows, so the ``trade`` table is a :class:`SqlScan` that DuckDB
streams from the CSV (no pandas). Its SQL reads every column as text, casts with ``TRY_CAST`` and
never raises; the ``checks`` find the first bad row (unknown exporter/importer/product code,
non-numeric, NaN or negative value/quantity, missing value, extra field, year differing from
the file name) and the first duplicate ``(t, i, j, k)``. Files are referred to by absolute
paths inlined as SQL string literals (single quotes doubled).

References
----------
Gaulier, G. & Zignago, S. (2010), *BACI: International Trade Database at the Product-Level.
The 1994–2007 Version*, CEPII Working Paper 2010-23. Data: Etalab Open Licence 2.0.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from reslog.errors import InputError
from reslog.schema import resolve_country
from reslog.sources.base import Parsed, SourceMeta, SqlScan
from reslog.sources.validate import (
    check_unique_rows,
    col_number,
    col_text,
    fail_first,
    finish,
    read_bytes,
    read_csv_table,
)

BACI_LICENCE = "Etalab Open Licence 2.0"
BACI_COLUMNS = ("t", "i", "j", "k", "v", "q")
_DATA_NAME = re.compile(r"^baci_hs(\d{2})_y?(\d{4})_v(\d{6}[a-z]?)", re.IGNORECASE)
_HS = {"92", "96", "02", "07", "12", "17", "22"}


@dataclass(frozen=True)
class BaciFile:
    """One BACI data file: its path, HS revision (``HS17``), year and release (``V202401``)."""

    path: Path
    revision: str
    year: int | None
    release: str


def sql_literal(text: str) -> str:
    """``text`` as a DuckDB string literal (single quotes doubled)."""
    return "'" + text.replace("'", "''") + "'"


def parse_data_name(path: Path, hs_revision: str | None = None,
                    release: str | None = None) -> BaciFile:
    """HS revision, year and release from a BACI data file name (arguments override)."""
    m = _DATA_NAME.match(path.name)
    rev = hs_revision or (f"HS{m.group(1)}" if m else None)
    rel = release or (f"V{m.group(3).upper()[0:]}" if m else None)
    year = int(m.group(2)) if m else None
    if rev is None or rel is None:
        raise InputError(path, "cannot tell the HS revision and release from the file name "
                         "(expected BACI_HS17_Y2022_V202401.csv); pass hs_revision= and release=",
                         row=0)
    rev = rev.upper()
    if not re.fullmatch(r"HS\d{2}", rev) or rev[2:] not in _HS:
        raise InputError(path, f"unknown HS revision '{rev}' (one of HS{', HS'.join(sorted(_HS))})",
                         row=0)
    if not rel.upper().startswith("V"):
        rel = "V" + rel
    return BaciFile(path, rev, year, rel.upper())


def find_data_files(folder: Path) -> list[Path]:
    """The BACI data files of a release folder, sorted by name."""
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".csv"
                   and _DATA_NAME.match(p.name))
    if not files:
        raise InputError(folder, "no BACI data file (BACI_HS??_Y????_V??????.csv) in this folder",
                         row=0)
    return files


def _find_code_file(folder: Path, kind: str, rev: str, release: str, data_file: Path) -> Path:
    names = ([f"country_codes_{release}.csv", f"baci_country_codes_{release}.csv"]
             if kind == "country" else
             [f"product_codes_{rev}_{release}.csv", f"baci_product_codes_{rev}_{release}.csv"])
    lower = {p.name.lower(): p for p in folder.iterdir() if p.is_file()}
    for n in names:
        if n.lower() in lower:
            return lower[n.lower()]
    pattern = "country_codes_v" if kind == "country" else f"product_codes_{rev.lower()}_v"
    cands = sorted(p for n, p in lower.items() if pattern in n and n.endswith(".csv"))
    if len(cands) == 1:
        return cands[0]
    arg = "country_codes" if kind == "country" else "product_codes"
    raise InputError(data_file, f"cannot find the {kind} code file {names[0]} beside the data "
                     f"(found {[p.name for p in cands]}); pass {arg}= explicitly", row=0)


# --------------------------------------------------------------------------- code files
def read_country_codes(path: Path, release: str, data: bytes | None = None) -> pd.DataFrame:
    """BACI ``country_codes_V*.csv`` → ``trade_countries`` (code, iso3, name, release).

    Accepts the pre-2024 layout (``country_code, country_name_abbreviation,
    country_name_full, iso_2digit_alpha, iso_3digit_alpha``) and the V202401+ layout
    (``country_code, country_name, country_iso2, country_iso3``). ``N/A`` ISO codes are
    resolved from the numeric code (490 → TWN) or left NULL.
    """
    df = read_csv_table(path, ["country_code"], optional=[
        "country_name_full", "country_name", "country_name_abbreviation", "iso_3digit_alpha",
        "country_iso3"], data=data)
    code = col_number(path, df, "country_code", integer=True, hi=999)
    name = df["country_name_full"].where(df["country_name_full"].str.strip() != "",
                                         df["country_name"])
    name = name.where(name.str.strip() != "", df["country_name_abbreviation"]).str.strip()
    iso_raw = df["iso_3digit_alpha"].where(df["iso_3digit_alpha"].str.strip() != "",
                                           df["country_iso3"]).str.strip()
    iso_raw = iso_raw.where(~iso_raw.str.upper().isin(["N/A", "NA", "NAN", ""]), "")
    bad_iso = (iso_raw != "") & ~iso_raw.str.fullmatch(r"[A-Za-z]{3}")
    fail_first(path, bad_iso, "iso_3digit_alpha", lambda v: f"'{v}' is not an alpha-3 code",
               iso_raw)
    iso = iso_raw.str.upper().where(iso_raw != "", None)
    fallback = code.map(lambda c: resolve_country(int(c)) if pd.notna(c) else None)
    iso = iso.where(iso.notna(), fallback)
    out = pd.DataFrame({"code": code, "iso3": iso, "name": name.where(name != "", None),
                        "release": release}, index=df.index)
    check_unique_rows(path, out, ["code"])
    return finish(out, "trade_countries")


def read_product_codes(path: Path, revision: str, data: bytes | None = None) -> pd.DataFrame:
    """BACI ``product_codes_HS*_V*.csv`` → ``hs_codes`` (revision, 6-digit code, level 6,
    description, parent = the 4-digit heading)."""
    df = read_csv_table(path, ["code", "description"], data=data)
    raw = df["code"].astype(str).str.strip()
    fail_first(path, ~raw.str.fullmatch(r"\d{1,6}"), "code",
               lambda v: f"'{v}' is not an HS 6-digit code", raw)
    code = raw.str.zfill(6)
    desc = col_text(path, df, "description", required=False)
    out = pd.DataFrame({"revision": revision, "code": code, "level": 6, "description": desc,
                        "parent": code.str[:4]}, index=df.index)
    check_unique_rows(path, out, ["code"])
    return finish(out, "hs_codes")


# --------------------------------------------------------------------------- data files
def scan_data_file(path: Path, h: "hashlib._Hash", chunk: int = 1 << 22) -> int:
    """One streaming pass over a data file: update the hash, check UTF-8 and NUL bytes, the
    header and the last line. Returns the number of data rows (lines after the header).

    Raises
    ------
    InputError
        Empty file, wrong header, binary/undecodable bytes, or a truncated last line.
    """
    dec = codecs.getincrementaldecoder("utf-8")()
    lines = 0
    offset = 0
    first = b""
    tail = b""
    try:
        f = open(path, "rb")
    except OSError as e:
        raise InputError(path, f"cannot be read ({e.strerror})", row=0) from None
    with f:
        while True:
            buf = f.read(chunk)
            if not buf:
                break
            h.update(buf)
            if len(first) < 4096:
                first += buf[: 4096 - len(first)]
            nul = buf.find(b"\x00")
            if nul >= 0:
                raise InputError(path, f"binary content (NUL byte at byte {offset + nul}): not a "
                                 "BACI CSV file", row=lines + buf.count(b"\n", 0, nul),
                                 field=None)
            try:
                dec.decode(buf, final=False)
            except UnicodeDecodeError as e:
                raise InputError(path, f"not UTF-8 (byte {offset + e.start}: {e.reason}); BACI "
                                 "files are ASCII — the file is damaged",
                                 row=lines + buf.count(b"\n", 0, e.start)) from None
            lines += buf.count(b"\n")
            offset += len(buf)
            tail = (tail + buf)[-512:]
    if offset == 0 or not first.strip():
        raise InputError(path, "file is empty (no header line)", row=0, field="t")
    header_line = first.split(b"\n", 1)[0].decode("utf-8", "replace").lstrip("\ufeff")
    header = [h_.strip().lower() for h_ in next(csv.reader([header_line.strip("\r")]))]
    if header != list(BACI_COLUMNS):
        missing = [c for c in BACI_COLUMNS if c not in header]
        raise InputError(path, f"header is {header}, expected {list(BACI_COLUMNS)}", row=0,
                         field=missing[0] if missing else header[0])
    ends_nl = tail.endswith(b"\n")
    rows = lines - 1 + (0 if ends_nl else 1)
    if rows <= 0:
        raise InputError(path, "file has a header but no data rows", row=1, field="t")
    if not ends_nl:
        last = tail.rsplit(b"\n", 1)[-1].decode("utf-8", "replace").rstrip("\r")
        fields = last.split(",")
        if last.count('"') % 2 == 1 or len(fields) < len(BACI_COLUMNS) or not fields[-1].strip():
            n = min(len(fields), len(BACI_COLUMNS))
            raise InputError(path, f"file looks truncated: the last line {last!r} is incomplete",
                             row=rows, field=BACI_COLUMNS[max(n - 1, 0)])
    return rows


def _raw_sql(files: list[Path]) -> str:
    """UNION of per-file scans: (_fno, _file, _row, t, i, j, k, v, q, _extra), all text."""
    cols = ", ".join(f"'{c}': 'VARCHAR'" for c in (*BACI_COLUMNS, "_extra"))
    parts = []
    for n, f in enumerate(files):
        lit = sql_literal(str(f))
        parts.append(
            f"SELECT {n} AS _fno, {sql_literal(f.name)} AS _file, row_number() OVER () AS _row, "
            f"t, i, j, k, v, q, _extra FROM read_csv({lit}, header = true, auto_detect = false, "
            f"delim = ',', quote = '\"', escape = '\"', strict_mode = false, null_padding = true, "
            f"columns = {{{cols}}})")
    return "\nUNION ALL\n".join(parts)


def _typed_sql(raw: str) -> str:
    return (f"SELECT _fno, _file, _row, t AS t_raw, i AS i_raw, j AS j_raw, k AS k_raw, "
            f"v AS v_raw, q AS q_raw, _extra, "
            f"TRY_CAST(trim(t) AS INTEGER) AS t, TRY_CAST(trim(i) AS INTEGER) AS i, "
            f"TRY_CAST(trim(j) AS INTEGER) AS j, TRY_CAST(trim(k) AS INTEGER) AS k, "
            f"TRY_CAST(trim(v) AS DOUBLE) AS v, "
            f"TRY_CAST(NULLIF(trim(q), 'NA') AS DOUBLE) AS q FROM ({raw})")


def build_trade_scan(files: list[BaciFile], country_codes: list[int], product_codes: list[int],
                     rows_hint: int, code_file_names: tuple[str, str]) -> SqlScan:
    """The :class:`SqlScan` of the ``trade`` table and its checks (see the module docstring)."""
    paths = [f.path.resolve() for f in files]
    for p in paths:
        if re.search(r"[*?\[\]{}]", str(p)):
            raise InputError(p, "the path contains a glob character (* ? [ ] { }) that DuckDB "
                             "would expand; rename the folder or file", row=0)
    rev = files[0].revision
    raw = _raw_sql(paths)
    typed = _typed_sql(raw)
    sql = (f"SELECT COALESCE(t, -1)::SMALLINT AS t, "
           f"COALESCE(TRY_CAST(i AS SMALLINT), -1)::SMALLINT AS i, "
           f"COALESCE(TRY_CAST(j AS SMALLINT), -1)::SMALLINT AS j, "
           f"COALESCE(k, -1)::INTEGER AS k, COALESCE(v, 'NaN'::DOUBLE) AS v, q, "
           f"{sql_literal(rev)} AS hs_revision "
           f"FROM (SELECT TRY_CAST(t AS SMALLINT) AS t, i, j, k, v, q FROM ({typed}))")
    countries = ", ".join(f"({int(c)})" for c in sorted(set(country_codes)))
    products = ", ".join(f"({int(c)})" for c in sorted(set(product_codes)))
    years = ", ".join(f"({n}, {f.year if f.year is not None else 'NULL'})"
                      for n, f in enumerate(files))
    cfile, pfile = (sql_literal(n) for n in code_file_names)
    prefix = "_file || ': ' || " if len(files) > 1 else ""
    row_check = f"""
WITH d AS ({typed}),
cc(code) AS (VALUES {countries}),
pc(code) AS (VALUES {products}),
fy(fno, year) AS (VALUES {years}),
bad AS (
  SELECT d.*, fy.year AS fyear, ci.code AS ci_code, cj.code AS cj_code, p.code AS p_code
  FROM d
  LEFT JOIN fy ON fy.fno = d._fno
  LEFT JOIN cc ci ON ci.code = d.i
  LEFT JOIN cc cj ON cj.code = d.j
  LEFT JOIN pc p ON p.code = d.k
  WHERE d.t IS NULL OR (fy.year IS NOT NULL AND d.t <> fy.year)
     OR ci.code IS NULL OR cj.code IS NULL OR p.code IS NULL
     OR d.v IS NULL OR isnan(d.v) OR isinf(d.v) OR d.v < 0
     OR (d.q IS NULL AND NULLIF(trim(d.q_raw), '') IS NOT NULL AND trim(d.q_raw) <> 'NA')
     OR isnan(d.q) OR isinf(d.q) OR d.q < 0
     OR d._extra IS NOT NULL
  ORDER BY d._fno, d._row
  LIMIT 1
)
SELECT _row AS row,
  CASE
    WHEN t IS NULL OR (fyear IS NOT NULL AND t <> fyear) THEN 't'
    WHEN ci_code IS NULL THEN 'i'
    WHEN cj_code IS NULL THEN 'j'
    WHEN p_code IS NULL THEN 'k'
    WHEN v IS NULL OR isnan(v) OR isinf(v) OR v < 0 THEN 'v'
    ELSE 'q'
  END AS field,
  {prefix}CASE
    WHEN t IS NULL THEN 'year ''' || coalesce(t_raw, '') || ''' is not an integer'
    WHEN fyear IS NOT NULL AND t <> fyear
      THEN 'year ' || t || ' differs from the file name year ' || fyear
    WHEN i IS NULL THEN 'exporter code ''' || coalesce(i_raw, '') || ''' is not a number'
    WHEN ci_code IS NULL THEN 'unknown exporter code ' || i || ' (not in ' || {cfile} || ')'
    WHEN j IS NULL THEN 'importer code ''' || coalesce(j_raw, '') || ''' is not a number'
    WHEN cj_code IS NULL THEN 'unknown importer code ' || j || ' (not in ' || {cfile} || ')'
    WHEN k IS NULL OR k < 0 OR k > 999999
      THEN 'product code ''' || coalesce(k_raw, '') || ''' is not an HS 6-digit code'
    WHEN p_code IS NULL
      THEN 'unknown product code ' || lpad(k::VARCHAR, 6, '0') || ' (not in ' || {pfile} || ')'
    WHEN v_raw IS NULL OR trim(v_raw) = '' THEN 'value is missing (a number is required)'
    WHEN v IS NULL THEN 'value ''' || v_raw || ''' is not a number'
    WHEN isnan(v) OR isinf(v) THEN 'value ''' || v_raw || ''' is not a finite number (NaN/inf)'
    WHEN v < 0 THEN 'negative value ' || v_raw || ' is not allowed'
    WHEN q IS NULL AND NULLIF(trim(q_raw), '') IS NOT NULL AND trim(q_raw) <> 'NA'
      THEN 'quantity ''' || left(q_raw, 40) || ''' is not a number or NA'
    WHEN isnan(q) OR isinf(q) THEN 'quantity ''' || trim(q_raw) || ''' is not a finite number (NaN/inf)'
    WHEN q < 0 THEN 'negative quantity ' || trim(q_raw) || ' is not allowed'
    ELSE 'row has more than 6 fields (extra value ''' || _extra || ''')'
  END AS message
FROM bad"""
    # (t, i, j, k) packed into one BIGINT: t < 10000, i, j < 1000, k < 1e6 (checked above).
    dup_check = f"""
WITH d AS (
  SELECT _fno::BIGINT * 10000000000 + _row AS ord, _file, t, i, j, k,
         ((t::BIGINT * 1000 + i) * 1000 + j) * 1000000 + k AS key
  FROM ({typed})
  WHERE t BETWEEN 0 AND 9999 AND i BETWEEN 0 AND 999 AND j BETWEEN 0 AND 999
    AND k BETWEEN 0 AND 999999
),
dupk AS (SELECT key FROM d GROUP BY key HAVING count(*) > 1),
g AS (
  SELECT key, min(ord, 2) AS firsts, min(_file) AS _file, min(t) AS t, min(i) AS i,
         min(j) AS j, min(k) AS k
  FROM d SEMI JOIN dupk USING (key) GROUP BY key
)
SELECT firsts[2] % 10000000000 AS row, 'k' AS field,
       {prefix}'duplicate key (t, i, j, k) = (' || t || ', ' || i || ', ' || j || ', '
       || lpad(k::VARCHAR, 6, '0') || '), already on row ' || (firsts[1] % 10000000000) AS message
FROM g ORDER BY firsts[2] LIMIT 1"""
    known = sorted({f.year for f in files if f.year is not None})
    replace = (f"hs_revision = {sql_literal(rev)} AND t IN ({', '.join(map(str, known))})"
               if len(known) == len(files) else None)
    return SqlScan(sql=sql, checks=[row_check, dup_check], rows_hint=rows_hint,
                   replace_where=replace, file=str(paths[0].parent if len(paths) > 1 else paths[0]))


# --------------------------------------------------------------------------- reader
def read_baci(path: str | Path, *, country_codes: str | Path | None = None,
              product_codes: str | Path | None = None, hs_revision: str | None = None,
              release: str | None = None) -> Parsed:
    """Read a BACI release folder, or one BACI data file beside its code files.

    Parameters
    ----------
    path : a release folder (all ``BACI_HS??_Y????_V*.csv`` in it) or one data file. Files
        named otherwise (e.g. the extract ``baci_HS92_2021_V202301_exports_ZAF_AFG.csv``) are
        accepted when the name starts with ``baci_HS<rr>_[Y]<year>_V<release>``, or with
        ``hs_revision=`` and ``release=``.
    country_codes, product_codes : explicit code files (default: found beside the data as
        ``[baci_]country_codes_V<release>.csv`` and ``[baci_]product_codes_HS<rr>_V<release>.csv``).
    hs_revision, release : override what the file name says (``"HS92"``, ``"V202301"``).

    Returns
    -------
    Parsed with ``trade`` (a :class:`SqlScan`), ``trade_countries`` and ``hs_codes``.
    The ledger hash covers the data files then the two code files.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(path, "not found", row=0)
    data_paths = find_data_files(path) if path.is_dir() else [path]
    files = [parse_data_name(p, hs_revision, release) for p in data_paths]
    revs = {(f.revision, f.release) for f in files}
    if len(revs) > 1:
        raise InputError(path, f"data files of different HS revisions/releases in one ingest: "
                         f"{sorted(revs)}", row=0)
    rev, rel = files[0].revision, files[0].release
    years = [f.year for f in files if f.year is not None]
    if len(years) != len(set(years)):
        raise InputError(path, f"two data files for the same year: {sorted(years)}", row=0)
    folder = data_paths[0].parent
    cpath = Path(country_codes) if country_codes else _find_code_file(folder, "country", rev, rel,
                                                                      data_paths[0])
    ppath = Path(product_codes) if product_codes else _find_code_file(folder, "product", rev, rel,
                                                                      data_paths[0])
    h = hashlib.sha256()
    rows = 0
    for f in files:
        rows += scan_data_file(f.path, h)
    cdata, pdata = read_bytes(cpath), read_bytes(ppath)
    h.update(cdata)
    h.update(pdata)
    countries = read_country_codes(cpath, rel, cdata)
    products = read_product_codes(ppath, rev, pdata)
    scan = build_trade_scan(files, countries["code"].astype(int).tolist(),
                            products["code"].astype(int).tolist(), rows, (cpath.name, ppath.name))
    yrs = f"{min(years)}–{max(years)}" if years else "unknown years"
    meta = SourceMeta(
        source="baci", version=f"{rev} {rel}", licence=BACI_LICENCE,
        citation=(f"CEPII BACI, {rev} nomenclature, release {rel} ({yrs}); Gaulier, G. and "
                  "Zignago, S. (2010) BACI: International Trade Database at the Product-Level. "
                  "The 1994-2007 Version. CEPII Working Paper 2010-23"),
        files=tuple(str(p.resolve()) for p in [*data_paths, cpath, ppath]), sha256=h.hexdigest())
    notes = [f"{len(files)} data file(s), {rows} rows; {len(countries)} country codes, "
             f"{len(products)} {rev} product codes"]
    return Parsed(tables={"trade": scan, "trade_countries": countries, "hs_codes": products},
                  meta=meta, notes=notes)


def run_scan(con: "object", scan: SqlScan) -> tuple[pd.DataFrame | None, tuple | None]:
    """Helper for tests and tools: run ``scan``'s checks then its SELECT on a DuckDB connection.

    Returns ``(frame, None)`` when every check passes, else ``(None, (row, field, message))``
    of the first failing check. The warehouse does the same inside its ingest transaction.
    """
    for chk in scan.checks:
        bad = con.execute(chk).fetchall()  # type: ignore[attr-defined]
        if bad:
            return None, tuple(bad[0])
    return con.execute(scan.sql).df(), None  # type: ignore[attr-defined]
