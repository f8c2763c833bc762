"""Mine sites: the canonical CSV/GeoJSON layout, and the Busch et al. (2024) lithium deposits.

Canonical layout (CSV columns, or GeoJSON Point-feature properties)::

    mine_id,name,lat,lon,country,commodities,type,status,operator,tailings_facilities,capacity,
    capacity_unit,capacity_year,capacity_text,source

* ``lat``/``lon`` WGS84 degrees (GeoJSON: from the geometry, ``[lon, lat]``);
* ``commodities`` canonical names or aliases separated by ``;`` (``,`` and ``|`` accepted; a JSON
  list in GeoJSON), stored as ``;``-joined canonical names;
* ``type`` ``industrial`` or ``artisanal`` (``asm``, ``asgm``, ``small-scale`` → artisanal;
  ``large-scale`` → industrial);
* ``status`` one of :data:`STATUSES` (aliases in :data:`STATUS_ALIASES`), empty = unknown;
* ``tailings_facilities`` number of tailings storage facilities (integer ≥ 0, optional);
* ``capacity`` a number ≥ 0 in ``capacity_unit`` (required with it, explicit: ``"kt Li/yr"``,
  ``"t Cu/yr"``, ``"Mt iron ore/yr"``, ``"oz Pt/yr"``, ``"t ore/day"``, ``"ha (mined area)"``), for
  ``capacity_year`` (optional); ``capacity_text`` the original wording, kept verbatim. A legacy
  file whose ``capacity`` is free text (no ``capacity_text`` column) is read with the text moved
  to ``capacity_text`` and no number (never guessed); ``source`` cites the row.
"""

from __future__ import annotations

import json
from pathlib import Path

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
    read_bytes,
    read_csv_table,
    sha256_bytes,
)

MINE_COLUMNS = ["mine_id", "name", "lat", "lon", "country", "commodities", "type", "status",
                "operator", "tailings_facilities", "capacity", "capacity_unit", "capacity_year",
                "capacity_text", "source"]
REQUIRED = ["mine_id", "name", "lat", "lon", "country", "commodities", "type", "source"]
OPTIONAL = ["status", "operator", "tailings_facilities", "capacity", "capacity_unit", "capacity_year",
            "capacity_text"]

#: Mine status vocabulary (life-cycle stage).
STATUSES = ("operating", "construction", "development", "exploration", "care_and_maintenance",
            "suspended", "closed", "abandoned", "unknown")
STATUS_ALIASES = {
    "producing": "operating", "production": "operating", "active": "operating",
    "open": "operating", "in production": "operating", "under construction": "construction",
    "evaluation": "development", "feasibility": "development", "pre-production": "development",
    "permitting": "development", "prospect": "exploration", "care and maintenance":
    "care_and_maintenance", "care-and-maintenance": "care_and_maintenance", "c&m":
    "care_and_maintenance", "idle": "suspended", "inactive": "suspended", "halted": "suspended",
    "closure": "closed", "past producer": "closed", "historic": "closed", "no info": "unknown",
    "n/a": "unknown", "unknown": "unknown",
}
TYPE_ALIASES = {"asm": "artisanal", "asgm": "artisanal", "small-scale": "artisanal",
                "artisanal and small-scale": "artisanal", "illegal": "artisanal",
                "large-scale": "industrial", "lsm": "industrial"}


def _legacy_capacity(df: pd.DataFrame) -> pd.DataFrame:
    """A free-text ``capacity`` without ``capacity_text``: keep the text, leave the number empty."""
    if "capacity" not in df.columns:
        return df
    if "capacity_text" in df.columns and (df["capacity_text"].fillna("").astype(str).str.strip() != "").any():
        return df
    cap = df["capacity"].astype(str).str.strip()
    numeric = pd.to_numeric(cap.str.replace(",", "", regex=False), errors="coerce")
    if ((cap != "") & (cap.str.upper() != "NA") & numeric.isna()).any():
        df = df.copy()
        df["capacity_text"] = df["capacity"]
        df["capacity"] = ""
    return df


