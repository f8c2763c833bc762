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

from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np
import pandas as pd

from reslog.errors import ModelInputError
from reslog.model.io.accounts import ETA, ITERATIVE, RTOL, _Guard, _ell_bound, _plan_guard, _ratio, _refine, _residual
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
    unit : Series (stressor) or None — unit of each stressor (the extension's).
    info : dict — ``error_bound``, ``guaranteed``, ``guarantee`` (see :func:`guarded_solve`).
    """

    total: pd.Series
    by_origin: pd.DataFrame
    output: pd.Series
    demand: pd.Series
    unit: pd.Series | None = None
    info: dict[str, object] = field(default_factory=dict)

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
        long["unit"] = long["stressor"].map(self.unit_by_label()) if self.unit is not None else None
        return long

    def unit_by_label(self) -> dict[str, str]:
        """Unit per stressor, keyed by the stressor's printed label (as in :meth:`long`)."""
        if self.unit is None:
            return {}
        return {(str(i) if not isinstance(i, tuple) else " | ".join(map(str, i))): str(u) for i, u in self.unit.items()}


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


def guarded_solve(
    solver: LeontiefSolver,
    B: np.ndarray,
    *,
    transpose: bool = False,
    rtol: float = RTOL,
    weights: np.ndarray | None = None,
) -> tuple[np.ndarray, dict[str, object]]:
    """Solve (I − A)X = B (or (I − A)ᵀX = B) with the accounts' guarantee.

    Iterative solves are refined until every entry of X — or, with ``weights`` W (k × n, forward
    only), of every product D_j = W ∘ X[:, j] and its row sums — is within rtol·(|entry| +
    η·max |entry| of its column/row) (the bounds of :mod:`accounts`: transposed
    |ΔX_ij| ≤ ‖R_j‖_∞/(1 − α); forward |ΔX_ij| ≤ ‖R_j‖_∞ ℓ_i, ℓ = L·1 solved alongside). LU solves
    are direct (relative error ≈ κ̂·u, κ̂ checked at factorisation). Where no bound exists (A
    with negative entries or a column sum ≥ 1) ``auto`` uses LU and an explicit iterative method
    returns ``guaranteed=False`` with an :class:`AccuracyWarning`.

    Returns
    -------
    X : ndarray, shaped like B
    info : dict with ``error_bound`` (largest bound/allowance ratio reached), ``guaranteed``,
        ``guarantee``, ``method``.
    """
    B = np.asarray(B, dtype=float)
    vec = B.ndim == 1
    B2 = B.reshape(-1, 1) if vec else B
    k = B2.shape[1]
    guarded, alpha, plan = _plan_guard(solver, k + 1)
    guard = _Guard(rtol)
    if not guarded:
        X = solver.solve(B2, transpose=transpose)
        if plan in ITERATIVE:
            info = {"error_bound": {}, "guaranteed": False, "method": plan,
                    "guarantee": "none: iterative solve without an error bound"}
        else:
            info = {"error_bound": {}, "guaranteed": True, "method": plan,
                    "guarantee": f"direct LU; estimated relative error κ̂·u (κ̂ = {solver.cond or float('nan'):.3g})"}
        return (X.ravel() if vec else X), info
    tol0 = max(rtol * 1e-3, solver.tol)
    if transpose:
        assert alpha is not None
        X = solver.solve(B2, transpose=True, tol=tol0)

        def worst(X: np.ndarray, R: np.ndarray) -> dict[str, float]:
            e = np.abs(R).max(axis=0) / (1.0 - alpha)
            return {"X": _ratio(np.broadcast_to(e[:, None], X.T.shape), X.T)}

        X = _refine(solver, X, _residual(solver, X, B2, True), True, worst, guard)
    else:
        Bf = np.concatenate([B2, np.ones((B2.shape[0], 1))], axis=1)
        X = solver.solve(Bf, tol=tol0)
        absW = None if weights is None else np.abs(weights)

        def worst(X: np.ndarray, R: np.ndarray) -> dict[str, float]:
            ell = _ell_bound(X[:, -1], R[:, -1])
            sig = np.abs(R[:, :-1]).max(axis=0)
            Xs = X[:, :-1]
            with np.errstate(invalid="ignore"):
                if absW is None:
                    return {"X": _ratio(np.outer(sig, ell), Xs.T)}
                out = 0.0
                for j in range(Xs.shape[1]):
                    err = absW * (sig[j] * ell)[None, :]
                    D = weights * Xs[:, j][None, :]
                    out = max(out, _ratio(err, D), _ratio(err.sum(axis=1, keepdims=True), D.sum(axis=1, keepdims=True)))
            return {"footprint": out}

        X = _refine(solver, X, _residual(solver, X, Bf, False), False, worst, guard)[:, :-1]
    ok = not guard.failed
    info = {"error_bound": guard.bounds, "guaranteed": ok, "method": plan,
            "guarantee": (f"a-posteriori bound: every entry within rtol={rtol:g}·(|entry| + {ETA:g}·row max)"
                          if ok else f"bound above rtol={rtol:g} after refinement")}
    return (X.ravel() if vec else X), info


def calc_footprint(solver: LeontiefSolver, S: pd.DataFrame, y: np.ndarray, *, unit: pd.Series | None = None,
                   rtol: float = RTOL) -> FootprintResult:
    """Footprint of demand y with its origin breakdown: D_o = S ∘ (L y)ᵀ (one forward solve,
    guarded by :func:`guarded_solve` with the weights S, so every D_o entry and total meets the
    accounts' bound when iterative)."""
    labels = S.columns
    Sv = S.to_numpy(dtype=float)
    x_y, info = guarded_solve(solver, np.asarray(y, dtype=float), rtol=rtol, weights=Sv)
    D_o = Sv * x_y[None, :]
    by_origin = pd.DataFrame(D_o, index=S.index, columns=labels)
    return FootprintResult(
        total=pd.Series(D_o.sum(axis=1), index=S.index, name="footprint"),
        by_origin=by_origin,
        output=pd.Series(x_y, index=labels, name="output"),
        demand=pd.Series(y, index=labels, name="demand"),
        unit=unit, info=info,
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
    unit: pd.Series | None = None

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
    long = pd.concat(rows, ignore_index=True)
    if fp.unit is not None:
        long["unit"] = long["stressor"].map(fp.unit_by_label())
    return RiskFootprint(total=total, by_origin=long, unit=fp.unit)
