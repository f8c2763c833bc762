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
  ``D_imp_reg[k, c] = Σ_{i: r(i) ≠ c} S_ki (L y_c)_i`` comes from the R forward solves
  x_c = L y_c already made for D_pba/D_exp — no extra solve, also when D_imp is skipped.

Cost: R forward solves (L·y_c), k transposed solves (M) and k·R transposed solves
(M^(−c)); when k > number of sectors, the k·R solves are replaced by n forward solves
(L·ŷ_{c,s} for every c, s), whichever is fewer. No n × n product is ever formed. The k·R
(or n) solves are the minimum for D_imp (see docs/mrio.md, "Why D_imp costs k·R solves").
Several extensions computed together (:func:`calc_account_arrays` on their stacked S, as
``MRIO.accounts_all`` does) share the factorisation and the R (or n) forward solves.

Guarantee of iterative solves. When A ≥ 0 with column sums ≤ α < 1 (every productive MRIO
without negative flows whose sectors each buy less than they sell), L ≥ 0, ‖L‖₁ ≤ 1/(1 − α),
and a residual R = B − C X̃ bounds the error componentwise: transposed,
|M̃ − M|_kj ≤ ‖R_k‖_∞ /(1 − α); forward, |x̃_c − x_c| ≤ ‖R_c‖_∞ · ℓ with ℓ = L·1 ≤
ℓ̃/(1 − ‖r_ℓ‖_∞), ℓ̃ solved alongside (one extra right-hand side, residual r_ℓ; no bound while
‖r_ℓ‖_∞ ≥ 1). These bounds are turned into bounds on every entry of D_cba, D_pba, D_exp, D_imp,
their ``_reg`` sums and M, and each must be ≤ ``rtol`` × (|entry| + η·(largest |entry| of the
same stressor row)), η = 1e-3 (for D_imp the row maximum is taken within the consuming regions
solved together, which is never larger, so the statement holds as written). Refinement rounds
(solves for the residual) run until it holds. If it still fails after ``MAX_REFINE`` rounds the
result is returned with ``guaranteed = False`` and an :class:`AccuracyWarning`.

Where no bound exists (negative coefficients, or some column sum of A ≥ 1), ``method="auto"``
uses LU instead of an iterative solver; an explicitly requested iterative method computes with
an :class:`AccuracyWarning` and ``guaranteed = False``. LU results carry no a-posteriori bound:
LU with partial pivoting is backward stable, the relative error is about κ̂·u, and κ̂ (LAPACK's
estimate) is checked at factorisation (see :mod:`reslog.model.io.solve`).

References
----------
Peters, G. P. (2008). From production-based to consumption-based national emission
inventories. Ecological Economics 65(1), 13–23.
Stadler, K. (2021). Pymrio. J. Open Res. Softw. 9(1), 8 (``calc_accounts``).
Higham, N. J. (2002). Accuracy and Stability of Numerical Algorithms, 2nd ed., SIAM, ch. 7
(componentwise residual bounds) and ch. 12 (iterative refinement).
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from reslog.errors import ModelInputError
from reslog.model.io.solve import AccuracyWarning, LeontiefSolver

log = logging.getLogger(__name__)

#: Maximum number of right-hand sides assembled at once (bounds memory to n × this).
RHS_CHUNK = 2048
#: Guaranteed relative accuracy of the accounts computed by iterative solves (see module doc).
RTOL = 1e-10
ITERATIVE = ("gmres", "neumann", "jacobi")
#: Refinement rounds allowed after the first iterative solve.
MAX_REFINE = 4
#: Floor of the per-entry bound, as a fraction of the row's largest |entry| (entries that are
#: zero in exact arithmetic can only be matched to an absolute tolerance).
ETA = 1e-3


