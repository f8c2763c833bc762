"""Checks on MRIO blocks before anything is computed.

Every check raises :class:`reslog.errors.ModelInputError` naming the block (``Z``, ``Y``,
``F``, ``A``, ``x`` ...) and the offending labels; nothing is computed silently on bad data.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
import pandas as pd

from reslog.errors import ModelInputError

_MAX_LABELS = 5


def _fmt(labels: Sequence[object]) -> str:
    """Show at most a few labels, and how many more there are."""
    labels = list(labels)
    shown = ", ".join(repr(lab) for lab in labels[:_MAX_LABELS])
    more = len(labels) - _MAX_LABELS
    return shown + (f" (and {more} more)" if more > 0 else "")


def check_frame(df: object, block: str) -> pd.DataFrame:
    """Require a non-empty DataFrame with unique row and column labels."""
    if not isinstance(df, pd.DataFrame):
        raise ModelInputError(f"block {block}: expected a pandas DataFrame, got {type(df).__name__}")
    if df.shape[0] == 0 or df.shape[1] == 0:
        raise ModelInputError(f"block {block}: empty ({df.shape[0]} rows × {df.shape[1]} columns)")
    for axis, idx in (("row", df.index), ("column", df.columns)):
        if not idx.is_unique:
            dup = idx[idx.duplicated()].unique()
            raise ModelInputError(f"block {block}: duplicated {axis} labels {_fmt(dup)}")
    return df


def check_finite(df: pd.DataFrame, block: str) -> None:
    """Reject NaN and ±inf, naming the first offending (row, column) cells."""
    try:
        vals = df.to_numpy(dtype=float)
    except (TypeError, ValueError) as e:
        raise ModelInputError(f"block {block}: non-numeric values ({e})") from None
    with np.errstate(over="ignore", invalid="ignore"):
        if vals.size and np.isfinite(vals.sum()):
            return  # NaN and ±inf propagate through a sum: all values are finite (one cheap pass)
    bad = ~np.isfinite(vals)  # locate them (or find that the sum merely overflowed)
    if bad.any():
        rows, cols = np.nonzero(bad)
        cells = [(df.index[r], df.columns[c], vals[r, c]) for r, c in zip(rows[:_MAX_LABELS], cols[:_MAX_LABELS])]
        shown = "; ".join(f"row {r!r}, column {c!r} = {v}" for r, c, v in cells)
        raise ModelInputError(
            f"block {block}: {int(bad.sum())} NaN/inf value(s): {shown}; fill or drop them before computing"
        )


def scan_flows(Z: np.ndarray, block: str, labels: pd.Index, cols: pd.Index, *, finite: bool = True,
               rows: int | None = None) -> tuple[np.ndarray, np.ndarray, float]:
    """One pass over Z in cache-sized row chunks: (row sums, column sums, min), checking finiteness
    on the way (the same error as :func:`check_finite`). Replaces four separate n² passes."""
    n, m = Z.shape
    step = rows or max(1, (1 << 19) // max(m, 1))  # ~4 MB per chunk
    rowsum = np.empty(n)
    colsum = np.zeros(m)
    zmin = np.inf
    for a in range(0, n, step):
        blk = Z[a:a + step]
        rs = blk.sum(axis=1)
        if finite and not np.isfinite(rs).all():
            check_finite(pd.DataFrame(Z, index=labels, columns=cols, copy=False), block)  # names the cells
        rowsum[a:a + step] = rs
        colsum += blk.sum(axis=0)
        zmin = min(zmin, float(blk.min()))
    if finite and not np.isfinite(colsum).all():  # an overflow of finite values
        check_finite(pd.DataFrame(Z, index=labels, columns=cols, copy=False), block)
    return rowsum, colsum, (zmin if n and m else 0.0)


def check_square(Z: pd.DataFrame, block: str = "Z") -> None:
    """Z (or A) must be square with identical row and column labels in the same order."""
    if Z.shape[0] != Z.shape[1]:
        raise ModelInputError(
            f"block {block}: not square ({Z.shape[0]} rows × {Z.shape[1]} columns); rows and columns "
            "must list the same (region, sector) labels"
        )
    if not Z.index.equals(Z.columns):
        only_rows = Z.index.difference(Z.columns)
        only_cols = Z.columns.difference(Z.index)
        if len(only_rows) or len(only_cols):
            raise ModelInputError(
                f"block {block}: row and column labels differ: only in rows {_fmt(only_rows)}; "
                f"only in columns {_fmt(only_cols)}"
            )
        pos = [i for i, (a, b) in enumerate(zip(Z.index, Z.columns)) if a != b]
        raise ModelInputError(
            f"block {block}: rows and columns hold the same labels in a different order "
            f"(first mismatch at position {pos[0]}: row {Z.index[pos[0]]!r} vs column {Z.columns[pos[0]]!r})"
        )


def check_same_labels(ref: pd.Index, other: pd.Index, ref_block: str, block: str, what: str) -> None:
    """``other`` must hold exactly the labels of ``ref`` in the same order."""
    if ref.equals(other):
        return
    missing = ref.difference(other)
    extra = other.difference(ref)
    if len(missing) or len(extra):
        raise ModelInputError(
            f"block {block}: {what} do not match the labels of {ref_block}: missing {_fmt(missing)}; "
            f"unexpected {_fmt(extra)}"
        )
    pos = next(i for i, (a, b) in enumerate(zip(ref, other)) if a != b)
    raise ModelInputError(
        f"block {block}: {what} are in a different order than in {ref_block} "
        f"(position {pos}: {other[pos]!r} vs {ref[pos]!r}); reindex it first"
    )


def check_output(x: np.ndarray, labels: pd.Index, block: str = "x", negative: str = "error") -> np.ndarray:
    """Gross output must be finite; negative entries follow the ``negative`` policy.

    ``"error"`` (default) refuses negative outputs, naming them and the way out; ``"clip"`` sets
    them to 0 (those sectors then get zero coefficients, 1/0 := 0); ``"keep"`` computes with them
    as pymrio does (A then has negative entries: no productivity test and no iterative error
    bound apply, so ``auto`` solves by LU). Returns the (possibly clipped) x.
    """
    if negative not in ("error", "clip", "keep"):
        raise ModelInputError(f"negative_output must be 'error', 'clip' or 'keep', got {negative!r}")
    bad = ~np.isfinite(x)
    if bad.any():
        raise ModelInputError(f"block {block}: NaN/inf gross output at {_fmt(labels[bad])}")
    neg = x < 0
    if neg.any() and negative == "error":
        shown = ", ".join(f"{labels[i]!r} = {x[i]:.6g}" for i in np.nonzero(neg)[0][:_MAX_LABELS])
        raise ModelInputError(
            f"block {block}: negative gross output in {int(neg.sum())} sector(s): {shown}; "
            "gross output x = Z·1 + Y·1 should be ≥ 0 (check signs of Z and Y, or use the published x). "
            "Published tables can have it (inventory changes, rounding): pass negative_output='keep' to "
            "compute with it as pymrio does, or negative_output='clip' to set it to 0"
        )
    if neg.any() and negative == "clip":
        x = np.where(neg, 0.0, x)
    return x


def col_abs_sum(Z: np.ndarray, step: int = 1024) -> np.ndarray:
    """Σ_i |Z_ij| per column, in row chunks (no n × n temporary)."""
    out = np.zeros(Z.shape[1])
    for a in range(0, Z.shape[0], step):
        out += np.abs(Z[a:a + step]).sum(axis=0)
    return out


def check_productive(
    Z: np.ndarray,
    x: np.ndarray,
    labels: pd.Index,
    solve_ones: "Callable[[], np.ndarray] | None" = None,
    block: str = "A",
    *,
    zmin: float | None = None,
    colsum_Z: np.ndarray | None = None,
) -> dict[str, object]:
    """Test that A = Z·x̂⁻¹ is productive: spectral radius ρ(A) < 1 (Hawkins–Simon), so that
    L = (I − A)⁻¹ exists and is ≥ 0.

    Column sums < 1 are sufficient but not necessary (A = [[0, 2], [0.1, 0]] is productive:
    ρ = √0.2). For A ≥ 0 the tests, cheapest first, are:

    1. ``column sums``: ρ(A) ≤ max_j Σ_i A_ij;
    2. ``output-weighted row sums`` (Collatz–Wielandt with the positive vector x):
       ρ(A) ≤ max_i (A x)_i / x_i = max_i (Z·1)_i / x_i over sectors with output;
    3. ``positivity of L·1`` (exact): I − A is a Z-matrix, so it is a non-singular M-matrix
       (⇔ ρ(A) < 1) iff some ℓ > 0 has (I − A)ℓ > 0; ℓ = (I − A)⁻¹·1 is solved (one solve,
       reused by later solves) and must be > 0 everywhere.

    When A has negative entries (negative flows or outputs kept), Perron–Frobenius does not
    apply and no test is made; accuracy is then guarded by the condition estimate of I − A.

    ``zmin`` and ``colsum_Z`` (min Z and Σ_i Z_ij) may be passed when already known.

    Returns ``{"test": name, "productive": True|None, "rho_bound": float|None}``; raises
    :class:`ModelInputError` naming the test when A is not productive.
    """
    n = len(x)
    xinv = np.zeros(n)
    pos = x > 0
    xinv[pos] = 1.0 / x[pos]
    if zmin is None:
        zmin = float(Z.min()) if Z.size else 0.0
    if colsum_Z is None and zmin >= 0:
        colsum_Z = Z.sum(axis=0)
    nonzero_col = (col_abs_sum(Z) > 0) if zmin < 0 else (colsum_Z > 0)
    nonzero_col &= x != 0
    if zmin < 0 or bool((x[nonzero_col] < 0).any()):
        return {"test": "not applicable: A has negative entries (Perron–Frobenius does not apply)",
                "productive": None, "rho_bound": None}
    colsum = colsum_Z * xinv
    alpha = float(colsum.max()) if n else 0.0
    if alpha < 1.0:
        return {"test": "column sums", "productive": True, "rho_bound": alpha}
    # Collatz–Wielandt on the sectors with output (columns of A are 0 elsewhere)
    rows = (Z @ pos.astype(float))[pos] / x[pos] if pos.any() else np.zeros(0)  # Σ_{j with output} Z_ij
    beta = float(rows.max()) if rows.size else 0.0
    if beta < 1.0:
        return {"test": "output-weighted row sums (Collatz–Wielandt)", "productive": True, "rho_bound": beta}
    if solve_ones is None:
        raise ModelInputError(f"block {block}: column sums reach {alpha:.6g} and output-weighted row sums {beta:.6g}; "
                              "productivity needs the L·1 test (pass a solver)")
    try:
        ell = solve_ones()
        ok = bool(np.all(ell > 0)) and bool(np.all(np.isfinite(ell)))
    except ModelInputError:
        ok, ell = False, None
    if ok:
        return {"test": "positivity of L·1 (M-matrix)", "productive": True, "rho_bound": None}
    bad = np.nonzero(colsum >= 1.0)[0]
    shown = ", ".join(f"{labels[j]!r} (Σ A = {colsum[j]:.6g})" for j in bad[:_MAX_LABELS])
    why = "I − A is singular" if ell is None else (
        f"L·1 has {int((ell <= 0).sum())} non-positive entr(y/ies), e.g. {labels[int(np.argmin(ell))]!r} = "
        f"{float(ell.min()):.6g}")
    raise ModelInputError(
        f"block {block}: not productive — spectral radius ρ(A) ≥ 1 (test: positivity of L·1; {why}), so no "
        f"non-negative output can meet a positive demand. Columns summing to ≥ 1: {shown or 'none'}; check units of "
        "Z and x (intermediate inputs exceeding output)"
    )
