"""Supply shocks: the Ghosh supply-side model and the inoperability input–output model (IIM).

Ghosh (1958) supply-side model. With allocation coefficients B = x̂⁻¹Z and primary inputs v,
row-wise xᵀ = xᵀB + vᵀ, so a loss of primary supply Δv propagates *downstream*:

    Δxᵀ = Δvᵀ (I − B)⁻¹ = Δvᵀ G,   G = x̂⁻¹ L x̂   ⇒   Δx = x̂ · Lᵀ · (Δv / x)

i.e. one solve with (I − A)ᵀ — G is never formed. In relative terms q = Δx / x this is
q = Lᵀ c with c = Δv / x: the supply-side inoperability model (Leung, Haimes & Santos 2007).

Mixed model (default for "sector j loses δ_j of its output"): the shocked sectors E have
exogenous output Δx_E = δ_E x_E; the rest follow the Ghosh relation
q_N = A_NNᵀ q_N + A_ENᵀ q_E. This is (I − Ã)ᵀ q = c with Ã = A without the columns E and
c = (q_E, 0): a rank-|E| change of I − A, solved by the Sherman–Morrison–Woodbury formula on
top of the one solver (|E| extra transposed solves).

Demand-side IIM (Santos & Haimes 2004): A* = x̂⁻¹ A x̂, q = (I − A*)⁻¹ c* = x̂⁻¹ L (x ∘ c*),
with c* the demand perturbation as a fraction of output; it propagates *upstream*.

Demand-side mixed model (:func:`calc_leontief_mixed`, for "sector j loses δ_j of its output"
propagated to its suppliers): Δx_E = δ_E x_E fixed, the rest follow the Leontief relation
Δx_N = A_NN Δx_N + A_NE Δx_E (suppliers lose the sales to E). This is (I − Ã) Δx = d with Ã =
A without the rows E and d = (Δx_E, 0): again a rank-|E| Woodbury update, with forward solves.
In both mixed models the shocked sectors' own loss equals the stated loss exactly.

Known limits (see docs/mrio.md): both are linear, fixed-coefficient models — no substitution,
no price response, no inventories or rationing, no capacity limits (inoperability can exceed
1; results are flagged and optionally capped). The Ghosh model's plausibility is debated
(Oosterhaven 1988, 1996; Dietzenbacher 1997): it assumes buyers absorb whatever is supplied
in fixed output proportions, i.e. a sector's output can change with no change in its
inputs. Read Ghosh results as an *allocation* of a supply loss along sales shares that ranks
exposure, not as a forecast of output and not as a bound in either direction: substitution and
stocks make real losses smaller, shortages of non-substitutable inputs make them larger.
Dietzenbacher (1997) shows the model is
plausible when read as a price model.

Accuracy: not covered by the accounts' per-entry guarantee (docs/mrio.md, "Accuracy guarantee").
Solves run to a relative residual of 1e-13 (iterative) or by LU, whose conditioning is checked
(refused above κ̂ = 1e10, warned above 1e6); no a-posteriori bound is computed here.

References
----------
Ghosh, A. (1958). Input–output approach in an allocation system. Economica 25, 58–64.
Oosterhaven, J. (1988). On the plausibility of the supply-driven input–output model. J. Reg.
Sci. 28(2), 203–217.
Dietzenbacher, E. (1997). In vindication of the Ghosh model: a reinterpretation as a price
model. J. Reg. Sci. 37(4), 629–651.
Santos, J. R. & Haimes, Y. Y. (2004). Modeling the demand reduction input–output (I–O)
inoperability due to terrorism of interconnected infrastructures. Risk Analysis 24(6).
Leung, M., Haimes, Y. Y. & Santos, J. R. (2007). Supply- and output-side extensions to the
inoperability input–output model for interdependent infrastructures. J. Infrastruct. Syst.
13(4), 299–310.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from reslog.errors import ModelInputError
from reslog.model.io.solve import LeontiefSolver

ShockModel = Literal["ghosh", "ghosh-v", "iim-demand", "iim-supply"]


def _rel(dv: np.ndarray, x: np.ndarray) -> np.ndarray:
    out = np.zeros_like(dv, dtype=float)
    nz = x > 0
    out[nz] = dv[nz] / x[nz]
    return out


def calc_ghosh_primary(solver: LeontiefSolver, x: np.ndarray, dv: np.ndarray) -> np.ndarray:
    """Output change from a primary-supply change Δv: Δx = x̂ Lᵀ (Δv / x) (= Δvᵀ G)."""
    if dv.shape != x.shape:
        raise ModelInputError(f"shock: Δv has {dv.shape[0]} values for {x.shape[0]} sectors")
    return x * solver.solve(_rel(dv, x), transpose=True)


def calc_inoperability_supply(solver: LeontiefSolver, c: np.ndarray) -> np.ndarray:
    """Supply-side inoperability q = Lᵀ c (c = initial supply loss as a fraction of output)."""
    return solver.solve(np.asarray(c, dtype=float), transpose=True)


def calc_inoperability_demand(solver: LeontiefSolver, x: np.ndarray, c_star: np.ndarray) -> np.ndarray:
    """Demand-side IIM q = (I − A*)⁻¹ c* = x̂⁻¹ L (x ∘ c*) (Santos & Haimes 2004)."""
    return _rel(solver.solve(x * np.asarray(c_star, dtype=float)), x)


def calc_ghosh_mixed(solver: LeontiefSolver, A_cols: np.ndarray, shocked: np.ndarray, q_E: np.ndarray) -> np.ndarray:
    """Relative output loss q when sectors ``shocked`` lose the fixed fractions ``q_E``.

    Solves (I − Ã)ᵀ q = c with Ã = A minus its columns E and c_E = q_E, c_N = 0, by
    Woodbury on (I − A)ᵀ: (Cᵀ + V Uᵀ)⁻¹ c = w − W (I + Uᵀ W)⁻¹ Uᵀ w, w = C⁻ᵀc, W = C⁻ᵀV, where
    U = A[:, E] and V = [e_j]_{j∈E}.

    Parameters
    ----------
    solver : LeontiefSolver for I − A
    A_cols : ndarray (n, |E|) — the columns E of A
    shocked : ndarray of int (|E|,) — positions of the shocked sectors
    q_E : ndarray (|E|,) — their exogenous relative output loss (0–1)
    """
    n = solver.n
    E = np.asarray(shocked, dtype=int)
    if len(np.unique(E)) != len(E):
        raise ModelInputError("shock: the same sector is listed twice")
    c = np.zeros(n)
    c[E] = q_E
    V = np.zeros((n, len(E)))
    V[E, np.arange(len(E))] = 1.0
    sol = solver.solve(np.column_stack([c, V]), transpose=True)
    w, W = sol[:, 0], sol[:, 1:]
    U = A_cols
    K = np.eye(len(E)) + U.T @ W
    try:
        corr = W @ np.linalg.solve(K, U.T @ w)
    except np.linalg.LinAlgError:
        raise ModelInputError("shock: the system with the shocked sectors fixed is singular") from None
    q = w - corr
    q[E] = q_E  # exact by construction; remove round-off
    return q


def calc_leontief_mixed(solver: LeontiefSolver, A_rows: np.ndarray, x: np.ndarray, shocked: np.ndarray,
                        q_E: np.ndarray) -> np.ndarray:
    """Relative output loss q when sectors ``shocked`` lose the fixed fractions ``q_E`` and the
    loss propagates upstream (demand-side mixed model; the relative form of the demand-side IIM).

    Solves (I − Ã) Δx = d, Ã = A with the rows E set to 0, d_E = q_E x_E, d_N = 0, by Woodbury on
    I − A: (C + V Uᵀ)⁻¹ d = w − W (I + Uᵀ W)⁻¹ Uᵀ w, w = C⁻¹ d, W = C⁻¹ V, with V = [e_j]_{j∈E}
    and Uᵀ = A[E, :]. Returns q = Δx / x (0 where x = 0).

    Parameters
    ----------
    solver : LeontiefSolver for I − A
    A_rows : ndarray (|E|, n) — the rows E of A
    x : ndarray (n,) — gross output
    shocked : ndarray of int (|E|,) — positions of the shocked sectors
    q_E : ndarray (|E|,) — their exogenous relative output loss (0–1)
    """
    n = solver.n
    E = np.asarray(shocked, dtype=int)
    if len(np.unique(E)) != len(E):
        raise ModelInputError("shock: the same sector is listed twice")
    d = np.zeros(n)
    d[E] = np.asarray(q_E, dtype=float) * x[E]
    V = np.zeros((n, len(E)))
    V[E, np.arange(len(E))] = 1.0
    sol = solver.solve(np.column_stack([d, V]))
    w, W = sol[:, 0], sol[:, 1:]
    Ut = np.asarray(A_rows, dtype=float)
    K = np.eye(len(E)) + Ut @ W
    try:
        dx = w - W @ np.linalg.solve(K, Ut @ w)
    except np.linalg.LinAlgError:
        raise ModelInputError("shock: the system with the shocked sectors fixed is singular") from None
    q = _rel(dx, x)
    q[E] = q_E  # exact by construction; remove round-off
    return q
