"""NIOSH list of US mining disasters (five or more deaths), 1839–2010 → ``mine_accident`` events.

Columns: ``Date`` (YYYY-MM-DD), ``Mine Name``, ``City``, ``State`` (US postal code),
``Killed``, ``Product``, ``Accident Type``, ``Mine Type``, ``Mining Sector``.

Mapping: ``event_id`` = ``niosh-<date>-<n>`` (n-th disaster of that day in file order);
``country`` USA; ``start_time``..``end_time`` the day; ``deaths`` = ``Killed`` (≥ 5 by
definition of the list, refused below 1); ``commodity`` = the first resolvable word group of
``Product`` (``Gold, Silver`` → gold; ``Flurospar`` → fluorspar; ``Manganiferous iron ore`` →
iron); ``severity`` = min(1, 0.5 + 0.25·log10(Killed / 5)), i.e. 5 deaths → 0.5, 50 → 0.75,
500 → 1.0; ``confidence`` = 0.95 (official government record).

References
----------
NIOSH Mining Program, *Mining Disasters (incidents with 5 or more fatalities)*, U.S. National
Institute for Occupational Safety and Health (public domain).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from reslog.schema import TAXONOMY_VERSION, resolve_commodity
from reslog.sources.base import Parsed, SourceMeta
from reslog.sources.validate import (
    col_number,
    col_text,
    col_timestamp,
    fail_first,
    finish,
    read_bytes,
    read_csv_table,
    sha256_bytes,
)

REQUIRED = ["Date", "Mine Name", "City", "State", "Killed", "Product", "Accident Type"]
OPTIONAL = ["Mine Type", "Mining Sector"]
CONFIDENCE = 0.95
_PRODUCT_FALLBACK = {"flurospar": "fluorspar", "manganiferous iron ore": "iron",
                     "gold prospect": "gold"}


def severity_from_deaths(killed: pd.Series) -> pd.Series:
    """``min(1, 0.5 + 0.25 * log10(killed / 5))``, floored at 0 (5 deaths → 0.5)."""
    k = killed.astype(float)
    return (0.5 + 0.25 * np.log10(k / 5.0)).clip(lower=0.0, upper=1.0)


def _product(text: str) -> str | None:
    low = text.strip().lower()
    if low in _PRODUCT_FALLBACK:
        return _PRODUCT_FALLBACK[low]
    for part in re.split(r"[,&]", text):
        name = resolve_commodity(part.strip())
        if name:
            return name
    return None


def read_niosh_disasters(path: str | Path) -> Parsed:
    """Read the NIOSH US mining-disaster list into ``risk_events`` (type ``mine_accident``)."""
    path = Path(path)
    data = read_bytes(path)
    df = read_csv_table(path, REQUIRED, optional=OPTIONAL, data=data)
    start = col_timestamp(path, df, "Date")
    killed = col_number(path, df, "Killed", integer=True, lo=1)
    state = df["State"].astype(str).str.strip().str.upper()
    fail_first(path, ~state.str.fullmatch(r"[A-Z]{2}"), "State",
               lambda v: f"'{v}' is not a US postal state code", df["State"])
    name = col_text(path, df, "Mine Name")
    city = df["City"].astype(str).str.strip()
    acc = col_text(path, df, "Accident Type")
    date = start.dt.strftime("%Y-%m-%d")
    n = date.groupby(date).cumcount() + 1
    mtype = df["Mine Type"].astype(str).str.strip()
    sector = df["Mining Sector"].astype(str).str.strip()
    out = pd.DataFrame({
        "event_id": "niosh-" + date + "-" + n.astype(str),
        "event_type": "mine_accident", "start_time": start,
        "end_time": start + pd.Timedelta(days=1) - pd.Timedelta(seconds=1),
        "lat": np.nan, "lon": np.nan, "country": "USA", "mine_id": None,
        "commodity": df["Product"].astype(str).map(_product),
        "severity": severity_from_deaths(killed), "confidence": CONFIDENCE, "deaths": killed,
        "release_m3": np.nan,
        "title": acc + " at " + name + ", " + city.where(city != "", "?") + ", " + state,
        "description": ("NIOSH mining disaster: " + acc + "; product " + df["Product"].astype(str)
                        + "; mine type " + mtype.where(mtype != "", "?") + "; sector "
                        + sector.where(sector != "", "?") + "; " + killed.astype(str)
                        + " killed"),
        "source_urls": "https://www.cdc.gov/niosh/mining/statistics/disasters.html",
        "taxonomy_version": TAXONOMY_VERSION,
        "source": "NIOSH Mining Disasters 1839-2010, row " + df.index.astype(str),
    }, index=df.index)
    meta = SourceMeta(
        source="niosh_disasters", version="1839-2010", licence="public domain (US Government work)",
        citation=("NIOSH Mining Program, Mining disasters (incidents with 5 or more fatalities), "
                  "U.S. National Institute for Occupational Safety and Health"),
        files=(str(path.resolve()),), sha256=sha256_bytes(data))
    notes = [f"{path.name}: {len(out)} disasters, commodity for "
             f"{int(out['commodity'].notna().sum())}"]
    return Parsed(tables={"risk_events": finish(out, "risk_events")}, meta=meta, notes=notes)
