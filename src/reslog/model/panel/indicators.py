r"""SDG-related outcome indicators that can be computed from the data in reach, with the
direction in which a higher value is *worse*.

No World Bank SDG panel is in ../shared/data (PROVENANCE.md, known gaps). When one is ingested
(``reslog ingest sdg``), its indicators (``sdg:<code>``) are used as well, with the direction
given in :data:`KNOWN_DIRECTIONS` or left out of "worsened" counts when unknown.

=========================  ======================================  =======  ==================
indicator                  definition                              worse    SDG target
=========================  ======================================  =======  ==================
``ghg_per_capita``         GHG (t CO2e) / population               higher   13.2 (emissions)
``co2_per_gdp``            CO2 (kg) / GDP (US$)                    higher   9.4.1
``energy_intensity``       primary energy (MJ) / GDP (US$)         higher   7.3.1
``co2_per_capita``         CO2 (t) / population                    higher   13.2
=========================  ======================================  =======  ==================

Caveat in plain words: GDP, population and primary energy are also *controls* of the panel
regression, and these outcomes are built from them; the regression of such a ratio on the
metal input, holding its own denominator constant, is close to a regression of the numerator.
It is still informative about emissions, but it is not an independent social indicator.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

KNOWN_DIRECTIONS: dict[str, int] = {
    "ghg_per_capita": +1, "co2_per_gdp": +1, "energy_intensity": +1, "co2_per_capita": +1,
    "sdg:EN.ATM.CO2E.PC": +1, "sdg:EG.EGY.PRIM.PP.KD": +1, "sdg:SI.POV.DDAY": +1,
    "sdg:SH.STA.MMRT": +1, "sdg:SH.DYN.MORT": +1, "sdg:SE.PRM.CMPT.ZS": -1,
    "sdg:EG.ELC.ACCS.ZS": -1, "sdg:SH.H2O.BASW.ZS": -1, "sdg:EN.ATM.PM25.MC.M3": +1,
}


def derive_indicators(wide: pd.DataFrame) -> pd.DataFrame:
    """From ``country, year, ghg_total, co2, gdp_usd, population, primary_energy`` (wide) to
    ``country, year`` + derived indicators (NaN where an input is missing or ≤ 0)."""
    w = wide.copy()
    pos = lambda c: w[c].where(w[c] > 0) if c in w else np.nan  # noqa: E731
    out = w[["country", "year"]].copy()
    out["ghg_per_capita"] = pos("ghg_total") * 1e6 / pos("population")
    out["co2_per_capita"] = pos("co2") * 1e6 / pos("population")
    out["co2_per_gdp"] = pos("co2") * 1e9 / pos("gdp_usd")
    out["energy_intensity"] = pos("primary_energy") * 3.6e9 / pos("gdp_usd")
    return out
