"""Multi-year mine production by country: the OWID "Metal production – Clio Infra & USGS"
dataset (``Entity,Year,<Metal> Production (Clio-Infra & USGS),…``).

Units per the dataset's datapackage: thousand tonnes, except gold in tonnes. Stored in tonnes
(``t``). **Quality warnings** (PROVENANCE.md): a source break at 2012/2013, copper before 2013
unusable, lead's world total doubling 2012→2013, iron ore and silver not in the stated unit.
This reader therefore drops copper before 2013, iron ore and silver, and keeps everything else
*as printed*; the panel uses only years before the break (see docs/panel.md).
Regions and ``World`` are skipped (counted in the notes). Values must be ≥ 0.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from reslog.sources.base import Parsed, SourceMeta
from reslog.sources.country_series import finish_table, resolve_codes
from reslog.sources.validate import col_number, read_bytes, read_csv_table, sha256_bytes

EXCLUDED = {"iron ore": "unit does not match the datapackage", "silver": "unit does not match"}


def read_metal_production_history(path: str | Path) -> Parsed:
    """OWID Clio Infra & USGS metal production → ``production_history`` (tonnes)."""
    path = Path(path)
    raw = read_bytes(path)
    df = read_csv_table(path, ["Entity", "Year"], data=raw)
    full = pd.read_csv(path, dtype=str, keep_default_na=False)
    full.index = df.index
    year = col_number(path, df, "Year", integer=True, lo=1500, hi=2100)
    iso, skipped = resolve_codes(df["Entity"])
    parts, notes = [], []
    for col in full.columns:
        m = re.fullmatch(r"(.+) Production \(Clio-Infra & USGS\)", col)
        if not m:
            continue
        metal = m.group(1).strip().lower()
        if metal in EXCLUDED:
            notes.append(f"{metal} dropped: {EXCLUDED[metal]}")
            continue
        q = col_number(path, full, col, required=False)
        scale = 1.0 if metal == "gold" else 1e3
        ok = q.notna() & iso.notna()
        if metal == "copper":
            ok &= year >= 2013
        parts.append(pd.DataFrame({"country": iso[ok], "commodity": metal, "year": year[ok],
                                   "quantity": q[ok] * scale, "unit": "t",
                                   "source": "Clio Infra & USGS via OWID"}))
    out = pd.concat(parts, ignore_index=True).drop_duplicates(["country", "commodity", "year"])
    meta = SourceMeta("owid_metal_production", "2018-09-21", "none stated (OWID; USGS public domain)",
                      "Clio Infra and USGS, compiled by Our World in Data (dataset 919)",
                      (str(path),), sha256_bytes(raw))
    return Parsed({"production_history": finish_table(out, "production_history")}, meta,
                  notes + ["copper before 2013 dropped (unusable)",
                           f"{len(skipped)} regions/aggregates skipped"])
