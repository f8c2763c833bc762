r"""Baselines that any projection model must beat on held-out years.

* **Persistence**: :math:`\hat y_{c,t} = y_{c,T}`, the country's last training-year value
  (in logs: no change).
* **Log-linear trend**: per country, OLS of :math:`y_{c,t}` (log volume) on year over the
  training years, extrapolated: :math:`\hat y_{c,t} = a_c + b_c t`. With fewer than
  ``min_points`` training years the country falls back to persistence.

Both take a *training* frame and a *test* frame with columns ``country, year, y`` and return
predictions aligned with the test frame (NaN where the country has no training row).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def persistence_forecast(train: pd.DataFrame, test: pd.DataFrame) -> np.ndarray:
    """Last training value per country, for every test row."""
    last = train.sort_values("year").groupby("country")["y"].last()
    return test["country"].map(last).to_numpy(dtype=float)


def trend_forecast(train: pd.DataFrame, test: pd.DataFrame, min_points: int = 3) -> np.ndarray:
    """Per-country log-linear trend (OLS on year), persistence when too few points."""
    out = np.full(len(test), np.nan)
    pers = persistence_forecast(train, test)
    groups = {c: g for c, g in train.groupby("country")}
    for n, (c, t) in enumerate(zip(test["country"], test["year"])):
        g = groups.get(c)
        if g is None:
            continue
        if g["year"].nunique() < min_points:
            out[n] = pers[n]
            continue
        b, a = np.polyfit(g["year"].to_numpy(dtype=float), g["y"].to_numpy(dtype=float), 1)
        out[n] = a + b * float(t)
    return out
