"""Solving (I − A) X = B and (I − A)ᵀ X = B for many right-hand sides without forming L.

Everything the accounts need is a product with the Leontief inverse L = (I − A)⁻¹ on one side:

* multipliers ``M = S·L``  ⇔  ``(I − A)ᵀ Mᵀ = Sᵀ``  (k stressors → k right-hand sides),
* outputs ``x = L·y``      ⇔  ``(I − A) x = y``     (one right-hand side per demand vector).

So L (n² numbers, an O(n³) inverse) is formed only when asked for. Two families of solvers
share one array ``C = I − A``:

``lu``
    Dense LU factorisation with partial pivoting (LAPACK ``getrf`` through
    :func:`scipy.linalg.lu_factor`), done in place on ``C``; then each right-hand side costs
    2n² flops. Best when the number of right-hand sides is large (≳ n/75).
``gmres``
    Batched restarted GMRES (all right-hand sides advance in lock-step, so every Krylov step is
    one dense matrix–matrix product, i.e. a single pass over ``C``), right-preconditioned by the
    inverse of the diagonal (domestic) region blocks (block Jacobi). Converged to a relative
    residual of ``tol`` (default 1e-13) with the true residual checked at every restart.
``neumann``
    The Neumann series x = Σₘ Aᵐ b, written as a Richardson iteration
    Xₘ₊₁ = Xₘ + (B − C Xₘ); converges geometrically with the spectral radius of A.
``jacobi``
    Block-Jacobi Richardson iteration Xₘ₊₁ = Xₘ + P(B − C Xₘ), P = blockdiag((I − A_rr)⁻¹).

Iterative methods fall back to LU when they do not converge. A singular I − A raises
:class:`~reslog.errors.ModelInputError` naming the offending labels.

References
----------
Saad, Y. & Schultz, M. H. (1986). GMRES: a generalized minimal residual algorithm for solving
nonsymmetric linear systems. SIAM J. Sci. Stat. Comput. 7(3), 856–869.
Miller, R. E. & Blair, P. D. (2009). Input–Output Analysis: Foundations and Extensions, 2nd ed.,
Cambridge University Press, §2.3 (Leontief inverse) and Appendix A (power series).
"""

from __future__ import annotations

