"""Who is responsible: producer, consumer, income-based and shared responsibility; EEBT; HEM.

Producer-based (PBA) and consumer-based (CBA) accounts are D_pba and D_cba
(:mod:`reslog.model.io.accounts`).

Income-based accounts (Marques et al. 2012; Lenzen & Murray 2010) attribute a stressor to the
primary inputs (value added) that enable it, downstream along the Ghosh inverse:

    D_inc = v̂ · G · s,   (G·s)_i = (L·f)_i / x_i,   Σ_i D_inc,i = vᵀ G s = xᵀ s = Σ f

so the Ghosh multipliers g = G·s (stressor enabled per unit of primary input in i) need one
forward solve per stressor (f = F row) and no G. pymrio's ``M_down = S (Gᵀ − I)`` is a
different quantity (pymrio issue #164); ``g`` here is the Ghosh multiplier of the literature.

Shared responsibility (Lenzen, Murray, Sack & Wiedmann 2007). Each sector i keeps the share
α_i = v_i / (x_i − Z_ii) (value added over net output, clipped to [0, 1]) of everything it
holds — its own emissions f_i plus what its suppliers passed on — and passes the rest to its
buyers in proportion to its net sales Z_ij / (x_i − Z_ii) (j ≠ i) and y_ic / (x_i − Z_ii):

    T = f + Bαᵀ T,   Bα_ij = (1 − α_i) Z_ij / (x_i − Z_ii)  (i ≠ j)
    R_j = α_j T_j (producers),   R_c = Σ_i (1 − α_i) T_i Y_ic / (x_i − Z_ii) (final buyers)

and Σ_j R_j + Σ_c R_c = Σ f exactly (tested).

Emissions embodied in bilateral trade (EEBT; Peters 2008) use each exporter's *domestic*
Leontief inverse: EEBT_{r→c} = s_rᵀ (I − A_rr)⁻¹ e_rc with e_rc = Z_rc·1 + Y_rc·1 the gross
exports from r to c. Σ_c EEBT_{r→c} + s_rᵀ(I − A_rr)⁻¹ y_rr = F_r.

Hypothetical extraction (Miller & Lahr 2001; Dietzenbacher & Lahr 2013): the importance of a
set E of sectors is the output (and stressor) the economy loses when E is removed:
``total`` x̄_N = (I − A_NN)⁻¹ y_N, x̄_E = 0; ``backward`` zeroes A's columns E (E buys no
intermediates); ``forward`` zeroes B's rows E (E sells no intermediates, Ghosh).

Accuracy: not covered by the accounts' per-entry guarantee (docs/mrio.md, "Accuracy guarantee").
Solves run to a relative residual of 1e-13 (iterative) or by LU, whose conditioning is checked
(refused above κ̂ = 1e10, warned above 1e6); no a-posteriori bound is computed here.

References
----------
Lenzen, M., Murray, J., Sack, F. & Wiedmann, T. (2007). Shared producer and consumer
responsibility — theory and practice. Ecological Economics 61(1), 27–42.
Marques, A., Rodrigues, J., Lenzen, M. & Domingos, T. (2012). Income-based environmental
responsibility. Ecological Economics 84, 57–65.
Peters, G. P. (2008). From production-based to consumption-based national emission
inventories. Ecological Economics 65(1), 13–23.
Miller, R. E. & Lahr, M. L. (2001). A taxonomy of extractions. In: Regional Science
Perspectives in Economic Analysis, Elsevier, 407–441.
Dietzenbacher, E. & Lahr, M. L. (2013). Expanding extractions. Economic Systems Research
25(3), 341–360.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from reslog.errors import ModelInputError
from reslog.model.io.solve import LU_ALWAYS_BELOW, LeontiefSolver, _gmres_batched


def calc_alpha_lenzen(v: np.ndarray, x: np.ndarray, zii: np.ndarray) -> np.ndarray:
    """Producer share of responsibility, α_i = v_i / (x_i − Z_ii) (Lenzen et al. 2007).

    Value added over *net* output (gross output less the sector's use of its own output),
    clipped to [0, 1]; 1 where the net output is ≤ 0 (nothing is passed on). The one definition
    used by :func:`calc_shared_responsibility` and by
    :func:`reslog.model.responsibility_accident.alpha_from_io`.
    """
    v, x, zii = (np.asarray(a, dtype=float) for a in (v, x, zii))
    net = x - zii
    alpha = np.clip(_safe_div(v, net), 0.0, 1.0)
    return np.where(net <= 0, 1.0, alpha)


def _safe_div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    out = np.zeros(np.broadcast(a, b).shape)
    nz = np.broadcast_to(b != 0, out.shape)
    np.divide(a, b, out=out, where=nz)
    return out


def calc_ghosh_multipliers(solver: LeontiefSolver, F: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Ghosh multipliers g = G·s (k × n): g_ki = (L fₖ)_i / x_i (k forward solves)."""
    LF = solver.solve(np.ascontiguousarray(F.T))  # n × k
    return _safe_div(LF, x[:, None]).T


def calc_income_based(solver: LeontiefSolver, F: np.ndarray, x: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Income-based accounts D_inc = v̂ G s per primary-input sector (k × n)."""
    return calc_ghosh_multipliers(solver, F, x) * v[None, :]


def calc_shared_responsibility(
    Z: np.ndarray, Y: np.ndarray, x: np.ndarray, F: np.ndarray, *, tol: float = 1e-13
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shared producer/consumer responsibility (Lenzen et al. 2007).

    Parameters
    ----------
    Z : (n, n) flows; Y : (n, c) final demand; x : (n,) output; F : (k, n) stressors.

    Returns
    -------
    R_prod : (k, n) responsibility kept by each producing sector
    R_final : (k, c) responsibility of each final-demand column
    alpha : (n,) producer share α_i = v_i / (x_i − Z_ii)
    """
    n = len(x)
    zii = np.diag(Z).copy()
    net = x - zii
    v = x - Z.sum(axis=0)
    alpha = calc_alpha_lenzen(v, x, zii)
    pass_share = _safe_div(1.0 - alpha, net)  # (1 − α_i) / (x_i − Z_ii)
    Fk = np.ascontiguousarray(F.T, dtype=float)  # n × k

    def matvec(T: np.ndarray) -> np.ndarray:  # (I − Bαᵀ) T
        u = pass_share[:, None] * T
        return T - (Z.T @ u - zii[:, None] * u)

    if n <= LU_ALWAYS_BELOW:
        Balpha = pass_share[:, None] * Z
        np.fill_diagonal(Balpha, 0.0)
        T = np.linalg.solve(np.eye(n) - Balpha.T, Fk)
    else:
        T, ok, _ = _gmres_batched(matvec, lambda X: X, Fk, tol)
        if not ok:
            raise ModelInputError("shared responsibility: the iteration did not converge (check Z and x)")
    R_prod = (alpha[:, None] * T).T
    R_final = (Y.T @ (pass_share[:, None] * T)).T
    return R_prod, R_final, alpha


def calc_eebt(
    Z: np.ndarray, Y: np.ndarray, x: np.ndarray, F: np.ndarray, row_region: np.ndarray, col_region: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Emissions embodied in bilateral trade (Peters 2008).

    Parameters
    ----------
    Z, Y, x, F : blocks as arrays; row_region : (n,) region code per row/column of Z;
    col_region : (c,) region code per column of Y (−1 if not a producing region).

    Returns
    -------
    eebt : (k, R, R) — [k, r, c] stressor of exporter r embodied in its exports to c
        (diagonal: what r emits for its own final demand).
    by_sector : (k, n, R) — the same, by exporting sector.
    """
    R = int(row_region.max()) + 1
    k, n = F.shape
    s = _safe_div(F, x[None, :])
    # gross flows from each row to each region (intermediate + final)
    to_reg = np.zeros((n, R))
    for c in range(R):
        to_reg[:, c] = Z[:, row_region == c].sum(axis=1) + Y[:, col_region == c].sum(axis=1)
    by_sector = np.zeros((k, n, R))
    for r in range(R):
        rows = np.nonzero(row_region == r)[0]
        Arr = _safe_div(Z[np.ix_(rows, rows)], x[rows][None, :])
        # domestic multipliers m_r = s_r (I − A_rr)⁻¹  (k × n_r)
        m_r = np.linalg.solve((np.eye(len(rows)) - Arr).T, s[:, rows].T).T
        e = to_reg[rows].copy()
        e[:, r] = Y[np.ix_(rows, np.nonzero(col_region == r)[0])].sum(axis=1)  # own final demand only
        by_sector[:, rows, :] = m_r[:, :, None] * e[None, :, :]
    eebt = np.zeros((k, R, R))
    for r in range(R):
        eebt[:, r, :] = by_sector[:, row_region == r, :].sum(axis=1)
    return eebt, by_sector


def eebt_frame(eebt: np.ndarray, stressors: pd.Index, regions: pd.Index) -> pd.DataFrame:
    """EEBT as a long table: stressor, exporter, importer, value."""
    k, R, _ = eebt.shape
    idx = pd.MultiIndex.from_product([[str(s) for s in stressors], list(regions), list(regions)],
                                     names=["stressor", "exporter", "importer"])
    return pd.DataFrame({"value": eebt.reshape(-1)}, index=idx).reset_index()


Extraction = Literal["total", "backward", "forward"]


def calc_hypothetical_extraction(
    Z: np.ndarray, y: np.ndarray, x: np.ndarray, extract: np.ndarray, *, mode: Extraction = "total"
) -> np.ndarray:
    """Output x̄ of the economy without the sectors ``extract`` (boolean mask).

    ``total``: x̄_N = (I − A_NN)⁻¹ y_N, x̄_E = 0. ``backward``: A[:, E] = 0, x̄ = (I − Ā)⁻¹ y.
    ``forward``: B[E, :] = 0, x̄ᵀ = vᵀ (I − B̄)⁻¹ with v = x − 1ᵀZ. The loss is x − x̄.
    """
    E = np.asarray(extract, dtype=bool)
    if E.shape != x.shape:
        raise ModelInputError(f"extraction mask has {E.shape[0]} entries for {x.shape[0]} sectors")
    if not E.any():
        raise ModelInputError("extraction: no sector selected")
    A = _safe_div(Z, x[None, :])
    n = len(x)
    if mode == "total":
        N = ~E
        C = np.eye(int(N.sum())) - A[np.ix_(N, N)]
        out = np.zeros(n)
        out[N] = LeontiefSolver(C, own=True).solve(y[N])
        return out
    if mode == "backward":
        A[:, E] = 0.0
        C = np.eye(n) - A
        return LeontiefSolver(C, own=True).solve(y)
    if mode == "forward":
        B = _safe_div(Z, x[:, None])
        B[E, :] = 0.0
        v = x - Z.sum(axis=0)
        C = np.eye(n) - B
        return LeontiefSolver(C, own=True).solve(v, transpose=True)
    raise ModelInputError(f"unknown extraction mode {mode!r}; use total, backward or forward")
