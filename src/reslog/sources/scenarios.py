"""Scenario inputs: the IIASA SSP database files (population, GDP-per-capita growth) and the
canonical scenario-path CSV that the trade projection reads.

SSP files (SSP Database v0.9.3 layout)::

    Model,Scenario,Region,Variable,Unit,2000,2005,...,2100[,Notes]

* Population: ``Variable`` ``Population``, unit million → variable ``population_ssp`` (million).
* GDP|PPP per capita growth: unit "Annual Average Growth [%]" → variable ``gdp_pc_growth``
  (% per year); only the ``OECD Env-Growth`` model is kept by default (184 countries).
* ``Scenario`` ``SSP2_v9_130115`` → ``SSP2``. The database's footer row (``© SSP Database …``)
  is recognised and skipped; any other row without a valid ISO3 ``Region`` is an error.
* Files are latin-1 (the © sign).

Canonical scenario paths (``scenario,country,year,ghg,gdp,population[,source]``):

* ``ghg`` Mt CO2e per year, ``gdp`` US$ per year, ``population`` persons — all must be
  > 0: the projection works on logarithms, so zero or negative emissions (net removals) are
  refused with the row and field named.
* ``country`` must resolve to an ISO3 country (names accepted); unknown → error.
* Every (scenario, country) must have the same years as the first one of its scenario, and the
  years of a scenario must be evenly spaced: a missing year is an error naming the scenario,
  country and year.

References
----------
Riahi, K. et al. (2017) The Shared Socioeconomic Pathways and their energy, land use, and
greenhouse gas emissions implications. Global Environmental Change 42, 153–168.
KC, S. & Lutz, W. (2017) Glob. Environ. Change 42, 181–192 (population);
Dellink, R. et al. (2017) Glob. Environ. Change 42, 200–214 (OECD GDP).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from reslog.errors import InputError
from reslog.sources.base import Parsed, SourceMeta
from reslog.sources.country_series import finish_table
from reslog.sources.validate import (check_unique_rows, col_country, col_number, col_text,
                                     decode_strict, fail_first, parse_csv_text, read_bytes,
                                     read_csv_table, sha256_bytes)

SSP_CITATION = ("IIASA SSP Database v0.9.3 (Riahi et al. 2017; KC & Lutz 2017; Dellink et al. "
                "2017), via wmadavis/BDD2018")
PATH_VARIABLES = {"ghg": "Mt CO2e", "gdp": "US$", "population": "persons"}


def read_ssp(path: str | Path, model: str | None = "OECD Env-Growth") -> Parsed:
    """SSP population or GDP-per-capita growth (wide, 5-year columns) → ``scenario_inputs``.

    Parameters
    ----------
    path : SSP CSV. model : keep only this ``Model`` for growth files (``None``: keep all,
        the first model per scenario/country wins).
    """
    path = Path(path)
    raw = read_bytes(path)
    text = decode_strict(path, raw, encodings=("utf-8-sig", "latin-1"))
    header, df = parse_csv_text(path, text.replace("\r\n", "\n").replace("\r", "\n"))
    for c in ("Model", "Scenario", "Region", "Variable", "Unit"):
        if c not in df.columns:
            raise InputError(path, f"missing column '{c}'; the header has {header}", row=0, field=c)
    footer = df["Model"].astype(str).str.contains("SSP Database", regex=False) | \
        df["Model"].astype(str).str.startswith("©")
    df = df[~footer]
    years = [c for c in df.columns if re.fullmatch(r"\d{4}", str(c).strip())]
    if not years:
        raise InputError(path, "no year columns (2000, 2005, …) found", row=0)
    var = df["Variable"].astype(str).str.strip()
    if (var == "Population").all():
        variable, unit = "population_ssp", "million persons"
    elif var.str.startswith("GDP|PPP per capita").all():
        variable, unit = "gdp_pc_growth", "% per year"
        if model is not None:
            df = df[df["Model"].astype(str).str.strip() == model]
            if df.empty:
                raise InputError(path, f"no row of model '{model}'", field="Model")
    else:
        bad = ~(var == "Population") & ~var.str.startswith("GDP|PPP per capita")
        fail_first(path, bad | (var != var.iloc[0]), "Variable",
                   lambda v: f"variable '{v}' is not Population or GDP|PPP per capita "
                             "(one variable per file)", var)
        raise InputError(path, "mixed variables in one file", field="Variable")
    iso = col_country(path, df, "Region")
    scen = df["Scenario"].astype(str).str.extract(r"^(SSP\d)")[0]
    fail_first(path, scen.isna(), "Scenario", lambda v: f"'{v}' is not an SSP scenario name",
               df["Scenario"])
    parts = []
    for y in years:
        v = col_number(path, df, y, required=False, allow_negative=(variable == "gdp_pc_growth"))
        ok = v.notna()
        parts.append(pd.DataFrame({"scenario": scen[ok], "country": iso[ok], "year": int(y),
                                   "variable": variable, "value": v[ok], "unit": unit,
                                   "source": f"SSP v0.9.3 {df['Model'][ok].astype(str).str.strip()}"}))
    out = pd.concat(parts, ignore_index=True)
    out["source"] = "SSP v0.9.3 " + df["Model"].astype(str).str.strip().iloc[0]
    out = out.drop_duplicates(["scenario", "country", "year", "variable"], keep="first")
    meta = SourceMeta("ssp", "v0.9.3", "IIASA SSP DB terms (attribution); repository MIT",
                      SSP_CITATION, (str(path),), sha256_bytes(raw))
    return Parsed({"scenario_inputs": finish_table(out, "scenario_inputs")}, meta,
                  [f"{variable}: {out['country'].nunique()} countries, "
                   f"{', '.join(sorted(out['scenario'].unique()))}"])


def parse_scenario_paths(path: str | Path, data: bytes | None = None) -> pd.DataFrame:
    """Validate a canonical scenario-path CSV and return it wide
    (``scenario, country, year, ghg, gdp, population, source``). See the module docstring."""
    path = Path(path)
    df = read_csv_table(path, ["scenario", "country", "year", *PATH_VARIABLES], optional=["source"],
                        data=data)
    scen = col_text(path, df, "scenario")
    iso = col_country(path, df, "country")
    year = col_number(path, df, "year", integer=True, lo=1900, hi=2200)
    out = pd.DataFrame({"scenario": scen, "country": iso, "year": year})
    for v in PATH_VARIABLES:
        num = col_number(path, df, v, allow_negative=True)
        fail_first(path, num <= 0, v, lambda x, v=v: (
            f"{v} = {x} but it must be > 0 (the projection takes logarithms; net-negative "
            "emission paths cannot be used here)"), df[v])
        out[v] = num
    src = df["source"].astype(str).str.strip()
    out["source"] = src.where(src != "", f"scenario paths ({path.name})")
    check_unique_rows(path, out, ["scenario", "country", "year"])
    for s, g in out.groupby("scenario", sort=False):
        yrs = np.sort(g["year"].astype(int).unique())
        if len(yrs) > 2:
            steps = np.diff(yrs)
            if (steps != steps.min()).any():
                gap = int(yrs[int(np.flatnonzero(steps != steps.min())[0])] + steps.min())
                raise InputError(path, f"scenario '{s}': year {gap} is missing (years must be "
                                 f"evenly spaced, step {int(steps.min())})", field="year")
        want = set(yrs.tolist())
        for c, gc in g.groupby("country", sort=False):
            have = set(gc["year"].astype(int).tolist())
            if have != want:
                miss = sorted(want - have)
                row = int(gc.index[0])
                raise InputError(path, f"scenario '{s}', country {c}: year(s) {miss[:5]} missing "
                                 "(every country needs every year of its scenario)",
                                 row=row, field="year")
    return out.reset_index(drop=True)


def read_scenario_paths(path: str | Path) -> Parsed:
    """Canonical scenario paths → ``scenario_inputs`` (variables ``ghg``, ``gdp``, ``population``)."""
    path = Path(path)
    raw = read_bytes(path)
    wide = parse_scenario_paths(path, raw)
    long = wide.melt(id_vars=["scenario", "country", "year", "source"],
                     value_vars=list(PATH_VARIABLES), var_name="variable", value_name="value")
    long["unit"] = long["variable"].map(PATH_VARIABLES)
    meta = SourceMeta("scenario_paths", path.stem, "see source column", f"scenario paths {path.name}",
                      (str(path),), sha256_bytes(raw))
    return Parsed({"scenario_inputs": finish_table(long, "scenario_inputs")}, meta,
                  [f"{wide['scenario'].nunique()} scenario(s), {wide['country'].nunique()} countries, "
                   f"years {int(wide['year'].min())}–{int(wide['year'].max())}"])
