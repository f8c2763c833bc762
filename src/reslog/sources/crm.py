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


# --------------------------------------------------------------------------- EU 2023 assessment

EU_2023 = PACKAGE_DATA / "crm" / "eu_crm_2023.csv"
EU_2023_TRADE = PACKAGE_DATA / "crm" / "eu_crm_2023_trade_factors.csv"
_EU_COLS = ("material", "commodity", "stage", "used_stage", "supply_basis", "sr_stage", "ir", "sr",
            "ei", "si_sr", "si_ei", "eol_rir", "note", "source")
_BASES = ("", "GSonly", "GS+EU", "EUonly")


def read_eu_crm_2023(path: Path = EU_2023) -> pd.DataFrame:
    """The EU 2023 criticality assessment, one row per material × assessed stage.

    Built by ``scripts/build_eu_crm_2023.py`` from the CritMAT transcription of the EC 2023
    final report (doi:10.2873/725585); every row cites it. Fractions (``ir``, ``eol_rir``,
    ``si_*``) in [0, 1]; ``sr``/``ei`` on the EU scale; ``supply_basis`` which supply the EU used
    for the stage's HHI (``GSonly``, ``GS+EU``, ``EUonly``).

    Raises
    ------
    InputError
        Missing column, unknown stage or basis, a fraction outside [0, 1], a negative SR/EI,
        an empty source, or a duplicate material × stage (naming file, row and field).
    """
    df = read_csv_strict(path, _EU_COLS)
    out = []
    for i, r in df.iterrows():
        row = int(i) + 1
        rec: dict[str, object] = {"material": str(r["material"]).strip(),
                                  "commodity": str(r["commodity"] or "").strip()}
        if rec["commodity"] and resolve_commodity(str(rec["commodity"])) != rec["commodity"]:
            raise InputError(path, f"commodity '{rec['commodity']}' is not a canonical name", row=row,
                             field="commodity")
        stage = str(r["stage"]).strip()
        if stage not in ("extraction", "processing"):
            raise InputError(path, f"stage must be extraction or processing, got '{stage}'", row=row,
                             field="stage")
        rec["stage"] = stage
        used = str(r["used_stage"]).strip()
        if used not in ("True", "False"):
            raise InputError(path, f"used_stage must be True or False, got '{used}'", row=row,
                             field="used_stage")
        rec["used_stage"] = used == "True"
        basis = str(r["supply_basis"] or "").strip()
        if basis not in _BASES:
            raise InputError(path, f"supply_basis must be one of {_BASES}, got '{basis}'", row=row,
                             field="supply_basis")
        rec["supply_basis"] = basis
        for c in ("sr_stage", "ir", "sr", "ei", "si_sr", "si_ei", "eol_rir"):
            v = parse_number(path, row, c, r[c]) if str(r[c] or "").strip() else None
            if v is not None and (v < 0 or (c in ("ir", "si_sr", "si_ei", "eol_rir") and v > 1)):
                raise InputError(path, f"{c} out of range: {v}", row=row, field=c)
            rec[c] = float("nan") if v is None else float(v)
        if not str(r["source"] or "").strip():
            raise InputError(path, "every row needs a source", row=row, field="source")
        rec["note"] = str(r["note"] or "").strip()
        rec["source"] = str(r["source"]).strip()
        out.append(rec)
    res = pd.DataFrame(out, columns=list(_EU_COLS))
    check_unique(path, res, ["material", "stage"])
    return res


def read_eu_trade_factors(path: Path = EU_2023_TRADE) -> pd.DataFrame:
    """EU 2023 trade-related parameters t per material × stage × country × HHI scope.

    Columns ``material, country`` (ISO3), ``stage`` (extraction/processing), ``scope``
    (``world`` = global-supply HHI, ``eu`` = EU-sourcing HHI), ``t`` (0.8 trade agreement,
    1.1–1.5 export restriction), ``source``.
    """
    df = read_csv_strict(path, ("material", "country", "stage", "scope", "t", "source"))
    for i, r in df.iterrows():
        row = int(i) + 1
        t = parse_number(path, row, "t", r["t"])
        if t is None or not 0.5 <= t <= 2:
            raise InputError(path, f"t must lie in [0.5, 2], got {r['t']}", row=row, field="t")
        if r["scope"] not in ("world", "eu"):
            raise InputError(path, f"scope must be world or eu, got '{r['scope']}'", row=row, field="scope")
        if r["stage"] not in ("extraction", "processing"):
            raise InputError(path, f"stage must be extraction or processing, got '{r['stage']}'", row=row,
                             field="stage")
        if not str(r["source"] or "").strip():
            raise InputError(path, "every row needs a source", row=row, field="source")
    out = df[["material", "country", "stage", "scope"]].copy()
    out["t"] = pd.to_numeric(df["t"])
    out["source"] = df["source"]
    return out
