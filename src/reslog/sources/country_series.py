"""Shared pieces of the country-year readers (emissions, socioeconomic, scenarios, SDG, geochem):
canonical column order of the scenario-area tables and the resolution of country codes.

Aggregates in World Bank / OWID files (``WLD``, ``HIC``, ``OWID_WRL`` …) are part of those
formats, not errors: they are skipped and counted in the reader's notes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from reslog.schema import resolve_country
from reslog.store.scenario_tables import SCENARIO_TABLES
from reslog.store.tables import columns


def finish_table(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """Canonical columns (minus ``ledger_id``) of one of :data:`SCENARIO_TABLES`, index reset."""
    assert table in SCENARIO_TABLES, table
    cols = [c for c in columns(table) if c != "ledger_id"]
    out = df[cols].reset_index(drop=True).copy()
    for c in cols:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            out[c] = out[c].astype(object).where(out[c].notna(), None)
    return out


# OWID/CAIT spellings that reslog.schema does not know (checked against the files).
OWID_NAMES: dict[str, str] = {"Democratic Republic of Congo": "COD", "Micronesia (country)": "FSM",
                              "Timor": "TLS", "Faeroe Islands": "FRO"}


def resolve_codes(codes: pd.Series) -> tuple[pd.Series, list[str]]:
    """ISO3 per code (``None`` where not a country) and the sorted list of skipped codes."""
    uniq = {}
    for c in pd.unique(codes.astype(str).str.strip()):
        iso = OWID_NAMES.get(c) or (resolve_country(c) if c and not c.startswith("OWID_") else None)
        uniq[c] = None if iso in (None, "WLD", "ROW") else iso
    iso = codes.astype(str).str.strip().map(uniq)
    skipped = sorted({c for c, v in uniq.items() if v is None and c})
    return iso, skipped


def long_indicators(path: Path, frame: pd.DataFrame, iso: pd.Series, year: pd.Series,
                    spec: dict[str, tuple[str, str, float]], source: str) -> pd.DataFrame:
    """Melt wide numeric columns into ``country_indicators`` rows.

    ``spec`` maps a column of ``frame`` (already numeric, NaN = no data) to
    ``(indicator, unit, scale)``; values are multiplied by ``scale``. Rows without a country or
    value are dropped.
    """
    parts = []
    for col, (ind, unit, scale) in spec.items():
        v = frame[col].to_numpy(dtype=float) * scale
        ok = iso.notna().to_numpy() & np.isfinite(v)
        parts.append(pd.DataFrame({"country": iso[ok].to_numpy(), "year": year[ok].to_numpy(),
                                   "indicator": ind, "value": v[ok], "unit": unit,
                                   "source": source}))
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    # two codes resolving to one ISO3 (legacy codes): keep the first, as the file orders them
    return out.drop_duplicates(["country", "year", "indicator"], keep="first")