@dataclass
class AccountArrays:
    """Raw arrays of the accounts (see module docstring for definitions).

    ``D_cba``/``D_imp`` have shape (k, n_consumers, n_sectors); ``D_pba``/``D_exp`` (k, n);
    ``D_imp_reg`` (k, n_consumers) without F_Y; ``D_cba_fwd`` (k, n_consumers) = Σ_i S_ki x_c,i.
    """

    D_cba: np.ndarray
    D_pba: np.ndarray
    D_imp: np.ndarray
    D_exp: np.ndarray
    x_tot: np.ndarray
    D_imp_reg: np.ndarray | None = None
    M: np.ndarray | None = None
    error_bound: dict[str, float] = field(default_factory=dict)
    guaranteed: bool = True
    guarantee: str = ""
    method: str = ""

    def rows(self, sl: slice) -> "AccountArrays":
        """The accounts of a subset of stressor rows (one extension of a stacked S)."""
        return AccountArrays(
            D_cba=self.D_cba[sl], D_pba=self.D_pba[sl], D_imp=self.D_imp[sl], D_exp=self.D_exp[sl],
            x_tot=self.x_tot, D_imp_reg=None if self.D_imp_reg is None else self.D_imp_reg[sl],
            M=None if self.M is None else self.M[sl], error_bound=dict(self.error_bound),
            guaranteed=self.guaranteed, guarantee=self.guarantee, method=self.method)


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
    unit : Series or None — unit per stressor (the extension's ``unit``); the accounts are in
        these units, M in unit per monetary unit of the MRIO.
    info : dict — ``x_tot``, ``solver`` statistics, ``error_bound`` (bounds reached, by
        account), ``guaranteed`` (bool), ``guarantee`` (what it rests on), ``cond`` (estimated
        condition number of I − A, when known).
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
    unit: pd.Series | None = None
    info: dict[str, object] = field(default_factory=dict)

    @property
    def guaranteed(self) -> bool:
        """Whether the accuracy stated in docs/mrio.md holds for these accounts."""
        return bool(self.info.get("guaranteed", True))

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


class _Guard:
    """Collects the bounds reached and whether the guarantee holds for one computation."""

    def __init__(self, rtol: float) -> None:
        self.rtol = rtol
        self.bounds: dict[str, float] = {}
        self.failed: list[str] = []

    def record(self, name: str, value: float) -> None:
        self.bounds[name] = max(self.bounds.get(name, 0.0), value)


def _plan_guard(solver: LeontiefSolver, hint: int) -> tuple[bool, float | None, str]:
    """(guarded, α, note): whether iterative solves will be bounded; switches ``auto`` to LU
    when they could not be (negative coefficients or a column sum ≥ 1)."""
    plan = solver.plan(hint)
    if plan not in ITERATIVE:
        return False, None, plan
    alpha = solver.max_input_share()
    if alpha is not None:
        return True, alpha, plan
    why = ("A has negative entries" if not solver.nonnegative() else "a column sum of A is ≥ 1")
    if solver.method == "auto":
        log.info("auto: %s, so an iterative result could not be bounded; using LU", why)
        solver.factorise()
        return False, None, "lu"
    cond = solver.condition_estimate()
    warnings.warn(
        f"method={solver.method!r}: {why}, so the iterative results carry no error bound (estimated "
        f"condition number of I−A {cond:.3g}); they are flagged guaranteed=False. Use method='lu' or 'auto' "
        "for a direct solve", AccuracyWarning, stacklevel=3)
    return False, None, plan


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
        Stressor intensities (several extensions may be stacked: they then share every solve).
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
        only R_c + k right-hand sides are solved. ``D_imp_reg`` is computed either way.
    rtol : float
        Accuracy guaranteed for every account (and M) when iterative solvers are used: every entry
        within ``rtol`` × (|entry| + η·largest |entry| of its stressor row) (module docstring).
        ``error_bound`` of the result holds the bounds reached, ``guaranteed`` whether they hold.
    """
    k, n = S.shape
    Rc = Y_agg.shape[1]
    regions_with_demand = [int(r) for r in consumer_region if r >= 0]
    use_forward = want_imp and k * len(regions_with_demand) > n  # n forward solves are fewer
    n_imp = 0 if not want_imp else (n if use_forward else k * len(regions_with_demand))
    hint = Rc + (k if (want_M or not use_forward) else 0) + n_imp

    guarded, alpha, plan = _plan_guard(solver, hint)
    unbounded_iterative = plan in ITERATIVE and not guarded
    guard = _Guard(rtol)
    # start 1e-3 below rtol: the per-entry bounds sit ~10²–10⁴ above the 2-norm residual, and a
    # refinement round (a fresh Krylov space) costs more steps than starting tighter
    tol0 = max(rtol * 1e-3, solver.tol) if guarded else None
    absS = np.abs(S)
    own = np.full(n, -1)
    for c, r in enumerate(consumer_region):
        if r >= 0:
            own[row_region == r] = c
    foreign_of = [row_region != consumer_region[c] if consumer_region[c] >= 0 else np.ones(n, bool)
                  for c in range(Rc)]

    # production side: x per consuming region (R_c forward solves), plus L·1 for the bound
    B_fwd = np.concatenate([Y_agg, np.ones((n, 1))], axis=1) if guarded else Y_agg
    X_c = solver.solve(B_fwd, n_rhs_hint=hint, tol=tol0)
    ell: np.ndarray | None = None
    if guarded:
        X_c, ell = _refine_forward(solver, X_c, _residual(solver, X_c, B_fwd, False), S, absS, row_region, own,
                                   foreign_of, guard)
    X_c = X_c[:, :Rc]
    x_tot = X_c.sum(axis=1)
    dom_x = np.where(own >= 0, X_c[np.arange(n), np.maximum(own, 0)], 0.0)
    x_exp = x_tot - dom_x
    D_imp_reg = np.stack([S[:, f] @ X_c[f, c] for c, f in enumerate(foreign_of)], axis=1) if Rc else np.zeros((k, 0))

    by_sector = _SectorSum(row_sector, n_sectors)
    D_cba = np.zeros((k, Rc, n_sectors))
    D_imp = np.zeros((k, Rc, n_sectors))
    M = None
    absY = np.abs(Y_agg)
    y_cs = by_sector(absY.T)  # (R_c, n_sectors): Σ_{j∈s} |Y_jc|
    need_M = want_M or not use_forward
    # a direct solve reads the whole LU per call: M's k columns ride along with the first D_imp chunk
    M_with_imports = need_M and not guarded and want_imp and not use_forward
    Mt: np.ndarray | None = None
    if need_M and not M_with_imports:
        Mt = solver.solve(np.ascontiguousarray(S.T), transpose=True, n_rhs_hint=hint, tol=tol0)
        if guarded and alpha is not None:
            Mt = _refine_multipliers(solver, Mt, _residual(solver, Mt, S.T, True), Y_agg, by_sector, y_cs, alpha,
                                     guard)

    if not want_imp:
        D_imp[:] = np.nan
    elif not use_forward:
        # foreign-masked multipliers, k right-hand sides per consuming region with production
        per_chunk = max(1, RHS_CHUNK // max(k, 1))
        cons = [c for c in range(Rc) if consumer_region[c] >= 0]
        for a in range(0, max(len(cons), 1), per_chunk):
            chunk = cons[a:a + per_chunk]
            lead = k if (M_with_imports and a == 0) else 0
            RHS = np.empty((n, lead + k * len(chunk)), order="F")  # LAPACK solves it in place
            if lead:
                RHS[:, :k] = S.T
            for j, c in enumerate(chunk):
                RHS[:, lead + j * k:lead + (j + 1) * k] = S.T * foreign_of[c][:, None]
            W = solver.solve(RHS, transpose=True, n_rhs_hint=hint, overwrite=not guarded, tol=tol0)
            if guarded and alpha is not None:
                W = _refine_imports(solver, W, _residual(solver, W, RHS, True), Y_agg, by_sector, y_cs, chunk, k,
                                    alpha, guard)
            del RHS
            if lead:
                Mt, W = W[:, :k], W[:, k:]
            for j, c in enumerate(chunk):
                Wc = W[:, j * k:(j + 1) * k].T  # (k, n) = (S∘1_{r≠c})·L
                D_imp[:, c, :] = by_sector(Wc * Y_agg[:, c][None, :])
    if Mt is not None:
        M = Mt.T
        for c in range(Rc):
            D_cba[:, c, :] = by_sector(M * Y_agg[:, c][None, :])
    if want_imp and not use_forward:
        for c in range(Rc):  # consumers without own production: everything is imported
            if consumer_region[c] < 0:
                D_imp[:, c, :] = D_cba[:, c, :]
    elif want_imp:
        # forward: x for the demand of every (consumer, product) pair, as pymrio does
        for c in range(Rc):
            Yd = np.zeros((n, n_sectors))  # diagonalised demand of consumer c
            Yd[np.arange(n), row_sector] = Y_agg[:, c]
            Xd = solver.solve(Yd, n_rhs_hint=hint, tol=tol0)
            if guarded and ell is not None:
                Xd = _refine_demand_blocks(solver, Xd, _residual(solver, Xd, Yd, False), S, absS, foreign_of[c],
                                           ell, M is None, guard)
            # imported part over the foreign rows, domestic part over the own block: D_cba = imp + dom
            # (one k × n × m product in all, on views when the region's rows are contiguous)
            span = _contiguous(~foreign_of[c])
            if span is not None:
                a, b = span
                imp_c = S[:, :a] @ Xd[:a] + S[:, b:] @ Xd[b:]
                dom_c = S[:, a:b] @ Xd[a:b]
            else:
                imp_c = S[:, foreign_of[c]] @ Xd[foreign_of[c]]
                dom_c = S[:, ~foreign_of[c]] @ Xd[~foreign_of[c]]
            D_imp[:, c, :] = imp_c
            if M is None:
                D_cba[:, c, :] = imp_c + dom_c

    if guarded:
        guaranteed = not guard.failed
        guarantee = (f"a-posteriori bound: every entry within rtol={rtol:g}·(|entry| + {ETA:g}·row max)"
                     if guaranteed else f"bound above rtol={rtol:g} for {sorted(set(guard.failed))} after "
                     f"{MAX_REFINE} refinements")
    elif unbounded_iterative:
        guaranteed, guarantee = False, "none: iterative solve without an error bound (A has negative entries or a column sum ≥ 1)"
    else:
        cond = solver.cond
        guaranteed = True
        guarantee = ("direct LU (backward stable); estimated relative error κ̂·u"
                     + (f" = {cond * 1.1e-16:.1g} (κ̂ = {cond:.3g})" if cond is not None else ""))
    return AccountArrays(D_cba=D_cba, D_pba=S * x_tot[None, :], D_imp=D_imp, D_exp=S * x_exp[None, :],
                         x_tot=x_tot, D_imp_reg=D_imp_reg, M=M, error_bound=guard.bounds, guaranteed=guaranteed,
                         guarantee=guarantee, method=plan)


def _contiguous(mask: np.ndarray) -> tuple[int, int] | None:
    """(a, b) when the True entries of ``mask`` are exactly the range a … b − 1 (b = a: none)."""
    idx = np.flatnonzero(mask)
    if idx.size == 0:
        return (0, 0)
    a, b = int(idx[0]), int(idx[-1]) + 1
    return (a, b) if b - a == idx.size else None


def _residual(solver: LeontiefSolver, X: np.ndarray, B: np.ndarray, transpose: bool) -> np.ndarray | None:
    """The true residual of the last solve: the iterative solver's own, or — after a direct (LU)
    solve — B − C X computed with one pass over Z (None when C is no longer available)."""
    if solver.last_residual is not None:
        return solver.last_residual
    return solver.residual(X, B, transpose=transpose)


def _ratio(err: np.ndarray, D: np.ndarray) -> float:
    """max over entries of err / (|D| + η·max|D of its stressor row|); rows are axis 0.

    0/0 := 0 and x/0 := inf (an all-zero row with a non-zero bound must be refined)."""
    absD = np.abs(D)
    rowmax = absD.reshape(absD.shape[0], -1).max(axis=1) if absD.size else np.zeros(0)
    den = absD + ETA * rowmax.reshape((-1,) + (1,) * (absD.ndim - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(err > 0, err / np.where(den > 0, den, 0.0), 0.0)
    return float(np.max(r)) if r.size else 0.0


def _ell_bound(ell_tilde: np.ndarray, r_ell: np.ndarray) -> np.ndarray:
    """Upper bound on ℓ = L·1 from its approximation ℓ̃ with residual r_ℓ (L ≥ 0):
    ℓ = ℓ̃ + L r_ℓ ≤ ℓ̃ + ‖r_ℓ‖_∞ ℓ ⇒ ℓ ≤ ℓ̃ /(1 − ‖r_ℓ‖_∞); no bound (inf) when ‖r_ℓ‖_∞ ≥ 1."""
    r = float(np.abs(r_ell).max()) if r_ell.size else 0.0
    if not r < 1.0:
        return np.full_like(ell_tilde, np.inf)
    return np.maximum(ell_tilde, 0.0) / (1.0 - r)


def _refine_forward(
    solver: LeontiefSolver,
    X: np.ndarray,
    R: np.ndarray | None,
    S: np.ndarray,
    absS: np.ndarray,
    row_region: np.ndarray,
    own: np.ndarray,
    foreign_of: list[np.ndarray],
    guard: _Guard,
) -> tuple[np.ndarray, np.ndarray]:
    """Bound (and if needed reduce) the error of x_c = L y_c; the last column of X is ℓ̃ ≈ L·1.

    |x̃_c − x_c| ≤ L|R_c| ≤ σ_c·ℓ with σ_c = ‖R_c‖_∞, so x_tot is off by at most σ·ℓ, σ = Σ_c σ_c,
    and x_exp,i by (σ − σ_own(i))·ℓ_i (own(i): the consumer that is i's region); D_imp_reg[k, c] by Σ_{i foreign to c} |S_ki| σ_c ℓ_i. Bounds
    on D_pba, D_exp, their regional sums and D_imp_reg, per entry (relative to |entry| + η·largest
    |entry| of its stressor row; for D_imp_reg the row of D_cba_reg = S·x_c), must be ≤ rtol.
    Returns (X, bound on ℓ).
    """
    n_reg = int(row_region.max()) + 1 if row_region.size else 0
    ell_out = [np.full(X.shape[0], np.inf)]

    def worst(X: np.ndarray, R: np.ndarray) -> dict[str, float]:
        ell = _ell_bound(X[:, -1], R[:, -1])
        ell_out[0] = ell
        sig_c = np.abs(R[:, :-1]).max(axis=0) if R.shape[1] > 1 else np.zeros(0)
        sigma = float(sig_c.sum())
        Xc = X[:, :-1]
        x_tot = Xc.sum(axis=1)
        dom = np.where(own >= 0, Xc[np.arange(len(x_tot)), np.maximum(own, 0)], 0.0)
        # x_exp,i sums the x_c,i of consumers other than i's own region: its bound leaves σ_own(i) out
        sig_own = np.where(own >= 0, sig_c[np.maximum(own, 0)] if sig_c.size else 0.0, 0.0)
        out: dict[str, float] = {}
        for nm, xv, s_i in (("D_pba", x_tot, np.full(len(x_tot), sigma)), ("D_exp", x_tot - dom, sigma - sig_own)):
            with np.errstate(invalid="ignore"):
                err = absS * (np.maximum(s_i, 0.0) * ell)[None, :]  # (k, n) entry bounds
            err_reg = np.stack([err[:, row_region == r].sum(axis=1) for r in range(n_reg)], axis=1)
            D = S * xv[None, :]
            D_reg = np.stack([D[:, row_region == r].sum(axis=1) for r in range(n_reg)], axis=1)
            out[nm] = max(_ratio(err, D), _ratio(err_reg, D_reg))
        # D_imp_reg, relative to |entry| + η·max |D_cba_reg| of the row
        cba_reg = S @ Xc
        imp_reg = np.stack([S[:, f] @ Xc[f, c] for c, f in enumerate(foreign_of)], axis=1)
        with np.errstate(invalid="ignore"):
            err_imp = np.stack([(absS[:, f] @ ell[f]) * sig_c[c] for c, f in enumerate(foreign_of)], axis=1)
        out["D_imp_reg"] = _ratio_floor(err_imp, imp_reg, cba_reg)
        return out

    X = _refine(solver, X, R, False, worst, guard)
    return X, ell_out[0]


def _ratio_floor(err: np.ndarray, D: np.ndarray, ref: np.ndarray) -> float:
    """Like :func:`_ratio`, with the η floor taken from the rows of ``ref`` (D_cba for D_imp)."""
    rowmax = np.abs(ref).reshape(ref.shape[0], -1).max(axis=1) if ref.size else np.zeros(0)
    den = np.abs(D) + ETA * rowmax.reshape((-1,) + (1,) * (D.ndim - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(err > 0, err / np.where(den > 0, den, 0.0), 0.0)
    return float(np.max(r)) if r.size else 0.0


def _refine_multipliers(
    solver: LeontiefSolver,
    Mt: np.ndarray,
    R: np.ndarray | None,
    Y_agg: np.ndarray,
    by_sector: "_SectorSum",
    y_cs: np.ndarray,
    alpha: float,
    guard: _Guard,
) -> np.ndarray:
    """Bound (and if needed reduce) the error of Mᵀ = Lᵀ Sᵀ and of D_cba built from it.

    |M̃_kj − M_kj| ≤ e_k = ‖R_k‖_∞ /(1 − α) (‖Lᵀ‖_∞ = ‖L‖₁ ≤ 1/(1 − α)), so
    |ΔD_cba[k, c, s]| ≤ e_k Σ_{j∈s} |Y_jc| and |ΔD_cba_reg[k, c]| ≤ e_k Σ_j |Y_jc|.
    """
    y_c = y_cs.sum(axis=1)

    def worst(Mt: np.ndarray, R: np.ndarray) -> dict[str, float]:
        e = np.abs(R).max(axis=0) / (1.0 - alpha)  # (k,)
        M = Mt.T
        D = np.stack([by_sector(M * Y_agg[:, c][None, :]) for c in range(Y_agg.shape[1])], axis=1)
        return {"M": _ratio(np.broadcast_to(e[:, None], M.shape), M),
                "D_cba": max(_ratio(e[:, None, None] * y_cs[None], D),
                             _ratio(e[:, None] * y_c[None, :], D.sum(axis=2)))}

    return _refine(solver, Mt, R, True, worst, guard)


def _refine_imports(
    solver: LeontiefSolver,
    W: np.ndarray,
    R: np.ndarray | None,
    Y_agg: np.ndarray,
    by_sector: "_SectorSum",
    y_cs: np.ndarray,
    chunk: list[int],
    k: int,
    alpha: float,
    guard: _Guard,
) -> np.ndarray:
    """Bound (and if needed reduce) the error of the foreign-masked multipliers of the consuming
    regions in ``chunk`` (columns j·k … (j+1)·k − 1 of W for chunk[j]) and of D_imp built from them:
    |ΔW| ≤ ‖R_col‖_∞/(1 − α) per column, |ΔD_imp[k, c, s]| ≤ e_{k,c} Σ_{j∈s} |Y_jc|. The η floor is the
    largest |D_imp| of the stressor row among these consuming regions (≤ the full row's)."""

    def worst(W: np.ndarray, R: np.ndarray) -> dict[str, float]:
        e = np.abs(R).max(axis=0) / (1.0 - alpha)  # (k·len(chunk),)
        D = np.empty((k, len(chunk), y_cs.shape[1]))
        err = np.empty_like(D)
        for j, c in enumerate(chunk):
            D[:, j, :] = by_sector(W[:, j * k:(j + 1) * k].T * Y_agg[:, c][None, :])
            err[:, j, :] = e[j * k:(j + 1) * k, None] * y_cs[c][None, :]
        return {"D_imp": _ratio(err, D)}

    return _refine(solver, W, R, True, worst, guard)


def _refine_demand_blocks(
    solver: LeontiefSolver,
    Xd: np.ndarray,
    R: np.ndarray | None,
    S: np.ndarray,
    absS: np.ndarray,
    foreign: np.ndarray,
    ell: np.ndarray,
    with_cba: bool,
    guard: _Guard,
) -> np.ndarray:
    """Bound (and if needed reduce) the error of X_d = L·ŷ_{c,·} (one consumer, every product):
    |ΔX_d[:, s]| ≤ ‖R_s‖_∞ ℓ, so |ΔD[k, s]| ≤ (|S| ℓ)_k ‖R_s‖_∞ (foreign rows only for D_imp)."""
    wf = absS[:, foreign] @ ell[foreign]
    wa = absS @ ell

    def worst(Xd: np.ndarray, R: np.ndarray) -> dict[str, float]:
        sig = np.abs(R).max(axis=0)
        out = {"D_imp": _ratio(np.outer(wf, sig), S[:, foreign] @ Xd[foreign])}
        if with_cba:
            out["D_cba"] = _ratio(np.outer(wa, sig), S @ Xd)
        return out

    return _refine(solver, Xd, R, False, worst, guard)


def _refine(
    solver: LeontiefSolver,
    X: np.ndarray,
    R: np.ndarray | None,
    transpose: bool,
    worst: "Callable[[np.ndarray, np.ndarray], dict[str, float]]",
    guard: _Guard,
) -> np.ndarray:
    """Iterative refinement X ← X + C⁻¹R until every bound of ``worst(X, R)`` is ≤ rtol.

    R = B − C X is kept exact: the correction solve's own true residual is the new residual (no
    extra pass over C); a correction that LU made (no residual returned) gets its residual as
    R − C·dX (one pass). The bounds of the final iterate are recorded in ``guard``; any above
    rtol after ``MAX_REFINE`` rounds marks the result unguaranteed.
    """
    rtol = guard.rtol
    for rnd in range(MAX_REFINE + 1):
        if R is None:  # no operator left to form a residual (explicit C factorised in place)
            guard.failed.append("residual unavailable")
            return X
        ws = worst(X, R)
        w = max(ws.values()) if ws else 0.0
        log.debug("account error bounds %s (rtol %.0e)", ws, rtol)
        if w <= rtol or rnd == MAX_REFINE:
            for nm, v in ws.items():
                guard.record(nm, v)
                if not v <= rtol:
                    guard.failed.append(nm)
            if w > rtol or not np.isfinite(w):
                warnings.warn(f"account error bound {w:.2e} above rtol {rtol:.0e} after {MAX_REFINE} refinement "
                              "rounds; the result is flagged guaranteed=False", AccuracyWarning, stacklevel=4)
            return X
        dX = solver.solve(R, transpose=transpose, tol=max(0.25 * rtol / w, 1e-8) if np.isfinite(w) else 1e-8)
        X = X + dX
        if solver.last_residual is not None:
            R = solver.last_residual
        elif solver.has_operator:
            R = R - solver.apply(dX, transpose=transpose)
        else:
            R = None
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


def _prepare(S: pd.DataFrame, Y: pd.DataFrame, Y_agg: pd.DataFrame | None) -> tuple:
    if not S.columns.equals(Y.index):
        raise ModelInputError("block S/Y: the columns of S must equal the rows of Y (same order)")
    if not isinstance(S.columns, pd.MultiIndex) or not {"region", "sector"} <= set(S.columns.names):
        raise ModelInputError("block S: columns must be a MultiIndex with levels 'region' and 'sector'")
    Y_agg = aggregate_Y(Y) if Y_agg is None else Y_agg
    if isinstance(Y_agg.columns, pd.MultiIndex):
        raise ModelInputError("block Y_agg: columns can not be a MultiIndex — aggregate the columns")
    reg_u, row_reg, sec_u, row_sec = _region_codes(S.columns)
    cons = reg_u.get_indexer(Y_agg.columns)
    return Y_agg, reg_u, row_reg, sec_u, row_sec, cons


def label_accounts(
    arr: AccountArrays,
    solver: LeontiefSolver,
    S: pd.DataFrame,
    Y_agg: pd.DataFrame,
    sec_u: pd.Index,
    F_Y: pd.DataFrame | None = None,
    *,
    want_M: bool = True,
    want_imp: bool = True,
    unit: pd.Series | None = None,
) -> Accounts:
    """Wrap raw :class:`AccountArrays` (rows as ``S.index``) into labelled pymrio-layout frames."""
    k = S.shape[0]
    cols = pd.MultiIndex.from_product([Y_agg.columns, sec_u], names=[*Y_agg.columns.names, "sector"])
    D_cba = pd.DataFrame(arr.D_cba.reshape(k, -1), index=S.index, columns=cols)
    D_imp = pd.DataFrame(arr.D_imp.reshape(k, -1), index=S.index, columns=cols) if want_imp else None
    D_pba = pd.DataFrame(arr.D_pba, index=S.index, columns=S.columns)
    D_exp = pd.DataFrame(arr.D_exp, index=S.index, columns=S.columns)
    F_Y_agg: pd.DataFrame | int = 0
    if F_Y is not None:
        F_Y_agg = aggregate_Y(F_Y)
    assert arr.D_imp_reg is not None
    D_imp_reg = pd.DataFrame(arr.D_imp_reg, index=S.index, columns=Y_agg.columns)
    M = pd.DataFrame(arr.M, index=S.index, columns=S.columns) if arr.M is not None and want_M else None
    if unit is not None:
        unit = unit.reindex(S.index)
    return Accounts(
        D_cba=D_cba, D_pba=D_pba, D_imp=D_imp, D_exp=D_exp,
        D_cba_reg=aggregate_Y(D_cba) + F_Y_agg, D_pba_reg=aggregate_Y(D_pba) + F_Y_agg,
        D_imp_reg=D_imp_reg, D_exp_reg=aggregate_Y(D_exp), M=M, unit=unit,
        info={"x_tot": pd.Series(arr.x_tot, index=S.columns, name="indout"), "solver": dict(solver.stats),
              "error_bound": dict(arr.error_bound), "guaranteed": arr.guaranteed, "guarantee": arr.guarantee,
              "method": arr.method, "cond": solver.cond},
    )


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
    unit: pd.Series | None = None,
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
        Compute D_imp (k·R extra right-hand sides); when False it is None. D_imp_reg is always
        computed (from the forward solves, no extra cost).
    rtol : float
        Guaranteed relative accuracy of iterative solves (see :func:`calc_account_arrays`);
        the bounds reached are in ``info["error_bound"]``, ``info["guaranteed"]`` says whether
        they hold.
    unit : Series, optional
        Unit per stressor, carried to ``Accounts.unit``.

    Returns
    -------
    Accounts
    """
    Y_agg, reg_u, row_reg, sec_u, row_sec, cons = _prepare(S, Y, Y_agg)
    arr = calc_account_arrays(
        solver, S.to_numpy(dtype=float), Y_agg.to_numpy(dtype=float), row_reg, row_sec, len(sec_u),
        cons, want_M=want_M, want_imp=want_imp, rtol=rtol,
    )
    return label_accounts(arr, solver, S, Y_agg, sec_u, F_Y, want_M=want_M, want_imp=want_imp, unit=unit)


def calc_accounts_many(
    solver: LeontiefSolver,
    S: dict[str, pd.DataFrame],
    Y: pd.DataFrame,
    F_Y: dict[str, pd.DataFrame | None] | None = None,
    *,
    Y_agg: pd.DataFrame | None = None,
    want_M: bool = False,
    want_imp: bool = True,
    rtol: float = RTOL,
    units: dict[str, pd.Series | None] | None = None,
) -> dict[str, Accounts]:
    """Accounts of several extensions at once: their S are stacked, so they share one
    factorisation and every solve (R + k_total + min(k_total·R, n) right-hand sides in all, not
    per extension). EXIOBASE's ~1,100 stressors + 126 impacts then cost n forward solves for D_imp
    — the same as one extension with more stressors than sectors.
    """
    if not S:
        return {}
    names = list(S)
    first = S[names[0]]
    for nm in names[1:]:
        if not S[nm].columns.equals(first.columns):
            raise ModelInputError(f"extension {nm}: columns differ from extension {names[0]}")
    Y_agg, reg_u, row_reg, sec_u, row_sec, cons = _prepare(first, Y, Y_agg)
    stacked = np.concatenate([S[nm].to_numpy(dtype=float) for nm in names], axis=0)
    arr = calc_account_arrays(solver, stacked, Y_agg.to_numpy(dtype=float), row_reg, row_sec, len(sec_u), cons,
                              want_M=want_M, want_imp=want_imp, rtol=rtol)
    out: dict[str, Accounts] = {}
    a = 0
    for nm in names:
        k = S[nm].shape[0]
        out[nm] = label_accounts(arr.rows(slice(a, a + k)), solver, S[nm], Y_agg, sec_u,
                                 (F_Y or {}).get(nm), want_M=want_M, want_imp=want_imp,
                                 unit=(units or {}).get(nm))
        a += k
    return out
