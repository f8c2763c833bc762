"""Geochemistry: reference compositions for normalisation (pyrolite ``refcomp`` CSVs) and
labelled whole-rock analyses of ore-related porphyry intrusions (REE fingerprints).

Reference compositions (``var,value,units,unc_2sigma,...``; metadata rows ``ModelName``,
``Reference``, ``Citation``, ``DOI``): element rows with a value are kept, converted to ppm
(``ppb`` ÷ 1000, ``wt%`` × 10⁴). → ``reference_compositions``.

Labelled samples → ``geochem_samples`` (long: one row per sample and element, ppm):

* porphyry-rock-classification ESM Table 1 (``Label,Deposit,SiO2,…,La,…,Lu,…``; labels
  ``Au-rich PCDs`` / ``Cu-rich PCDs``);
* PorphyryAuML workbook (sheets ``group1`` Cu-Au, ``group2`` Cu(-Au±Mo), ``group3`` Cu-Mo; the
  sheet is the label).

Handling of bad cells (documented, flagged, never silent):

* empty cell, ``na``, ``n.a.``, ``-`` → no row (the element is missing for that sample; the fingerprint features are
  built to tolerate missing elements);
* ``<x`` (below detection limit x) → value x/2, ``flag = 'bdl'``;
* zero or negative concentration, ``nd``/``bdl`` → treated as below detection with an unknown limit: no value,
  ``flag = 'bdl_unknown'`` (kept so the count of such cells is visible);
* anything else that is not a number → :class:`~reslog.errors.InputError` naming file, row,
  field.

Units are not stated in either file; ppm is assumed for trace elements (REE values of
~0.1–100 match ppm in felsic rocks) — see docs/fingerprint.md.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from reslog.errors import InputError
from reslog.sources.base import Parsed, SourceMeta
from reslog.sources.country_series import finish_table
from reslog.sources.validate import read_bytes, read_csv_table, sha256_bytes

REE = ("La", "Ce", "Pr", "Nd", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu")
TRACE = REE + ("Y", "Rb", "Sr", "Zr", "Nb", "Ba", "Hf", "Ta", "Th", "U")
NA_MARKERS = {"nan", "none", "na", "n.a.", "n/a", "-", "—", "–"}
ND_MARKERS = {"nd", "n.d.", "bdl", "b.d.l.", "bd"}
_UNIT = {"ppm": 1.0, "ppb": 1e-3, "ppt": 1e-6, "wt%": 1e4, "%": 1e4, "ug/g": 1.0, "µg/g": 1.0}


def read_reference_composition(path: str | Path) -> Parsed:
    """One pyrolite reference composition CSV → ``reference_compositions`` (ppm)."""
    path = Path(path)
    raw = read_bytes(path)
    df = read_csv_table(path, ["var", "value", "units"], data=raw)
    meta_rows = dict(zip(df["var"].str.strip(), df["value"].str.strip()))
    name = meta_rows.get("ModelName") or path.stem
    citation = meta_rows.get("Citation") or meta_rows.get("Reference") or path.stem
    doi = meta_rows.get("DOI", "")
    rows = []
    for i, r in df.iterrows():
        el, val, unit = r["var"].strip(), r["value"].strip(), r["units"].strip()
        if not re.fullmatch(r"[A-Z][a-z]?", el) or val == "":
            continue
        try:
            v = float(val)
        except ValueError:
            raise InputError(path, f"'{val}' is not a number", row=int(i), field="value") from None
        if unit.lower() not in _UNIT:
            raise InputError(path, f"unit '{unit}' not understood (ppm, ppb, wt%)", row=int(i),
                             field="units")
        if v <= 0:
            raise InputError(path, f"concentration {v} must be > 0", row=int(i), field="value")
        rows.append({"reference": name, "element": el, "value": v * _UNIT[unit.lower()],
                     "unit": "ppm", "citation": f"{citation} doi:{doi}" if doi else citation})
    if not rows:
        raise InputError(path, "no element row with a value", field="value")
    out = pd.DataFrame(rows)
    meta = SourceMeta("pyrolite_refcomp", name, "CSIRO BSD/MIT variant (pyrolite); values from "
                      "the cited literature", citation, (str(path),), sha256_bytes(raw))
    return Parsed({"reference_compositions": finish_table(out, "reference_compositions")}, meta)


def _parse_cells(path: Path, raw: pd.Series, field: str, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Values (ppm, NaN = missing) and flags ('' / 'bdl' / 'bdl_unknown') of one element column."""
    s = raw.astype(str).str.strip()
    s = s.where(~s.str.lower().isin(NA_MARKERS), "")
    nd = s.str.lower().isin(ND_MARKERS)
    s = s.where(~nd, "0")
    below = s.str.startswith("<")
    num = pd.to_numeric(s.str.lstrip("<").str.strip(), errors="coerce").to_numpy(dtype=float)
    bad = (s != "") & np.isnan(num)
    if bad.any():
        k = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(path, f"'{s.iloc[k]}' is not a concentration (a number, or '<limit' "
                         "for below detection)", row=int(rows[k]), field=field)
    flag = np.where(below, "bdl", "")
    val = np.where(below, num / 2.0, num)
    nonpos = ~below.to_numpy() & (num <= 0)
    flag = np.where(nonpos, "bdl_unknown", flag)
    val = np.where(nonpos, np.nan, val)
    return val, flag


