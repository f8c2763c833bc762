"""Structural path analysis (SPA): the supply-chain paths that make up a footprint.

The footprint of demand y for stressor k expands as a power series (Miller & Blair 2009, §2.6;
Defourny & Thorbecke 1984):

    f = s·L·y = Σ_t s·Aᵗ·y = Σ_t Σ_{i₀…i_t} s_{i_t} A_{i_t i_{t−1}} ⋯ A_{i₁ i₀} y_{i₀}

Each term is a *path* of order t from the final-demand sector i₀ up the chain to the emitting
sector i_t. The tree of paths is searched depth-first; a node at sector j carrying output
requirement v is expanded only if the total of everything upstream of it, m_j·v with m = s·L
(the multipliers), is at least ``threshold × |f|`` — so pruning never drops a subtree that
could hold a path above the threshold (Lenzen & Crawford 2009; Peters & Hertwich 2006).
With ``threshold = 0`` and no order limit the path values sum to f (tested).

References
----------
Defourny, J. & Thorbecke, E. (1984). Structural path analysis and multiplier decomposition
within a social accounting matrix framework. Economic Journal 94, 111–136.
Lenzen, M. & Crawford, R. (2009). The path exchange method for hybrid LCA. Environ. Sci.
Technol. 43, 8251–8256.
Peters, G. P. & Hertwich, E. G. (2006). Structural analysis of international trade:
environmental impacts of Norway. Economic Systems Research 18(2), 155–181.
"""

from __future__ import annotations

import heapq
from typing import Sequence

import numpy as np
import pandas as pd

from reslog.errors import ModelInputError


def calc_spa(
    A: np.ndarray,
    s: np.ndarray,
    y: np.ndarray,
    m: np.ndarray,
    labels: Sequence[object],
    *,
    top: int | None = 20,
    max_order: int = 8,
    threshold: float = 1e-4,
    max_nodes: int = 2_000_000,
) -> pd.DataFrame:
    """Top paths of the footprint s·L·y.

    Parameters
    ----------
    A : ndarray (n, n)
        Technical coefficients.
    s : ndarray (n,)
        Stressor intensities of one stressor (unit per money).
    y : ndarray (n,)
        Demand vector (money).
    m : ndarray (n,)
        Multipliers m = s·L of the same stressor (used for pruning and the total).
    labels : sequence of length n
        Labels of sectors (e.g. (region, sector) tuples).
    top : int or None
        Number of paths returned (largest |value| first); None returns every path found.
    max_order : int
        Longest path order t searched (0 = direct emissions of the final-demand sector).
    threshold : float
        Relative pruning threshold on |m_j v| / |f| and on reported |path value| / |f|.
    max_nodes : int
        Safety limit on expanded nodes; the search stops (and says so in the result's
        ``attrs["truncated"]``) when reached.

    Returns
    -------
    DataFrame with columns ``rank, order, path, value, share`` and, per step, the labels in
    ``path`` ordered from the emitting sector (origin) to the final-demand sector; ``attrs``
    hold ``total`` (= m·y), ``covered`` (sum of returned values) and ``truncated``.
    """
    n = len(s)
    if A.shape != (n, n) or y.shape != (n,) or m.shape != (n,):
        raise ModelInputError(f"SPA: inconsistent shapes A {A.shape}, s {s.shape}, y {y.shape}, m {m.shape}")
    if max_order < 0:
        raise ModelInputError("SPA: max_order must be ≥ 0")
    total = float(m @ y)
    scale = abs(total) if total != 0 else float(np.abs(m * y).sum()) or 1.0
    thr = threshold * scale
    heap: list[tuple[float, int, tuple[int, ...], float]] = []
    found: list[tuple[tuple[int, ...], float]] = []
    counter = 0
    nodes = 0
    truncated = False
    stack: list[tuple[tuple[int, ...], float]] = [((int(j),), float(y[j])) for j in np.nonzero(y)[0]]
    while stack:
        path, v = stack.pop()
        nodes += 1
        if nodes > max_nodes:
            truncated = True
            break
        j = path[-1]
        value = s[j] * v
        if abs(value) >= thr or threshold == 0:
            counter += 1
            if top is None:
                found.append((path, value))
            elif len(heap) < top:
                heapq.heappush(heap, (abs(value), counter, path, value))
            elif abs(value) > heap[0][0]:
                heapq.heapreplace(heap, (abs(value), counter, path, value))
        if len(path) - 1 >= max_order:
            continue
        child_v = A[:, j] * v
        cand = np.nonzero(child_v)[0]
        if threshold > 0:
            cand = cand[np.abs(m[cand] * child_v[cand]) >= thr]
        for i in cand:
            stack.append((path + (int(i),), float(child_v[i])))
    items = found if top is None else [(p, val) for _, _, p, val in heap]
    items.sort(key=lambda t: -abs(t[1]))
    rows = []
    for rank, (p, val) in enumerate(items, start=1):
        chain = [labels[i] for i in reversed(p)]
        rows.append({
            "rank": rank,
            "order": len(p) - 1,
            "path": " → ".join(" | ".join(map(str, c)) if isinstance(c, tuple) else str(c) for c in chain),
            "origin": chain[0],
            "final": chain[-1],
            "value": val,
            "share": val / total if total != 0 else np.nan,
        })
    out = pd.DataFrame(rows, columns=["rank", "order", "path", "origin", "final", "value", "share"])
    out.attrs.update(total=total, covered=float(sum(v for _, v in items)), truncated=truncated, nodes=nodes)
    return out


def path_sum_by_order(A: np.ndarray, s: np.ndarray, y: np.ndarray, max_order: int) -> np.ndarray:
    """Exact Σ over all paths of each order t = 0…max_order: s·Aᵗ·y (for checking SPA)."""
    out = np.empty(max_order + 1)
    v = y.astype(float).copy()
    for t in range(max_order + 1):
        out[t] = s @ v
        v = A @ v
    return out
