r"""IO–trade link: rank the imported HS6 items needed by a sector's final demand.

Method (the seeds' IO–BACI model)
---------------------------------
For a national IO table with domestic coefficients :math:`A^d` and import coefficients
:math:`A^m` (imports of product :math:`i` per unit output of sector :math:`j`), a final demand
vector :math:`f` for domestic output (e.g. 1 million of electronic computers) requires output
:math:`x = (I - A^d)^{-1} f = L f` and imports

.. math:: m^{dir} = A^m f, \qquad m^{tot} = A^m L f, \qquad m^{ind} = m^{tot} - m^{dir}.

Each import sector's requirement is split over the HS6 items mapped to it by a concordance,
in proportion to the country's recorded imports of those items (BACI, value :math:`V_k`):

.. math:: m_k = m_{s(k)} \frac{V_k}{\sum_{l:\,s(l)=s(k)} V_l}, \qquad
          q_k = m_k\,\kappa\,\frac{Q_k}{V_k}, \qquad g_{km} = q_k\,w_{km}

with :math:`\kappa` the BACI value units per IO value unit (1,000 for a table in million USD
against BACI's thousand USD), :math:`Q_k` tonnes and :math:`w_{km}` the metal content. The
result is the "top imported items" table: items ranked by total value, with direct and
indirect parts, tonnes and contained metal.

Concordance
-----------
``src/reslog/data/hs92_isic3_concordance.csv`` maps HS 1992 codes to ISIC Rev.3 classes by
longest prefix (chapter, heading or subheading). It was constructed for reslog at chapter and
heading level following the structure of the UNSD/World Bank WITS correspondence "HS 1988/92
to ISIC Rev.3" (``Concordance_H0_to_I3``), which it follows for the exceptions checked
(unworked diamonds → 1429 mining; waste and scrap → 9999 not classified; domestic
appliances of 85.09/85.10/85.16 → 2930; office machines 84.69–84.73 → 3000). ISIC divisions
map to the 35 WIOD industries c1–c17 (goods) as in Timmer et al. (2015), Table 1
(:data:`ISIC3_DIVISION_TO_WIOD`); 9999 and unmapped codes are reported, not dropped silently.
The concordance is an approximation at heading level; for 6-digit precision load the official
WITS table instead with :func:`read_concordance`.

Caveats: IO imports are at basic prices (c.i.f.) while BACI values are f.o.b.; the split uses
the country's import mix of the trade year, not necessarily the IO year; quantities use the
unit value of the country's total imports of the item.

References
----------
Timmer, M. P., Dietzenbacher, E., Los, B., Stehrer, R. & de Vries, G. J. (2015) An Illustrated
User Guide to the World Input–Output Database. Rev. Int. Econ. 23, 575–605.
Nansai, K. et al. (2015) Global mining risk footprint of critical metals necessary for
low-carbon technologies: the case of neodymium, cobalt, and platinum in Japan. Environ. Sci.
Technol. 49, 2022–2031.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from reslog.errors import InputError, ModelInputError
from reslog.paths import PACKAGE_DATA

CONCORDANCE_FILE = PACKAGE_DATA / "hs92_isic3_concordance.csv"

#: ISIC Rev.3 division → WIOD (2013 release) industry code, goods-producing industries.
ISIC3_DIVISION_TO_WIOD: dict[str, str] = {
    "01": "c1", "02": "c1", "05": "c1", "10": "c2", "11": "c2", "12": "c2", "13": "c2",
    "14": "c2", "15": "c3", "16": "c3", "17": "c4", "18": "c4", "19": "c5", "20": "c6",
    "21": "c7", "22": "c7", "23": "c8", "24": "c9", "25": "c10", "26": "c11", "27": "c12",
    "28": "c12", "29": "c13", "30": "c14", "31": "c14", "32": "c14", "33": "c14", "34": "c15",
    "35": "c15", "36": "c16", "37": "c16", "40": "c17", "41": "c17",
}


def read_concordance(path: str | Path = CONCORDANCE_FILE) -> pd.DataFrame:
    """Read an HS-prefix → ISIC Rev.3 concordance (``hs_prefix, isic3[, note]``)."""
    path = Path(path)
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    for col in ("hs_prefix", "isic3"):
        if col not in df.columns:
            raise InputError(path, f"missing column '{col}'", row=0, field=col)
    for n, (p, i) in enumerate(zip(df["hs_prefix"], df["isic3"]), start=1):
        if not (p.isdigit() and 2 <= len(p) <= 6):
            raise InputError(path, f"HS prefix {p!r} must be 2–6 digits", row=n, field="hs_prefix")
        if not (i.isdigit() and len(i) in (2, 4)):
            raise InputError(path, f"ISIC Rev.3 code {i!r} must be 2 or 4 digits", row=n,
                             field="isic3")
    dup = df["hs_prefix"].duplicated()
    if dup.any():
        raise InputError(path, f"duplicate prefix {df.loc[dup, 'hs_prefix'].iloc[0]!r}",
                         row=int(np.flatnonzero(dup)[0]) + 1, field="hs_prefix")
    return df


def calc_hs_sector_map(codes: Iterable[str | int], concordance: pd.DataFrame | None = None
                       ) -> pd.DataFrame:
    """Map HS6 codes to ISIC Rev.3 and WIOD industries by longest matching prefix.

    Returns
    -------
    DataFrame ``hs6, isic3, sector`` (``sector`` = WIOD code, empty when ISIC is 9999 or the
    code matches no prefix).
    """
    conc = read_concordance() if concordance is None else concordance
    table = dict(zip(conc["hs_prefix"], conc["isic3"]))
    lens = sorted({len(p) for p in table}, reverse=True)
    rows = []
    for c in dict.fromkeys(str(x).strip().zfill(6) for x in codes):
        isic = ""
        for n in lens:
            if c[:n] in table:
                isic = table[c[:n]]
                break
        rows.append((c, isic, ISIC3_DIVISION_TO_WIOD.get(isic[:2], "")))
    return pd.DataFrame(rows, columns=["hs6", "isic3", "sector"])


def national_io_from_mrio(Z: pd.DataFrame, x: pd.Series, country: str
                          ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Domestic and import coefficient matrices of one country from an MRIO.

    Parameters
    ----------
    Z : intermediate flows with (region, sector) MultiIndex on rows and columns.
    x : gross output with the same row index.
    country : the region.

    Returns
    -------
    (A_d, A_m) : sector × sector DataFrames; :math:`A^d = Z_{cc}\\hat x_c^{-1}`,
    :math:`A^m_{ij} = \\sum_{r \\ne c} Z_{(r,i),(c,j)} / x_{(c,j)}`.
    """
    regions = Z.index.get_level_values(0)
    if country not in set(regions):
        raise ModelInputError(f"region {country!r} not in the MRIO (regions: "
                              f"{sorted(set(regions))[:10]}…)")
    cols = Z.columns.get_level_values(0) == country
    zc = Z.loc[:, cols]
    xc = x.loc[country].astype(float)
    sectors = list(xc.index)
    dom = zc.loc[country]
    imp = zc.loc[regions != country].groupby(level=1).sum()
    inv = np.where(xc.to_numpy() > 0, 1.0 / np.where(xc.to_numpy() > 0, xc.to_numpy(), 1), 0.0)
    A_d = pd.DataFrame(dom.reindex(index=sectors).to_numpy() * inv[None, :], index=sectors,
                       columns=sectors)
    A_m = pd.DataFrame(imp.reindex(index=sectors, fill_value=0.0).to_numpy() * inv[None, :],
                       index=sectors, columns=sectors)
    return A_d, A_m


