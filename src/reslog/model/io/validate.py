"""Checks on MRIO blocks before anything is computed.

Every check raises :class:`reslog.errors.ModelInputError` naming the block (``Z``, ``Y``,
``F``, ``A``, ``x`` ...) and the offending labels; nothing is computed silently on bad data.
"""

from __future__ import annotations

from typing import Sequence

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


def check_output(x: np.ndarray, labels: pd.Index, block: str = "x") -> None:
    """Gross output must be finite and non-negative."""
    bad = ~np.isfinite(x)
    if bad.any():
        raise ModelInputError(f"block {block}: NaN/inf gross output at {_fmt(labels[bad])}")
    neg = x < 0
    if neg.any():
        shown = ", ".join(f"{labels[i]!r} = {x[i]:.6g}" for i in np.nonzero(neg)[0][:_MAX_LABELS])
        raise ModelInputError(
            f"block {block}: negative gross output in {int(neg.sum())} sector(s): {shown}; "
            "gross output x = Z·1 + Y·1 must be ≥ 0 (check signs of Z and Y)"
        )


def check_productive(A: np.ndarray, labels: pd.Index, block: str = "A") -> None:
    """Column sums of A must be < 1 (otherwise I − A has no non-negative inverse).

    A column j with Σ_i A_ij ≥ 1 means sector j uses at least one unit of intermediate inputs
    per unit of output: the economy is not productive (Hawkins–Simon) and L = (I − A)⁻¹ is not
    a meaningful (non-negative) multiplier matrix.
    """
    colsum = A.sum(axis=0)
    bad = colsum >= 1.0
    if bad.any():
        shown = ", ".join(f"{labels[j]!r} (Σ = {colsum[j]:.6g})" for j in np.nonzero(bad)[0][:_MAX_LABELS])
        raise ModelInputError(
            f"block {block}: {int(bad.sum())} column(s) sum to ≥ 1, so the system has no productive "
            f"solution: {shown}; check units of Z and x (intermediate inputs exceed output)"
        )
