"""Consumption-, production-, import- and export-based accounts without forming L.

Definitions (identical to pymrio's ``calc_accounts`` and ``Extension.calc_system``). Let
y_c be the final demand of consuming region c (all its categories summed), ŷ_{c,s} the part
of y_c that buys product s (from any producing region), and r(i) the region of row i.

* ``D_cba[k, (c, s)] = Σ_i S_ki (L ŷ_{c,s})_i = Σ_{i: sector(i)=s} M_ki Y_ic`` with M = S·L —
  the footprint of region c's final demand for product s.
* ``D_pba[k, i] = S_ki x_i`` with x = L·Σ_c y_c — emissions where they occur.
* ``D_imp[k, (c, s)] = Σ_{i: r(i) ≠ c} S_ki (L ŷ_{c,s})_i`` — the part of the footprint that
  occurs outside c. This needs the *foreign-masked* multipliers
  ``M^(−c) = (S ∘ 1_{r≠c})·L`` per consuming region: k·R transposed right-hand sides.
* ``D_exp[k, i] = S_ki Σ_{c ≠ r(i)} (L y_c)_i`` — emissions caused by other regions' demand.
* ``*_reg`` aggregate the columns by region; ``D_cba_reg`` and ``D_pba_reg`` add the direct
  final-demand stressors F_Y (households' own emissions), aggregated by region, as pymrio does.

Cost: R forward solves (L·y_c), k transposed solves (M) and k·R transposed solves
(M^(−c)); when k > number of sectors, the k·R solves are replaced by n forward solves
(L·ŷ_{c,s} for every c, s), whichever is fewer. No n × n product is ever formed. The k·R
(or n) solves are the minimum for D_imp (see docs/mrio.md, "Why D_imp costs k·R solves").

Guaranteed accuracy of iterative solves. When A ≥ 0 with column sums ≤ α < 1 (every productive
MRIO without negative flows), L ≥ 0, ‖L‖₁ ≤ 1/(1 − α), and a residual R = B − C X̃ bounds
the error componentwise: transposed, |M̃ − M|_kj ≤ ‖R_k‖_∞ /(1 − α); forward,
|x̃_c − x_c| ≤ ‖R_c‖_∞ · (L·1) with L·1 solved alongside (one extra right-hand side). These
bounds are turned into bounds on every account entry, relative to |entry| + η·(largest |entry|
of its stressor row), η = 1e-3; the solves stop as soon as all are ≤ ``rtol`` (default 1e-10),
refining with further iterations on the residual if needed.

References
----------
Peters, G. P. (2008). From production-based to consumption-based national emission
inventories. Ecological Economics 65(1), 13–23.
Stadler, K. (2021). Pymrio. J. Open Res. Softw. 9(1), 8 (``calc_accounts``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from reslog.errors import ModelInputError
from reslog.model.io.solve import LeontiefSolver

log = logging.getLogger(__name__)

#: Maximum number of right-hand sides assembled at once (bounds memory to n × this).
RHS_CHUNK = 2048
#: Guaranteed relative accuracy of the accounts computed by iterative solves (see module doc).
RTOL = 1e-10
ITERATIVE = ("gmres", "neumann", "jacobi")
#: Refinement rounds allowed after the first iterative solve.
MAX_REFINE = 4


@dataclass
class AccountArrays:
    """Raw arrays of the accounts (see module docstring for definitions).

    ``D_cba``/``D_imp`` have shape (k, n_consumers, n_sectors); ``D_pba``/``D_exp`` (k, n).
    """

    D_cba: np.ndarray
    D_pba: np.ndarray
    D_imp: np.ndarray
    D_exp: np.ndarray
    x_tot: np.ndarray
    M: np.ndarray | None = None
    error_bound: dict[str, float] = field(default_factory=dict)


@dataclass
class Accounts:
    """Labelled accounts of one extension, laid out exactly like pymrio's.

    Attributes
    ----------
    D_cba, D_imp : DataFrame (stressors × (region, sector)) — columns are consuming region and
        demanded product.
    D_pba, D_exp : DataFrame (stressors × (region, sector)) — columns are producing sectors.
    D_cba_reg, D_pba_reg, D_imp_reg, D_exp_reg : DataFrame (stressors × region).
    M : DataFrame or None — multipliers S·L (stressor per unit of final demand).
    """

    D_cba: pd.DataFrame
    D_pba: pd.DataFrame
    D_imp: pd.DataFrame | None
    D_exp: pd.DataFrame
    D_cba_reg: pd.DataFrame
    D_pba_reg: pd.DataFrame
    D_imp_reg: pd.DataFrame | None
    D_exp_reg: pd.DataFrame
    M: pd.DataFrame | None = None
    info: dict[str, object] = field(default_factory=dict)

    def as_dict(self) -> dict[str, pd.DataFrame]:
        """All account frames by pymrio attribute name."""
        out = {k: getattr(self, k) for k in (
            "D_cba", "D_pba", "D_imp", "D_exp", "D_cba_reg", "D_pba_reg", "D_imp_reg", "D_exp_reg")
            if getattr(self, k) is not None}
        if self.M is not None:
            out["M"] = self.M
        return out


class _SectorSum:
    """Sum the columns of a (k, n) array by sector: (k, n) → (k, n_sectors)."""

    def __init__(self, codes: np.ndarray, m: int) -> None:
        n = len(codes)
        self.m = m
        self.tiled = n % m == 0 and np.array_equal(codes, np.tile(np.arange(m), n // m))
        if not self.tiled:
            self.E = np.zeros((n, m))
            self.E[np.arange(n), codes] = 1.0

    def __call__(self, X: np.ndarray) -> np.ndarray:
        if self.tiled:  # standard layout: region-major, same sector order in every region
            return X.reshape(X.shape[0], -1, self.m).sum(axis=1)
        return X @ self.E


def calc_account_arrays(
    solver: LeontiefSolver,
    S: np.ndarray,
    Y_agg: np.ndarray,
    row_region: np.ndarray,
    row_sector: np.ndarray,
    n_sectors: int,
    consumer_region: np.ndarray,
    *,
    want_M: bool = True,
    want_imp: bool = True,
    rtol: float = RTOL,
) -> AccountArrays:
    """Compute the accounts on plain arrays.

    Parameters
    ----------
    solver : LeontiefSolver
        Solver for I − A (n × n).
    S : ndarray (k, n)
        Stressor intensities.
    Y_agg : ndarray (n, R_c)
        Final demand per consuming region (categories summed).
    row_region : ndarray of int (n,)
        Producing-region code of each row (0 … R−1).
    row_sector : ndarray of int (n,)
        Sector code of each row (0 … n_sectors−1).
    n_sectors : int
    consumer_region : ndarray of int (R_c,)
        For each consuming region (column of Y_agg), the producing-region code it equals, or −1
        when that final-demand region has no production block (e.g. OECD discrepancy columns).
    want_M : bool
        Also return M = S·L.
    want_imp : bool
        Compute D_imp (the k·R foreign-masked solves); when False ``D_imp`` is all NaN and
        only R_c + k right-hand sides are solved.
    rtol : float
        Accuracy guaranteed for D_cba, D_pba, D_exp (and M) when iterative solvers are used and
        A ≥ 0: every entry within ``rtol`` × (|entry| + η·largest |entry| of its stressor row)
        (see the module docstring). ``error_bound`` of the result holds the bounds reached.
    """
    k, n = S.shape
    Rc = Y_agg.shape[1]
    regions_with_demand = [int(r) for r in consumer_region if r >= 0]
    use_forward = want_imp and k * len(regions_with_demand) > n  # n forward solves are fewer
    n_imp = 0 if not want_imp else (n if use_forward else k * len(regions_with_demand))
    hint = Rc + (k if (want_M or not use_forward) else 0) + n_imp

    alpha = solver.max_input_share()
    guarded = solver.plan(hint) in ITERATIVE and alpha is not None
    # start 1e-3 below rtol: the per-entry bounds sit ~10²–10⁴ above the 2-norm residual, and a
    # refinement round (a fresh Krylov space) costs more steps than starting tighter
    tol0 = max(rtol * 1e-3, solver.tol) if guarded else None
    bounds: dict[str, float] = {}

    # production side: x per consuming region (R_c forward solves), plus L·1 for the bound
    B_fwd = np.concatenate([Y_agg, np.ones((n, 1))], axis=1) if guarded else Y_agg
    X_c = solver.solve(B_fwd, n_rhs_hint=hint, tol=tol0)
    if guarded and solver.last_residual is not None:
        X_c = _refine_forward(solver, X_c, S, row_region, consumer_region, rtol, bounds)
    X_c = X_c[:, :Rc]
    x_tot = X_c.sum(axis=1)
    own = np.full(n, -1)
    for c, r in enumerate(consumer_region):
        if r >= 0:
            own[row_region == r] = c
    dom_x = np.where(own >= 0, X_c[np.arange(n), np.maximum(own, 0)], 0.0)
    x_exp = x_tot - dom_x

    by_sector = _SectorSum(row_sector, n_sectors)
    D_cba = np.zeros((k, Rc, n_sectors))
    D_imp = np.zeros((k, Rc, n_sectors))
    M = None
    if want_M or not use_forward:
        Mt = solver.solve(np.ascontiguousarray(S.T), transpose=True, n_rhs_hint=hint, tol=tol0)
        if guarded and solver.last_residual is not None and alpha is not None:
            Mt = _refine_multipliers(solver, Mt, Y_agg, by_sector, alpha, rtol, bounds)
        M = Mt.T
        for c in range(Rc):
            D_cba[:, c, :] = by_sector(M * Y_agg[:, c][None, :])

    if not want_imp:
        D_imp[:] = np.nan
    elif not use_forward:
        # foreign-masked multipliers, k right-hand sides per consuming region with production
        per_chunk = max(1, RHS_CHUNK // max(k, 1))
        cons = [c for c in range(Rc) if consumer_region[c] >= 0]
        for a in range(0, len(cons), per_chunk):
            chunk = cons[a:a + per_chunk]
            RHS = np.empty((n, k * len(chunk)), order="F")  # LAPACK solves it in place
            for j, c in enumerate(chunk):
                foreign = (row_region != consumer_region[c]).astype(float)
                RHS[:, j * k:(j + 1) * k] = S.T * foreign[:, None]
            W = solver.solve(RHS, transpose=True, n_rhs_hint=hint, overwrite=True)
            del RHS
            for j, c in enumerate(chunk):
                Wc = W[:, j * k:(j + 1) * k].T  # (k, n) = (S∘1_{r≠c})·L
                D_imp[:, c, :] = by_sector(Wc * Y_agg[:, c][None, :])
        for c in range(Rc):  # consumers without own production: everything is imported
            if consumer_region[c] < 0:
                D_imp[:, c, :] = D_cba[:, c, :]
    else:
        # forward: x for the demand of every (consumer, product) pair, as pymrio does
        for c in range(Rc):
            Yd = np.zeros((n, n_sectors))  # diagonalised demand of consumer c
            Yd[np.arange(n), row_sector] = Y_agg[:, c]
            Xd = solver.solve(Yd, n_rhs_hint=hint)
            full = S @ Xd
            if M is None:
                D_cba[:, c, :] = full
            foreign = row_region != consumer_region[c] if consumer_region[c] >= 0 else np.ones(n, bool)
            D_imp[:, c, :] = S[:, foreign] @ Xd[foreign]
    return AccountArrays(D_cba=D_cba, D_pba=S * x_tot[None, :], D_imp=D_imp, D_exp=S * x_exp[None, :],
                         x_tot=x_tot, M=M, error_bound=bounds)


#: Floor of the per-entry bound, as a fraction of the row's largest |entry| (entries that are
#: zero in exact arithmetic can only be matched to an absolute tolerance).
ETA = 1e-3


def _ratio(err: np.ndarray, D: np.ndarray) -> float:
    """max over entries of err / (|D| + η·max|D of its stressor row|); rows are axis 0.

    0/0 := 0 and x/0 := inf (an all-zero row with a non-zero bound must be refined)."""
    absD = np.abs(D)
    rowmax = absD.reshape(absD.shape[0], -1).max(axis=1) if absD.size else np.zeros(0)
    den = absD + ETA * rowmax.reshape((-1,) + (1,) * (absD.ndim - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(err > 0, err / np.where(den > 0, den, 0.0), 0.0)
    return float(np.max(r)) if r.size else 0.0


def _refine_forward(
    solver: LeontiefSolver,
    X: np.ndarray,
    S: np.ndarray,
    row_region: np.ndarray,
    consumer_region: np.ndarray,
    rtol: float,
    bounds: dict[str, float],
) -> np.ndarray:
    """Bound (and if needed reduce) the error of x_c = L y_c; the last column of X is L·1.

    |x̃_c − x_c| ≤ L|R_c|, so x_tot and x_exp (sums over c of x_c parts) are off by at most
    L·Σ_c|R_c| ≤ σ·ℓ with σ = ‖Σ_c |R_c|‖_∞, ℓ = L·1. Bounds on D_pba, D_exp and their regional sums,
    per entry (relative to |entry| + η·largest |entry| of its stressor row), must be ≤ rtol.
    """
    R = solver.last_residual
    absS = np.abs(S)
    n_reg = int(row_region.max()) + 1 if row_region.size else 0

    def worst(X: np.ndarray, R: np.ndarray) -> float:
        r_inf = np.abs(R).max(axis=0)
        ell = X[:, -1] / (1.0 - min(float(r_inf[-1]), 0.5))  # L·1 from its own solve, inflated
        sigma = float(np.abs(R[:, :-1]).sum(axis=1).max())  # ‖Σ_c |R_c|‖_∞ ≤ Σ_c ‖R_c‖_∞
        Xc = X[:, :-1]
        x_tot = Xc.sum(axis=1)
        own = np.full(len(x_tot), -1)
        for c, r in enumerate(consumer_region):
            if r >= 0:
                own[row_region == r] = c
        dom = np.where(own >= 0, Xc[np.arange(len(x_tot)), np.maximum(own, 0)], 0.0)
        err = absS * (sigma * ell)[None, :]  # (k, n) entry bounds of D_pba and D_exp
        err_reg = np.stack([err[:, row_region == r].sum(axis=1) for r in range(n_reg)], axis=1)
        out = 0.0
        for nm, xv in (("D_pba", x_tot), ("D_exp", x_tot - dom)):
            D = S * xv[None, :]
            D_reg = np.stack([D[:, row_region == r].sum(axis=1) for r in range(n_reg)], axis=1)
            b = max(_ratio(err, D), _ratio(err_reg, D_reg))
            bounds[nm] = b
            out = max(out, b)
        return out

    return _refine(solver, X, R, False, worst, rtol)


def _refine_multipliers(
    solver: LeontiefSolver,
    Mt: np.ndarray,
    Y_agg: np.ndarray,
    by_sector: "_SectorSum",
    alpha: float,
    rtol: float,
    bounds: dict[str, float],
) -> np.ndarray:
    """Bound (and if needed reduce) the error of Mᵀ = Lᵀ Sᵀ and of D_cba built from it.

    |M̃_kj − M_kj| ≤ e_k = ‖R_k‖_∞ /(1 − α) (‖Lᵀ‖_∞ = ‖L‖₁ ≤ 1/(1 − α)), so
    |ΔD_cba[k, c, s]| ≤ e_k Σ_{j∈s} |Y_jc| and |ΔD_cba_reg[k, c]| ≤ e_k Σ_j |Y_jc|.
    """
    R = solver.last_residual
    absY = np.abs(Y_agg)
    y_cs = by_sector(absY.T)  # (R_c, n_sectors): Σ_{j∈s} |Y_jc|
    y_c = absY.sum(axis=0)  # (R_c,)

    def worst(Mt: np.ndarray, R: np.ndarray) -> float:
        e = np.abs(R).max(axis=0) / (1.0 - alpha)  # (k,)
        M = Mt.T
        D = np.stack([by_sector(M * Y_agg[:, c][None, :]) for c in range(Y_agg.shape[1])], axis=1)
        bounds["M"] = _ratio(np.broadcast_to(e[:, None], M.shape), M)
        bounds["D_cba"] = max(_ratio(e[:, None, None] * y_cs[None], D),
                              _ratio(e[:, None] * y_c[None, :], D.sum(axis=2)))
        return max(bounds["M"], bounds["D_cba"])

    return _refine(solver, Mt, R, True, worst, rtol)


def _refine(
    solver: LeontiefSolver,
    X: np.ndarray,
    R: np.ndarray | None,
    transpose: bool,
    worst: "Callable[[np.ndarray, np.ndarray], float]",
    rtol: float,
) -> np.ndarray:
    """Iterative refinement X ← X + C⁻¹R until ``worst(X, R) ≤ rtol`` (R = B − C X is kept exact:
    the correction solve's own true residual is the new residual, so no extra pass over C)."""
    for _ in range(MAX_REFINE + 1):
        if R is None:
            return X  # a direct (LU) fallback: exact up to rounding
        w = worst(X, R)
        log.debug("account error bound %.3e (rtol %.0e)", w, rtol)
        if w <= rtol:
            return X
        dX = solver.solve(R, transpose=transpose, tol=max(0.25 * rtol / w, 1e-8))
        X = X + dX
        R = solver.last_residual
    log.warning("account error bound %.2e above rtol %.0e after %d refinements", w, rtol, MAX_REFINE)
    return X


def _region_codes(index: pd.MultiIndex) -> tuple[pd.Index, np.ndarray, pd.Index, np.ndarray]:
    regs = index.get_level_values("region")
    secs = index.get_level_values("sector")
    reg_u, sec_u = regs.unique(), secs.unique()
    return reg_u, reg_u.get_indexer(regs), sec_u, sec_u.get_indexer(secs)


def aggregate_Y(Y: pd.DataFrame) -> pd.DataFrame:
    """Final demand summed over categories per consuming region (pymrio's ``Y_agg``)."""
    try:
        return Y.T.groupby(level="region", sort=False).sum().T
    except (AssertionError, KeyError):
        return Y.T.groupby(level=0, sort=False).sum().T


def calc_accounts(
    solver: LeontiefSolver,
    S: pd.DataFrame,
    Y: pd.DataFrame,
    F_Y: pd.DataFrame | None = None,
    *,
    Y_agg: pd.DataFrame | None = None,
    want_M: bool = True,
    want_imp: bool = True,
    rtol: float = RTOL,
) -> Accounts:
    """Labelled accounts of one extension (pymrio layout, pymrio definitions).

    Parameters
    ----------
    solver : LeontiefSolver
        Solver for I − A with rows/columns ordered as ``S.columns``.
    S : DataFrame (stressors × (region, sector))
        Stressor intensities.
    Y : DataFrame ((region, sector) × (region, category))
        Final demand (rows as S.columns).
    F_Y : DataFrame (stressors × (region, category)), optional
        Direct stressors of final demand; added to ``D_cba_reg`` and ``D_pba_reg``.
    Y_agg : DataFrame, optional
        Final demand already aggregated to one column per region (e.g. households only).
    want_M : bool
        Also return the multipliers M = S·L.
    want_imp : bool
        Compute D_imp and D_imp_reg (k·R extra right-hand sides); when False they are None.
    rtol : float
        Guaranteed relative accuracy of iterative solves (see :func:`calc_account_arrays`);
        the bounds reached are in ``info["error_bound"]``.

    Returns
    -------
    Accounts
    """
    if not S.columns.equals(Y.index):
        raise ModelInputError("block S/Y: the columns of S must equal the rows of Y (same order)")
    if not isinstance(S.columns, pd.MultiIndex) or not {"region", "sector"} <= set(S.columns.names):
        raise ModelInputError("block S: columns must be a MultiIndex with levels 'region' and 'sector'")
    Y_agg = aggregate_Y(Y) if Y_agg is None else Y_agg
    if isinstance(Y_agg.columns, pd.MultiIndex):
        raise ModelInputError("block Y_agg: columns can not be a MultiIndex — aggregate the columns")
    reg_u, row_reg, sec_u, row_sec = _region_codes(S.columns)
    cons = reg_u.get_indexer(Y_agg.columns)
    arr = calc_account_arrays(
        solver, S.to_numpy(dtype=float), Y_agg.to_numpy(dtype=float), row_reg, row_sec, len(sec_u),
        cons, want_M=want_M, want_imp=want_imp, rtol=rtol,
    )
    k = S.shape[0]
    cols = pd.MultiIndex.from_product([Y_agg.columns, sec_u], names=[*Y_agg.columns.names, "sector"])
    D_cba = pd.DataFrame(arr.D_cba.reshape(k, -1), index=S.index, columns=cols)
    D_imp = pd.DataFrame(arr.D_imp.reshape(k, -1), index=S.index, columns=cols) if want_imp else None
    D_pba = pd.DataFrame(arr.D_pba, index=S.index, columns=S.columns)
    D_exp = pd.DataFrame(arr.D_exp, index=S.index, columns=S.columns)
    F_Y_agg: pd.DataFrame | int = 0
    if F_Y is not None:
        F_Y_agg = aggregate_Y(F_Y)

    def reg(df: pd.DataFrame) -> pd.DataFrame:
        return aggregate_Y(df)

    M = pd.DataFrame(arr.M, index=S.index, columns=S.columns) if arr.M is not None and want_M else None
    return Accounts(
        D_cba=D_cba, D_pba=D_pba, D_imp=D_imp, D_exp=D_exp,
        D_cba_reg=reg(D_cba) + F_Y_agg, D_pba_reg=reg(D_pba) + F_Y_agg,
        D_imp_reg=reg(D_imp) if D_imp is not None else None, D_exp_reg=reg(D_exp), M=M,
        info={"x_tot": pd.Series(arr.x_tot, index=S.columns, name="indout"), "solver": dict(solver.stats),
              "error_bound": dict(arr.error_bound)},
    )