def _validate(path: Path, df: pd.DataFrame) -> pd.DataFrame:
    df = _legacy_capacity(df)
    for c in ("capacity", "capacity_unit", "capacity_year", "capacity_text"):
        if c not in df.columns:
            df = df.assign(**{c: ""})
    cap = col_number(path, df, "capacity", required=False)
    unit = col_text(path, df, "capacity_unit", required=False)
    fail_first(path, cap.notna() & (unit.fillna("").astype(str).str.strip() == ""), "capacity_unit",
               "a capacity needs its unit (e.g. 'kt Li/yr', 't Cu/yr', 'Mt iron ore/yr')")
    year = col_number(path, df, "capacity_year", required=False, integer=True, lo=1800, hi=2100)
    mine_id = col_text(path, df, "mine_id")
    check_unique_rows(path, pd.DataFrame({"mine_id": mine_id}, index=df.index), ["mine_id"])
    out = pd.DataFrame({
        "mine_id": mine_id,
        "name": col_text(path, df, "name"),
        "lat": col_number(path, df, "lat", allow_negative=True, lo=-90, hi=90),
        "lon": col_number(path, df, "lon", allow_negative=True, lo=-180, hi=180),
        "country": col_country(path, df, "country"),
        "commodities": col_commodity(path, df, "commodities", sep=r"[;,|]"),
        "type": col_enum(path, df, "type", ["industrial", "artisanal"], aliases=TYPE_ALIASES),
        "status": col_enum(path, df, "status", STATUSES, required=False, default="unknown",
                           aliases={**STATUS_ALIASES, **{s.replace("_", " "): s
                                                          for s in STATUSES}}),
        "operator": col_text(path, df, "operator", required=False),
        "tailings_facilities": col_number(path, df, "tailings_facilities", required=False,
                                          integer=True),
        "capacity": cap, "capacity_unit": unit, "capacity_year": year,
        "capacity_text": col_text(path, df, "capacity_text", required=False),
        "source": col_text(path, df, "source"),
    }, index=df.index)
    return finish(out, "mine_sites")


def read_mine_sites(path: str | Path, *, source_name: str = "mine_sites",
                    version: str | None = None,
                    licence: str = "as cited per row (source column)") -> Parsed:
    """Read mine sites (CSV or GeoJSON) in the canonical layout into ``mine_sites``.

    Raises
    ------
    InputError
        Missing column, latitude/longitude out of range, unknown country or commodity, type not
        industrial/artisanal, unknown status, duplicate ``mine_id``, non-Point geometry.
    """
    path = Path(path)
    data = read_bytes(path)
    if path.suffix.lower() in (".geojson", ".json"):
        df = _geojson_frame(path, data)
    else:
        df = read_csv_table(path, REQUIRED, optional=OPTIONAL, data=data)
    sites = _validate(path, df)
    meta = SourceMeta(source=source_name, version=version or path.name, licence=licence,
                      citation="per-row citations in the source column",
                      files=(str(path.resolve()),), sha256=sha256_bytes(data))
    return Parsed(tables={"mine_sites": sites}, meta=meta)


def _geojson_frame(path: Path, data: bytes) -> pd.DataFrame:
    """GeoJSON FeatureCollection of Points → frame of strings, row = feature number (1-based)."""
    text = decode_strict(path, data)
    if not text.strip():
        raise InputError(path, "file is empty", row=0, field="features")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        trunc = ("" if text.rstrip().endswith(("}", "]")) else
                 " (the file looks truncated: it does not end with '}')")
        raise InputError(path, f"not valid JSON{trunc}: {e.msg} at line {e.lineno} column "
                         f"{e.colno}", row=e.lineno, field=None) from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(
            doc.get("features"), list):
        raise InputError(path, "not a GeoJSON FeatureCollection", row=0, field="features")
    rows, index = [], []
    for n, feat in enumerate(doc["features"], start=1):
        geom = feat.get("geometry") if isinstance(feat, dict) else None
        if not isinstance(geom, dict) or geom.get("type") != "Point":
            raise InputError(path, "feature is not a Point (mine sites are points; use the "
                             "centroid of a polygon)", row=n, field="geometry")
        coords = geom.get("coordinates")
        if not isinstance(coords, list) or len(coords) < 2:
            raise InputError(path, "Point without [lon, lat] coordinates", row=n,
                             field="geometry")
        props = feat.get("properties") or {}
        rec = {c: _text(props.get(c)) for c in MINE_COLUMNS}
        rec["lon"], rec["lat"] = _text(coords[0]), _text(coords[1])
        rows.append(rec)
        index.append(n)
    if not rows:
        raise InputError(path, "the FeatureCollection has no features", row=1, field="features")
    df = pd.DataFrame(rows, index=pd.Index(index, name="row"))
    return df.astype(str)