def calc_import_requirements(A_d: pd.DataFrame, A_m: pd.DataFrame, demand: pd.Series
                             ) -> pd.DataFrame:
    """Direct and indirect imports by product for a final-demand vector.

    Returns
    -------
    DataFrame indexed by sector with ``direct, indirect, total`` (IO value units).
    """
    if list(A_d.index) != list(A_d.columns) or list(A_m.index) != list(A_d.index) \
            or list(A_m.columns) != list(A_d.columns):
        raise ModelInputError("A_d and A_m must be square with the same sector labels in order")
    unknown = sorted(set(demand.index) - set(A_d.index))
    if unknown:
        raise ModelInputError(f"final demand names sectors not in the IO table: {unknown}")
    f = demand.reindex(A_d.index, fill_value=0.0).to_numpy(dtype=float)
    n = len(f)
    try:
        xout = np.linalg.solve(np.eye(n) - A_d.to_numpy(dtype=float), f)
    except np.linalg.LinAlgError:
        raise ModelInputError("I − A_d is singular: check the domestic coefficients") from None
    Am = A_m.to_numpy(dtype=float)
    direct = Am @ f
    total = Am @ xout
    return pd.DataFrame({"direct": direct, "indirect": total - direct, "total": total},
                        index=A_d.index)


def rank_imported_items(requirements: pd.DataFrame, hs_imports: pd.DataFrame,
                        hs_sector: pd.DataFrame, content: pd.DataFrame | None = None,
                        value_scale: float = 1000.0, top: int | None = 20) -> pd.DataFrame:
    """The "top imported items" table for a final demand.

    Parameters
    ----------
    requirements : from :func:`calc_import_requirements` (index = IO sector codes).
    hs_imports : the country's imports by item: ``hs6, v`` (value, BACI units) and ``q``
        (tonnes, may be NaN).
    hs_sector : from :func:`calc_hs_sector_map` (``hs6, sector``).
    content : metal-content rows of the trade's HS edition (``hs6, metal, fraction``); each
        metal becomes a column ``<metal>_t`` (tonnes contained). ``None`` = no metal columns.
    value_scale : BACI value units per IO value unit (1,000: million USD vs thousand USD).
    top : keep the ``top`` items by total value (``None`` = all).

    Returns
    -------
    DataFrame ``hs6, sector, share_in_sector, value_direct, value_indirect, value_total``
    (IO units), ``quantity_t`` and ``<metal>_t`` columns, sorted by ``value_total``.
    Sectors with import requirements but no mapped HS import are listed in
    ``result.attrs['unmatched_sectors']`` with their value.
    """
    need = {"hs6", "v"}
    if not need <= set(hs_imports.columns):
        raise ModelInputError(f"HS imports lack {sorted(need - set(hs_imports.columns))}")
    imp = hs_imports.assign(hs6=hs_imports["hs6"].astype(str).str.zfill(6))
    if "q" not in imp.columns:
        imp["q"] = np.nan
    imp = imp.groupby("hs6", as_index=False)[["v", "q"]].sum(min_count=1)
    m = imp.merge(hs_sector[["hs6", "sector"]], on="hs6", how="left")
    m = m[m["sector"].fillna("") != ""]
    m = m[m["sector"].isin(requirements.index) & (m["v"] > 0)]
    tot_v = m.groupby("sector")["v"].transform("sum")
    m["share_in_sector"] = m["v"] / tot_v
    req = requirements.reindex(m["sector"])
    for part in ("direct", "indirect", "total"):
        m[f"value_{part}"] = m["share_in_sector"].to_numpy() * req[part].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        tpv = np.where(m["v"] > 0, m["q"] / m["v"], np.nan)  # tonnes per BACI value unit
    m["quantity_t"] = m["value_total"].to_numpy() * value_scale * tpv
    if content is not None and len(content):
        plain = content[content.get("exporters", pd.Series("", index=content.index)) == ""]
        for metal, g in plain.groupby("metal"):
            frac = m["hs6"].map(dict(zip(g["hs6"], g["fraction"]))).fillna(0.0)
            col = m["quantity_t"] * frac.to_numpy()
            if (col.fillna(0) > 0).any():  # only metals the ranked items actually carry
                m[f"{metal}_t"] = col
    matched = set(m["sector"])
    unmatched = requirements.loc[[s for s in requirements.index
                                  if s not in matched and requirements.at[s, "total"] > 0], "total"]
    out = m[m["value_total"] > 0].drop(columns=["v", "q"]).sort_values("value_total",
                                                                       ascending=False)
    if top is not None:
        out = out.head(top)
    out = out.reset_index(drop=True)
    out.attrs["unmatched_sectors"] = unmatched.to_dict()
    return out
