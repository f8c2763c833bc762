"""Inputs of the low-carbon demand model, as CSV (shipped under ``reslog/data/scenario`` or the
user's own with the same columns):

* deployment paths ``region,technology,year,added,unit,source`` — capacity added per year at
  anchor years (linearly interpolated in between); ``added`` ≥ 0; unit GW, MW, GWh or MWh;
* technology split ``technology,component,share,source`` — shares of a deployment technology
  by component technology (must sum to 1 per technology);
* region shares ``technology,region,share,source`` (sum to 1 per technology; optional);
* intensities ``technology,element,kg_per_unit,unit,checked,source`` (kg per MW or per MWh, > 0);
* parameters ``technology,unit,lifetime_kind,lifetime_a,lifetime_b,lifetime_source,element,
  recovery,recovery_source`` (recovery in [0, 1]).

Every problem names file, row and field.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from reslog.errors import InputError
from reslog.sources.validate import col_enum, col_number, col_text, fail_first, read_csv_table

UNIT_SCALE = {"gw": ("MW", 1e3), "mw": ("MW", 1.0), "gwh": ("MWh", 1e3), "mwh": ("MWh", 1.0)}


def read_deployment(path: str | Path) -> pd.DataFrame:
    """Deployment anchors → ``region, technology, year, added (MW or MWh), unit, source``."""
    path = Path(path)
    df = read_csv_table(path, ["region", "technology", "year", "added", "unit", "source"])
    unit = col_enum(path, df, "unit", list(UNIT_SCALE))
    added = col_number(path, df, "added")
    out = pd.DataFrame({"region": col_text(path, df, "region"),
                        "technology": col_text(path, df, "technology"),
                        "year": col_number(path, df, "year", integer=True, lo=1950, hi=2200).astype(int),
                        "added": added * unit.map(lambda u: UNIT_SCALE[u][1]),
                        "unit": unit.map(lambda u: UNIT_SCALE[u][0]),
                        "source": col_text(path, df, "source")})
    dup = out.duplicated(["region", "technology", "year"])
    fail_first(path, dup, "year", lambda v: f"year {v} repeats for this region and technology",
               df["year"])
    return out


def read_shares(path: str | Path, key: str, part: str) -> pd.DataFrame:
    """A share table (``key, part, share``) whose shares sum to 1 per ``key``."""
    path = Path(path)
    df = read_csv_table(path, [key, part, "share", "source"])
    out = pd.DataFrame({key: col_text(path, df, key), part: col_text(path, df, part),
                        "share": col_number(path, df, "share", hi=1.0),
                        "source": col_text(path, df, "source")})
    sums = out.groupby(key)["share"].sum()
    bad = sums[(sums - 1).abs() > 1e-6]
    if len(bad):
        k = bad.index[0]
        row = int(out.index[out[key] == k][0])
        raise InputError(path, f"shares of '{k}' sum to {bad.iloc[0]:g}, not 1", row=row, field="share")
    return out


def read_intensity(path: str | Path) -> pd.DataFrame:
    """Material intensities → ``technology, element, kg_per_unit, unit, checked, source``."""
    path = Path(path)
    df = read_csv_table(path, ["technology", "element", "kg_per_unit", "unit", "source"],
                        optional=["checked"])
    v = col_number(path, df, "kg_per_unit")
    fail_first(path, v <= 0, "kg_per_unit", lambda x: f"intensity {x} must be > 0", df["kg_per_unit"])
    return pd.DataFrame({"technology": col_text(path, df, "technology"),
                         "element": col_text(path, df, "element").str.lower(),
                         "kg_per_unit": v, "unit": col_text(path, df, "unit"),
                         "checked": df["checked"].str.strip(), "source": col_text(path, df, "source")})


def read_tech_parameters(path: str | Path) -> pd.DataFrame:
    """Lifetimes and recovery rates (one row per technology and element)."""
    path = Path(path)
    cols = ["technology", "unit", "lifetime_kind", "lifetime_a", "lifetime_b", "lifetime_source",
            "element", "recovery", "recovery_source"]
    df = read_csv_table(path, cols)
    out = pd.DataFrame({"technology": col_text(path, df, "technology"),
                        "lifetime_kind": col_enum(path, df, "lifetime_kind", ["normal", "weibull", "lognormal"]),
                        "lifetime_a": col_number(path, df, "lifetime_a", lo=1e-9),
                        "lifetime_b": col_number(path, df, "lifetime_b", lo=1e-9),
                        "lifetime_source": col_text(path, df, "lifetime_source"),
                        "element": col_text(path, df, "element").str.lower(),
                        "recovery": col_number(path, df, "recovery", hi=1.0),
                        "recovery_source": col_text(path, df, "recovery_source")})
    lt = out.groupby("technology")[["lifetime_kind", "lifetime_a", "lifetime_b"]].nunique()
    bad = lt[(lt > 1).any(axis=1)]
    if len(bad):
        t = bad.index[0]
        raise InputError(path, f"technology '{t}' has more than one lifetime", field="lifetime_a",
                         row=int(out.index[out["technology"] == t][1]))
    return out


def interpolate_deployment(dep: pd.DataFrame, years: np.ndarray) -> pd.DataFrame:
    """Annual ``region, technology, year, added`` by linear interpolation between anchors
    (0 before the first anchor, the last anchor value after the last)."""
    out = []
    for (r, t), g in dep.groupby(["region", "technology"]):
        g = g.sort_values("year")
        v = np.interp(years, g["year"], g["added"], left=0.0, right=float(g["added"].iloc[-1]))
        out.append(pd.DataFrame({"region": r, "technology": t, "year": years, "added": v,
                                 "unit": g["unit"].iloc[0]}))
    return pd.concat(out, ignore_index=True)