def _text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, list):
        return ";".join(str(x) for x in v)
    if isinstance(v, float):
        return repr(v)
    return str(v)


# --------------------------------------------------------------------------- Busch 2024 lithium
BUSCH_STATUS = {"Producing": "operating", "Construction": "construction",
                "Evaluation": "development", "No info": "unknown"}


def read_lithium_deposits_busch(path: str | Path) -> Parsed:
    """Read Busch et al. (2024) ``Parameters/Deposit.csv`` (160 lithium deposits) as mine sites.

    ``mine_id`` = ``busch2024-li-<d>``; commodity ``lithium``; type ``industrial``; status
    mapped by :data:`BUSCH_STATUS` (Producing → operating, Construction → construction,
    Evaluation → development, No info → unknown); ``capacity`` = the model's 2023 production
    rate (``prod_rate2023``, kt Li/yr per the preparing script) when positive.

    References
    ----------
    Busch, P., Kendall, A., Murphy, C. W., Miller, S. A. (2024), *Effects of demand and
    recycling on future lithium extraction*; data github.com/pmbusch/Critical-Minerals-EV (MIT).
    """
    path = Path(path)
    data = read_bytes(path)
    df = read_csv_table(path, ["d", "Country", "Deposit_Name", "Resource_Type", "Latitude",
                               "Longitude", "Status"], optional=["prod_rate2023"], data=data)
    status_raw = df["Status"].astype(str).str.strip()
    fail_first(path, ~status_raw.isin(list(BUSCH_STATUS)), "Status",
               lambda v: f"'{v}' is not a Busch status ({', '.join(BUSCH_STATUS)})", status_raw)
    rate = col_number(path, df, "prod_rate2023", required=False, na_values=("NA",))
    rtype = df["Resource_Type"].astype(str).str.strip()
    canon = pd.DataFrame({
        "mine_id": "busch2024-li-" + df["d"].astype(str).str.strip(),
        "name": df["Deposit_Name"], "lat": df["Latitude"], "lon": df["Longitude"],
        "country": df["Country"], "commodities": "lithium", "type": "industrial",
        "status": status_raw.map(BUSCH_STATUS),
        "operator": "", "tailings_facilities": "",
        "capacity": rate.map(lambda r: f"{r:.6g}" if pd.notna(r) and r > 0 else ""),
        "capacity_unit": rate.map(lambda r: "kt Li/yr" if pd.notna(r) and r > 0 else ""),
        "capacity_year": rate.map(lambda r: "2023" if pd.notna(r) and r > 0 else ""),
        "capacity_text": rate.map(lambda r: f"{r:.3g} kt Li/yr (2023, Busch model production rate)"
                                  if pd.notna(r) and r > 0 else ""),
        "source": ("Busch et al. 2024, Critical-Minerals-EV Parameters/Deposit.csv, deposit d="
                   + df["d"].astype(str).str.strip() + " (" + rtype + ")"),
    }, index=df.index)
    fail_first(path, df["d"].astype(str).str.strip() == "", "d", "deposit number is empty")
    renamed = {"mine_id": "d", "name": "Deposit_Name", "lat": "Latitude", "lon": "Longitude",
               "country": "Country", "status": "Status"}
    try:
        sites = _validate(path, canon)
    except InputError as e:  # name the column of the original file
        raise InputError(path, e.message, row=e.row, field=renamed.get(e.field or "", e.field)
                         ) from None
    meta = SourceMeta(
        source="busch2024_lithium_deposits", version="2024 (commit 2aafd29)", licence="MIT",
        citation=("Busch, P., Kendall, A., Murphy, C. W., Miller, S. A. (2024) Effects of demand "
                  "and recycling on future lithium extraction; github.com/pmbusch/"
                  "Critical-Minerals-EV, Parameters/Deposit.csv"),
        files=(str(path.resolve()),), sha256=sha256_bytes(data))
    return Parsed(tables={"mine_sites": sites}, meta=meta)
