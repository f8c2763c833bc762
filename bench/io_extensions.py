"""Benchmark: many extensions share one factorisation (EXIOBASE-sized: 1,100 stressors + 126 impacts).

Usage::

    nice python bench/io_extensions.py                  # 49 regions × 100 sectors (n = 4,900)
    python bench/io_extensions.py --regions 20 --sectors 50

Runs, on one synthetic system (the generator of ``bench/io_scale.py``), each in this process:

* ``stacked``: ``MRIO.accounts_all()`` on two extensions of 1,100 and 126 stressors (one LU,
  R + n forward solves in all: D_imp goes through the n forward solves because k·R > n);
* ``separate``: ``accounts(ext)`` for each extension on its own MRIO (one LU and one set of
  solves per extension — what computing extensions one by one costs);
* ``baseline``: ``accounts(ext)`` for a single extension of m + 1 stressors (just above the
  switch to the forward route: the same n forward solves).

Prints times, solver statistics and the ratios stacked/separate (the saving) and
stacked/baseline (the target: ≈ 1, i.e. 1,226 stressors in two extensions do not multiply the
cost of one extension that takes the same route).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from io_scale import make_system  # noqa: E402


def frames(R: int, m: int, seed: int = 42):
    d = make_system(R, m, 1, seed)
    regions = [f"R{r:03d}" for r in range(R)]
    idx = pd.MultiIndex.from_product([regions, [f"s{s:03d}" for s in range(m)]], names=["region", "sector"])
    ycols = pd.MultiIndex.from_product([regions, [f"fd{t}" for t in range(7)]], names=["region", "category"])
    Z = pd.DataFrame(d["Z"], index=idx, columns=idx, copy=False)
    Y = pd.DataFrame(d["Y"], index=idx, columns=ycols, copy=False)
    x = d["Z"].sum(axis=1) + d["Y"].sum(axis=1)
    return Z, Y, x, idx


def stressors(idx: pd.Index, x: np.ndarray, k: int, seed: int, prefix: str) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    S = rng.lognormal(0, 2.0, (k, len(idx))) * (rng.random((k, len(idx))) < 0.5)
    return pd.DataFrame(S * x[None, :], index=pd.Index([f"{prefix}{i}" for i in range(k)], name="stressor"),
                        columns=idx)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--regions", type=int, default=49)
    ap.add_argument("--sectors", type=int, default=100)
    ap.add_argument("--satellite", type=int, default=1100)
    ap.add_argument("--impacts", type=int, default=126)
    args = ap.parse_args()
    from reslog.model.io import MRIO

    R, m = args.regions, args.sectors
    Z, Y, x, idx = frames(R, m)
    sat = stressors(idx, x, args.satellite, 1, "sat")
    imp = stressors(idx, x, args.impacts, 2, "imp")
    few = stressors(idx, x, m + 1, 3, "few")
    print(f"n = {R * m} ({R} × {m}); extensions: {args.satellite} + {args.impacts} stressors; "
          f"load {os.getloadavg()[0]:.1f}")
    t = time.perf_counter()
    ms = MRIO.from_blocks(Z, Y, {"satellite": sat, "impacts": imp}, x=pd.Series(x, index=idx))
    ms.accounts_all()
    t_stacked = time.perf_counter() - t
    print(f"stacked  (accounts_all): {t_stacked:7.2f} s  solver {ms.solver.stats}")
    t = time.perf_counter()
    stats = []
    for nm, F in (("satellite", sat), ("impacts", imp)):
        mm = MRIO.from_blocks(Z, Y, {nm: F}, x=pd.Series(x, index=idx))
        mm.accounts(nm)
        stats.append(mm.solver.stats)
    t_sep = time.perf_counter() - t
    print(f"separate (one by one):   {t_sep:7.2f} s  solvers {stats}")
    t = time.perf_counter()
    mb = MRIO.from_blocks(Z, Y, {"few": few}, x=pd.Series(x, index=idx))
    mb.accounts("few")
    t_base = time.perf_counter() - t
    print(f"baseline ({m + 1} stressors): {t_base:7.2f} s  solver {mb.solver.stats}")
    print(f"stacked / separate = {t_stacked / t_sep:.2f}; stacked / baseline = {t_stacked / t_base:.2f} "
          f"(load {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
