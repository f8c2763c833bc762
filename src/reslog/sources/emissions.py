"""Greenhouse-gas and CO2 emissions by country and year: the Our World in Data CO2 dataset.

Layout (``owid-co2-data.csv``, release 2020-12-09)::

    iso_code,country,year,co2,...,total_ghg,...,population,gdp

* ``co2`` — territorial fossil CO2 (million tonnes CO2); ``total_ghg`` — total greenhouse-gas
  emissions including land use (million tonnes CO2-equivalent; CAIT via OWID, 1990–2016 in
  this release). Both may legitimately be missing. Both are accepted negative *as printed*
  (``total_ghg`` includes land-use change and is negative for a few forest-rich countries;
  the 2020-12-09 release also prints small negative ``co2`` for e.g. Australia 1851–1859 and
  Iran 1950): the count of negative values is reported in the notes, nothing is changed.
* Aggregates (``OWID_WRL``, empty ``iso_code``) are skipped and counted in the notes.

Rows go to ``country_indicators`` as ``ghg_total`` (Mt CO2e) and ``co2`` (Mt CO2).

References
----------
Ritchie, H. & Roser, M. — Our World in Data, CO2 and Greenhouse Gas Emissions dataset
(github.com/owid/co2-data, CC BY 4.0); GHG from CAIT (WRI Climate Watch).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from reslog.sources.base import Parsed, SourceMeta
from reslog.sources.country_series import finish_table, long_indicators, resolve_codes
from reslog.sources.validate import col_number, read_bytes, read_csv_table, sha256_bytes

OWID_LICENCE = "CC BY 4.0"


def read_owid_co2(path: str | Path) -> Parsed:
    """OWID CO2/GHG by country → ``country_indicators`` (``ghg_total``, ``co2``)."""
    path = Path(path)
    raw = read_bytes(path)
    df = read_csv_table(path, ["iso_code", "year", "co2", "total_ghg"], data=raw)
    year = col_number(path, df, "year", integer=True, lo=1700, hi=2100)
    num = pd.DataFrame({
        "co2": col_number(path, df, "co2", required=False, allow_negative=True),
        "total_ghg": col_number(path, df, "total_ghg", required=False, allow_negative=True),
    }, index=df.index)
    iso, skipped = resolve_codes(df["iso_code"])
    src = f"OWID CO2 dataset ({path.name})"
    out = long_indicators(path, num, iso, year, {
        "total_ghg": ("ghg_total", "Mt CO2e", 1.0), "co2": ("co2", "Mt CO2", 1.0)}, src)
    meta = SourceMeta("owid_co2", path.stem.removeprefix("owid-co2-data_") or "unknown",
                      OWID_LICENCE, "Our World in Data, CO2 and GHG emissions dataset "
                      "(github.com/owid/co2-data); GHG from CAIT/Climate Watch",
                      (str(path),), sha256_bytes(raw))
    nneg = int((num["co2"] < 0).sum())
    notes = [f"{nneg} negative co2 value(s) kept as printed", f"{len(skipped)} aggregate or non-country codes skipped (e.g. "
             f"{', '.join(skipped[:5]) or '—'})"]
    return Parsed({"country_indicators": finish_table(out, "country_indicators")}, meta, notes)


CAIT_TOTAL = "Total including LUCF"


def read_cait(path: str | Path) -> Parsed:
    """CAIT 2021 GHG by country and sector (OWID layout ``Entity,Year,...,Total including
    LUCF,...``) → ``country_indicators`` ``ghg_total`` (Mt CO2e, 1990–2018).

    Same definition as OWID's ``total_ghg`` (which is CAIT data, to 2016); ingested after the
    OWID file it replaces those rows with the 2021 CAIT release and adds 2017–2018. Net
    negative totals (land-use sinks) are kept as printed; entities that are regions
    ("World", "European Union (27)") are skipped and counted.
    """
    path = Path(path)
    raw = read_bytes(path)
    df = read_csv_table(path, ["Entity", "Year", CAIT_TOTAL], data=raw)
    year = col_number(path, df, "Year", integer=True, lo=1850, hi=2100)
    num = pd.DataFrame({CAIT_TOTAL: col_number(path, df, CAIT_TOTAL, required=False,
                                               allow_negative=True)}, index=df.index)
    iso, skipped = resolve_codes(df["Entity"])
    out = long_indicators(path, num, iso, year, {CAIT_TOTAL: ("ghg_total", "Mt CO2e", 1.0)},
                          f"CAIT 2021 via OWID ({path.name})")
    meta = SourceMeta("cait", "2021", "CC BY 4.0 (Climate Watch / OWID)",
                      "WRI Climate Watch CAIT 2021, GHG emissions by country and sector, via OWID",
                      (str(path),), sha256_bytes(raw))
    return Parsed({"country_indicators": finish_table(out, "country_indicators")}, meta,
                  [f"{len(skipped)} entities skipped: {', '.join(skipped[:6])}"])
