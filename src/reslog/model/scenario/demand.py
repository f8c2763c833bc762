r"""Metal demand of low-carbon technologies against today's supply (orchestrates
:mod:`reslog.model.scenario.stockflow`).

Deployment paths (capacity added per year per region) are split into component technologies
(c-Si/CdTe/CIGS PV, onshore/offshore wind, EV batteries) and regions, run through the
stock-flow model, and the primary (mined) demand per element is compared with the latest
reported world mine production and reserves:

* ``year_demand_exceeds_production``: the first year in which primary demand of these
  technologies *alone* exceeds today's total world production of the element (all uses);
* ``cumulative_to_2050 / reserves``: cumulative primary demand 2025–2050 as a share of
  today's reserves.

Rare earths: Nd and Dy are converted to oxide equivalents (Nd2O3 = 1.1664 Nd, Dy2O3 = 1.1477 Dy)
and compared, summed, with world rare-earth-oxide production (USGS reports REO).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from reslog.errors import ModelInputError
from reslog.model.scenario.stockflow import Lifetime, StockFlowResult, run_stock_flow

# element -> (supply commodity, factor to the supply basis)
SUPPLY_BASIS: dict[str, tuple[str, float]] = {
    "lithium": ("lithium", 1.0), "nickel": ("nickel", 1.0), "cobalt": ("cobalt", 1.0),
    "manganese": ("manganese", 1.0), "graphite": ("graphite", 1.0), "copper": ("copper", 1.0),
    "silver": ("silver", 1.0), "indium": ("indium", 1.0), "gallium": ("gallium", 1.0),
    "tellurium": ("tellurium", 1.0), "neodymium": ("rare_earths", 1.1664),
    "dysprosium": ("rare_earths", 1.1477),
}


def build_inflow(annual: pd.DataFrame, split: pd.DataFrame, regions: pd.DataFrame | None,
                 years: np.ndarray) -> tuple[np.ndarray, list[str], list[str]]:
    """(t, r, g) inflow from annual deployment × component split × region shares."""
    d = annual.merge(split.rename(columns={"technology": "technology", "share": "s_tech"})[
        ["technology", "component", "s_tech"]], on="technology", how="inner")
    if d.empty:
        raise ModelInputError("demand: no deployment technology has a component split")
    if regions is not None and len(regions):
        rs = regions[["technology", "region", "share"]].rename(columns={"region": "sub", "share": "s_reg"})
        d = d.merge(rs, on="technology", how="left")
        d["sub"] = d["sub"].fillna(d["region"])
        d["s_reg"] = d["s_reg"].fillna(1.0)
        d["region"] = d["sub"]
    else:
        d["s_reg"] = 1.0
    d["v"] = d["added"] * d["s_tech"] * d["s_reg"]
    cube = d.pivot_table(index="year", columns=["region", "component"], values="v", aggfunc="sum",
                         fill_value=0.0)
    regs = sorted({r for r, _ in cube.columns})
    techs = sorted({g for _, g in cube.columns})
    arr = np.zeros((len(years), len(regs), len(techs)))
    cube = cube.reindex(years, fill_value=0.0)
    for (r, g), col in cube.items():
        arr[:, regs.index(r), techs.index(g)] = col.to_numpy()
    return arr, regs, techs


def run_demand(annual: pd.DataFrame, split: pd.DataFrame, regions: pd.DataFrame | None,
               intensity: pd.DataFrame, params: pd.DataFrame, years: np.ndarray) -> StockFlowResult:
    """Run the stock-flow demand model from validated input tables."""
    inflow, regs, techs = build_inflow(annual, split, regions, years)
    elements = sorted(intensity["element"].unique())
    inten = np.zeros((len(techs), len(elements)))
    rec = np.zeros_like(inten)
    for r in intensity.itertuples():
        if r.technology in techs:
            inten[techs.index(r.technology), elements.index(r.element)] = r.kg_per_unit
    for r in params.itertuples():
        if r.technology in techs and r.element in elements:
            rec[techs.index(r.technology), elements.index(r.element)] = r.recovery
    lts = {r.technology: Lifetime(r.lifetime_kind, r.lifetime_a, r.lifetime_b)
           for r in params.drop_duplicates("technology").itertuples()}
    missing = [t for t in techs if t not in lts]
    if missing:
        raise ModelInputError(f"demand: no lifetime for {missing} (add rows to the parameter table)")
    return run_stock_flow(inflow, years, regs, techs, lts, inten, elements, rec)


def compare_supply(res: StockFlowResult, supply: pd.DataFrame, from_year: int = 2025) -> pd.DataFrame:
    """Per supply commodity: primary demand (t) in 2030 and 2050, cumulative from ``from_year``,
    today's production and reserves (t), the first year demand exceeds production.

    ``supply``: ``commodity, year, production_t, reserves_t`` (NaN when unknown).
    """
    prim = res.primary.sum(axis=1) / 1000.0  # kg -> t, summed over regions: (t, e)
    rows = {}
    for k, e in enumerate(res.elements):
        com, f = SUPPLY_BASIS.get(e, (e, 1.0))
        rows.setdefault(com, {"elements": [], "series": np.zeros(len(res.years))})
        rows[com]["elements"].append(e)
        rows[com]["series"] = rows[com]["series"] + prim[:, k] * f
    sup = supply.set_index("commodity")
    out = []
    yrs = res.years
    for com, d in rows.items():
        s = d["series"]
        prod = float(sup.loc[com, "production_t"]) if com in sup.index else np.nan
        resv = float(sup.loc[com, "reserves_t"]) if com in sup.index else np.nan
        py = int(sup.loc[com, "year"]) if com in sup.index and pd.notna(sup.loc[com, "year"]) else None
        over = np.flatnonzero((s > prod) & (yrs >= from_year)) if np.isfinite(prod) else []
        cum = float(s[yrs >= from_year].sum())
        out.append({"commodity": com, "elements": "+".join(d["elements"]),
                    "demand_2030_t": float(s[yrs == 2030].sum()), "demand_2050_t": float(s[yrs == 2050].sum()),
                    f"cumulative_{from_year}_2050_t": cum, "production_t": prod, "production_year": py,
                    "reserves_t": resv,
                    "demand_2050_over_production": float(s[yrs == 2050].sum()) / prod if prod > 0 else np.nan,
                    "cumulative_over_reserves": cum / resv if resv and resv > 0 else np.nan,
                    "year_demand_exceeds_production": int(yrs[over[0]]) if len(over) else None})
    df = pd.DataFrame(out)
    for c in ("production_year", "year_demand_exceeds_production"):
        df[c] = pd.array(df[c], dtype="Int64")
    return df.sort_values("demand_2050_over_production", ascending=False, na_position="last").reset_index(drop=True)
