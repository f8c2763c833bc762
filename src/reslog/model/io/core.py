"""The basic quantities of input–output analysis as pure numpy functions.

Notation (Miller & Blair 2009; pymrio): n = regions × sectors.

=========  ==========================================================  =====================
symbol     meaning                                                      shape / unit
=========  ==========================================================  =====================
Z          intermediate flows, row = supplier, column = buyer           n × n, money
Y          final demand, columns = (region, category)                   n × c, money
x          gross output x = Z·1 + Y·1                                   n, money
A          technical coefficients A = Z·x̂⁻¹ (input per unit output)    n × n, money/money
L          Leontief inverse L = (I − A)⁻¹                               n × n, money/money
B          Ghosh allocation coefficients B = x̂⁻¹·Z                     n × n, money/money
G          Ghosh inverse G = (I − B)⁻¹ = x̂⁻¹·L·x̂                      n × n, money/money
F          stressors (satellite accounts) per sector                    k × n, stressor units
S          stressor intensities S = F·x̂⁻¹                              k × n, unit/money
M          multipliers M = S·L (footprint per unit final demand)        k × n, unit/money
=========  ==========================================================  =====================

Sectors with zero output get zero coefficients (``1/0 := 0``), as in pymrio.

References
----------
Miller, R. E. & Blair, P. D. (2009). Input–Output Analysis: Foundations and Extensions, 2nd ed.
Cambridge University Press. Ch. 2 (A, L), Ch. 12 (Ghosh, B, G).
Stadler, K. (2021). Pymrio – a Python based multi-regional input-output analysis toolbox.
Journal of Open Research Software 9(1), 8. doi:10.5334/jors.251
"""

from __future__ import annotations

import numpy as np


def _safe_reciprocal(x: np.ndarray) -> np.ndarray:
    """1/x with 1/0 := 0 (pymrio's convention for sectors without output)."""
    x = np.asarray(x, dtype=float)
    out = np.zeros_like(x)
    nz = x != 0
    out[nz] = 1.0 / x[nz]
    return out


def calc_x(Z: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Gross output x = Z·1 + Y·1 (row sums of intermediate and final use).

    Parameters
    ----------
    Z : ndarray (n, n)
        Intermediate flows (money).
    Y : ndarray (n, c)
        Final demand (money).

    Returns
    -------
    ndarray (n,)
        Gross output (money).
    """
    return np.asarray(Z, dtype=float).sum(axis=1) + np.asarray(Y, dtype=float).sum(axis=1)


def calc_A(Z: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Technical coefficients A = Z·x̂⁻¹ (A_ij = Z_ij / x_j; zero where x_j = 0)."""
    return np.asarray(Z, dtype=float) * _safe_reciprocal(x)[None, :]


def calc_I_minus_A(Z: np.ndarray, x: np.ndarray) -> np.ndarray:
    """I − A built in one n × n allocation (the matrix every solver works on)."""
    C = np.multiply(np.asarray(Z, dtype=float), -_safe_reciprocal(x)[None, :])
    C[np.diag_indices_from(C)] += 1.0
    return C


def calc_Z(A: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Flows from coefficients: Z = A·x̂."""
    return np.asarray(A, dtype=float) * np.asarray(x, dtype=float)[None, :]


def calc_L(A: np.ndarray) -> np.ndarray:
    """Leontief inverse L = (I − A)⁻¹ (dense; O(n³) — prefer a solver for products with L)."""
    A = np.asarray(A, dtype=float)
    return np.linalg.solve(np.eye(A.shape[0]) - A, np.eye(A.shape[0]))


def calc_B(Z: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Ghosh allocation (output) coefficients B = x̂⁻¹·Z (B_ij = Z_ij / x_i).

    Row i of B is how a unit of sector i's output is sold to intermediate buyers j.
    """
    return np.asarray(Z, dtype=float) * _safe_reciprocal(x)[:, None]


def calc_G(L: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Ghosh inverse G = (I − B)⁻¹ = x̂⁻¹·L·x̂ (Miller & Blair 2009, eq. 12.9).

    Valid for sectors with x > 0; rows with x_i = 0 are zero (pymrio's convention).
    """
    x = np.asarray(x, dtype=float)
    return _safe_reciprocal(x)[:, None] * np.asarray(L, dtype=float) * x[None, :]


def calc_S(F: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Stressor intensities S = F·x̂⁻¹ (stressor per unit of output; zero where x = 0)."""
    return np.asarray(F, dtype=float) * _safe_reciprocal(x)[None, :]


def calc_F(S: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Stressors from intensities F = S·x̂."""
    return np.asarray(S, dtype=float) * np.asarray(x, dtype=float)[None, :]


def calc_v(Z: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Primary inputs (value added and everything else not in Z): v = x − 1ᵀ·Z."""
    return np.asarray(x, dtype=float) - np.asarray(Z, dtype=float).sum(axis=0)
