"""Product footprints: telecoupled TMR / land disturbance by origin country per unit of product,
and risk-weighted material exposure by origin country and risk type.

Pure functions on pandas objects; the CLI reads the packaged tables
(:mod:`reslog.sources.products`) and the warehouse ``production`` table and passes frames here.

Method (``docs/products.md``)
-----------------------------
For product *p* with metal inventory ``m_p,k`` (kg of metal *k* per unit), origin shares
``s_k,c`` (fraction of metal *k* supplied from mining country *c*; mine production shares, or
trade-tracing origin shares when available) and TMR coefficients ``τ_k,c`` (kg TMR per kg of
metal *k* mined in *c*; the country-specific value when one is cited, else the metal's global
value ``τ_k,*``):

.. math::

    T_{p,c} = \\sum_k m_{p,k} \\; s_{k,c} \\; \\tau_{k,c}, \\qquad
    \\text{share}_{p,c} = T_{p,c} / \\sum_{c'} T_{p,c'}

Metals without any cited coefficient are left out of ``T`` and reported. Coverage is stated
**by estimated TMR** (:meth:`ProductFootprint.coverage_tmr`: covered TMR over covered + estimated
TMR of the uncovered metals, NaN with the metals named when an estimate is missing), not only by
metal mass (:attr:`ProductFootprint.coverage_mass`): a few kilograms of nickel or lithium can carry
more TMR than a tonne of iron.

Indicators are never mixed without a label: every coefficient carries its ``indicator`` (``ore
TMR``/``TMR`` for Halada/Ijima NIMS values; ``rock-to-metal ratio`` for Nassar et al. 2022, a
different quantity: ore + waste rock per unit of *refined* metal, without the hidden flows TMR
adds). :meth:`ProductFootprint.by_country` sums TMR indicators only, unless proxies are asked for,
and then labels the result (``attrs["basis"]``).
The residual origin ``ROW`` ("other countries") keeps its mass but is not a country.

Risk-weighted exposure: with risk weights ``w_c,t`` (per origin country and risk type *t*, e.g.
:func:`reslog.model.riskmap.country_risk_weights`) the exposure is
``E_p,c,t = Σ_k m_p,k s_k,c w_c,t`` (kg of metal × risk), or weighted by TMR.

References
----------
Halada, K., Ijima, K., Shimada, M. & Katagiri, N. (2001) A possibility of urban mining in Japan.
J. Japan Inst. Metals 65, 564–570 (TMR of metals, NIMS).
Nassar, N. T. et al. (2022) Rock-to-Metal Ratio. Environ. Sci. Technol. 56, 6710–6721.
Kastner, T., Kastner, M. & Nonhebel, S. (2011) Tracing distant environmental impacts of
agricultural products from a consumer perspective. Ecol. Econ. 70, 1032–1040.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from reslog.errors import ModelInputError
from reslog.model.concentration import ROW, WLD, calc_shares


def calc_origin_shares(production: pd.DataFrame, commodity: str, *, year: int | None = None,
                       stage: str = "mine") -> pd.Series:
    """Fractions of ``commodity`` production by country (ROW = residual), for one year and stage.

    Parameters
    ----------
    production : DataFrame
        Canonical ``production`` rows (``country, commodity, year, stage, quantity, unit``).
    year : int, optional
        Default: the latest year with data for that commodity and stage.

    Returns
    -------
    Series
        Fractions in [0, 1] summing to 1, indexed by ISO3 (and ``ROW``); ``attrs`` hold year and unit.
    """
    p = production[(production["commodity"] == commodity) & (production["stage"] == stage)].copy()
    p = p.dropna(subset=["quantity"])
    if p.empty:
        raise ModelInputError(f"origin shares: no {stage} production of {commodity}")
    p["year"] = pd.to_numeric(p["year"], errors="coerce")
    yr = int(p["year"].max()) if year is None else int(year)
    p = p[p["year"] == yr]
    if p.empty:
        raise ModelInputError(f"origin shares: no {stage} production of {commodity} in {yr}")
    units = p["unit"].dropna().unique()
    if len(units) > 1:
        raise ModelInputError(f"origin shares: several units for {commodity} {yr}: {list(units)}")
    rowsum = p[p["country"] == ROW].groupby("country", as_index=False)["quantity"].sum()
    p = pd.concat([p[p["country"] != ROW], rowsum])
    s = calc_shares(p[["country", "quantity"]]) / 100.0
    s.name = "share"
    s.attrs.update({"year": yr, "unit": str(units[0]) if len(units) else "", "commodity": commodity})
    return s


TMR_INDICATORS = frozenset({"ore TMR", "TMR"})
"""Indicators that are total material requirement (Halada/Ijima NIMS); anything else is a proxy."""


def select_indicator(tmr: pd.DataFrame, metal: str) -> str:
    """The indicator of ``metal``'s coefficients: ``""`` when it has none; ``"TMR"`` when the table has
    no ``indicator`` column (a table of TMR coefficients)."""
    if "indicator" not in tmr.columns:
        return "TMR"
    t = tmr[tmr["metal"] == metal]
    if t.empty:
        return ""
    vals = sorted(set(t["indicator"].astype(str)))
    if len(vals) > 1:
        raise ModelInputError(f"TMR table: {metal} mixes indicators {vals}; use one per metal")
    return vals[0]


def select_tmr(tmr: pd.DataFrame, metal: str, countries: pd.Index) -> pd.Series:
    """Coefficient per country for ``metal``: country-specific if cited, else the ``'*'`` value; NaN if none."""
    t = tmr[tmr["metal"] == metal]
    glob = t.loc[t["country"] == "*", "kg_tmr_per_kg"]
    g = float(glob.iloc[0]) if len(glob) else np.nan
    spec = t[t["country"] != "*"].set_index("country")["kg_tmr_per_kg"]
    return pd.Series([float(spec.get(c, g)) for c in countries], index=countries, dtype=float)


@dataclass
class ProductFootprint:
    """Telecoupled TMR of one product unit, long by metal × origin."""

    product: str
    flows: pd.DataFrame          # metal, country, kg_metal, kg_tmr_per_kg, kg_tmr, indicator
    missing_tmr: list[str] = field(default_factory=list)
    missing_origin: list[str] = field(default_factory=list)
    inventory: pd.Series | None = None

    @property
    def proxies(self) -> list[str]:
        """Metals whose coefficient is not a TMR (e.g. a rock-to-metal ratio)."""
        f = self.flows[self.flows["kg_tmr"].notna()]
        return sorted(set(f.loc[~f["indicator"].isin(TMR_INDICATORS), "metal"].astype(str)))

    def by_country(self, *, include_proxies: bool = False) -> pd.DataFrame:
        """kg TMR and share by origin country (ROW last), sorted by TMR.

        TMR coefficients only by default; with ``include_proxies`` the proxy indicators (rock-to-
        metal ratios) are added and ``attrs["basis"]`` says so, e.g. "TMR + rock-to-metal ratio
        proxy (cobalt)". ``attrs["basis"]`` is always set.
        """
        f = self.flows
        if not include_proxies:
            f = f[f["indicator"].isin(TMR_INDICATORS)]
        g = f.groupby("country").agg(kg_metal=("kg_metal", "sum"), kg_tmr=("kg_tmr", "sum"))
        tot = g["kg_tmr"].sum()
        g["share"] = g["kg_tmr"] / tot if tot > 0 else np.nan
        g = g.sort_values("kg_tmr", ascending=False)
        out = pd.concat([g[g.index != ROW], g[g.index == ROW]])
        px = self.proxies
        if include_proxies and px:
            ind = sorted(set(self.flows.loc[self.flows["metal"].isin(px), "indicator"]))
            out.attrs["basis"] = f"TMR + {', '.join(ind)} proxy ({', '.join(px)})"
        else:
            out.attrs["basis"] = "TMR (Halada/Ijima NIMS coefficients)" + (
                f"; left out as proxies: {', '.join(px)}" if px else "")
        return out

    def by_metal(self) -> pd.DataFrame:
        """kg metal and kg TMR per metal."""
        return self.flows.groupby("metal")[["kg_metal", "kg_tmr"]].sum().sort_values("kg_tmr", ascending=False)

    @property
    def coverage_mass(self) -> float:
        """Share of the inventory's metal mass that has an origin and a TMR coefficient (proxies
        not counted). Mass understates what is missing; see :meth:`coverage_tmr`."""
        tot = self.flows["kg_metal"].sum() + self.flows.attrs.get("uncovered_kg", 0.0)
        f = self.flows
        cov = f.loc[f["kg_tmr"].notna() & f["indicator"].isin(TMR_INDICATORS), "kg_metal"].sum()
        return float(cov / tot) if tot > 0 else float("nan")

    @property
    def coverage(self) -> float:
        """Alias of :attr:`coverage_mass` (kept for callers; say "by mass" when printing it)."""
        return self.coverage_mass

    def uncovered(self) -> pd.Series:
        """kg of metal per unit without a TMR coefficient or without an origin, by metal."""
        if self.inventory is None:
            return pd.Series(dtype=float)
        f = self.flows
        covered = set(f.loc[f["kg_tmr"].notna() & f["indicator"].isin(TMR_INDICATORS), "metal"])
        return self.inventory[[m not in covered for m in self.inventory.index]]

    def coverage_tmr(self, estimates: Mapping[str, float] | None = None) -> tuple[float, list[str]]:
        """Coverage by estimated TMR: ``T_covered / (T_covered + Σ_k m_k·τ̂_k)`` over uncovered metals.

        Parameters
        ----------
        estimates : mapping metal → kg TMR per kg, optional
            An estimate ``τ̂_k`` for each uncovered metal (e.g. a documented proxy). Metals without
            an estimate make the coverage unknown.

        Returns
        -------
        (float, list of str)
            The coverage (NaN when an uncovered metal has no estimate) and the uncovered metals
            without an estimate — never treated as zero.
        """
        unc = self.uncovered()
        est = dict(estimates or {})
        lacking = sorted(m for m in unc.index if m not in est or not np.isfinite(est[m]))
        covered = float(self.by_country()["kg_tmr"].sum())
        if lacking:
            return float("nan"), lacking
        extra = float(sum(unc[m] * est[m] for m in unc.index))
        tot = covered + extra
        return (covered / tot if tot > 0 else float("nan")), []

    def top_country(self) -> str:
        """ISO3 of the named country with the largest TMR share."""
        bc = self.by_country()
        bc = bc[bc.index != ROW]
        return str(bc.index[0])


def calc_product_footprint(product: str, inventory: Mapping[str, float] | pd.Series,
                           origin_shares: Mapping[str, pd.Series], tmr: pd.DataFrame) -> ProductFootprint:
    """``T_p,c = Σ_k m_k · s_k,c · τ_k,c`` (see module docstring).

    Parameters
    ----------
    inventory : mapping or Series
        kg of metal per unit, by canonical metal.
    origin_shares : mapping metal → Series
        Fractions by origin (ISO3 / ROW) summing to ≤ 1 (:func:`calc_origin_shares`).
    tmr : DataFrame
        ``metal, country, kg_tmr_per_kg`` (``country`` = ``'*'`` for the global value).
    """
    inv = pd.Series(inventory, dtype=float)
    bad = inv.index[inv.isna() | (inv < 0)].tolist()
    if bad:
        raise ModelInputError(f"product {product}: inventory missing or negative for {bad}")
    rows = []
    missing_tmr, missing_origin = [], []
    uncovered = 0.0
    for metal, kg in inv.items():
        if metal not in origin_shares:
            missing_origin.append(str(metal))
            uncovered += kg
            continue
        s = pd.Series(origin_shares[metal], dtype=float)
        if (s < -1e-12).any() or s.sum() > 1 + 1e-6:
            raise ModelInputError(f"product {product}: origin shares of {metal} must be ≥ 0 and sum to ≤ 1")
        coef = select_tmr(tmr, str(metal), s.index)
        ind = select_indicator(tmr, str(metal))
        if coef.isna().all():
            missing_tmr.append(str(metal))
        for c, sh in s.items():
            rows.append({"metal": metal, "country": c, "kg_metal": kg * sh, "kg_tmr_per_kg": coef[c],
                         "kg_tmr": kg * sh * coef[c], "indicator": ind})
    flows = pd.DataFrame(rows, columns=["metal", "country", "kg_metal", "kg_tmr_per_kg", "kg_tmr",
                                        "indicator"])
    flows.attrs["uncovered_kg"] = uncovered
    return ProductFootprint(product, flows, missing_tmr, missing_origin, inv)


def calc_risk_exposure(fp: ProductFootprint, weights: pd.DataFrame, *, basis: str = "kg_metal") -> pd.DataFrame:
    """Risk-weighted exposure ``E_c,t = Σ_k q_k,c · w_c,t`` by origin country and risk type.

    Parameters
    ----------
    weights : DataFrame
        Index ISO3 countries, columns risk types, values ≥ 0 (e.g. expected fraction of output
        disrupted per year). Countries absent (and ``ROW``) get weight NaN → reported, not zero.
    basis : {"kg_metal", "kg_tmr"}
        Quantity q weighted: the material footprint (kg metal) or the TMR.

    Returns
    -------
    DataFrame
        Long: ``country, risk_type, quantity, weight, exposure`` sorted by exposure.
    """
    if basis not in ("kg_metal", "kg_tmr"):
        raise ModelInputError(f"exposure: basis must be kg_metal or kg_tmr, got {basis!r}")
    W = weights.astype(float)
    if (W.to_numpy() < 0).any():
        raise ModelInputError("exposure: risk weights must be ≥ 0")
    q = fp.flows.groupby("country")[basis].sum()
    out = []
    for t in W.columns:
        w = W[t].reindex(q.index)
        out.append(pd.DataFrame({"country": q.index, "risk_type": t, "quantity": q.values,
                                 "weight": w.values, "exposure": (q * w).values}))
    res = pd.concat(out, ignore_index=True)
    return res.sort_values("exposure", ascending=False, na_position="last").reset_index(drop=True)


def calc_break_even_coefficient(fp: ProductFootprint, metal: str, country: str, rival: str) -> float:
    """The coefficient of ``metal`` mined in ``country`` at which ``country``'s TMR equals ``rival``'s.

    With ``T_c`` the TMR by origin (TMR indicators only) and ``m_k,c`` the kg of ``metal`` from
    ``country``, the break-even value is ``τ* = (T_rival − (T_c − m_k,c·τ_k,c)) / m_k,c``: the
    country-specific coefficient a source would have to publish for ``country`` to overtake
    ``rival`` (everything else unchanged). Used to quantify what a missing or world-average
    coefficient would have to be (``docs/products.md``).

    Raises
    ------
    ModelInputError
        ``country`` supplies none of ``metal``.
    """
    bc = fp.by_country()
    f = fp.flows[(fp.flows["metal"] == metal) & (fp.flows["country"] == country)]
    kg = float(f["kg_metal"].sum())
    if kg <= 0:
        raise ModelInputError(f"{country} supplies no {metal} to {fp.product}")
    own = float(f["kg_tmr"].fillna(0.0).sum()) if f["indicator"].isin(TMR_INDICATORS).all() else 0.0
    t_c = float(bc["kg_tmr"].get(country, 0.0))
    t_r = float(bc["kg_tmr"].get(rival, 0.0))
    return (t_r - (t_c - own)) / kg
