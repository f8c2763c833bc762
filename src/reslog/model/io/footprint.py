"""Footprints of any demand vector, by origin, and risk-weighted footprints.

For a demand vector y (money, by (region, sector) of the *supplying* sector):

* output required:          x_y = L·y                  (one forward solve, no L)
* footprint by origin:      D_o = Ŝ-rows · x̂_y, i.e. D_o[k, i] = S_ki (L y)_i  — stressor k
  emitted in sector i (region r(i)) to deliver y;
* total footprint:          f_k = Σ_i D_o[k, i] = (S L y)_k.

Risk-weighted footprint (risk per origin, Exposure job). Given weights w_t(i) ≥ 0 for risk
types t per origin region (or origin (region, sector)), e.g. a governance-risk score or a
probability of disruption at the origin:

    R[k, t] = Σ_i w_t(i) · S_ki · (L y)_i

decomposed by origin i and risk type t. With w = 1 it reduces to the footprint.

References
----------
Wiedmann, T. & Lenzen, M. (2018). Environmental and social footprints of international trade.
Nature Geoscience 11, 314–321.
Moran, D. & Kanemoto, K. (2017). Identifying species threat hotspots from global supply chains.
Nature Ecology & Evolution 1, 0023 (origin-weighted footprints).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
import pandas as pd

from reslog.errors import ModelInputError
from reslog.model.io.solve import LeontiefSolver


@dataclass
class FootprintResult:
    """Footprint of one demand vector.

    Attributes
    ----------
    total : Series (stressor) — f = S·L·y.
    by_origin : DataFrame (stressor × (region, sector)) — D_o[k, i] = S_ki (L y)_i.
    output : Series ((region, sector)) — x_y = L·y, output required along the chain.
    demand : Series ((region, sector)) — the demand vector y.
    """

    total: pd.Series
    by_origin: pd.DataFrame
    output: pd.Series
    demand: pd.Series

    def by_region(self) -> pd.DataFrame:
        """Footprint by origin region (stressor × region)."""
        return self.by_origin.T.groupby(level="region", sort=False).sum().T

    def long(self) -> pd.DataFrame:
        """Tidy table: stressor, origin_region, origin_sector, value, share (of the stressor total)."""
        df = self.by_origin.copy()
        df.index = [str(i) if not isinstance(i, tuple) else " | ".join(map(str, i)) for i in df.index]
        long = df.stack(level=[0, 1], future_stack=True).rename("value").reset_index()
        long.columns = ["stressor", "origin_region", "origin_sector", "value"]
        tot = long.groupby("stressor")["value"].transform("sum")
        long["share"] = np.where(tot != 0, long["value"] / tot.where(tot != 0, 1.0), 0.0)
        return long


def demand_vector(labels: pd.MultiIndex, demand: Any, Y_agg: pd.DataFrame | None = None) -> np.ndarray:
    """Turn a demand specification into a vector aligned to ``labels``.

    Parameters
    ----------
    labels : MultiIndex (region, sector)
    demand : Series/dict keyed by (region, sector) → money; or a region name (that region's
        final demand, a column of ``Y_agg``); or an array of length n.
    Y_agg : DataFrame, optional
        Final demand per consuming region (for the region-name form).
    """
    n = len(labels)
    if isinstance(demand, str):
        if Y_agg is None or demand not in Y_agg.columns:
            avail = list(Y_agg.columns) if Y_agg is not None else []
            raise ModelInputError(f"block Y: unknown final-demand region {demand!r}; available: {avail}")
        return Y_agg[demand].to_numpy(dtype=float)
    if isinstance(demand, np.ndarray):
        if demand.shape != (n,):
            raise ModelInputError(f"demand vector: expected {n} values, got shape {demand.shape}")
        y = demand.astype(float)
    else:
        if isinstance(demand, Mapping):
            demand = pd.Series(dict(demand), dtype=float)
        if not isinstance(demand, pd.Series):
            raise ModelInputError(f"demand: expected a Series, dict, array or region name, got {type(demand).__name__}")
        if not demand.index.is_unique:
            raise ModelInputError(f"demand: duplicated labels {list(demand.index[demand.index.duplicated()][:5])}")
        pos = labels.get_indexer(demand.index)
        if (pos < 0).any():
            bad = list(demand.index[pos < 0][:5])
            raise ModelInputError(f"demand: labels not in the MRIO (region, sector) list: {bad}")
        y = np.zeros(n)
        y[pos] = demand.to_numpy(dtype=float)
    if not np.isfinite(y).all():
        raise ModelInputError("demand: NaN/inf values")
    return y


def calc_footprint(solver: LeontiefSolver, S: pd.DataFrame, y: np.ndarray) -> FootprintResult:
    """Footprint of demand y with its origin breakdown: D_o = S ∘ (L y)ᵀ (one forward solve)."""
    labels = S.columns
    x_y = solver.solve(y)
    D_o = S.to_numpy(dtype=float) * x_y[None, :]
    by_origin = pd.DataFrame(D_o, index=S.index, columns=labels)
    return FootprintResult(
        total=pd.Series(D_o.sum(axis=1), index=S.index, name="footprint"),
        by_origin=by_origin,
        output=pd.Series(x_y, index=labels, name="output"),
        demand=pd.Series(y, index=labels, name="demand"),
    )


@dataclass
class RiskFootprint:
    """Risk-weighted footprint.

    Attributes
    ----------
    total : DataFrame (stressor × risk type) — R[k, t] = Σ_i w_t(i) D_o[k, i].
    by_origin : DataFrame, long: stressor, risk_type, origin_region, origin_sector, footprint,
        weight, weighted.
    """

    total: pd.DataFrame
    by_origin: pd.DataFrame

    def by_region(self) -> pd.DataFrame:
        """Weighted footprint by stressor, risk type and origin region."""
        return (self.by_origin.groupby(["stressor", "risk_type", "origin_region"], sort=False)["weighted"]
                .sum().reset_index())


def calc_risk_footprint(fp: FootprintResult, weights: pd.Series | pd.DataFrame) -> RiskFootprint:
    """Weight a footprint's origin breakdown by risk at the origin.

    Parameters
    ----------
    fp : FootprintResult
    weights : Series or DataFrame
        Index: origin regions (applies to all their sectors) or (region, sector) pairs.
        Columns: risk types (a Series is one risk type named by its ``name`` or ``"risk"``).
        Weights must be finite and ≥ 0; origins not listed get weight 0 (reported as such).
    """
    W = weights.to_frame(weights.name or "risk") if isinstance(weights, pd.Series) else weights
    if not np.isfinite(W.to_numpy(dtype=float)).all():
        raise ModelInputError("block risk weights: NaN/inf values")
    if (W.to_numpy(dtype=float) < 0).any():
        bad = W.index[(W.to_numpy(dtype=float) < 0).any(axis=1)]
        raise ModelInputError(f"block risk weights: negative weights for {list(bad[:5])}")
    labels = fp.by_origin.columns
    if isinstance(W.index, pd.MultiIndex):
        pos = labels.get_indexer(W.index)
        if (pos < 0).any():
            raise ModelInputError(f"block risk weights: unknown (region, sector) {list(W.index[pos < 0][:5])}")
        Wfull = np.zeros((len(labels), W.shape[1]))
        Wfull[pos] = W.to_numpy(dtype=float)
    else:
        regs = labels.get_level_values("region")
        known = set(regs)
        unknown = [r for r in W.index if r not in known]
        if unknown:
            raise ModelInputError(f"block risk weights: unknown region(s) {unknown[:5]}")
        Wfull = W.reindex(regs).fillna(0.0).to_numpy(dtype=float)
    D = fp.by_origin.to_numpy(dtype=float)  # k × n
    total = pd.DataFrame(D @ Wfull, index=fp.by_origin.index, columns=W.columns)
    k, n = D.shape
    rows = []
    stress = [str(s) if not isinstance(s, tuple) else " | ".join(map(str, s)) for s in fp.by_origin.index]
    reg = labels.get_level_values("region")
    sec = labels.get_level_values("sector")
    for t, name in enumerate(W.columns):
        for a in range(k):
            rows.append(pd.DataFrame({
                "stressor": stress[a], "risk_type": name, "origin_region": reg, "origin_sector": sec,
                "footprint": D[a], "weight": Wfull[:, t], "weighted": D[a] * Wfull[:, t],
            }))
    return RiskFootprint(total=total, by_origin=pd.concat(rows, ignore_index=True))
