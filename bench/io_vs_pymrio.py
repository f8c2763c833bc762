"""Benchmark: reslog's MRIO accounts vs pymrio ``calc_all()`` on an EXIOBASE-sized system.

Usage::

    python bench/io_vs_pymrio.py                 # 49 regions × 200 sectors (n = 9,800)
    python bench/io_vs_pymrio.py --regions 10 --sectors 50   # quick run

What it does
------------
1. Builds a synthetic MRIO with EXIOBASE-like structure (see :func:`make_system`), writes the
   blocks to a temporary folder as ``.npy`` files.
2. Runs three child processes on the same files, one at a time, so that each peak memory is
   measured on its own:
   * ``pymrio``: ``IOSystem(Z, Y, extension(F, F_Y)).calc_all()``;
   * ``reslog``: ``MRIO.from_blocks(Z, Y, F).accounts(ext, imports=False)`` (D_cba, D_pba,
     D_exp, iterative, peak read right after), then ``accounts(ext)`` for all four (+ ``_reg``);
   * ``lu``: one dense LU factorisation of I − A (``scipy.linalg.lu_factor``), as a reference.
3. Prints wall times, their ratio, peak memory (peak resident set size ``VmHWM`` of the child
   process, read from /proc/self/status right after its run, which includes the loaded inputs) and the peak *above* the inputs (peak RSS minus
   RSS right after the DataFrames were built), their ratios, and the largest relative error of
   reslog vs pymrio over all accounts (|a − b| / max|b| per stressor row).

Timed region: from the constructed DataFrames to the finished accounts (pymrio: ``calc_all``;
reslog: building the MRIO object, its checks, and ``accounts``). Loading the ``.npy`` files and
building DataFrames is identical on both sides and not timed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

FD_CATEGORIES = [
    "Final consumption expenditure by households",
    "Final consumption expenditure by non-profit organisations serving households (NPISH)",
    "Final consumption expenditure by government",
    "Gross fixed capital formation",
    "Changes in inventories",
    "Changes in valuables",
    "Exports: Total (fob)",
]
FD_SHARES = np.array([0.55, 0.02, 0.17, 0.21, 0.01, 0.004, 0.036])


def make_system(R: int = 49, nsec: int = 200, k: int = 20, seed: int = 42) -> dict[str, np.ndarray]:
    """A synthetic MRIO with EXIOBASE-like density and magnitudes.

    * Region sizes lognormal (σ = 1.3), sector sizes lognormal (σ = 1.0): outputs span ~5
      orders of magnitude, as in EXIOBASE 3.
    * Each column j of A gets total intermediate input share c_j ~ U(0.25, 0.75) (EXIOBASE
      mean ≈ 0.5), of which a domestic share d_j ~ Beta(8, 2) (mean 0.8).
    * Domestic block entries: 70 % non-zero, lognormal(σ = 2) × supplier sector size.
      Import entries: 32.6 % non-zero, lognormal(σ = 2.5) × exporter size × sector size, so that
      A as a whole is about one third non-zero (EXIOBASE 3 ixi: ~ 0.3–0.35) and most import
      coefficients are tiny (heavy tail, many below 1e-8).
    * Final demand: 7 categories per region (EXIOBASE names), 85 % domestic sourcing, the rest
      imported in proportion to exporter size; inventory changes carry random signs.
    * x = L·y (solved once here), Z = A·x̂: a consistent system with Z·1 + Y·1 = x.
    * k stressors: intensities lognormal (σ = 2) on a random half of the sectors, × region
      factor lognormal(σ = 0.5); F = S·x̂. F_Y: household direct emissions for 5 stressors.
    """
    rng = np.random.default_rng(seed)
    n = R * nsec
    g = rng.lognormal(0, 1.3, R)
    g /= g.sum()
    w = rng.lognormal(0, 1.0, nsec)
    A = np.zeros((n, n))
    reg = np.repeat(np.arange(R), nsec)
    size_row = np.repeat(g, nsec) * np.tile(w, R)
    for q in range(R):
        cols = slice(q * nsec, (q + 1) * nsec)
        c = rng.uniform(0.25, 0.75, nsec)
        d = rng.beta(8, 2, nsec)
        blk = rng.lognormal(0, 2.5, (n, nsec)) * (rng.random((n, nsec)) < 0.326) * size_row[:, None]
        dom = slice(q * nsec, (q + 1) * nsec)
        blk[dom] = rng.lognormal(0, 2.0, (nsec, nsec)) * (rng.random((nsec, nsec)) < 0.7) * w[:, None]
        imp_mask = reg != q
        s_imp = blk[imp_mask].sum(axis=0)
        s_dom = blk[dom].sum(axis=0)
        s_imp[s_imp == 0] = 1.0
        s_dom[s_dom == 0] = 1.0
        blk[imp_mask] *= (c * (1 - d) / s_imp)[None, :]
        blk[dom] *= (c * d / s_dom)[None, :]
        A[:, cols] = blk
    # final demand
    Y = np.zeros((n, R * len(FD_CATEGORIES)))
    for r in range(R):
        total = g[r] * 1e7  # million EUR-like magnitudes
        for t, share in enumerate(FD_SHARES):
            v = np.zeros(n)
            dom = slice(r * nsec, (r + 1) * nsec)
            v[dom] = w * rng.lognormal(0, 1.5, nsec) * (rng.random(nsec) < 0.8)
            imp = reg != r
            vi = size_row[imp] * rng.lognormal(0, 2.0, imp.sum()) * (rng.random(imp.sum()) < 0.3)
            v[dom] *= 0.85 / max(v[dom].sum(), 1e-300)
            v[imp] = 0.15 * vi / max(vi.sum(), 1e-300)
            v *= total * share
            if FD_CATEGORIES[t] == "Changes in inventories":
                v *= rng.choice([-1.0, 1.0], n)
            Y[:, r * len(FD_CATEGORIES) + t] = v
    y = Y.sum(axis=1)
    import scipy.linalg as sla

    x = sla.solve(np.eye(n) - A, y, check_finite=False)
    if (x <= 0).any():  # inventories can drive a tiny sector negative: top up its demand
        bad = x <= 0
        Y[bad, 0] += -x[bad] + 1.0
        x = sla.solve(np.eye(n) - A, Y.sum(axis=1), check_finite=False)
    Z = A * x[None, :]
    del A
    S = rng.lognormal(0, 2.0, (k, n)) * (rng.random((k, n)) < 0.5)
    S *= np.repeat(rng.lognormal(0, 0.5, R), nsec)[None, :]
    F = S * x[None, :]
    F_Y = np.zeros((k, Y.shape[1]))
    hh = np.arange(R) * len(FD_CATEGORIES)
    F_Y[:5, hh] = rng.lognormal(0, 1.0, (5, R)) * Y[:, hh].sum(axis=0)[None, :] * 0.01
    return {"Z": Z, "Y": Y, "F": F, "F_Y": F_Y, "R": np.array(R), "nsec": np.array(nsec)}


def _frames(folder: Path):
    import pandas as pd

    Z = np.load(folder / "Z.npy")
    Y = np.load(folder / "Y.npy")
    F = np.load(folder / "F.npy")
    F_Y = np.load(folder / "F_Y.npy")
    R, nsec = int(np.load(folder / "R.npy")), int(np.load(folder / "nsec.npy"))
    regions = [f"R{r:02d}" for r in range(R)]
    sectors = [f"s{s:03d}" for s in range(nsec)]
    idx = pd.MultiIndex.from_product([regions, sectors], names=["region", "sector"])
    ycols = pd.MultiIndex.from_product([regions, FD_CATEGORIES], names=["region", "category"])
    sidx = pd.Index([f"stressor{k:02d}" for k in range(F.shape[0])], name="stressor")
    Zd = pd.DataFrame(Z, index=idx, columns=idx, copy=False)
    Yd = pd.DataFrame(Y, index=idx, columns=ycols, copy=False)
    Fd = pd.DataFrame(F, index=sidx, columns=idx, copy=False)
    FYd = pd.DataFrame(F_Y, index=sidx, columns=ycols, copy=False)
    del Z, Y, F, F_Y
    return Zd, Yd, Fd, FYd


def _rss_now() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def _peak_mb() -> float:
    """Peak resident set size of this process (``VmHWM``; falls back to ``ru_maxrss``).

    ``ru_maxrss`` is not used first because on Linux it carries over the parent's RSS at
    fork time into the exec'd child; ``VmHWM`` belongs to the child's own address space.
    """
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # KiB → MiB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


NAMES = ("D_cba", "D_pba", "D_imp", "D_exp", "D_cba_reg", "D_pba_reg", "D_imp_reg", "D_exp_reg")


def child(mode: str, folder: Path, out: Path) -> None:
    """Run one side in this (fresh) process and write timings + results."""
    if mode == "lu":
        import scipy.linalg as sla

        Z = np.load(folder / "Z.npy")
        x = Z.sum(axis=1) + np.load(folder / "Y.npy").sum(axis=1)
        base = _rss_now()
        t = time.perf_counter()
        C = np.multiply(Z, -1.0 / x[None, :])  # one n × n array, then LU in place (Fortran view)
        C[np.diag_indices_from(C)] += 1
        sla.lu_factor(C.T, overwrite_a=True, check_finite=False)
        dt = time.perf_counter() - t
        json.dump({"time": dt, "peak_mb": _peak_mb(), "base_mb": base}, open(out, "w"))
        return
    Zd, Yd, Fd, FYd = _frames(folder)
    base = _rss_now()
    res: dict[str, np.ndarray] = {}
    if mode == "pymrio":
        import pymrio

        t = time.perf_counter()
        io = pymrio.IOSystem(Z=Zd, Y=Yd, stressors={"name": "stressors", "F": Fd, "F_Y": FYd})
        io.calc_all()
        dt = time.perf_counter() - t
        for nm in NAMES:
            res[nm] = getattr(io.stressors, nm).to_numpy()
        peak = _peak_mb()
    else:
        from reslog.model.io import MRIO

        # first D_cba, D_pba, D_exp only (its peak is read before the all-accounts run)
        t = time.perf_counter()
        m2 = MRIO.from_blocks(Zd, Yd, {"stressors": (Fd, FYd)})
        acc2 = m2.accounts("stressors", imports=False)
        res["_noimp_time"] = np.array(time.perf_counter() - t)
        res["_noimp_peak"] = np.array(_peak_mb())
        res["_noimp_solver"] = np.array(json.dumps(m2.solver.stats))
        res["_noimp_bound"] = np.array(json.dumps(acc2.info.get("error_bound", {})))
        for nm in NAMES:
            if getattr(acc2, nm) is not None:
                res["_noimp_" + nm] = getattr(acc2, nm).to_numpy()
        del m2, acc2
        t = time.perf_counter()
        m = MRIO.from_blocks(Zd, Yd, {"stressors": (Fd, FYd)})
        acc = m.accounts("stressors")
        dt = time.perf_counter() - t
        for nm in NAMES:
            res[nm] = getattr(acc, nm).to_numpy()
        res["_solver"] = np.array(json.dumps(m.solver.stats))
        peak = _peak_mb()
    np.savez(out.with_suffix(".npz"), **res)
    json.dump({"time": dt, "peak_mb": peak, "base_mb": base}, open(out, "w"))


def compare(a: dict[str, np.ndarray], b: dict[str, np.ndarray], names=NAMES, entrywise: bool = False) -> float:
    """Largest |a − b| / max|b| per stressor row (or |a − b|/|b| over b ≠ 0), over the accounts."""
    worst = 0.0
    for nm in names:
        x, y = a[nm], b[nm]
        if entrywise:
            nz = y != 0
            worst = max(worst, float((np.abs(x - y)[nz] / np.abs(y)[nz]).max()) if nz.any() else 0.0)
            continue
        scale = np.abs(y).max(axis=1, keepdims=True)
        scale[scale == 0] = 1.0
        worst = max(worst, float((np.abs(x - y) / scale).max()))
    return worst


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--regions", type=int, default=49)
    ap.add_argument("--sectors", type=int, default=200)
    ap.add_argument("--stressors", type=int, default=20)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--child", choices=["pymrio", "reslog", "lu"])
    ap.add_argument("--data", type=Path)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--skip-pymrio", action="store_true")
    args = ap.parse_args()
    if args.child:
        child(args.child, args.data, args.out)
        return
    with tempfile.TemporaryDirectory(prefix="reslog-bench-") as tmp:
        folder = Path(tmp)
        t = time.perf_counter()
        sysd = make_system(args.regions, args.sectors, args.stressors, args.seed)
        for k, v in sysd.items():
            np.save(folder / f"{k}.npy", v)
        Z = sysd["Z"]
        n = Z.shape[0]
        x = Z.sum(1) + sysd["Y"].sum(1)
        A_density = float((Z != 0).mean())
        colsum = (Z / x[None, :]).sum(0)
        del sysd, Z
        print(f"system: {args.regions} regions × {args.sectors} sectors = n {n}, {args.stressors} stressors, "
              f"{len(FD_CATEGORIES)} FD categories/region; A density {A_density:.3f}, column sums of A "
              f"{colsum.min():.2f}–{colsum.max():.2f} (mean {colsum.mean():.2f}); built in "
              f"{time.perf_counter() - t:.1f} s")
        print(f"load average before the runs: {os.getloadavg()}; "
              f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}")
        results = {}
        modes = ["reslog", "lu"] + ([] if args.skip_pymrio else ["pymrio"])
        for mode in modes:
            out = folder / f"{mode}.json"
            subprocess.run([sys.executable, __file__, "--child", mode, "--data", str(folder), "--out", str(out)],
                           check=True, env={**os.environ})
            results[mode] = json.load(open(out))
            r = results[mode]
            print(f"{mode:>7}: {r['time']:8.2f} s   peak RSS {r['peak_mb']:8.0f} MiB   "
                  f"(inputs {r['base_mb']:.0f} MiB, above inputs {r['peak_mb'] - r['base_mb']:.0f} MiB)")
        ours = dict(np.load(folder / "reslog.npz"))
        print("reslog solver:", str(ours.pop("_solver")))
        t_noimp = float(ours.pop("_noimp_time"))
        peak_noimp = float(ours.pop("_noimp_peak"))
        print(f"reslog without D_imp (D_cba, D_pba, D_exp only; solver {ours.pop('_noimp_solver')}): {t_noimp:.2f} s, "
              f"peak RSS {peak_noimp:.0f} MiB (above inputs {peak_noimp - results['reslog']['base_mb']:.0f} MiB)")
        print(f"  guaranteed per-entry error bounds of that run: {ours.pop('_noimp_bound')}")
        noimp = {nm[len('_noimp_'):]: ours.pop(nm) for nm in list(ours) if nm.startswith("_noimp_")}
        if "pymrio" in results:
            theirs = dict(np.load(folder / "pymrio.npz"))
            p, r = results["pymrio"], results["reslog"]
            print(f"wall-time ratio pymrio/reslog: {p['time'] / r['time']:.1f}× (all accounts), "
                  f"{p['time'] / t_noimp:.1f}× (without D_imp)")
            print(f"peak-memory ratio reslog/pymrio: {r['peak_mb'] / p['peak_mb']:.1%} (total RSS), "
                  f"{(r['peak_mb'] - r['base_mb']) / (p['peak_mb'] - p['base_mb']):.1%} (above inputs); "
                  f"without D_imp {peak_noimp / p['peak_mb']:.1%} (total), "
                  f"{(peak_noimp - r['base_mb']) / (p['peak_mb'] - p['base_mb']):.1%} (above inputs)")
            print(f"max relative error (|a−b|/max|b| per stressor, all D_* accounts): {compare(ours, theirs):.2e}")
            print(f"  without D_imp (iterative solves): {compare(noimp, theirs, list(noimp)):.2e} "
                  f"(|a−b|/max|b|), {compare(noimp, theirs, list(noimp), entrywise=True):.2e} (|a−b|/|b|, b ≠ 0)")
        print(f"dense LU of I−A at n = {n}: {results['lu']['time']:.2f} s")
        print(f"load average after the runs: {os.getloadavg()}")


if __name__ == "__main__":
    main()
