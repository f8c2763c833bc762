"""Readers of site-monitoring files: site and sensor registries, guideline tables, readings.

Registries and guideline tables are configuration: one bad cell refuses the file (naming file,
row and field) and nothing is written. Readings are data from the field: a reader returns every
row it could split into fields as strings (``sensor_id, time, value, unit, row``) plus one
problem per row it could not (a wrong field count, a half-written last line); the common ingest
rules of :mod:`reslog.intel.monitoring.ingest` then judge each reading and keep the good ones.

Formats
-------
``sites`` CSV: ``site_id,name[,org_id,mine_id,lat,lon,country,description,source]``.
``sensors`` CSV: ``sensor_id,site_id,parameter,unit[,lat,lon,depth_m,elevation_m,
guideline_sets,interval_s,range_lo,range_hi,trigger_amber,trigger_red,trigger_basis,
reference_sensor,drift_tol_per_day,source]``. ``trigger_basis`` is ``level`` (the reading itself,
e.g. piezometric pressure in kPa) or ``rate`` (the rate of change per day, e.g. displacement in
mm/day).
Long readings (CSV or Parquet): ``sensor_id,time,value[,unit]``; ``sensor`` is accepted for
``sensor_id``, ``timestamp`` for ``time``.
Wide logger CSV (one time column, one column per sensor, e.g. the tailings-pond station of
Ouellet et al. 2022): :func:`read_wide_readings` with a column → sensor mapping.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

from reslog.errors import InputError
from reslog.paths import PACKAGE_DATA
from reslog.sources.base import Parsed, SourceMeta
from reslog.sources.validate import (
    check_unique_rows, col_country, col_enum, col_number, col_text, fail_first, finish,
    read_bytes, read_csv_table, sha256_bytes,
)

GUIDELINES_FILE = PACKAGE_DATA / "guidelines" / "guidelines.csv"
SITE_COLUMNS = ["site_id", "name"]
SITE_OPTIONAL = ["org_id", "mine_id", "lat", "lon", "country", "description", "source"]
SENSOR_COLUMNS = ["sensor_id", "site_id", "parameter", "unit"]
SENSOR_OPTIONAL = ["lat", "lon", "depth_m", "elevation_m", "guideline_sets", "interval_s",
                   "range_lo", "range_hi", "trigger_amber", "trigger_red", "trigger_basis",
                   "reference_sensor", "drift_tol_per_day", "source"]
GUIDELINE_COLUMNS = ["set_id", "parameter", "limit_type", "value", "unit", "averaging", "citation"]
GUIDELINE_OPTIONAL = ["basis", "note"]
AVERAGING = ["sample", "hour", "day", "month"]


def _meta(path: Path, data: bytes, source: str, what: str) -> SourceMeta:
    return SourceMeta(source=source, version="site registry", licence="site operator's data",
                      citation=f"{what} ({path.name})", files=(str(path),),
                      sha256=sha256_bytes(data))


def _ids(path: Path, df: pd.DataFrame, col: str) -> pd.Series:
    from reslog.store.readings import _SAFE

    s = col_text(path, df, col)
    fail_first(path, ~s.astype(str).str.match(_SAFE.pattern), col, lambda v: (
        f"id '{v}' must be 1–128 letters, digits, '_', '.' or '-' starting with a letter or digit"),
        s.astype(str))
    return s


def read_sites(path: str | Path) -> Parsed:
    """Monitoring sites → ``monitoring_sites``. A site belongs to a mine (``mine_id`` of
    ``mine_sites``, may be empty) and to an organisation of the platform (``org_id``)."""
    path = Path(path)
    data = read_bytes(path)
    df = read_csv_table(path, SITE_COLUMNS, optional=SITE_OPTIONAL, data=data)
    site_id = _ids(path, df, "site_id")
    check_unique_rows(path, pd.DataFrame({"site_id": site_id}, index=df.index), ["site_id"])
    lat = col_number(path, df, "lat", required=False, allow_negative=True, lo=-90, hi=90)
    lon = col_number(path, df, "lon", required=False, allow_negative=True, lo=-180, hi=180)
    fail_first(path, lat.isna() != lon.isna(), "lon", "give both lat and lon, or neither")
    src = df["source"].str.strip()
    out = pd.DataFrame({
        "site_id": site_id, "name": col_text(path, df, "name"),
        "org_id": col_number(path, df, "org_id", required=False, integer=True),
        "mine_id": col_text(path, df, "mine_id", required=False), "lat": lat, "lon": lon,
        "country": col_country(path, df, "country", required=False),
        "description": col_text(path, df, "description", required=False),
        "source": src.where(src != "", "site registry"),
    }, index=df.index)
    return Parsed({"monitoring_sites": finish(out, "monitoring_sites")},
                  _meta(path, data, "monitoring_sites", "monitoring sites"))


def read_sensors(path: str | Path) -> Parsed:
    """Sensors → ``monitoring_sensors``: what each measures, its unit (any pint unit of the
    parameter's dimension), location, depth/elevation, guideline sets and GISTM trigger levels."""
    from reslog.intel.monitoring.parameters import PARAMETERS, UnitProblem, conversion

    path = Path(path)
    data = read_bytes(path)
    df = read_csv_table(path, SENSOR_COLUMNS, optional=SENSOR_OPTIONAL, data=data)
    sensor_id = _ids(path, df, "sensor_id")
    check_unique_rows(path, pd.DataFrame({"sensor_id": sensor_id}, index=df.index), ["sensor_id"])
    par = df["parameter"].str.strip()
    fail_first(path, ~par.isin(list(PARAMETERS)), "parameter",
               lambda v: f"unknown parameter '{v}'; known: {', '.join(PARAMETERS)}", par)
    unit = df["unit"].str.strip()
    for i in df.index:
        try:
            conversion(unit[i], par[i])
        except UnitProblem as e:
            raise InputError(path, str(e), row=int(i), field="unit") from None
    num = {c: col_number(path, df, c, required=False, allow_negative=True)
           for c in ("depth_m", "elevation_m", "range_lo", "range_hi", "trigger_amber",
                     "trigger_red")}
    fail_first(path, num["trigger_amber"].notna() & num["trigger_red"].notna()
               & (num["trigger_red"] <= num["trigger_amber"]), "trigger_red",
               "the red trigger level must be above the amber level")
    lat = col_number(path, df, "lat", required=False, allow_negative=True, lo=-90, hi=90)
    lon = col_number(path, df, "lon", required=False, allow_negative=True, lo=-180, hi=180)
    fail_first(path, lat.isna() != lon.isna(), "lon", "give both lat and lon, or neither")
    src = df["source"].str.strip()
    out = pd.DataFrame({
        "sensor_id": sensor_id, "site_id": _ids(path, df, "site_id"), "parameter": par,
        "unit": unit, "lat": lat, "lon": lon, **{c: num[c] for c in ("depth_m", "elevation_m")},
        "guideline_sets": col_text(path, df, "guideline_sets", required=False),
        "interval_s": col_number(path, df, "interval_s", required=False),
        "range_lo": num["range_lo"], "range_hi": num["range_hi"],
        "trigger_amber": num["trigger_amber"], "trigger_red": num["trigger_red"],
        "trigger_basis": col_enum(path, df, "trigger_basis", ["level", "rate"], required=False,
                                  default=None),
        "reference_sensor": col_text(path, df, "reference_sensor", required=False),
        "drift_tol_per_day": col_number(path, df, "drift_tol_per_day", required=False),
        "source": src.where(src != "", "site registry"),
    }, index=df.index)
    trig = out["trigger_amber"].notna() | out["trigger_red"].notna()
    fail_first(path, trig & out["trigger_basis"].isna(), "trigger_basis",
               "a sensor with trigger levels needs trigger_basis 'level' or 'rate'")
    return Parsed({"monitoring_sensors": finish(out, "monitoring_sensors")},
                  _meta(path, data, "monitoring_sensors", "monitoring sensors"))


def read_guidelines(path: str | Path = GUIDELINES_FILE) -> pd.DataFrame:
    """A guideline table (the shipped one by default): one cited limit per row, its value
    converted to the parameter's canonical unit (column ``value``; ``unit`` becomes canonical)."""
    from reslog.intel.monitoring.parameters import PARAMETERS, UnitProblem, conversion

    path = Path(path)
    df = read_csv_table(path, GUIDELINE_COLUMNS, optional=GUIDELINE_OPTIONAL)
    par = df["parameter"].str.strip()
    fail_first(path, ~par.isin(list(PARAMETERS)), "parameter",
               lambda v: f"unknown parameter '{v}'", par)
    val = col_number(path, df, "value", allow_negative=True)
    conv = np.empty(len(df))
    for k, i in enumerate(df.index):
        try:
            a, b = conversion(df.at[i, "unit"], par[i])
        except UnitProblem as e:
            raise InputError(path, str(e), row=int(i), field="unit") from None
        conv[k] = val[i] * a + b
    out = pd.DataFrame({
        "set_id": _ids(path, df, "set_id"), "parameter": par,
        "limit_type": col_enum(path, df, "limit_type", ["max", "min"]),
        "value": conv, "unit": par.map(lambda p: PARAMETERS[p].unit),
        "averaging": col_enum(path, df, "averaging", AVERAGING),
        "basis": col_text(path, df, "basis", required=False),
        "citation": col_text(path, df, "citation"),
        "note": col_text(path, df, "note", required=False),
    }, index=df.index)
    check_unique_rows(path, out, ["set_id", "parameter", "limit_type", "averaging"])
    return out.reset_index(drop=True)


def read_guidelines_parsed(path: str | Path) -> Parsed:
    """A national or site-specific guideline table → ``monitoring_guidelines``."""
    path = Path(path)
    data = read_bytes(path)
    df = read_guidelines(path)
    return Parsed({"monitoring_guidelines": finish(df, "monitoring_guidelines")},
                  _meta(path, data, "monitoring_guidelines", "guideline values"))


# ----------------------------------------------------------------------------- readings
@dataclass
class RawReadings:
    """Readings as strings/objects before the common ingest rules: ``frame`` has ``sensor_id,
    time, value, unit, row`` (``row`` = file row or position in the batch, 1-based), and
    ``problems`` lists rows that could not even be split into fields."""

    frame: pd.DataFrame
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # (row, field, message)
    complete: bool = True
    sha256: str = ""


_ALIASES = {"sensor": "sensor_id", "timestamp": "time", "datetime": "time"}


def read_readings_file(path: str | Path) -> RawReadings:
    """Long readings from CSV or Parquet (``sensor_id,time,value[,unit]``).

    CSV rows with a wrong number of fields (e.g. a half-written last line) are reported as
    problems and skipped; everything else goes on to the ingest rules.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    path = Path(path)
    if not path.exists():
        raise InputError(path, "no such file")
    data = read_bytes(path)
    sha = sha256_bytes(data)
    problems: list[tuple[int, str, str]] = []
    if path.suffix.lower() in (".parquet", ".pq"):
        try:
            tab = pq.read_table(pa.BufferReader(data))
        except Exception as e:  # noqa: BLE001 - pyarrow raises several types for junk
            raise InputError(path, f"not a readable Parquet file ({e})") from None
        df = tab.to_pandas()
        df = df.rename(columns={k: v for k, v in _ALIASES.items() if k in df.columns})
        complete = True
    else:
        bad_rows: list[int] = []

        def on_bad(row: pacsv.InvalidRow) -> str:
            bad_rows.append(int(row.number or 0))
            problems.append((int(row.number or 0) - 1, "row",
                             f"expected {row.expected_columns} fields, found {row.actual_columns}"
                             + (" (half-written last line?)" if row.actual_columns < row.expected_columns else "")))
            return "skip"

        text = data.decode("utf-8-sig", errors="replace").encode()
        try:
            tab = pacsv.read_csv(
                pa.BufferReader(text),
                read_options=pacsv.ReadOptions(use_threads=False, block_size=1 << 26),
                parse_options=pacsv.ParseOptions(invalid_row_handler=on_bad),
                convert_options=pacsv.ConvertOptions(column_types={
                    c: pa.string() for c in ("sensor_id", "sensor", "time", "timestamp",
                                             "datetime", "value", "unit")}, strings_can_be_null=False))
        except pa.ArrowInvalid as e:
            raise InputError(path, f"cannot be read as CSV ({e})", row=0) from None
        df = tab.to_pandas()
        df = df.rename(columns={k: v for k, v in _ALIASES.items() if k in df.columns})
        complete = not bad_rows or max(bad_rows) < len(df) + len(bad_rows)
    missing = [c for c in ("sensor_id", "time", "value") if c not in df.columns]
    if missing:
        raise InputError(path, f"missing column(s) {missing}; found {list(df.columns)}", row=0,
                         field=missing[0])
    if "unit" not in df.columns:
        df["unit"] = ""
    # Row numbers: data rows counted from 1; skipped bad rows keep their own numbers.
    rows = np.arange(1, len(df) + len(problems) + 1)
    if problems:
        rows = np.setdiff1d(rows, [p[0] for p in problems])[: len(df)]
    df = pd.DataFrame({"sensor_id": df["sensor_id"], "time": df["time"], "value": df["value"],
                       "unit": df["unit"].fillna(""), "row": rows[: len(df)]})
    return RawReadings(df, problems, complete, sha)


def read_wide_readings(path: str | Path, columns: Mapping[str, str], *, time_column: str = "Time",
                       units: Mapping[str, str] | None = None) -> RawReadings:
    """A data-logger CSV with one time column and one column per sensor → long readings.

    ``columns`` maps a CSV column to a sensor id; ``units`` gives each column's unit (default:
    the sensor's registered unit). Times without an offset are taken as UTC.
    """
    path = Path(path)
    data = read_bytes(path)
    need = [time_column, *columns]
    df = read_csv_table(path, need, data=data)
    parts = []
    for col, sensor in columns.items():
        parts.append(pd.DataFrame({"sensor_id": sensor, "time": df[time_column].to_numpy(),
                                   "value": df[col].to_numpy(),
                                   "unit": (units or {}).get(col, ""),
                                   "row": df.index.to_numpy()}))
    out = pd.concat(parts, ignore_index=True)
    return RawReadings(out, [], True, sha256_bytes(data))


# ----------------------------------------------------------------------------- Pilcomayo export
#: Rows of the Pilcomayo Trinational Commission's water-quality export → reslog parameters.
PILCOMAYO_ROWS = {"pH": "pH", "Conductividad específica (T ref. 25°C)": "EC", "Turbiedad": "turbidity",
                  "Sulfatos": "SO4", "Cianuros": "CN", "Arsenico disuelto": "As",
                  "Cadmio disuelto": "Cd", "Plomo disuelto": "Pb", "Cobre disuelto": "Cu",
                  "Zinc disuelto": "Zn", "Mercurio disuelto": "Hg"}
_PILCOMAYO_UNITS = {"u pH": "pH", "UNT": "NTU"}
#: UTC offset of local sampling times by the station code's first letter (Bolivia, Argentina,
#: Paraguay); Paraguay kept summer time (UTC−3) until March 2024 and winter time (UTC−4) after.
_OFFSETS = {"B": "-04:00", "A": "-03:00"}


@dataclass
class StationSamples:
    """Stations (one sensor per station and parameter) and their readings, from a wide export."""

    sites: pd.DataFrame        # site_id, name, lat, lon, country
    sensors: pd.DataFrame      # sensor_id, site_id, parameter, unit, lat, lon, guideline_sets
    readings: RawReadings


def read_pilcomayo_water_quality(path: str | Path, *, site_id: str = "pilcomayo") -> StationSamples:
    """The Pilcomayo Trinational Commission water-quality export (``calidad_agua_*.csv``: one
    column per station-sample, one row per parameter) → one site, a sensor per station and
    parameter (id ``<station code>-<parameter>``, located at the station), and long readings.

    Values are passed on as written: censored values (``<1``, ``>1100``) and ``SIN DATOS`` are
    rejected by the ingest rules as non-numeric (nothing is guessed below a detection limit).
    Local times are converted with the country's offset (station code B… Bolivia −4 h, A…
    Argentina −3 h, P… Paraguay −3 h before 2024-03-24, −4 h after).
    """
    path = Path(path)
    data = read_bytes(path)
    text = data.decode("utf-8-sig")
    import csv
    import io

    rows = list(csv.reader(io.StringIO(text)))
    if not rows or rows[0][0].strip() != "Estación":
        raise InputError(path, "not a Pilcomayo water-quality export (first cell 'Estación')", row=0)
    by = {r[0].strip(): r for r in rows if r}
    need = ["Código", "Fecha", "Hora", "Latitud Decimal", "Longitud Decimal"]
    missing = [k for k in need if k not in by]
    if missing:
        raise InputError(path, f"missing row(s) {missing}", field=missing[0])
    names = rows[0][2:]
    codes = [c.strip() for c in by["Código"][2:]]
    out = []
    for j, code in enumerate(codes):
        if not code:
            continue
        d, h = by["Fecha"][2 + j].strip(), by["Hora"][2 + j].strip()
        try:
            local = pd.Timestamp(pd.to_datetime(f"{d} {h}", format="%d/%m/%Y %H:%M"))
        except ValueError:
            raise InputError(path, f"station column {j + 3} ({code}): date '{d} {h}' is not "
                             "dd/mm/yyyy HH:MM", field="Fecha") from None
        off = _OFFSETS.get(code[0], "-03:00" if local < pd.Timestamp("2024-03-24") else "-04:00")
        t = f"{local:%Y-%m-%dT%H:%M}:00{off}"
        for label, par in PILCOMAYO_ROWS.items():
            r = by.get(label)
            if r is None:
                continue
            unit = r[1].strip().split(" ")[0] if r[1].strip() else ""
            unit = _PILCOMAYO_UNITS.get(r[1].strip(), unit)
            out.append({"sensor_id": f"{code}-{par}", "time": t, "value": r[2 + j].strip(),
                        "unit": unit, "station": code, "name": names[j].strip(),
                        "lat": by["Latitud Decimal"][2 + j], "lon": by["Longitud Decimal"][2 + j],
                        "parameter": par, "row": j + 1})
    df = pd.DataFrame(out)
    df = df[df["value"] != ""]
    df["lat"] = pd.to_numeric(df["lat"], errors="coerce")
    df["lon"] = pd.to_numeric(df["lon"], errors="coerce")
    df["ts"] = pd.to_datetime(df["time"], utc=True)
    df = df.sort_values(["ts", "sensor_id"], kind="stable").reset_index(drop=True)
    st = df.drop_duplicates("station").set_index("station")
    sites = pd.DataFrame([{"site_id": site_id, "name": "Pilcomayo basin (Trinational Commission)",
                           "lat": float(st["lat"].mean()), "lon": float(st["lon"].mean()),
                           "country": "BOL"}])
    sens = df.drop_duplicates("sensor_id")
    unit_of = df.groupby("sensor_id")["unit"].agg(lambda u: next((x for x in u if x), ""))
    sensors = pd.DataFrame({"sensor_id": sens["sensor_id"], "site_id": site_id,
                            "parameter": sens["parameter"], "unit": sens["sensor_id"].map(unit_of),
                            "lat": sens["lat"], "lon": sens["lon"], "guideline_sets": "WHO-DW"})
    raw = df[["sensor_id", "time", "value", "unit"]].copy()
    raw["row"] = np.arange(1, len(raw) + 1)
    return StationSamples(sites, sensors.reset_index(drop=True),
                          RawReadings(raw, [], True, sha256_bytes(data)))
