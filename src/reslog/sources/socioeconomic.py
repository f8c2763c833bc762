"""Country-year socio-economic series: World Bank GDP and population (datahub "core datasets"
layout ``Country Name,Country Code,Year,Value``) and OWID primary energy consumption
(``Entity,Year,Primary energy consumption (TWh),...``).

* World Bank: ``gdp_usd`` (GDP, current US$, indicator NY.GDP.MKTP.CD) or ``population``
  (persons, SP.POP.TOTL); which one is given by ``indicator`` (default: from the file name).
* OWID energy: ``primary_energy`` (TWh). Entities are country names; regions and aggregates
  ("World", "Africa", "OPEC" …) are skipped and counted in the notes.
* Values must be non-negative numbers; an empty value is no data (dropped).

References
----------
World Bank, World Development Indicators (ODC-PDDL via datahub.io/core/gdp and /population).
BP Statistical Review of World Energy & US EIA, via Our World in Data (CC BY 4.0).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from reslog.errors import InputError
from reslog.sources.base import Parsed, SourceMeta
from reslog.sources.country_series import finish_table, long_indicators, resolve_codes
from reslog.sources.validate import col_number, read_bytes, read_csv_table, sha256_bytes

WB_INDICATORS = {"gdp_usd": ("US$ (current)", "NY.GDP.MKTP.CD"),
                 "population": ("persons", "SP.POP.TOTL")}


def _guess(path: Path) -> str:
    n = path.name.lower()
    if "gdp" in n:
        return "gdp_usd"
    if "pop" in n:
        return "population"
    raise InputError(path, "cannot tell from the file name whether this is GDP or population; "
                     "pass indicator='gdp_usd' or 'population'", field="indicator")


def read_worldbank_series(path: str | Path, indicator: str | None = None) -> Parsed:
    """World Bank GDP or population (long CSV) → ``country_indicators``."""
    path = Path(path)
    indicator = indicator or _guess(path)
    if indicator not in WB_INDICATORS:
        raise InputError(path, f"indicator '{indicator}' unknown; use one of "
                         f"{sorted(WB_INDICATORS)}", field="indicator")
    raw = read_bytes(path)
    df = read_csv_table(path, ["Country Code", "Year", "Value"], data=raw)
    year = col_number(path, df, "Year", integer=True, lo=1900, hi=2100)
    val = pd.DataFrame({"Value": col_number(path, df, "Value", required=False)}, index=df.index)
    iso, skipped = resolve_codes(df["Country Code"])
    unit, code = WB_INDICATORS[indicator]
    out = long_indicators(path, val, iso, year, {"Value": (indicator, unit, 1.0)},
                          f"World Bank WDI {code} ({path.name})")
    meta = SourceMeta("worldbank_wdi", code, "ODC-PDDL-1.0",
                      f"World Bank, World Development Indicators, {code} (datahub.io core dataset)",
                      (str(path),), sha256_bytes(raw))
    return Parsed({"country_indicators": finish_table(out, "country_indicators")}, meta,
                  [f"{len(skipped)} aggregate codes skipped"])


def read_owid_energy(path: str | Path) -> Parsed:
    """OWID primary energy consumption (BP & EIA) → ``country_indicators`` ``primary_energy``."""
    path = Path(path)
    raw = read_bytes(path)
    col = "Primary energy consumption (TWh)"
    df = read_csv_table(path, ["Entity", "Year", col], data=raw)
    year = col_number(path, df, "Year", integer=True, lo=1900, hi=2100)
    val = pd.DataFrame({col: col_number(path, df, col, required=False)}, index=df.index)
    iso, skipped = resolve_codes(df["Entity"])
    out = long_indicators(path, val, iso, year, {col: ("primary_energy", "TWh", 1.0)},
                          f"BP & EIA via OWID ({path.name})")
    meta = SourceMeta("owid_energy", "2022", "CC BY 4.0 (OWID); BP/EIA terms",
                      "BP Statistical Review of World Energy and US EIA, via Our World in Data",
                      (str(path),), sha256_bytes(raw))
    return Parsed({"country_indicators": finish_table(out, "country_indicators")}, meta,
                  [f"{len(skipped)} regions/aggregates skipped: {', '.join(skipped[:8])} …"])
