"""World Bank Worldwide Governance Indicators (WGI), long format: CSV or the official xlsx.

Layout (the 2024 update ``wgidataset.xlsx``, sheet 1, and its CSV export)::

    codeindyr,code,countryname,year,indicator,estimate,stddev,nsource,pctrank,pctranklower,pctrankupper

* ``code`` is the WGI economy code — ISO 3166 alpha-3 except legacy ``ADO`` (Andorra),
  ``ROM`` (Romania), ``ZAR`` (DR Congo), ``TMP`` (Timor-Leste), ``WBG`` (West Bank and Gaza),
  ``KSV`` (Kosovo), all mapped by :func:`reslog.schema.resolve_country`.
* ``indicator`` is normalised to ``va`` (voice and accountability), ``pv`` (political stability
  and absence of violence/terrorism), ``ge`` (government effectiveness), ``rq`` (regulatory
  quality), ``rl`` (rule of law), ``cc`` (control of corruption); full names and World Bank
  series codes (``VA.EST``, ``GE.PER.RNK``…) are accepted.
* ``estimate`` is in standard-normal units (about −2.5 … +2.5; refused outside ±5); ``stddev``
  its standard error; ``nsource`` the number of sources; ``pctrank`` the percentile rank 0–100.
* Empty cells and the World Bank placeholder ``..`` mean *no data*; rows with no value at all
  are dropped (counted in the notes).
* An optional trailing ``source`` column cites each row; otherwise every row cites
  ``World Bank WGI <version>``.

References
----------
Kaufmann, D. & Kraay, A. (2024), *The Worldwide Governance Indicators, 2024 Update*,
www.govindicators.org (CC BY 4.0).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from reslog.errors import InputError
from reslog.sources.base import Parsed, SourceMeta
from reslog.sources.validate import (
    check_unique_rows,
    col_country,
    col_number,
    fail_first,
    finish,
    read_bytes,
    read_csv_table,
    sha256_bytes,
)

WGI_LICENCE = "CC BY 4.0"
INDICATORS = ("va", "pv", "ge", "rq", "rl", "cc")

_INDICATOR_ALIASES: dict[str, str] = {
    "voice and accountability": "va", "voice & accountability": "va",
    "political stability and absence of violence/terrorism": "pv",
    "political stability and absence of violence": "pv",
    "political stability no violence": "pv", "political stability": "pv", "ps": "pv",
    "government effectiveness": "ge", "regulatory quality": "rq", "rule of law": "rl",
    "control of corruption": "cc",
}
REQUIRED = ["code", "year", "indicator", "estimate", "stddev", "nsource", "pctrank"]
OPTIONAL = ["countryname", "source"]


def normalise_indicator(text: str) -> str | None:
    """``'Rule of Law'`` → ``'rl'``; ``'GE.EST'`` → ``'ge'``; ``'va'`` → ``'va'``; else None."""
    t = re.sub(r"\s+", " ", str(text).strip().lower())
    if t in INDICATORS:
        return t
    m = re.match(r"^(va|pv|ps|ge|rq|rl|cc)\.(est|std\.err|nsrc|per\.rnk.*|se|rank)$", t)
    if m:
        return "pv" if m.group(1) == "ps" else m.group(1)
    return _INDICATOR_ALIASES.get(t)


def read_wgi(path: str | Path, *, version: str | None = None, sheet: str | None = None) -> Parsed:
    """Read WGI long data (CSV or ``.xlsx``) into the ``governance`` table.

    Parameters
    ----------
    path : ``*.csv`` (UTF-8) or ``*.xlsx`` (first sheet, or ``sheet``), long layout.
    version : WGI release, e.g. ``"2024 update"`` (default: ``YYYY update`` from the file
        name, else latest data year + 1).

    Returns
    -------
    Parsed with ``governance`` (country ISO3, year, indicator, estimate, stddev, nsource,
    pctrank, source).
    """
    path = Path(path)
    data = read_bytes(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        df = _read_xlsx(path, data, sheet)
    else:
        df = read_csv_table(path, REQUIRED, optional=OPTIONAL, data=data)
    for c in ("estimate", "stddev", "nsource", "pctrank"):
        df[c] = df[c].where(df[c].str.strip() != "..", "")
    country = col_country(path, df, "code")
    year = col_number(path, df, "year", integer=True, lo=1990, hi=2100)
    ind_raw = df["indicator"].astype(str)
    indicator = ind_raw.map(normalise_indicator)
    fail_first(path, indicator.isna(), "indicator",
               lambda v: f"'{v}' is not a WGI indicator ({', '.join(INDICATORS)} or full name)",
               ind_raw)
    estimate = col_number(path, df, "estimate", required=False, allow_negative=True, lo=-5, hi=5)
    stddev = col_number(path, df, "stddev", required=False)
    nsource = col_number(path, df, "nsource", required=False, integer=True)
    pctrank = col_number(path, df, "pctrank", required=False, hi=100)
    out = pd.DataFrame({"country": country, "year": year, "indicator": indicator,
                        "estimate": estimate, "stddev": stddev, "nsource": nsource,
                        "pctrank": pctrank}, index=df.index)
    check_unique_rows(path, out, ["country", "year", "indicator"])
    ver = version or _version(path, int(year.max()))
    src = df["source"].astype(str).str.strip()
    out["source"] = src.where(src != "", f"World Bank WGI {ver}")
    nodata = out[["estimate", "stddev", "nsource", "pctrank"]].isna().all(axis=1)
    notes = []
    if nodata.any():
        notes.append(f"{path.name}: {int(nodata.sum())} rows without any value (no data) dropped")
    out = out[~nodata]
    meta = SourceMeta(
        source="wgi", version=ver, licence=WGI_LICENCE,
        citation=(f"Kaufmann, D. & Kraay, A., The Worldwide Governance Indicators, {ver}, "
                  "World Bank, www.govindicators.org"),
        files=(str(path.resolve()),), sha256=sha256_bytes(data))
    return Parsed(tables={"governance": finish(out, "governance")}, meta=meta, notes=notes)


def _version(path: Path, last_year: int) -> str:
    m = re.search(r"(20\d\d)[_ -]?update", path.name, re.IGNORECASE)
    return f"{m.group(1)} update" if m else f"{last_year + 1} update"


def _read_xlsx(path: Path, data: bytes, sheet: str | None) -> pd.DataFrame:
    """Long-format WGI sheet → frame of strings indexed by data row (sheet row − 1)."""
    import io
    import zipfile

    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as e:
        raise InputError(path, f"not a readable .xlsx workbook ({type(e).__name__}: {e}); "
                         "the file may be truncated or not an Excel file", row=0) from None
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise InputError(path, f"sheet '{sheet}' not found; sheets are {wb.sheetnames}",
                             row=0)
        ws = wb[sheet] if sheet else wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        try:
            header = [("" if h is None else str(h)).strip() for h in next(rows)]
        except StopIteration:
            raise InputError(path, "sheet is empty (no header row)", row=0) from None
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise InputError(path, f"missing column(s) {missing} in sheet '{ws.title}'; the "
                             f"header has {header}", row=0, field=missing[0])
        records, index = [], []
        for n, r in enumerate(rows, start=1):
            if r is None or all(v is None or str(v).strip() == "" for v in r):
                continue
            records.append(["" if v is None else _cell(v) for v in r][: len(header)]
                           + [""] * max(0, len(header) - len(r)))
            index.append(n)
    finally:
        wb.close()
    if not records:
        raise InputError(path, "sheet has a header but no data rows", row=1, field="code")
    df = pd.DataFrame(records, columns=header, index=pd.Index(index, name="row"))
    for c in OPTIONAL:
        if c not in df.columns:
            df[c] = ""
    return df[REQUIRED + OPTIONAL].astype(str)


def _cell(v: object) -> str:
    if isinstance(v, float):
        return repr(v)
    return str(v)
