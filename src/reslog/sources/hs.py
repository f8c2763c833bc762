"""Reader of HS code lists in reslog's layout (``revision,code,level,description,parent[,source]``),
such as the packaged ``data/hs_mineral_codes.csv`` (HS 2022, mineral value chains)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from reslog.errors import InputError
from reslog.sources.base import Parsed, SourceMeta, check_unique, read_csv_strict, sha256_files

REVISIONS = ("HS92", "HS96", "HS02", "HS07", "HS12", "HS17", "HS22")


def read_hs_codes(path: str | Path) -> Parsed:
    """Read an HS code list into the canonical ``hs_codes`` table.

    Codes are 2-, 4- or 6-digit strings with leading zeros; ``level`` must equal their length;
    ``revision`` one of HS92 … HS22.
    """
    path = Path(path)
    df = read_csv_strict(path, ["revision", "code", "level", "description", "parent"])
    rows = pd.Series(range(1, len(df) + 1), index=df.index)
    bad_rev = ~df["revision"].isin(REVISIONS)
    if bad_rev.any():
        i = df.index[bad_rev][0]
        raise InputError(path, f"unknown HS revision {df.at[i, 'revision']!r}; expected one of {REVISIONS}",
                         row=int(rows[i]), field="revision")
    code = df["code"].str.strip()
    ok = code.str.fullmatch(r"\d{2}|\d{4}|\d{6}") & (code.str.len().astype(str) == df["level"].str.strip())
    if not ok.all():
        i = df.index[~ok][0]
        raise InputError(path, f"HS code {df.at[i, 'code']!r} is not a 2/4/6-digit code matching level "
                         f"{df.at[i, 'level']!r}", row=int(rows[i]), field="code")
    check_unique(path, df.assign(code=code), ["revision", "code"], rows)
    out = pd.DataFrame({"revision": df["revision"], "code": code, "level": df["level"].astype(int),
                        "description": df["description"], "parent": df["parent"]})
    source = df["source"].iloc[0] if "source" in df.columns and len(df) else "HS code list"
    meta = SourceMeta(source="hs_codes", version=",".join(sorted(df["revision"].unique())),
                      licence="ODC-PDDL-1.0 (nomenclature: WCO)", citation=str(source),
                      files=(str(path),), sha256=sha256_files([path]))
    return Parsed({"hs_codes": out}, meta)
