"""Solving (I − A) X = B and (I − A)ᵀ X = B for many right-hand sides without forming L.

Everything the accounts need is a product with the Leontief inverse L = (I − A)⁻¹ on one side:

* multipliers ``M = S·L``  ⇔  ``(I − A)ᵀ Mᵀ = Sᵀ``  (k stressors → k right-hand sides),
* outputs ``x = L·y``      ⇔  ``(I − A) x = y``     (one right-hand side per demand vector).

So L (n² numbers, an O(n³) inverse) is formed only when asked for. Two families of solvers
share one operator ``C = I − A``. It is either an explicit array, or — with
:meth:`LeontiefSolver.from_flows` — *implicit*: ``C X = X − Z (x̂⁻¹ X)`` and
``Cᵀ X = X − x̂⁻¹ (Zᵀ X)`` read the caller's Z directly, so iterative solves allocate no
n × n array at all; C is materialised only if an LU factorisation is needed.

``lu``
    Dense LU factorisation with partial pivoting (LAPACK ``getrf`` through
    :func:`scipy.linalg.lu_factor`), done in place on ``C``; then each right-hand side costs
    2n² flops. Best when the number of right-hand sides is large (≳ n/75).
``gmres``
    Batched restarted GMRES (all right-hand sides advance in lock-step, so every Krylov step is
    one dense matrix–matrix product, i.e. a single pass over ``C``), right-preconditioned by the
    inverse of the diagonal (domestic) region blocks (block Jacobi, all blocks inverted and applied
    in one batched call when they have equal size). Converged to a relative residual of ``tol``
    (default 1e-13) with the true residual checked at every restart. On MRIO systems the
    block-Jacobi iteration matrix D⁻¹O (O = the import blocks) is non-negative with one
    dominant Perron eigenvalue and a cloud of much smaller ones (n = 9,800 bench system: 0.167,
    then ≤ 0.033), which GMRES deflates after one or two steps: ~1.5 digits per step after that.
``neumann``
    The Neumann series x = Σₘ Aᵐ b, written as a Richardson iteration
    Xₘ₊₁ = Xₘ + (B − C Xₘ); converges geometrically with the spectral radius of A.
``jacobi``
    Block-Jacobi Richardson iteration Xₘ₊₁ = Xₘ + P(B − C Xₘ), P = blockdiag((I − A_rr)⁻¹).

Iterative methods fall back to LU when they do not converge; the true residual of such a
batch is then computed (one pass over Z), so a caller's error bound still covers it. A singular
I − A raises :class:`~reslog.errors.ModelInputError` naming the offending labels.

Conditioning. Every LU factorisation is followed by a condition number of I − A from the factors
(O(n²)): κ̂ = max(κ₁, κ_∞). When A ≥ 0 and L·1 > 0 (an M-matrix: L ≥ 0) it is exact from two
solves with ones, ‖L‖_∞ = max(L·1) and ‖L‖₁ = max(Lᵀ·1); otherwise LAPACK's ``gecon`` estimates it. An LU solve is backward stable, so its
relative forward error is about κ̂·u (u = 1.1e-16): log10(κ̂) decimal digits are lost. Above
``COND_WARN`` (1e6: results may be off by more than ~1e-10 relative) an :class:`AccuracyWarning`
names the digits lost; above ``COND_ERROR`` (1e10: fewer than ~6 correct digits) the solver
refuses with :class:`~reslog.errors.ModelInputError` unless ``ill_conditioned="warn"``. Without a
factorisation, :meth:`LeontiefSolver.condition_estimate` uses κ₁ ≤ (1 + α)/(1 − α) when A ≥ 0
with column sums ≤ α < 1, else Higham's iterative 1-norm estimate of L (a few solves).

References
----------
Saad, Y. & Schultz, M. H. (1986). GMRES: a generalized minimal residual algorithm for solving
nonsymmetric linear systems. SIAM J. Sci. Stat. Comput. 7(3), 856–869.
Miller, R. E. & Blair, P. D. (2009). Input–Output Analysis: Foundations and Extensions, 2nd ed.,
Cambridge University Press, §2.3 (Leontief inverse) and Appendix A (power series).
"""

from __future__ import annotations

import contextlib
import logging
import time
import warnings
from typing import Callable, Literal, Sequence

import numpy as np
import scipy.linalg as sla

from reslog.errors import ModelInputError

log = logging.getLogger(__name__)

Method = Literal["auto", "lu", "gmres", "neumann", "jacobi", "dense"]
METHODS: tuple[str, ...] = ("auto", "lu", "gmres", "neumann", "jacobi", "dense")

