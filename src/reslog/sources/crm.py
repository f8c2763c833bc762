"""Reader of the packaged EU criticality table ``src/reslog/data/crm/eu_crm_published.csv``.

Long format, one published number per row, each row cited::

    commodity, assessment, stage, parameter, value, source, note

``parameter`` is one of :data:`PARAMETERS` (``sr``, ``ei``, ``eol_rir``, ``si_sr``, ``si_ei``,
``ir``). Fractions (``eol_rir``, ``si_*``, ``ir``) are stored as fractions in [0, 1].
Only values actually found in a citable publication are stored; missing values are absent
rows, never guesses (see ``docs/criticality.md`` for what could not be found).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from reslog.errors import InputError
from reslog.paths import PACKAGE_DATA
from reslog.schema import resolve_commodity
from reslog.sources.base import check_unique, parse_number, read_csv_strict

CRM_PUBLISHED = PACKAGE_DATA / "crm" / "eu_crm_published.csv"
PARAMETERS = ("sr", "ei", "eol_rir", "si_sr", "si_ei", "ir")
_FRACTIONS = {"eol_rir", "si_sr", "si_ei", "ir"}
_REQUIRED = ("commodity", "assessment", "stage", "parameter", "value", "source")


def read_crm_published(path: Path = CRM_PUBLISHED) -> pd.DataFrame:
    """Read and validate the published EU criticality parameters.

    Returns
    -------
    DataFrame
        Columns ``commodity`` (canonical), ``assessment`` (int year of the EU assessment),
        ``stage`` (``extraction``/``processing``/empty), ``parameter``, ``value`` (float),
        ``source``, ``note``.

    Raises
    ------
    InputError
        Unknown commodity or parameter, non-numeric or out-of-range value, missing source,
        duplicate (commodity, assessment, stage, parameter).
    """
    df = read_csv_strict(path, _REQUIRED)
    if "note" not in df.columns:
        df["note"] = ""
    out = []
    for i, r in df.iterrows():
        row = int(i) + 1
        com = resolve_commodity(r["commodity"])
        if com is None:
            raise InputError(path, f"unknown commodity '{r['commodity']}'", row=row, field="commodity")
        par = str(r["parameter"]).strip().lower()
        if par not in PARAMETERS:
            raise InputError(path, f"unknown parameter '{r['parameter']}'; expected one of {PARAMETERS}",
                             row=row, field="parameter")
        val = parse_number(path, row, "value", r["value"])
        assert val is not None
        if par in _FRACTIONS and val > 1:
            raise InputError(path, f"{par} is a fraction in [0, 1], got {val}", row=row, field="value")
        year = parse_number(path, row, "assessment", r["assessment"])
        if not str(r["source"]).strip():
            raise InputError(path, "every value needs a source", row=row, field="source")
        stage = str(r["stage"]).strip().lower()
        if stage not in ("", "extraction", "processing"):
            raise InputError(path, f"stage must be extraction, processing or empty, got '{stage}'",
                             row=row, field="stage")
        out.append({"commodity": com, "assessment": int(year or 0), "stage": stage, "parameter": par,
                    "value": val, "source": str(r["source"]).strip(), "note": str(r["note"]).strip()})
    res = pd.DataFrame(out, columns=["commodity", "assessment", "stage", "parameter", "value", "source",
                                     "note"])
    check_unique(path, res, ["commodity", "assessment", "stage", "parameter"])
    return res


def crm_parameters_wide(published: pd.DataFrame, assessment: int) -> pd.DataFrame:
    """One row per commodity for one assessment year: columns ``sr``, ``ei``, ``eol_rir`` … + ``source``.

    Where a parameter is given per stage, the stage with the higher SR (the EU reports the
    bottleneck stage) is kept; values absent from the publication stay NaN.
    """
    p = published[published["assessment"] == assessment]
    if p.empty:
        return pd.DataFrame(columns=["commodity", *PARAMETERS, "source"])
    wide = p.pivot_table(index=["commodity", "stage"], columns="parameter", values="value",
                         aggfunc="first").reset_index()
    for c in PARAMETERS:
        if c not in wide.columns:
            wide[c] = float("nan")
    wide = wide.sort_values("sr", ascending=False, na_position="last").drop_duplicates("commodity")
    src = p.groupby("commodity")["source"].agg(lambda s: " | ".join(sorted(set(s))))
    wide = wide.merge(src, left_on="commodity", right_index=True)
    return wide[["commodity", "stage", *PARAMETERS, "source"]].reset_index(drop=True)
