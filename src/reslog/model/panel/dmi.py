r"""Direct material input of metals, in metal content, by country and year:

.. math:: \mathrm{DMI}_{c,m,t} = \mathrm{mined}_{c,m,t} + \mathrm{recycled}_{c,m,t} + \mathrm{imported}_{c,m,t}

* **mined**: mine production (tonnes, as reported; for bauxite the ore, for aluminium the
  primary metal — labelled as such).
* **imported**: :math:`\sum_{i,k} q^{clean}_{i,c,k,t}\,w_{k,m}` over HS6 items *k* with a
  metal-content fraction :math:`w_{k,m}` (reslog's metal-content table), tonnes of metal.
* **recycled**: no country-level secondary-production series is in reach; the column is kept
  and left empty (NaN) rather than set to zero, and the panel says so.

Each component is kept separately so the regression can ask "mined" and "imported" apart.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def calc_imported_content(trade: pd.DataFrame, content: dict[tuple[str, str], float],
                          iso: dict[int, str]) -> pd.DataFrame:
    """``t, j, k, q_clean`` (+ HS6 as ``k``) → ``country, metal, year, imported_t``."""
    if trade.empty or not content:
        return pd.DataFrame(columns=["country", "metal", "year", "imported_t"])
    by_hs: dict[str, list[tuple[str, float]]] = {}
    for (h, m), w in content.items():
        by_hs.setdefault(str(h).zfill(6), []).append((m, w))
    d = trade[["t", "j", "k", "q_clean"]].copy()
    d["hs6"] = d["k"].astype(int).astype(str).str.zfill(6)
    rows = []
    for h, g in d[d["hs6"].isin(by_hs)].groupby("hs6"):
        for m, w in by_hs[h]:
            rows.append(g.assign(metal=m, imported_t=g["q_clean"] * w))
    if not rows:
        return pd.DataFrame(columns=["country", "metal", "year", "imported_t"])
    x = pd.concat(rows)
    x["country"] = x["j"].map(lambda c: iso.get(int(c)))
    x = x[x["country"].notna()]
    return x.groupby(["country", "metal", "t"], as_index=False)["imported_t"].sum().rename(columns={"t": "year"})


def build_dmi(mined: pd.DataFrame, imported: pd.DataFrame | None = None) -> pd.DataFrame:
    """``country, metal, year, mined_t, imported_t, recycled_t, dmi_t`` (outer join; DMI sums the
    components present, NaN where none is)."""
    m = mined.rename(columns={"commodity": "metal", "quantity": "mined_t"})[["country", "metal", "year", "mined_t"]]
    if imported is not None and len(imported):
        out = m.merge(imported, on=["country", "metal", "year"], how="outer")
    else:
        out = m.assign(imported_t=np.nan)
    out["recycled_t"] = np.nan
    comp = out[["mined_t", "imported_t", "recycled_t"]]
    out["dmi_t"] = comp.sum(axis=1, min_count=1)
    return out.sort_values(["metal", "country", "year"]).reset_index(drop=True)