import logging
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
    ) -> None:
        if method not in METHODS:
            raise ModelInputError(f"unknown solver method {method!r}; choose one of {METHODS}")
        C = np.asarray(C, dtype=float)
        if C.ndim != 2 or C.shape[0] != C.shape[1]:
            raise ModelInputError(f"block I−A: expected a square matrix, got shape {C.shape}")
        self.n = C.shape[0]
        self._C: np.ndarray | None = C if own else C.copy()
        self.labels = list(labels) if labels is not None else list(range(self.n))
        self.slices = _block_slices(groups, self.n)
        self.method: Method = method
        self.tol = float(tol)
        self._lu: tuple[np.ndarray, np.ndarray] | None = None
        self._pre: dict[bool, list[np.ndarray]] = {}
        self.stats: dict[str, float] = {"rhs": 0, "iterations": 0, "lu": 0}

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
    def solve(self, B: np.ndarray, *, transpose: bool = False, n_rhs_hint: int | None = None) -> np.ndarray:
        """Return X with (I − A) X = B, or (I − A)ᵀ X = B when ``transpose``.

        Parameters
        ----------
        B : ndarray, shape (n,) or (n, k)
        transpose : bool
        n_rhs_hint : int, optional
            Total number of right-hand sides the caller will ask for (helps "auto" decide
            whether factorising pays off).
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
        if k == 0:
            X = np.zeros_like(B2)
        elif method == "lu":
            X = self._solve_lu(B2, transpose)
        elif method == "dense":
            C = self._require_C()
            X = np.linalg.solve(C.T if transpose else C, B2)
        else:
            X = np.empty_like(B2)
            for a in range(0, k, GMRES_BATCH):
                X[:, a:a + GMRES_BATCH] = self._solve_iter(B2[:, a:a + GMRES_BATCH], transpose, method)
        return X.ravel() if vec else X

    def inverse(self) -> np.ndarray:
        """The full Leontief inverse L = (I − A)⁻¹ (n² memory; only when really needed)."""
        return self._solve_lu(np.eye(self.n), False)

    # ------------------------------------------------------------------ LU
    def _require_C(self) -> np.ndarray:
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
        Ct = C.T if C.flags.c_contiguous else np.asfortranarray(C.T)
        with warnings.catch_warnings():
            warnings.simplefilter("error", sla.LinAlgWarning)
            try:
                lu, piv = sla.lu_factor(Ct, overwrite_a=True, check_finite=False)
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

    def _solve_lu(self, B: np.ndarray, transpose: bool) -> np.ndarray:
        self.factorise()
        assert self._lu is not None
        # factors are of Cᵀ: C x = b ⇔ (Cᵀ)ᵀ x = b
        return sla.lu_solve(self._lu, B, trans=0 if transpose else 1, check_finite=False)

    # ------------------------------------------------------------------ iterative
    def _matvec(self, transpose: bool) -> Callable[[np.ndarray], np.ndarray]:
        C = self._require_C()
        M = C.T if transpose else C
        return lambda X: M @ X

    def _preconditioner(self, transpose: bool, method: str) -> Callable[[np.ndarray], np.ndarray]:
        if method == "neumann" or self.slices is None:
            return lambda X: X
        if False not in self._pre:
            C = self._require_C()
            invs = []
            for s in self.slices:
                try:
                    invs.append(np.linalg.inv(C[s, s]))
                except np.linalg.LinAlgError:
                    raise self._singular_error(np.arange(s.start, s.stop), "singular diagonal block") from None
            self._pre[False] = invs
        # inv(C_rrᵀ) = inv(C_rr)ᵀ
        invs = [P.T for P in self._pre[False]] if transpose else self._pre[False]
        slices = self.slices

        def apply(X: np.ndarray) -> np.ndarray:
            out = np.empty_like(X)
            for s, inv in zip(slices, invs):
                out[s] = inv @ X[s]
            return out

        return apply

    def _solve_iter(self, B: np.ndarray, transpose: bool, method: str) -> np.ndarray:
        matvec = self._matvec(transpose)
        precond = self._preconditioner(transpose, method)
        try:
            if method == "gmres":
                X, ok, its = _gmres_batched(matvec, precond, B, self.tol)
            else:
                X, ok, its = _richardson(matvec, precond, B, self.tol)
        except FloatingPointError:
            ok, its, X = False, 0, B
        self.stats["iterations"] += its
        if ok:
            return X
        log.info("%s did not converge after %d iterations; falling back to LU", method, its)
        return self._solve_lu(B, transpose)


def _richardson(
    matvec: Callable[[np.ndarray], np.ndarray],
    precond: Callable[[np.ndarray], np.ndarray],
    B: np.ndarray,
    tol: float,
    maxiter: int = 2000,
) -> tuple[np.ndarray, bool, int]:
    """Preconditioned Richardson iteration X ← X + P(B − C X) (Neumann series when P = I)."""
    bnorm = np.linalg.norm(B, axis=0)
    bnorm[bnorm == 0] = 1.0
    X = np.array(precond(B), dtype=float, copy=True)
    prev = np.inf
    for it in range(1, maxiter + 1):
        R = B - matvec(X)
        rel = float(np.max(np.linalg.norm(R, axis=0) / bnorm))
        if rel <= tol:
            return X, True, it
        if not np.isfinite(rel) or (it > 50 and rel > 0.999 * prev):
            return X, False, it
        prev = rel
        X += precond(R)
    return X, False, maxiter


def _gmres_batched(
    matvec: Callable[[np.ndarray], np.ndarray],
    precond: Callable[[np.ndarray], np.ndarray],
    B: np.ndarray,
    tol: float,
    restart: int = 40,
    max_restarts: int = 12,
) -> tuple[np.ndarray, bool, int]:
    """Restarted, right-preconditioned GMRES on all columns of B in lock-step.

    Each column is an independent GMRES run (own Arnoldi basis, Hessenberg matrix and Givens
    rotations); only the products with C are batched into one matrix–matrix product. Classical
    Gram–Schmidt is applied twice (CGS2) for orthogonality. Convergence is judged on the true
    residual at each restart.
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
            return X, True, its
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
    return X, ok, its
