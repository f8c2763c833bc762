"""USGS Mineral Commodity Summaries (MCS) world production tables, and the canonical
long production CSV.

MCS world tables
----------------
One CSV per commodity chapter, in the shape transcribed from the MCS "World Mine Production
and Reserves" tables (see ``shared/data/PROVENANCE.md``)::

    commodity,country,production_2024,production_2025e,reserves,note

* ``production_YYYY`` / ``production_YYYYe`` → ``production`` rows (``e`` = USGS estimate,
  ``estimated=True``); metal-specific columns such as ``palladium_2024``, ``platinum_2025e``
  (PGM table) give production of that metal.
* ``reserves`` / ``reserves_<commodity>`` → ``reserves`` rows, dated with the latest
  production year of the table (MCS reserves are the current estimate of that edition).
* ``capacity`` (gallium) has no canonical table; it is skipped with a note.
* Markers are kept verbatim in ``marker``: ``W`` withheld (quantity NULL), ``—`` zero
  (quantity 0), ``NA`` not available (NULL), ``>`` lower bound (quantity = the bound),
  ``( )`` not reported separately / included elsewhere (NULL), ``Small`` a small amount (NULL),
  ``XX`` not applicable (NULL).
* Country names are USGS names (``Congo (Kinshasa)``, ``Burma``, ``Korea, Republic of``),
  footnote digits glued to names are ignored; ``Other countries``/``Other`` → ``ROW``,
  ``World total (rounded)`` → ``WLD``.

Units are not in the table itself: :data:`MCS_UNITS` gives them per file (and per commodity)
from the MCS chapter headings; pass ``unit=`` for any other table.

References
----------
U.S. Geological Survey (2026), *Mineral Commodity Summaries 2026*,
https://pubs.usgs.gov/periodicals/mcs2026/ (public domain).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from reslog.errors import InputError
from reslog.sources.base import Parsed, SourceMeta
from reslog.sources.validate import (
    check_unique_rows,
    col_commodity,
    col_country,
    col_enum,
    col_number,
    col_text,
    decode_strict,
    fail_first,
    finish,
    parse_csv_text,
    read_bytes,
    read_csv_table,
    sha256_bytes,
)
from reslog.schema import resolve_commodity

USGS_LICENCE = "public domain (US Government work)"


@dataclass(frozen=True)
class McsUnit:
    """Unit and stage of one MCS world table.

    ``unit`` is ``<scale> [<content basis>]``: ``t`` metric tons, ``kt`` thousand metric tons,
    ``kg`` kilograms; the basis (``Co`` = cobalt content, ``REO`` = rare-earth-oxide
    equivalent) says what is weighed. ``stage`` is ``mine`` or ``refined``.
    """

    unit: str
    stage: str = "mine"
    reserves_unit: str | None = None
    table: str = "World Mine Production and Reserves"


#: Units of the MCS world tables, by file stem (the shared MCS 2026 set) — from the MCS chapters.
MCS_UNITS: dict[str, McsUnit] = {
    "cobalt": McsUnit("t Co"),
    "lithium": McsUnit("t Li"),
    "nickel": McsUnit("t Ni"),
    "rare_earths": McsUnit("t REO"),
    "tungsten": McsUnit("t W"),
    "graphite_natural": McsUnit("t"),
    "platinum_group_metals": McsUnit("kg"),
    "manganese": McsUnit("kt Mn", table="World Mine Production (manganese content) and Reserves"),
    "antimony": McsUnit("t Sb"),
    "gallium_low_purity": McsUnit("kg Ga", table="World Low-Purity Production and Production "
                                  "Capacity"),
    "copper_refinery_inferred": McsUnit("kt Cu", stage="refined",
                                        table="World Mine and Refinery Production and Reserves "
                                        "(refinery columns)"),
}

#: Fallback units by canonical commodity (MCS standard units of the chapter).
MCS_UNITS_BY_COMMODITY: dict[str, McsUnit] = {
    "cobalt": MCS_UNITS["cobalt"], "lithium": MCS_UNITS["lithium"],
    "nickel": MCS_UNITS["nickel"], "rare_earths": MCS_UNITS["rare_earths"],
    "tungsten": MCS_UNITS["tungsten"], "graphite": MCS_UNITS["graphite_natural"],
    "pgm": MCS_UNITS["platinum_group_metals"], "manganese": MCS_UNITS["manganese"],
    "antimony": MCS_UNITS["antimony"], "gallium": MCS_UNITS["gallium_low_purity"],
}

# marker → (quantity rule); the quantity rule is 'null', 'zero' or 'bound'.
_MARKERS: dict[str, str] = {"W": "null", "—": "zero", "NA": "null", "( )": "null",
                            "Small": "null", "XX": "null", ">": "bound"}
_ZERO_SPELLINGS = {"—", "–", "-", "--", "---"}
_PROD_COL = re.compile(r"^(?:production|([a-z_]+?))_(\d{4})(e?)$")
_RES_COL = re.compile(r"^reserves(?:_([a-z_]+))?$")
_IGNORED = {"capacity"}


def parse_mcs_cells(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Split MCS cells into (quantity, marker): vectorised marker handling.

    ``"1,270"`` → (1270, None); ``"W"`` → (NaN, "W"); ``"—"`` → (0, "—"); ``">2000000"`` →
    (2e6, ">"); ``"( )"`` → (NaN, "( )"); ``"NA"`` → (NaN, "NA"); ``"Small"`` → (NaN, "Small").
    Other text is left as quantity NaN and marker None, to be reported by the caller.
    """
    s = raw.astype(str).str.strip()
    marker = pd.Series(None, index=s.index, dtype=object)
    zero = s.isin(_ZERO_SPELLINGS)
    marker[zero] = "—"
    paren = s.str.fullmatch(r"\(\s*\)")
    marker[paren] = "( )"
    for m in ("W", "NA", "Small", "XX"):
        marker[s.str.fullmatch(m, case=False) & marker.isna()] = m
    bound = s.str.startswith(">")
    marker[bound] = ">"
    number = s.where(~bound, s.str[1:].str.strip())
    number = number.where(marker.isna() | bound, "")
    number = number.where(~zero, "0")
    return number, marker.astype(object).where(marker.notna(), None)


