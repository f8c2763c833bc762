"""SDG indicators by country and year, in the World Bank WDI / SDG download layout::

    Country Name,Country Code,Indicator Name,Indicator Code,1960,1961,...

(the "Data" CSV of databank.worldbank.org and of the WDI/SDG bulk download; the first four
lines of metadata some exports carry are skipped when the header is not on line 1).
Every non-empty cell becomes a ``country_indicators`` row named ``sdg:<Indicator Code>``
(e.g. ``sdg:EN.ATM.CO2E.PC``); the unit is the indicator name. Aggregates are skipped.
Values may be negative (growth rates); ``..`` means no data.

No World Bank SDG panel is in ``../shared/data`` (PROVENANCE.md, known gaps): the panel command
then derives SDG-related indicators from the emissions, energy and GDP series it has (see
:mod:`reslog.model.panel.indicators` and docs/panel.md).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from reslog.errors import InputError
from reslog.sources.base import Parsed, SourceMeta
from reslog.sources.country_series import finish_table, resolve_codes
from reslog.sources.validate import col_number, decode_strict, parse_csv_text, read_bytes, sha256_bytes

REQUIRED = ("Country Code", "Indicator Name", "Indicator Code")


def read_wdi_sdg(path: str | Path) -> Parsed:
    """World Bank WDI/SDG wide CSV → ``country_indicators`` (``sdg:<code>``)."""
    path = Path(path)
    raw = read_bytes(path)
    text = decode_strict(path, raw)
    lines = text.splitlines()
    start = next((i for i, ln in enumerate(lines[:10]) if "Country Code" in ln), None)
    if start is None:
        raise InputError(path, f"no header with {list(REQUIRED)} in the first 10 lines", row=0)
    header, df = parse_csv_text(path, "\n".join(lines[start:]) + "\n")
    for c in REQUIRED:
        if c not in df.columns:
            raise InputError(path, f"missing column '{c}'", row=0, field=c)
    years = [c for c in df.columns if re.match(r"^\d{4}", str(c))]
    if not years:
        raise InputError(path, "no year columns", row=0)
    iso, skipped = resolve_codes(df["Country Code"])
    parts = []
    for y in years:
        v = col_number(path, df, y, required=False, allow_negative=True, na_values=("..",))
        ok = v.notna() & iso.notna()
        parts.append(pd.DataFrame({"country": iso[ok], "year": int(str(y)[:4]),
                                   "indicator": "sdg:" + df["Indicator Code"][ok].str.strip(),
                                   "value": v[ok], "unit": df["Indicator Name"][ok].str.strip(),
                                   "source": f"World Bank WDI/SDG ({path.name})"}))
    out = pd.concat(parts, ignore_index=True).drop_duplicates(["country", "year", "indicator"])
    meta = SourceMeta("worldbank_sdg", path.stem, "CC BY 4.0 (World Bank)",
                      "World Bank, World Development Indicators / SDG indicators", (str(path),),
                      sha256_bytes(raw))
    return Parsed({"country_indicators": finish_table(out, "country_indicators")}, meta,
                  [f"{out['indicator'].nunique()} indicators, {len(skipped)} aggregates skipped"])
