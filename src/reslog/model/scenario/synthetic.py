r"""A documented generator of synthetic country-year panels, **for tests and method checks
only** (never shown as data).

Drivers grow log-linearly with country-specific levels and rates plus noise:
:math:`\ln P_{c,t} = p_c + \pi_c (t - t_0)`, :math:`\ln Y_{c,t} = \ln P_{c,t} + w_c + \gamma_c (t-t_0)`,
:math:`\ln E_{c,t} = \ln Y_{c,t} + e_c + \epsilon_c (t - t_0) + \nu`. The target is

.. math:: y_{c,t} = b_0 + \mu_c + x_{c,t}^\top\beta + \sigma\,\eta_{c,t},\quad \eta \sim N(0,1)

with :math:`x` the five features of :mod:`reslog.model.scenario.features`, known
:math:`\beta`, and country effects :math:`\mu_c \sim N(0, \tau^2)` (``tau = 0`` for a pooled
world, where ridge is the right model).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from reslog.model.scenario.features import FEATURES, calc_features


def synthetic_panel(beta: np.ndarray, *, intercept: float = 2.0, n_countries: int = 30,
                    years: range = range(1995, 2021), noise: float = 0.05, tau: float = 0.0,
                    seed: int = 0, group: str = "synthetic") -> pd.DataFrame:
    """``group, country, year, ghg, gdp, population, volume, y`` + FEATURES (see module doc)."""
    rng = np.random.default_rng(seed)
    yrs = np.asarray(list(years))
    t = yrs - yrs[0]
    rows = []
    for c in range(n_countries):
        lp = rng.uniform(13, 20) + rng.uniform(-0.005, 0.03) * t
        ly = lp + rng.uniform(7, 11) + rng.uniform(-0.01, 0.05) * t
        le = ly - rng.uniform(19, 22) + rng.uniform(-0.04, 0.01) * t + rng.normal(0, 0.05, len(t))
        rows.append(pd.DataFrame({"country": f"C{c:03d}", "year": yrs, "ghg": np.exp(le),
                                  "gdp": np.exp(ly), "population": np.exp(lp),
                                  "_mu": rng.normal(0, tau) if tau > 0 else 0.0}))
    df = pd.concat(rows, ignore_index=True)
    X = calc_features(df[["ghg", "gdp", "population"]])
    y = intercept + df["_mu"].to_numpy() + X.to_numpy() @ np.asarray(beta, float) \
        + noise * rng.standard_normal(len(df))
    out = pd.concat([df.drop(columns="_mu"), X], axis=1)
    out["y"] = y
    out["volume"] = np.exp(y)
    out.insert(0, "group", group)
    return out[["group", "country", "year", "ghg", "gdp", "population", "volume", "y", *FEATURES]]
