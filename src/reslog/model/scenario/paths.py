r"""Country scenario paths of GHG emissions, GDP and population to 2050.

No country-level SSP GHG projection is in reach (PROVENANCE.md, known gaps), so GHG paths are
*built*: a published global pathway, expressed as a factor on 2019 emissions, is applied to
every country's own baseline (equal-percentage allocation — every country cuts or grows at the
world rate; a strong and stated simplification).

.. math::
   E_{c,t} = E_{c,2019}\, f_s(t), \qquad
   E_{c,2019} = E_{c,b}\,(1+g_h)^{2019-b}

with :math:`b` the country's latest GHG year (OWID/CAIT end in 2016) and :math:`g_h` the
2010–2019 global growth rate (1.3 %/yr, IPCC AR6 WGIII SPM B.1) bridging to 2019;
:math:`f_s(t)` is linearly interpolated between the anchor years of the scenario table
(``data/scenario/ghg_pathways.csv``).

Population and GDP follow the paired SSP (2 °C-type ↔ SSP1, high-emission ↔ SSP5):

.. math::
   P_{c,t} = P_{c,2019}\,\frac{P^{SSP}_{c,t}}{P^{SSP}_{c,2019}},\qquad
   Y_{c,t} = Y_{c,2019}\,\frac{P_{c,t}}{P_{c,2019}}\prod_{s=2020}^{t}\Bigl(1+\frac{g^{SSP}_{c,s}}{100}\Bigr)

with SSP population interpolated log-linearly between its 5-year points and :math:`g^{SSP}_{c,s}`
the GDP-per-capita growth of the 5-year step containing :math:`s` (the column labelled ``Y``
is taken to cover the years ``Y-4 … Y``; the SSP file does not say, see docs/scenario.md).
GDP is in the base data's unit (World Bank current US$ of 2019, grown at PPP real rates).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from reslog.errors import ModelInputError

BRIDGE_GROWTH = 0.013  # IPCC AR6 WGIII SPM B.1: average GHG growth 1.3 %/yr, 2010–2019


def interpolate_factors(factors: pd.DataFrame, years: np.ndarray) -> pd.DataFrame:
    """``scenario, year, factor`` anchors → one row per scenario and year (linear)."""
    out = []
    for s, g in factors.groupby("scenario"):
        g = g.sort_values("year")
        if years.min() < g["year"].min() or years.max() > g["year"].max():
            raise ModelInputError(f"GHG pathway '{s}' covers {g['year'].min()}–{g['year'].max()}, "
                                  f"not {years.min()}–{years.max()}")
        out.append(pd.DataFrame({"scenario": s, "year": years,
                                 "factor": np.interp(years, g["year"], g["factor"])}))
    return pd.concat(out, ignore_index=True)


def _latest(hist: pd.DataFrame, indicator: str, base_year: int, max_age: int) -> pd.DataFrame:
    h = hist[(hist["indicator"] == indicator) & (hist["year"] <= base_year)
             & (hist["year"] >= base_year - max_age)]
    idx = h.groupby("country")["year"].idxmax()
    return h.loc[idx, ["country", "year", "value"]].set_index("country")


def build_driver_paths(hist: pd.DataFrame, ssp: pd.DataFrame, factors: pd.DataFrame,
                       pairing: dict[str, str], years: range = range(2019, 2051),
                       base_year: int = 2019, bridge_growth: float = BRIDGE_GROWTH
                       ) -> tuple[pd.DataFrame, list[str]]:
    """Scenario paths ``scenario, country, year, ghg, gdp, population, source``.

    Parameters
    ----------
    hist : ``country, year, indicator, value`` with ``ghg_total`` (Mt CO2e), ``gdp_usd``,
        ``population`` (persons).
    ssp : ``scenario (SSP1…), country, year, variable, value`` with ``population_ssp``
        (million) and ``gdp_pc_growth`` (% per year).
    factors : ``scenario, year, factor`` (GHG relative to 2019).
    pairing : scenario name → SSP (e.g. ``{"below2C": "SSP1", "high": "SSP5"}``).

    Returns
    -------
    (paths, dropped) : the paths, and the countries left out for lack of an input.
    """
    yrs = np.asarray(list(years))
    ghg0 = _latest(hist, "ghg_total", base_year, 10)
    gdp0 = _latest(hist, "gdp_usd", base_year, 5)
    pop0 = _latest(hist, "population", base_year, 5)
    ghg0 = ghg0[ghg0["value"] > 0]
    fac = interpolate_factors(factors[factors["scenario"].isin(pairing)], yrs)
    out, dropped = [], set()
    for scen, sspname in pairing.items():
        sp = ssp[(ssp["scenario"] == sspname) & (ssp["variable"] == "population_ssp")]
        sg = ssp[(ssp["scenario"] == sspname) & (ssp["variable"] == "gdp_pc_growth")]
        popw = sp.pivot_table(index="country", columns="year", values="value")
        grw = sg.pivot_table(index="country", columns="year", values="value")
        countries = sorted(set(ghg0.index) & set(gdp0.index) & set(pop0.index)
                           & set(popw.index) & set(grw.index))
        dropped |= (set(ghg0.index) | set(gdp0.index) | set(pop0.index)) - set(countries)
        f = fac[fac["scenario"] == scen].set_index("year")["factor"].reindex(yrs).to_numpy()
        for c in countries:
            pr = popw.loc[c].dropna()
            if len(pr) < 2 or (pr <= 0).any():
                dropped.add(c)
                continue
            lp = np.interp(np.r_[base_year, yrs], pr.index.to_numpy(float), np.log(pr.to_numpy(float)))
            pop = pop0.loc[c, "value"] * np.exp(lp[1:] - lp[0])
            gr = grw.loc[c].dropna()
            step = (np.ceil(yrs / 5) * 5).astype(int)
            g = gr.reindex(step).to_numpy(float)
            if np.isnan(g).any():
                g = np.interp(step, gr.index.to_numpy(float), gr.to_numpy(float))
            growth = np.where(yrs > base_year, 1 + g / 100.0, 1.0)
            gdp_pc0 = gdp0.loc[c, "value"] / pop0.loc[c, "value"]
            gdp = gdp_pc0 * np.cumprod(growth) * pop
            e0 = ghg0.loc[c, "value"] * (1 + bridge_growth) ** (base_year - int(ghg0.loc[c, "year"]))
            out.append(pd.DataFrame({"scenario": scen, "country": c, "year": yrs, "ghg": e0 * f,
                                     "gdp": gdp, "population": pop,
                                     "source": f"built: GHG {scen} pathway on {int(ghg0.loc[c, 'year'])} "
                                               f"baseline; {sspname} population & GDP/cap growth"}))
    if not out:
        raise ModelInputError("scenario paths: no country has GHG, GDP, population and SSP inputs")
    return pd.concat(out, ignore_index=True), sorted(dropped)