def _to_long(path: Path, df: pd.DataFrame, dataset: str, labels: pd.Series, rows: np.ndarray,
             ids: list[str]) -> pd.DataFrame:
    parts = []
    dep = df["Deposit"].astype(str).str.strip()
    if (dep == "").any() or dep.isin(["nan", "None"]).any():
        k = int(np.flatnonzero(((dep == "") | dep.isin(["nan", "None"])).to_numpy())[0])
        raise InputError(path, "a deposit name is required (samples are grouped by deposit)",
                         row=int(rows[k]), field="Deposit")
    for el in TRACE:
        if el not in df.columns:
            continue
        val, flag = _parse_cells(path, df[el], el, rows)
        keep = ~np.isnan(val) | (flag != "")
        parts.append(pd.DataFrame({"dataset": dataset, "sample_id": np.asarray(ids)[keep],
                                   "deposit": dep.to_numpy()[keep],
                                   "label": labels.to_numpy()[keep], "element": el,
                                   "value": val[keep], "unit": "ppm",
                                   "flag": np.where(flag[keep] == "", None, flag[keep])}))
    if not parts:
        raise InputError(path, f"no trace-element column found (expected some of {list(REE)})",
                         row=0)
    return pd.concat(parts, ignore_index=True)


def read_porphyry_csv(path: str | Path) -> Parsed:
    """porphyry-rock-classification ESM Table 1 (``Label,Deposit,…``) → ``geochem_samples``."""
    path = Path(path)
    raw = read_bytes(path)
    df = read_csv_table(path, ["Label", "Deposit", "La", "Yb"], data=raw)
    full = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    full.index = df.index
    labels = full["Label"].astype(str).str.strip()
    if (labels == "").any():
        k = int(np.flatnonzero((labels == "").to_numpy())[0])
        raise InputError(path, "a class label is required", row=int(df.index[k]), field="Label")
    rows = df.index.to_numpy()
    ids = [f"r{int(r)}" for r in rows]
    out = _to_long(path, full, "porphyry_pcd", labels, rows, ids)
    meta = SourceMeta("porphyry_rock_classification", "ESM Table 1 (2025)", "none stated",
                      "MiusHuv/project-porphyry-rock-classification, ESM Table 1",
                      (str(path),), sha256_bytes(raw))
    return Parsed({"geochem_samples": finish_table(out, "geochem_samples")}, meta,
                  [f"{len(df)} samples, {full['Deposit'].nunique()} deposits, labels "
                   f"{labels.value_counts().to_dict()}"])


SHEET_LABELS = {"group1": "Cu-Au", "group2": "Cu(-Au±Mo)", "group3": "Cu-Mo"}


def read_porphyry_auml(path: str | Path) -> Parsed:
    """PorphyryAuML workbook (sheets group1–3 = labels) → ``geochem_samples``."""
    path = Path(path)
    raw = read_bytes(path)
    try:
        sheets = pd.read_excel(path, sheet_name=None, dtype=str)
    except Exception as e:  # noqa: BLE001 - any unreadable workbook
        raise InputError(path, f"cannot read the workbook ({e})") from e
    parts = []
    for sheet, label in SHEET_LABELS.items():
        if sheet not in sheets:
            raise InputError(path, f"sheet '{sheet}' missing; found {list(sheets)}", field=sheet)
        df = sheets[sheet].fillna("")
        if "Deposit" not in df.columns:
            raise InputError(path, f"sheet {sheet}: no 'Deposit' column", row=0, field="Deposit")
        rows = np.arange(1, len(df) + 1)
        ids = [f"{sheet}-r{r}" for r in rows]
        parts.append(_to_long(Path(f"{path}[{sheet}]"), df, "porphyry_auml",
                              pd.Series([label] * len(df)), rows, ids))
    out = pd.concat(parts, ignore_index=True)
    meta = SourceMeta("porphyry_auml", "a2116d7", "MIT", "VectorZhao/PorphyryAuML (PorphyryAuML_DATA.xlsx)",
                      (str(path),), sha256_bytes(raw))
    return Parsed({"geochem_samples": finish_table(out, "geochem_samples")}, meta)


def read_samples_csv(path: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Unlabelled samples to classify: ``sample_id`` + element columns (ppm; ``<x`` below
    detection → x/2 flagged; empty/``na`` → missing). Returns (values, flags), both indexed by
    ``sample_id``; flags hold ``''``, ``bdl`` or ``bdl_unknown`` per cell."""
    path = Path(path)
    df = read_csv_table(path, ["sample_id"], data=read_bytes(path))
    full = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    full.index = df.index
    ids = full["sample_id"].astype(str).str.strip()
    if (ids == "").any():
        k = int(np.flatnonzero((ids == "").to_numpy())[0])
        raise InputError(path, "a sample_id is required", row=int(df.index[k]), field="sample_id")
    dup = ids.duplicated()
    if dup.any():
        k = int(np.flatnonzero(dup.to_numpy())[0])
        raise InputError(path, f"sample_id '{ids.iloc[k]}' repeats", row=int(df.index[k]), field="sample_id")
    present = [e for e in TRACE if e in full.columns]
    if not any(e in REE for e in present):
        raise InputError(path, f"no REE column (expected some of {list(REE)})", row=0)
    vals, flags = {}, {}
    rows = df.index.to_numpy()
    for e in present:
        v, f = _parse_cells(path, full[e], e, rows)
        vals[e], flags[e] = v, f
    return (pd.DataFrame(vals, index=ids.to_numpy()), pd.DataFrame(flags, index=ids.to_numpy()))