#: Above this size "auto" considers iterative solvers; below it LU is always cheaper.
LU_ALWAYS_BELOW = 2500
#: "auto" uses LU when the right-hand sides exceed n / LU_RHS_DIVISOR (a GMRES solve costs
#: about 25 passes over C; an LU about n/3 passes).
LU_RHS_DIVISOR = 75
#: Right-hand sides handled together by the batched GMRES (bounds the Krylov basis memory).
GMRES_BATCH = 64
#: Condition number of I − A above which results carry a warning (κ·u > ~1e-10).
COND_WARN = 1e6
#: Condition number of I − A above which the solver refuses (κ·u > ~1e-6: < 6 digits left).
COND_ERROR = 1e10
IllConditioned = Literal["error", "warn"]


class AccuracyWarning(UserWarning):
    """A result is less accurate than reslog's documented guarantee (see docs/mrio.md)."""


def digits_lost(cond: float) -> float:
    """Decimal digits an LU solve may lose to conditioning: log10(κ) (0 for κ ≤ 1)."""
    return float(np.log10(cond)) if cond > 1 else 0.0

_BLAS_CTL: object | None | bool = False  # threadpoolctl controller, None when unavailable


def _single_thread_blas() -> contextlib.AbstractContextManager[object]:
    """Context running BLAS on one thread (for the many tiny block products of the
    preconditioner: with threads, each of the R small GEMMs pays a wake-up/synchronisation that
    costs 10–40× the product on a loaded 2-core machine). No-op without ``threadpoolctl``."""
    global _BLAS_CTL
    if _BLAS_CTL is False:
        try:
            from threadpoolctl import ThreadpoolController

            _BLAS_CTL = ThreadpoolController()
        except Exception:  # noqa: BLE001 — optional speed-up only
            _BLAS_CTL = None
    if _BLAS_CTL is None:
        return contextlib.nullcontext()
    return _BLAS_CTL.limit(limits=1, user_api="blas")  # type: ignore[attr-defined]


def _block_slices(groups: np.ndarray | None, n: int) -> list[slice] | None:
    """Contiguous runs of equal group codes (e.g. regions), or None when not contiguous."""
    if groups is None:
        return None
    g = np.asarray(groups)
    if g.shape != (n,):
        return None
    change = np.nonzero(g[1:] != g[:-1])[0] + 1
    starts = np.concatenate([[0], change])
    ends = np.concatenate([change, [n]])
    if len(np.unique(g)) != len(starts):  # a group appears in two runs: not contiguous
        return None
    return [slice(int(a), int(b)) for a, b in zip(starts, ends)]