def _edition(path: Path, years: list[int]) -> int:
    m = re.search(r"mcs[_-]?(\d{4})", str(path), re.IGNORECASE)
    return int(m.group(1)) if m else max(years) + 1


def read_usgs_mcs(path: str | Path, commodity: str | None = None, unit: str | None = None,
                  *, edition: int | None = None, reserves_year: int | None = None) -> Parsed:
    """Read one USGS MCS world production/reserves table into ``production`` and ``reserves``.

    Parameters
    ----------
    path : the table (CSV, UTF-8).
    commodity : canonical commodity or alias; default: the table's ``commodity`` column.
    unit : unit of the table (e.g. ``"t Co"``); default: :data:`MCS_UNITS` by file stem, then
        :data:`MCS_UNITS_BY_COMMODITY`. Required for tables not listed there.
    edition : MCS edition year (default: ``mcsYYYY`` in the path, else latest year + 1).
    reserves_year : year given to reserves rows (default: latest production year).

    Returns
    -------
    Parsed with ``production`` (stage ``mine``, or ``refined`` for the copper refinery table)
    and, when the table has reserves, ``reserves``.

    Raises
    ------
    InputError
        Unknown country or commodity, unknown column, unreadable cell, negative quantity,
        duplicate country, unknown unit — naming the file, row and field.
    """
    path = Path(path)
    data = read_bytes(path)
    header, df = parse_csv_text(path, decode_strict(path, data))
    for req in ("commodity", "country"):
        if req not in header:
            raise InputError(path, f"missing column '{req}'; the header has {header}", row=0,
                             field=req)
    if df.empty:
        raise InputError(path, "file has a header but no data rows", row=1, field="country")
    prod_cols: list[tuple[str, str | None, int, bool]] = []
    res_cols: list[tuple[str, str | None]] = []
    notes: list[str] = []
    for c in header:
        if c in ("commodity", "country", "note", "notes", "source"):
            continue
        m = _PROD_COL.match(c)
        if m:
            metal = m.group(1)
            metal_name = None
            if metal:
                metal_name = resolve_commodity(metal.replace("_", " "))
                if metal_name is None:
                    raise InputError(path, f"column '{c}': '{metal}' is not a known commodity",
                                     row=0, field=c)
            prod_cols.append((c, metal_name, int(m.group(2)), m.group(3) == "e"))
            continue
        m = _RES_COL.match(c)
        if m:
            metal_name = None
            if m.group(1):
                metal_name = resolve_commodity(m.group(1).replace("_", " "))
                if metal_name is None:
                    raise InputError(path, f"column '{c}': '{m.group(1)}' is not a known "
                                     "commodity", row=0, field=c)
            res_cols.append((c, metal_name))
            continue
        if c in _IGNORED:
            notes.append(f"{path.name}: column '{c}' has no canonical table and was skipped")
            continue
        raise InputError(path, f"unrecognised column '{c}' (expected production_YYYY[e], "
                         "<metal>_YYYY[e], reserves[_<metal>], capacity, note)", row=0, field=c)
    if not prod_cols:
        raise InputError(path, "no production_YYYY column found", row=0, field="production_YYYY")

    # commodity of the table
    if commodity is not None:
        table_commodity = resolve_commodity(commodity)
        if table_commodity is None:
            raise InputError(path, f"unknown commodity '{commodity}' given as argument",
                             field="commodity")
    else:
        names = col_commodity(path, df, "commodity")
        first = names.iloc[0]
        fail_first(path, names != first, "commodity",
                   lambda v: f"one table per commodity: '{v}' differs from the first row's "
                   f"'{df['commodity'].iloc[0]}'", df["commodity"])
        table_commodity = first

    # unit
    stem = path.stem.lower()
    known = MCS_UNITS.get(stem) or MCS_UNITS_BY_COMMODITY.get(table_commodity)
    if unit is None and known is None:
        raise InputError(path, f"the unit of this table is unknown; pass unit= (e.g. 't' or "
                         f"'kt Cu'); known files: {sorted(MCS_UNITS)}", field="unit")
    the_unit = unit if unit is not None else known.unit  # type: ignore[union-attr]
    stage = known.stage if known is not None else "mine"
    table_title = known.table if known is not None else "World Mine Production and Reserves"

    iso = col_country(path, df, "country", allow_aggregates=True)
    check_unique_rows(path, df, ["country"], values=pd.DataFrame({"country": iso}, index=df.index))

    years = [y for _, _, y, _ in prod_cols]
    ed = edition if edition is not None else _edition(path, years)
    chapter = (str(df["commodity"].iloc[0]).strip() or table_commodity).replace("_", " ")
    cite = f"USGS MCS {ed}, {chapter} chapter, table '{table_title}'"
    note_col = next((c for c in ("note", "notes") if c in header), None)
    foot = (df[note_col].astype(str).str.strip() if note_col else
            pd.Series("", index=df.index))
    foot = foot.where(foot == "", ", USGS " + foot)

    prod_parts = []
    for col, metal, year, est in prod_cols:
        q, marker = _cells(path, df, col)
        prod_parts.append(pd.DataFrame({
            "country": iso, "commodity": metal or table_commodity, "year": year,
            "stage": stage, "quantity": q, "unit": the_unit, "marker": marker,
            "estimated": est, "source": cite + f", column {col}" + foot}))
    production = finish(pd.concat(prod_parts), "production")

    tables: dict[str, pd.DataFrame] = {"production": production}
    if res_cols:
        ry = reserves_year if reserves_year is not None else max(years)
        res_unit = (known.reserves_unit if known is not None and known.reserves_unit else
                    the_unit)
        res_parts = []
        for col, metal in res_cols:
            q, marker = _cells(path, df, col)
            res_parts.append(pd.DataFrame({
                "country": iso, "commodity": metal or table_commodity, "year": ry,
                "quantity": q, "unit": res_unit, "marker": marker,
                "source": cite + f", column {col} (reserves, dated {ry})" + foot}))
        tables["reserves"] = finish(pd.concat(res_parts), "reserves")

    meta = SourceMeta(
        source="usgs_mcs", version=f"MCS {ed}", licence=USGS_LICENCE,
        citation=(f"U.S. Geological Survey ({ed}), Mineral Commodity Summaries {ed}, "
                  f"https://pubs.usgs.gov/periodicals/mcs{ed}/"),
        files=(str(path.resolve()),), sha256=sha256_bytes(data))
    if unit is not None and known is not None and unit != known.unit:
        notes.append(f"{path.name}: unit '{unit}' given overrides the known '{known.unit}'")
    return Parsed(tables=tables, meta=meta, notes=notes)


