r"""Who is exposed to detected ASGM through the gold trade (HS 7108).

Inputs: detected area :math:`A_o` (ha) per country :math:`o` (sum of its hotspots), the bilateral
gold trade :math:`T_{ij}` (HS92 7108.11/.12/.13/.20; tonnes, or thousand USD with
``measure="value"``) and, when the warehouse has it, gold mine production :math:`p`.

For an importing country :math:`J`:

* **direct share** :math:`d_J = \sum_{o:A_o>0} T_{oJ} / \sum_i T_{iJ}` — the share of J's recorded
  gold imports shipped by countries with detected ASGM;
* **traced share** :math:`s_J = \sum_{o:A_o>0} C_{oJ} / \sum_o C_{oJ}` — the share of J's gold
  supply that *originates* in those countries, directly or through re-export hubs, from
  Kastner tracing (:func:`reslog.model.trade.tracing.trace_origins`: exports carry the origin
  mix of the exporter's whole supply);
* **attributed area** :math:`a_J = \sum_o A_o\,C_{oJ} / \sum_j C_{oj}` — the detected ASGM area
  behind J's gold, each origin's area split in proportion to where its traced gold ends up;
  its share of :math:`\sum_o A_o` is the area-weighted exposure.

When the warehouse lacks gold mine production, :math:`p_i = \max(E_i - M_i, 0)` (net exports
of 7108) stands in for it: a net exporter is treated as an origin. This is stated in the
result's notes; countries that export gold they imported are then hubs, not origins.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

GOLD_HS92 = (710811, 710812, 710813, 710820)
"""HS 1992 six-digit items of heading 7108 (gold, unwrought / semi-manufactured / powder)."""


@dataclass
class ExposureResult:
    """Per importing country: direct and traced shares, attributed area; and the evidence."""

    table: pd.DataFrame
    origins: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    empty_reason: str | None = None


def calc_gold_exposure(area_by_country: pd.Series, trade: pd.DataFrame,
                       production: pd.Series | None = None, *, quantity: str = "q"
                       ) -> ExposureResult:
    """Exposure of every importer to detected ASGM (see the module docstring).

    Parameters
    ----------
    area_by_country : ISO3 → detected area (ha).
    trade : rows with ``exporter``, ``importer`` (ISO3) and the ``quantity`` column.
    production : ISO3 → gold mine production (t), optional.
    quantity : the trade column to use (``q`` tonnes or ``v`` thousand USD).
    """
    from reslog.model.trade.tracing import trace_origins

    notes: list[str] = []
    area = area_by_country[area_by_country > 0].groupby(level=0).sum()
    if area.empty:
        return ExposureResult(pd.DataFrame(), pd.DataFrame(), notes,
                              "no hotspot with a country: nothing to trace")
    tr = trade[["exporter", "importer", quantity]].rename(columns={quantity: "quantity"})
    tr = tr[tr["quantity"].notna() & (tr["quantity"] > 0) & (tr["exporter"] != tr["importer"])]
    if tr.empty:
        return ExposureResult(pd.DataFrame(), pd.DataFrame(), notes,
                              f"no HS 7108 trade rows with a {quantity!r} value")
    exporters = set(tr["exporter"])
    traced = [c for c in area.index if c in exporters]
    untraced = [c for c in area.index if c not in exporters]
    if untraced:
        notes.append(f"hotspot countries with no HS 7108 exports in the trade data: "
                     f"{', '.join(untraced)} ({area[untraced].sum():,.1f} ha not traced)")
    if not traced:
        have = sorted(exporters)
        return ExposureResult(pd.DataFrame(), pd.DataFrame(), notes,
                              f"the trade data hold no HS 7108 exports from the hotspot "
                              f"countries ({', '.join(area.index)}); exporters present: "
                              f"{', '.join(have[:15])}{' …' if len(have) > 15 else ''}")
    if production is None or production.dropna().empty:
        ex = tr.groupby("exporter")["quantity"].sum()
        im = tr.groupby("importer")["quantity"].sum()
        p = ex.sub(im, fill_value=0).clip(lower=0)
        p = p[p > 0]
        notes.append("no gold mine production in the warehouse: net exports of HS 7108 stand in "
                     "for production (a net exporter is an origin)")
    else:
        p = production.dropna()
        p = p[p > 0]
    orig = trace_origins(p, tr)
    orig = orig.rename(columns={"quantity_t": "quantity"})
    by_origin_total = orig.groupby("origin")["quantity"].sum()
    o = orig.copy()
    o["asgm_origin"] = o["origin"].isin(area.index)
    o["origin_area_ha"] = o["origin"].map(area).fillna(0.0)
    o["attributed_area_ha"] = np.where(
        o["asgm_origin"], o["origin_area_ha"] * o["quantity"]
        / o["origin"].map(by_origin_total).replace(0, np.nan), 0.0)
    o["attributed_area_ha"] = o["attributed_area_ha"].fillna(0.0)
    imports = tr.groupby("importer")["quantity"].sum()
    direct = tr[tr["exporter"].isin(area.index)].groupby("importer")["quantity"].sum()
    cons = o.groupby("consumer").agg(traced_total=("quantity", "sum"),
                                     attributed_area_ha=("attributed_area_ha", "sum"))
    cons["traced_from_asgm"] = o[o["asgm_origin"]].groupby("consumer")["quantity"].sum()
    tab = pd.DataFrame({"imports": imports}).join(direct.rename("imports_from_asgm"), how="outer")
    tab = tab.join(cons, how="outer").fillna(0.0)
    tab["direct_share"] = np.where(tab["imports"] > 0, tab["imports_from_asgm"] / tab["imports"]
                                   .where(tab["imports"] > 0, 1), 0.0)
    tab["traced_share"] = np.where(tab["traced_total"] > 0, tab["traced_from_asgm"]
                                   / tab["traced_total"].where(tab["traced_total"] > 0, 1), 0.0)
    total_area = float(area[traced].sum())
    tab["area_share"] = tab["attributed_area_ha"] / total_area if total_area else 0.0
    tab.index.name = "country"
    tab = tab.reset_index().sort_values(["attributed_area_ha", "imports"], ascending=False)
    return ExposureResult(tab.reset_index(drop=True), o.reset_index(drop=True), notes)