class LeontiefSolver:
    """Solve linear systems with I − A for any number of right-hand sides.

    Parameters
    ----------
    C : ndarray, shape (n, n)
        The matrix ``I − A`` (float64). With ``own=True`` the solver may overwrite it (LU in place).
    labels : sequence, optional
        Row/column labels, used in error messages (e.g. ``('reg1', 'mining')``).
    groups : ndarray, optional
        Group code per row (the region), used for the block-Jacobi preconditioner.
    method : {"auto", "lu", "gmres", "neumann", "jacobi", "dense"}
        Solver (see module docstring). ``"auto"`` picks LU for small systems or many
        right-hand sides (see :meth:`plan`), GMRES otherwise.
    tol : float
        Relative residual ‖b − C x‖₂ / ‖b‖₂ required of iterative solvers, per right-hand side.
    own : bool
        Whether ``C`` may be modified in place.
    ill_conditioned : {"error", "warn"}
        What to do when the estimated condition number of I − A exceeds ``COND_ERROR``:
        refuse (default) or compute with an :class:`AccuracyWarning` naming the digits lost.
    """

    def __init__(
        self,
        C: np.ndarray,
        *,
        labels: Sequence[object] | None = None,
        groups: np.ndarray | None = None,
        method: Method = "auto",
        tol: float = 1e-13,
        own: bool = False,
        ill_conditioned: IllConditioned = "error",
    ) -> None:
        C = np.asarray(C, dtype=float)
        if C.ndim != 2 or C.shape[0] != C.shape[1]:
            raise ModelInputError(f"block I−A: expected a square matrix, got shape {C.shape}")
        self._setup(C.shape[0], labels, groups, method, tol, ill_conditioned)
        self._C = C if own else C.copy()

    @classmethod
    def from_flows(
        cls,
        Z: np.ndarray,
        x: np.ndarray,
        *,
        labels: Sequence[object] | None = None,
        groups: np.ndarray | None = None,
        method: Method = "auto",
        tol: float = 1e-13,
        ill_conditioned: IllConditioned = "error",
        colsum_Z: np.ndarray | None = None,
        nonnegative: bool | None = None,
    ) -> "LeontiefSolver":
        """A solver whose I − A = I − Z·x̂⁻¹ stays implicit (no n × n allocation).

        Parameters
        ----------
        Z : ndarray (n, n)
            Intermediate flows (money); read, never modified.
        x : ndarray (n,)
            Gross output (money); 1/0 := 0 (sectors without output get zero coefficients).
        labels, groups, method, tol
            As for the constructor.
        colsum_Z, nonnegative : optional
            Σ_i Z_ij and whether Z ≥ 0, when the caller already has them (saves passes over Z).

        Notes
        -----
        Iterative methods multiply with Z directly (one pass over Z per Krylov step). LU builds
        C = I − A in a new array on first use (``Z`` itself is kept for residuals).
        """
        Z = np.asarray(Z, dtype=float)
        if Z.ndim != 2 or Z.shape[0] != Z.shape[1]:
            raise ModelInputError(f"block Z: expected a square matrix, got shape {Z.shape}")
        xv = np.asarray(x, dtype=float).ravel()
        if xv.shape != (Z.shape[0],):
            raise ModelInputError(f"block x: {xv.shape[0]} values for {Z.shape[0]} sectors")
        self = cls.__new__(cls)
        self._setup(Z.shape[0], labels, groups, method, tol, ill_conditioned)
        self._C = None
        self._Z = Z
        xinv = np.zeros_like(xv)
        nz = xv != 0
        xinv[nz] = 1.0 / xv[nz]
        self._xinv = xinv
        self._colsumZ = None if colsum_Z is None else np.asarray(colsum_Z, dtype=float)
        if nonnegative is not None:
            self._nonneg = bool(nonnegative) and bool((xinv >= 0).all())
        return self

    def _setup(self, n: int, labels: Sequence[object] | None, groups: np.ndarray | None, method: str,
               tol: float, ill_conditioned: str = "error") -> None:
        if method not in METHODS:
            raise ModelInputError(f"unknown solver method {method!r}; choose one of {METHODS}")
        if ill_conditioned not in ("error", "warn"):
            raise ModelInputError(f"ill_conditioned must be 'error' or 'warn', got {ill_conditioned!r}")
        self.ill_conditioned = ill_conditioned
        #: Estimated condition number of I − A (set by an LU factorisation or condition_estimate()).
        self.cond: float | None = None
        self.cond_source: str | None = None
        self._C_keep: np.ndarray | None = None
        self._nonneg: bool | None = None
        self._colsumZ: np.ndarray | None = None
        self.n = n
        self._C: np.ndarray | None = None
        self._Z: np.ndarray | None = None
        self._xinv: np.ndarray | None = None
        self.labels = list(labels) if labels is not None else list(range(self.n))
        self.slices = _block_slices(groups, self.n)
        self.method: Method = method
        self.tol = float(tol)
        self._lu: tuple[np.ndarray, np.ndarray] | None = None
        self._pre: dict[bool, np.ndarray | list[np.ndarray]] = {}
        self._alpha: float | None | bool = False  # not computed yet
        self.stats: dict[str, float] = {"rhs": 0, "iterations": 0, "lu": 0}
        #: True residual B − C X of the last iterative solve (None after a direct solve).
        self.last_residual: np.ndarray | None = None
        #: Method used by the last call of :meth:`solve`.
        self.last_method: str | None = None

    # ------------------------------------------------------------------ planning
    def plan(self, n_rhs: int) -> str:
        """The method that will be used for ``n_rhs`` right-hand sides (factorises if LU)."""
        if self._lu is not None:
            return "lu"
        if self.method != "auto":
            return self.method
        if self.n <= LU_ALWAYS_BELOW or n_rhs * LU_RHS_DIVISOR > self.n:
            return "lu"
        return "gmres"

    @property
    def factorised(self) -> bool:
        """Whether an LU factorisation is held (C itself has then been overwritten)."""
        return self._lu is not None

    # ------------------------------------------------------------------ public API
    def solve(
        self,
        B: np.ndarray,
        *,
        transpose: bool = False,
        n_rhs_hint: int | None = None,
        tol: float | None = None,
        overwrite: bool = False,
    ) -> np.ndarray:
        """Return X with (I − A) X = B, or (I − A)ᵀ X = B when ``transpose``.

        Parameters
        ----------
        B : ndarray, shape (n,) or (n, k)
        transpose : bool
        n_rhs_hint : int, optional
            Total number of right-hand sides the caller will ask for (helps "auto" decide
            whether factorising pays off).
        tol : float, optional
            Relative residual for iterative methods in this call (default: the solver's ``tol``).
        overwrite : bool
            LU only: the solution may overwrite ``B`` (no copy when B is Fortran-ordered).

        After an iterative solve, :attr:`last_residual` holds the true residual B − C X (the
        one convergence was judged on), so callers can bound the error without another pass.
        """
        B = np.asarray(B, dtype=float)
        vec = B.ndim == 1
        B2 = B.reshape(self.n, -1) if vec else B
        if B2.shape[0] != self.n:
            raise ModelInputError(f"right-hand side has {B2.shape[0]} rows, the system has {self.n}")
        if not np.isfinite(B2).all():
            raise ModelInputError("right-hand side holds NaN/inf values")
        k = B2.shape[1]
        self.stats["rhs"] += k
        method = self.plan(max(k, n_rhs_hint or 0))
        self.last_residual = None
        self.last_method = method
        if k == 0:
            X = np.zeros_like(B2)
        elif method == "lu":
            X = self._solve_lu(B2, transpose, overwrite)
        elif method == "dense":
            C = self._require_C()
            X = np.linalg.solve(C.T if transpose else C, B2)
        else:
            X = np.empty_like(B2)
            R = np.empty_like(B2)
            fell_back = False
            for a in range(0, k, GMRES_BATCH):
                part = slice(a, a + GMRES_BATCH)
                Xp, Rp = self._solve_iter(B2[:, part], transpose, method, self.tol if tol is None else tol)
                X[:, part] = Xp
                if Rp is None:
                    # this batch was solved by LU: its own true residual (one pass over Z or the
                    # kept C), so the caller's bound covers it instead of calling it exact
                    fell_back = True
                    Rp = B2[:, part] - self._matvec(transpose)(Xp)
                R[:, part] = Rp
            self.last_residual = R
            if fell_back:
                self.last_method = method + "+lu"
        return X.ravel() if vec else X

    @property
    def has_operator(self) -> bool:
        """Whether products with C = I − A are still possible (after an in-place LU: only from Z)."""
        return self._C is not None or self._Z is not None or self._C_keep is not None

    def apply(self, X: np.ndarray, *, transpose: bool = False) -> np.ndarray:
        """C X (or Cᵀ X) for X of shape (n, k)."""
        return self._matvec(transpose)(np.asarray(X, dtype=float))

    def residual(self, X: np.ndarray, B: np.ndarray, *, transpose: bool = False) -> np.ndarray | None:
        """B − C X (or B − Cᵀ X), or None when C is no longer available (LU done in place)."""
        if not self.has_operator:
            return None
        B2 = np.asarray(B, dtype=float)
        X2 = np.asarray(X, dtype=float)
        if B2.ndim == 1:
            return (B2[:, None] - self._matvec(transpose)(X2[:, None])).ravel()
        return B2 - self._matvec(transpose)(X2)

    def max_input_share(self) -> float | None:
        """α = max_j Σ_i A_ij when A ≥ 0 (then ‖L‖₁ ≤ 1/(1 − α) and L ≥ 0), else None.

        Used to turn residuals into guaranteed error bounds (see :mod:`accounts`). One pass over
        Z (or C) in column chunks, no n × n temporary.
        """
        if self._alpha is not False:
            return self._alpha  # type: ignore[return-value]
        alpha: float | None
        if self._Z is not None and self._xinv is not None:
            Z = self._Z
            colsum = self._colsumZ if self._colsumZ is not None else None
            alpha = (None if not self.nonnegative()
                     else float(((colsum if colsum is not None else Z.sum(axis=0)) * self._xinv).max()))
        elif self._C is not None:
            C = self._C
            alpha, step = 0.0, 1024
            for a in range(0, self.n, step):
                blk = -C[:, a:a + step].copy()
                idx = np.arange(a, min(a + step, self.n))
                blk[idx, idx - a] += 1.0
                if float(blk.min()) < 0:
                    alpha = None
                    break
                alpha = max(alpha, float(blk.sum(axis=0).max()))
        else:
            alpha = None
        self._alpha = alpha if alpha is not None and alpha < 1 else None
        return self._alpha  # type: ignore[return-value]

    def nonnegative(self) -> bool:
        """Whether A ≥ 0 (every flow non-negative). One pass over Z (or C), no temporary."""
        if self._nonneg is None:
            if self._Z is not None:
                self._nonneg = bool(float(self._Z.min()) >= 0) and bool((self._xinv >= 0).all())
            elif self._C is not None:
                C, ok, step = self._C, True, 1024
                for a in range(0, self.n, step):
                    blk = -C[:, a:a + step].copy()
                    idx = np.arange(a, min(a + step, self.n))
                    blk[idx, idx - a] += 1.0
                    if float(blk.min()) < 0:
                        ok = False
                        break
                self._nonneg = ok
            else:
                self._nonneg = False
        return bool(self._nonneg)

    def condition_estimate(self) -> float:
        """Estimated condition number κ of I − A (see the module docstring).

        From the LU factors when held (max of κ₁ and κ_∞: exact from L·1 and Lᵀ·1 when A ≥ 0,
        else ``gecon``); else κ₁ ≤ (1 + α)/(1 − α)
        when A ≥ 0 with column sums ≤ α < 1 (a bound, no work); else Higham's iterative 1-norm
        estimate ‖C‖₁·est‖L‖₁ (:func:`scipy.sparse.linalg.onenormest`, a few solves).
        """
        if self.cond is not None:
            return self.cond
        alpha = self.max_input_share()
        if self._lu is None and alpha is not None and self.plan(1) != "lu":
            self.cond, self.cond_source = (1.0 + alpha) / (1.0 - alpha), "upper bound (1+α)/(1−α), A ≥ 0"
            self._check_cond()
            return self.cond
        if self._lu is None and self.has_operator and self.plan(1) != "lu":
            from scipy.sparse.linalg import LinearOperator, onenormest

            op = LinearOperator((self.n, self.n), dtype=float,
                                matvec=lambda v: self.solve(np.asarray(v, float).ravel()),
                                rmatvec=lambda v: self.solve(np.asarray(v, float).ravel(), transpose=True))
            Cnorm = self._norms()[0]
            self.cond, self.cond_source = float(Cnorm * onenormest(op)), "onenormest (iterative 1-norm estimate)"
            self._check_cond()
            return self.cond
        self.factorise()
        assert self.cond is not None
        return self.cond

    def _norms(self) -> tuple[float, float]:
        """(‖C‖₁, ‖C‖_∞) without an n × n temporary: from column sums and Z·x̂⁻¹·1 when A ≥ 0
        (two BLAS-speed passes over Z), else in row chunks of |C|."""
        n, step = self.n, 1024
        if self._Z is not None and self._xinv is not None and self.nonnegative():
            Z, xi = self._Z, self._xinv
            diag = np.diagonal(Z) * xi  # A_jj
            colA = (self._colsumZ if self._colsumZ is not None else Z.sum(axis=0)) * xi  # Σ_i A_ij
            rowA = Z @ xi  # Σ_j A_ij
            return (float((colA - diag + np.abs(1.0 - diag)).max()),
                    float((rowA - diag + np.abs(1.0 - diag)).max()))
        col = np.zeros(n)
        rowmax = 0.0
        for a in range(0, n, step):
            if self._C is not None:
                blk = np.abs(self._C[a:a + step])
            else:
                assert self._Z is not None and self._xinv is not None
                blk = -self._Z[a:a + step] * self._xinv[None, :]
                idx = np.arange(a, min(a + step, n))
                blk[idx - a, idx] += 1.0
                np.abs(blk, out=blk)
            col += blk.sum(axis=0)
            rowmax = max(rowmax, float(blk.sum(axis=1).max()))
        return float(col.max()), rowmax

    def _check_cond(self) -> None:
        cond = self.cond
        if cond is None or cond < COND_WARN:
            return
        lost = digits_lost(cond)
        what = (f"I−A is ill-conditioned: estimated condition number {cond:.3g} ({self.cond_source}); "
                f"results may lose about {lost:.1f} of 16 decimal digits (relative error up to ~{cond * 1.1e-16:.1g})")
        if cond >= COND_ERROR and self.ill_conditioned == "error":
            raise ModelInputError(
                f"block I−A: {what}. A near-singular I−A means some sectors (almost) only supply each other "
                "or inputs (almost) equal output; check Z and x (sign errors, rounding of a published x). "
                "To compute anyway with this warning, pass ill_conditioned='warn'")
        warnings.warn(what, AccuracyWarning, stacklevel=3)

    def inverse(self) -> np.ndarray:
        """The full Leontief inverse L = (I − A)⁻¹ (n² memory; only when really needed)."""
        return self._solve_lu(np.eye(self.n), False)

    # ------------------------------------------------------------------ LU
    def _require_C(self) -> np.ndarray:
        if self._C is None and self._lu is None and self._Z is not None and self._xinv is not None:
            # materialise C = I − Z·x̂⁻¹ (C-ordered, so that Cᵀ is a Fortran view for LAPACK)
            C = np.multiply(self._Z, -self._xinv[None, :])
            C[np.diag_indices_from(C)] += 1.0
            self._C = C
        if self._C is None:
            raise ModelInputError("I−A has been factorised in place; C is no longer available")
        return self._C

    def factorise(self) -> None:
        """LU-factorise in place (partial pivoting); detect singularity.

        ``C`` is C-ordered, so ``C.T`` is Fortran-ordered and LAPACK can factorise it in place
        without a copy: we hold P·L·U = Cᵀ and solve C x = b as (Cᵀ)ᵀ x = b (``trans=1``).
        """
        if self._lu is not None:
            return
        C = self._require_C()
        norm1, norminf = self._norms()
        Ct = C.T if C.flags.c_contiguous else np.asfortranarray(C.T)
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("error", sla.LinAlgWarning)
            try:
                lu, piv = sla.lu_factor(Ct, overwrite_a=True, check_finite=False)
                self.stats["lu_seconds"] = time.perf_counter() - t0
            except (sla.LinAlgWarning, np.linalg.LinAlgError, ValueError) as e:
                raise self._singular_error(None, str(e)) from None
        d = np.abs(np.diag(lu))
        scale = max(float(d.max()), 1.0)
        small = d <= self.n * np.finfo(float).eps * scale
        if small.any():
            raise self._singular_error(np.nonzero(small)[0], "zero pivot(s) in the LU factorisation")
        self._lu = (lu, piv)
        self._C = None  # overwritten by the factors
        self.stats["lu"] += 1
        # factors are of Cᵀ: norm "1" gives κ₁(Cᵀ) = κ_∞(C), norm "I" gives κ_∞(Cᵀ) = κ₁(C); both
        # matter (forward solves err in κ_∞, transposed ones in κ₁): O(n²) each
        self.cond, self.cond_source = self._cond_from_factors(norm1, norminf)
        self._check_cond()

    def _cond_from_factors(self, norm1: float, norminf: float) -> tuple[float, str]:
        """max(κ₁, κ_∞) of C from the held LU factors (of Cᵀ).

        A ≥ 0 and L·1 > 0 make I − A a non-singular M-matrix, so L ≥ 0 and the norms of L are
        exact from two solves with a vector of ones: ‖L‖_∞ = max(L·1), ‖L‖₁ = max(Lᵀ·1) — four
        triangular sweeps. Otherwise LAPACK ``gecon`` estimates both (Hager–Higham; a few more
        sweeps with ``latrs``, several times slower at large n).
        """
        assert self._lu is not None
        ones = np.ones(self.n)
        if self.nonnegative():
            ell = sla.lu_solve(self._lu, ones, trans=1, check_finite=False)  # C ℓ = 1
            if bool(np.all(ell > 0)):
                lam = sla.lu_solve(self._lu, ones, trans=0, check_finite=False)  # Cᵀ λ = 1
                if bool(np.all(lam > 0)):
                    return (max(norm1 * float(lam.max()), norminf * float(ell.max())),
                            "exact from L·1 and Lᵀ·1 (A ≥ 0, L ≥ 0)")
        lu = self._lu[0]
        rc_inf, _i1 = sla.lapack.dgecon(lu, norminf, norm="1")  # κ₁(Cᵀ) = κ_∞(C)
        rc_one, _i2 = sla.lapack.dgecon(lu, norm1, norm="I")  # κ_∞(Cᵀ) = κ₁(C)
        rc = min(float(rc_inf), float(rc_one))
        return (float("inf") if rc <= 0 else 1.0 / rc), "LAPACK gecon on the LU factors"

    def _singular_error(self, cols: np.ndarray | None, why: str) -> ModelInputError:
        if cols is None:
            where = ""
        else:
            shown = ", ".join(repr(self.labels[int(j)]) for j in cols[:5])
            more = f" (and {len(cols) - 5} more)" if len(cols) > 5 else ""
            where = f" at column(s) {shown}{more}"
        return ModelInputError(
            f"block I−A: singular (no unique solution){where} — {why}. A sector whose inputs equal "
            "its output, or a set of sectors that only supply each other, makes I−A singular; "
            "check Z and x for these labels"
        )

    def _solve_lu(self, B: np.ndarray, transpose: bool, overwrite: bool = False) -> np.ndarray:
        self.factorise()
        assert self._lu is not None
        # factors are of Cᵀ: C x = b ⇔ (Cᵀ)ᵀ x = b
        return sla.lu_solve(self._lu, B, trans=0 if transpose else 1, check_finite=False, overwrite_b=overwrite)

    # ------------------------------------------------------------------ iterative
    def _matvec(self, transpose: bool) -> Callable[[np.ndarray], np.ndarray]:
        if self._C is None and self._Z is not None and self._xinv is not None:
            Z, xi = self._Z, self._xinv[:, None]
            if transpose:  # Cᵀ X = X − x̂⁻¹ Zᵀ X
                return lambda X: X - xi * (Z.T @ X)
            return lambda X: X - Z @ (xi * X)  # C X = X − Z x̂⁻¹ X
        C = self._C if self._C is not None else self._C_keep
        if C is None:
            C = self._require_C()
        M = C.T if transpose else C
        return lambda X: M @ X

    def _diag_block(self, s: slice) -> np.ndarray:
        """The diagonal block C_rr = I − A_rr (a copy)."""
        if self._C is not None:
            return np.array(self._C[s, s])
        assert self._Z is not None and self._xinv is not None
        blk = -self._Z[s, s] * self._xinv[s][None, :]
        blk[np.diag_indices_from(blk)] += 1.0
        return blk

    def _block_inverses(self) -> np.ndarray | list[np.ndarray]:
        """Inverses of the diagonal blocks: one (R, m, m) array when all blocks have size m."""
        assert self.slices is not None
        sizes = {s.stop - s.start for s in self.slices}
        blocks = [self._diag_block(s) for s in self.slices]
        with _single_thread_blas():
            if len(sizes) == 1:
                try:
                    return np.linalg.inv(np.stack(blocks))
                except np.linalg.LinAlgError:
                    pass  # locate the singular block below
            invs = []
            for s, blk in zip(self.slices, blocks):
                try:
                    invs.append(np.linalg.inv(blk))
                except np.linalg.LinAlgError:
                    raise self._singular_error(np.arange(s.start, s.stop), "singular diagonal block") from None
        return invs

    def _preconditioner(self, transpose: bool, method: str) -> Callable[[np.ndarray], np.ndarray]:
        if method == "neumann" or self.slices is None:
            return lambda X: X
        if False not in self._pre:
            self._pre[False] = self._block_inverses()
        pre = self._pre[False]
        if isinstance(pre, np.ndarray):  # equal blocks: one batched product
            P = pre.transpose(0, 2, 1) if transpose else pre  # inv(C_rrᵀ) = inv(C_rr)ᵀ
            R, m = P.shape[0], P.shape[1]

            def apply_batched(X: np.ndarray) -> np.ndarray:
                k = X.shape[1]
                with _single_thread_blas():
                    return np.matmul(P, np.ascontiguousarray(X).reshape(R, m, k)).reshape(R * m, k)

            return apply_batched
        invs = [P.T for P in pre] if transpose else pre
        slices = self.slices

        def apply(X: np.ndarray) -> np.ndarray:
            out = np.empty_like(X)
            with _single_thread_blas():
                for s, inv in zip(slices, invs):
                    out[s] = inv @ X[s]
            return out

        return apply

    def _solve_iter(
        self, B: np.ndarray, transpose: bool, method: str, tol: float
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """(X, true residual) of an iterative solve, or (X from LU, None) when it failed."""
        matvec = self._matvec(transpose)
        precond = self._preconditioner(transpose, method)
        R: np.ndarray | None = None
        try:
            if method == "gmres":
                X, ok, its, R = _gmres_batched(matvec, precond, B, tol, return_residual=True)
            else:
                X, ok, its, R = _richardson(matvec, precond, B, tol, return_residual=True)
        except FloatingPointError:
            ok, its, X = False, 0, B
        self.stats["iterations"] += its
        if ok:
            return X, R
        log.info("%s did not converge after %d iterations; falling back to LU", method, its)
        if self._Z is None and self._C is not None and self._lu is None:
            self._C_keep = self._C.copy()  # the LU overwrites C; keep it for true residuals
        return self._solve_lu(B, transpose), None


def _richardson(
    matvec: Callable[[np.ndarray], np.ndarray],
    precond: Callable[[np.ndarray], np.ndarray],
    B: np.ndarray,
    tol: float,
    maxiter: int = 2000,
    return_residual: bool = False,
) -> tuple:
    """Preconditioned Richardson iteration X ← X + P(B − C X) (Neumann series when P = I).

    Returns (X, converged, iterations) and, with ``return_residual``, the last true residual.
    """
    bnorm = np.linalg.norm(B, axis=0)
    bnorm[bnorm == 0] = 1.0
    X = np.array(precond(B), dtype=float, copy=True)
    prev = np.inf
    for it in range(1, maxiter + 1):
        R = B - matvec(X)
        rel = float(np.max(np.linalg.norm(R, axis=0) / bnorm))
        if rel <= tol:
            return (X, True, it, R) if return_residual else (X, True, it)
        if not np.isfinite(rel) or (it > 50 and rel > 0.999 * prev):
            return (X, False, it, R) if return_residual else (X, False, it)
        prev = rel
        X += precond(R)
    return (X, False, maxiter, None) if return_residual else (X, False, maxiter)


def _gmres_batched(
    matvec: Callable[[np.ndarray], np.ndarray],
    precond: Callable[[np.ndarray], np.ndarray],
    B: np.ndarray,
    tol: float,
    restart: int = 40,
    max_restarts: int = 12,
    return_residual: bool = False,
) -> tuple:
    """Restarted, right-preconditioned GMRES on all columns of B in lock-step.

    Each column is an independent GMRES run (own Arnoldi basis, Hessenberg matrix and Givens
    rotations); only the products with C are batched into one matrix–matrix product. Classical
    Gram–Schmidt is applied twice (CGS2) for orthogonality. Convergence is judged on the true
    residual at each restart. Returns (X, converged, iterations) and, with
    ``return_residual``, the final true residual B − C X.
    """
    n, k = B.shape
    bnorm = np.linalg.norm(B, axis=0)
    X = np.zeros_like(B)
    zero = bnorm == 0
    bnorm[zero] = 1.0
    its = 0
    for _ in range(max_restarts + 1):
        R = B - matvec(X) if its else B.copy()
        rnorm = np.linalg.norm(R, axis=0)
        todo = np.nonzero(rnorm > tol * bnorm)[0]
        if len(todo) == 0:
            return (X, True, its, R) if return_residual else (X, True, its)
        if its >= restart * max_restarts:
            break
        Rt, beta = R[:, todo], rnorm[todo]
        kk = len(todo)
        V = np.empty((restart + 1, n, kk))
        V[0] = Rt / beta
        H = np.zeros((kk, restart + 1, restart))
        cs = np.zeros((kk, restart))
        sn = np.zeros((kk, restart))
        g = np.zeros((kk, restart + 1))
        g[:, 0] = beta
        m = 0
        target = 0.5 * tol * bnorm[todo]
        for j in range(restart):
            W = matvec(precond(V[j]))
            its += 1
            Vj = V[: j + 1]
            h = np.einsum("mnk,nk->km", Vj, W)
            W -= np.einsum("mnk,km->nk", Vj, h)
            h2 = np.einsum("mnk,nk->km", Vj, W)
            W -= np.einsum("mnk,km->nk", Vj, h2)
            h += h2
            hn = np.linalg.norm(W, axis=0)
            H[:, : j + 1, j] = h
            H[:, j + 1, j] = hn
            safe = np.where(hn > 0, hn, 1.0)
            V[j + 1] = W / safe
            # apply previous Givens rotations to the new column
            for i in range(j):
                a, b = H[:, i, j].copy(), H[:, i + 1, j].copy()
                H[:, i, j] = cs[:, i] * a + sn[:, i] * b
                H[:, i + 1, j] = -sn[:, i] * a + cs[:, i] * b
            a, b = H[:, j, j], H[:, j + 1, j]
            r = np.hypot(a, b)
            rs = np.where(r > 0, r, 1.0)
            cs[:, j] = np.where(r > 0, a / rs, 1.0)
            sn[:, j] = np.where(r > 0, b / rs, 0.0)
            H[:, j, j] = r
            H[:, j + 1, j] = 0.0
            g[:, j + 1] = -sn[:, j] * g[:, j]
            g[:, j] = cs[:, j] * g[:, j]
            m = j + 1
            if np.all(np.abs(g[:, j + 1]) <= target):
                break
        # back substitution per column: H[:m,:m] y = g[:m]
        Hm = H[:, :m, :m]
        diag = np.abs(np.einsum("kii->ki", Hm))
        if np.any(diag == 0):
            raise FloatingPointError("GMRES breakdown with a zero pivot")
        y = np.linalg.solve(Hm, g[:, :m, None])[:, :, 0]
        dX = np.einsum("mnk,km->nk", V[:m], y)
        X[:, todo] += precond(dX)
    R = B - matvec(X)
    ok = bool(np.all(np.linalg.norm(R, axis=0) <= tol * bnorm))
    return (X, ok, its, R) if return_residual else (X, ok, its)
