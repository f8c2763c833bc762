r"""Regressors of the trade projection: a country's GHG emissions, GHG/GDP, GHG/population,
GDP and population, in logarithms.

.. math:: x = (\ln E,\; \ln E/Y,\; \ln E/P,\; \ln Y,\; \ln P)

with :math:`E` GHG emissions (Mt CO2e), :math:`Y` GDP (US$), :math:`P` population (persons).
The five are linearly dependent in logs (:math:`\ln E/Y = \ln E - \ln Y`): this is why the
published method uses ridge, whose penalty makes the solution unique and shares weight among
collinear regressors. Logs make the fit scale-free and the projection multiplicative.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from reslog.errors import ModelInputError

FEATURES = ("log_ghg", "log_ghg_per_gdp", "log_ghg_per_pop", "log_gdp", "log_pop")
DRIVERS = ("ghg", "gdp", "population")


def calc_features(drivers: pd.DataFrame) -> pd.DataFrame:
    """Feature frame (:data:`FEATURES`) from a frame with ``ghg, gdp, population`` (> 0).

    Raises
    ------
    ModelInputError
        A missing column or a non-positive / non-finite driver, naming the first such row.
    """
    for c in DRIVERS:
        if c not in drivers.columns:
            raise ModelInputError(f"features: column '{c}' missing; have {list(drivers.columns)}")
    vals = drivers[list(DRIVERS)].to_numpy(dtype=float)
    bad = ~np.isfinite(vals) | (vals <= 0)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise ModelInputError(f"features: {DRIVERS[c]} = {float(vals[r, c])!r} at row {drivers.index[r]!r} "
                              f"({drivers.iloc[r].to_dict()}); drivers must be finite and > 0")
    lg, ly, lp = np.log(vals[:, 0]), np.log(vals[:, 1]), np.log(vals[:, 2])
    return pd.DataFrame({"log_ghg": lg, "log_ghg_per_gdp": lg - ly, "log_ghg_per_pop": lg - lp,
                         "log_gdp": ly, "log_pop": lp}, index=drivers.index)