def _cells(path: Path, df: pd.DataFrame, col: str) -> tuple[pd.Series, pd.Series]:
    number, marker = parse_mcs_cells(df[col])
    raw = df[col].astype(str).str.strip()
    fail_first(path, raw == "", col, "empty cell: write NA (not available), W (withheld) or — "
               "(zero) as USGS does")
    unknown = (number == "") & marker.isna()
    fail_first(path, unknown, col, lambda v: f"'{v}' is neither a number nor an MCS marker "
               f"({', '.join(_MARKERS)})", raw)
    q = col_number(path, pd.DataFrame({col: number}, index=df.index), col, required=False)
    nullify = marker.isin([m for m, rule in _MARKERS.items() if rule == "null"])
    q = q.where(~nullify, np.nan)
    return q, marker


# --------------------------------------------------------------------------- canonical long CSV
PRODUCTION_COLUMNS = ["country", "commodity", "year", "stage", "quantity", "unit", "marker",
                      "estimated", "source"]
_BOOL = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False,
         "t": True, "f": False, "y": True, "n": False}


def read_production_csv(path: str | Path, *, source_name: str = "production_csv",
                        version: str | None = None,
                        licence: str = "as cited per row (source column)",
                        citation: str | None = None) -> Parsed:
    """Read the canonical long production layout (the starter dataset uses it).

    Columns ``country,commodity,year,stage,quantity,unit,marker,estimated,source``; every row
    cites its source. ``quantity`` may be empty only when ``marker`` says why (``W``, ``NA``,
    ``( )``, ``Small``, ``XX``); ``—`` means zero; ``>`` a lower bound.

    Parameters
    ----------
    path : CSV file (UTF-8).
    source_name, version, licence, citation : provenance recorded in the ledger (defaults:
        ``production_csv``, the file name, per-row licences, per-row citations).
    """
    path = Path(path)
    data = read_bytes(path)
    df = read_csv_table(path, PRODUCTION_COLUMNS, data=data)
    country = col_country(path, df, "country", allow_aggregates=True)
    commodity = col_commodity(path, df, "commodity")
    year = col_number(path, df, "year", integer=True, lo=1800, hi=2100)
    stage = col_enum(path, df, "stage", ["mine", "refined"])
    marker_raw = df["marker"].astype(str).str.strip()
    marker_ok = marker_raw.isin(list(_MARKERS) + [""]) | marker_raw.isin(_ZERO_SPELLINGS)
    fail_first(path, ~marker_ok, "marker", lambda v: f"'{v}' is not an MCS marker "
               f"({', '.join(_MARKERS)}) ", marker_raw)
    marker = marker_raw.where(~marker_raw.isin(_ZERO_SPELLINGS), "—")
    qraw = df["quantity"].astype(str).str.strip()
    qraw = qraw.where(~((qraw == "") & (marker == "—")), "0")
    quantity = col_number(path, pd.DataFrame({"quantity": qraw}, index=df.index), "quantity",
                          required=False)
    needs = quantity.isna() & ~marker.isin([m for m, r in _MARKERS.items() if r == "null"])
    fail_first(path, needs, "quantity", "a quantity is required unless the marker says why it "
               "is missing (W, NA, ( ), Small, XX)")
    unit = col_text(path, df, "unit")
    est_raw = df["estimated"].astype(str).str.strip().str.lower()
    fail_first(path, ~est_raw.isin(list(_BOOL) + [""]), "estimated",
               lambda v: f"'{v}' is not true/false", df["estimated"])
    estimated = est_raw.map(lambda v: _BOOL.get(v, False))
    source = col_text(path, df, "source")
    out = pd.DataFrame({"country": country, "commodity": commodity, "year": year,
                        "stage": stage, "quantity": quantity, "unit": unit,
                        "marker": marker.where(marker != "", None), "estimated": estimated,
                        "source": source}, index=df.index)
    check_unique_rows(path, out, ["country", "commodity", "year", "stage"])
    meta = SourceMeta(source=source_name, version=version or path.name, licence=licence,
                      citation=citation or "per-row citations in the source column",
                      files=(str(path.resolve()),), sha256=sha256_bytes(data))
    return Parsed(tables={"production": finish(out, "production")}, meta=meta)
