"""Benchmark: reslog's MRIO accounts against pymrio and against the dense-LU floor, n = 2,000 … 19,680.

Usage::

    nice python bench/io_scale.py                       # n = 2,000, 4,900, 9,800, 19,680
    python bench/io_scale.py --sizes 40x50 49x100       # a quick run (regions x sectors)
    python bench/io_scale.py --pymrio-cap-gb 12 --pymrio-timeout 1800

For each size (regions × sectors: 40 × 50 = 2,000; 49 × 100 = 4,900; 49 × 200 = 9,800;
164 × 120 = 19,680, GLORIA's layout) a synthetic MRIO with EXIOBASE-like structure is built
once (:func:`make_system`) and saved as ``.npy`` files; then three child processes run on the same
files, one after the other, so that each peak memory is measured on its own:

``reslog``
    ``MRIO.from_blocks(Z, Y, F)`` (with all its input checks) and ``accounts(ext)``: D_cba, D_pba,
    D_imp, D_exp and their ``_reg`` sums for ``--stressors`` stressors (default 4).
``floor``
    The dense-LU floor of the same job (two columns: the plain ratio, and the ratio with reslog's
    own ``getrf`` time replaced by the floor's — the same LAPACK call on the same matrix, whose
    speed on a shared machine follows the load of the moment): form I − A from Z (one n × n array), ``getrf`` in place,
    and ``getrs`` for as many right-hand sides as reslog solved (read from its solver statistics)
    — what any method built on one dense LU must at least do. The target is reslog ≤ 1.3 × floor.
``pymrio``
    ``IOSystem(Z, Y, extension).calc_all()`` under an address-space cap
    (``resource.setrlimit(RLIMIT_AS)``, ``--pymrio-cap-gb``, default 12 GB) and a wall-time limit:
    an out-of-memory failure is recorded as such and never takes the machine down.

Time: from the constructed DataFrames (or arrays, for the floor) to the finished accounts;
loading the ``.npy`` files is not timed. Memory: peak resident set size of the child (``VmHWM``),
which includes the loaded inputs (Z alone is 8n² bytes: 3.1 GB at n = 19,680).
A size is skipped (and reported) when the machine has less free memory than it needs.
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

SIZES = [(40, 50), (49, 100), (49, 200), (164, 120)]
FD = 7  # final-demand categories per region (EXIOBASE has 7)


def make_system(R: int, m: int, k: int, seed: int = 42) -> dict[str, np.ndarray]:
    """A synthetic MRIO with EXIOBASE-like structure, built column block by column block
    (the only n × n array is Z itself).

    Region sizes lognormal(σ 1.3), sector sizes lognormal(σ 1.0); column j of A gets total input
    share c_j ~ U(0.25, 0.75), domestic share d_j ~ Beta(8, 2); domestic entries 70 % non-zero,
    import entries 33 % non-zero with a heavy tail (lognormal σ 2.5). Output x₀ ∝ region × sector
    size; Z = A x̂₀; then x = max(x₀, 1.05·Z·1) so that final demand y = x − Z·1 > 0 (columns of
    A = Z x̂⁻¹ then sum to ≤ c_j < 1), spread over 7 categories per region (85 % domestic).
    k stressors: intensities lognormal(σ 2) on a random half of the sectors.
    """
    rng = np.random.default_rng(seed)
    n = R * m
    g = rng.lognormal(0, 1.3, R)
    g /= g.sum()
    w = rng.lognormal(0, 1.0, m)
    size = np.repeat(g, m) * np.tile(w, R)
    x0 = size * 1e7
    reg = np.repeat(np.arange(R), m)
    Z = np.empty((n, n))
    for q in range(R):
        cols = slice(q * m, (q + 1) * m)
        c = rng.uniform(0.25, 0.75, m)
        d = rng.beta(8, 2, m)
        blk = rng.lognormal(0, 2.5, (n, m)) * (rng.random((n, m)) < 0.33) * size[:, None]
        blk[cols] = rng.lognormal(0, 2.0, (m, m)) * (rng.random((m, m)) < 0.7) * w[:, None]
        imp = reg != q
        s_imp = blk[imp].sum(axis=0)
        s_dom = blk[cols].sum(axis=0)
        s_imp[s_imp == 0] = 1.0
        s_dom[s_dom == 0] = 1.0
        blk[imp] *= (c * (1 - d) / s_imp)[None, :]
        blk[cols] *= (c * d / s_dom)[None, :]
        blk *= x0[cols][None, :]
        Z[:, cols] = blk
    x = np.maximum(x0, 1.05 * Z.sum(axis=1))
    y = x - Z.sum(axis=1)
    Y = np.zeros((n, R * FD))
    share = np.array([0.55, 0.02, 0.17, 0.21, 0.01, 0.004, 0.036])
    for r in range(R):  # region r's final demand: 85 % of the domestic rows' y, plus imports
        Y[reg == r, r * FD:(r + 1) * FD] = 0.85 * y[reg == r][:, None] * share[None, :]
    rest = 0.15 * y
    for r in range(R):  # the other 15 % of each row goes to foreign consumers by size
        wts = g.copy()
        wts[r] = 0.0
        wts /= wts.sum()
        Y[np.ix_(reg == r, np.arange(R * FD))] += (rest[reg == r][:, None]
                                                   * np.repeat(wts, FD)[None, :] * np.tile(share, R)[None, :])
    S = rng.lognormal(0, 2.0, (k, n)) * (rng.random((k, n)) < 0.5)
    F = S * x[None, :]
    return {"Z": Z, "Y": Y, "F": F, "R": np.array(R), "m": np.array(m)}


def _frames(folder: Path):
    import pandas as pd

    Z = np.load(folder / "Z.npy")
    Y = np.load(folder / "Y.npy")
    F = np.load(folder / "F.npy")
    R, m = int(np.load(folder / "R.npy")), int(np.load(folder / "m.npy"))
    regions = [f"R{r:03d}" for r in range(R)]
    idx = pd.MultiIndex.from_product([regions, [f"s{s:03d}" for s in range(m)]], names=["region", "sector"])
    ycols = pd.MultiIndex.from_product([regions, [f"fd{t}" for t in range(FD)]], names=["region", "category"])
    sidx = pd.Index([f"stressor{i}" for i in range(F.shape[0])], name="stressor")
    return (pd.DataFrame(Z, index=idx, columns=idx, copy=False), pd.DataFrame(Y, index=idx, columns=ycols, copy=False),
            pd.DataFrame(F, index=sidx, columns=idx, copy=False))


def _peak_mb() -> float:
    """Peak resident set size of this process (VmHWM), MiB."""
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(mode: str, folder: Path, out: Path, n_rhs: int, cap_gb: float) -> None:
    """One side, in this fresh process; writes {"time", "peak_mb", ...} to ``out``."""
    if mode == "pymrio" and cap_gb > 0:
        cap = int(cap_gb * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    info: dict[str, object] = {}
    if mode == "floor":
        import scipy.linalg as sla

        Z = np.load(folder / "Z.npy")
        x = Z.sum(axis=1) + np.load(folder / "Y.npy").sum(axis=1)
        B = np.random.default_rng(0).random((Z.shape[0], n_rhs))
        t = time.perf_counter()
        C = np.multiply(Z, -1.0 / x[None, :])  # I − A: one n × n array, factorised in place
        C[np.diag_indices_from(C)] += 1.0
        lu = sla.lu_factor(C.T, overwrite_a=True, check_finite=False)
        t_lu = time.perf_counter() - t
        sla.lu_solve(lu, B, trans=1, overwrite_b=True, check_finite=False)
        dt = time.perf_counter() - t
        info.update(lu_time=t_lu)
    elif mode == "pymrio":
        Zd, Yd, Fd = _frames(folder)
        import pymrio

        t = time.perf_counter()
        io = pymrio.IOSystem(Z=Zd, Y=Yd, ext={"name": "ext", "F": Fd})
        io.calc_all()
        dt = time.perf_counter() - t
        np.save(out.with_suffix(".dimp.npy"), io.ext.D_imp_reg.to_numpy())
        np.save(out.with_suffix(".dcba.npy"), io.ext.D_cba.to_numpy())
    else:
        Zd, Yd, Fd = _frames(folder)
        from reslog.model.io import MRIO

        t = time.perf_counter()
        mr = MRIO.from_blocks(Zd, Yd, {"ext": Fd})
        acc = mr.accounts("ext")
        dt = time.perf_counter() - t
        info.update(solver=mr.solver.stats, method=acc.info["method"], cond=mr.solver.cond,
                    productivity=mr.productivity.get("test"), guarantee=acc.info["guarantee"])
        np.save(out.with_suffix(".dimp.npy"), acc.D_imp_reg.to_numpy())
        np.save(out.with_suffix(".dcba.npy"), acc.D_cba.to_numpy())
    info.update(time=dt, peak_mb=_peak_mb())
    json.dump(info, open(out, "w"), default=str)


def _available_gb() -> float:
    for line in open("/proc/meminfo"):
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) / 2**20
    return float("nan")


def run_child(mode: str, folder: Path, n_rhs: int, cap_gb: float, timeout: float) -> dict[str, object]:
    out = folder / f"{mode}.json"
    cmd = [sys.executable, __file__, "--child", mode, "--data", str(folder), "--out", str(out),
           "--rhs", str(n_rhs), "--pymrio-cap-gb", str(cap_gb)]
    t = time.perf_counter()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"failed": f"timeout after {timeout:.0f} s"}
    if p.returncode != 0 or not out.exists():
        tail = (p.stderr or "").strip().splitlines()[-1:] or [f"exit {p.returncode}"]
        oom = "MemoryError" in (p.stderr or "") or "Unable to allocate" in (p.stderr or "") or p.returncode == -9
        return {"failed": ("out of memory (cap) — " if oom else "") + tail[0][:160],
                "wall": time.perf_counter() - t}
    return json.load(open(out))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", nargs="*", default=[f"{r}x{m}" for r, m in SIZES])
    ap.add_argument("--stressors", type=int, default=4)
    ap.add_argument("--pymrio-cap-gb", type=float, default=12.0)
    ap.add_argument("--pymrio-timeout", type=float, default=1800.0)
    ap.add_argument("--skip-pymrio", action="store_true")
    ap.add_argument("--child", choices=["reslog", "floor", "pymrio"])
    ap.add_argument("--data", type=Path)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--rhs", type=int, default=0)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.data, args.out, args.rhs, args.pymrio_cap_gb)
        return
    print(f"load average at start: {os.getloadavg()}; cores: {os.cpu_count()}; "
          f"available memory: {_available_gb():.1f} GB; pymrio cap {args.pymrio_cap_gb:g} GB (RLIMIT_AS)")
    rows = []
    for spec in args.sizes:
        R, m = (int(v) for v in spec.split("x"))
        n = R * m
        need_gb = 2.3 * 8 * n * n / 2**30 + 0.5  # Z + I−A + working arrays
        if _available_gb() < need_gb:
            print(f"n = {n}: skipped — {_available_gb():.1f} GB available, about {need_gb:.1f} GB needed")
            rows.append({"n": n, "R": R, "m": m, "skipped": True})
            continue
        with tempfile.TemporaryDirectory(prefix="reslog-scale-") as tmp:
            folder = Path(tmp)
            t = time.perf_counter()
            sysd = make_system(R, m, args.stressors)
            for key, v in sysd.items():
                np.save(folder / f"{key}.npy", v)
            del sysd
            print(f"n = {n} ({R} regions × {m} sectors, {args.stressors} stressors): built in "
                  f"{time.perf_counter() - t:.1f} s; load {os.getloadavg()[0]:.1f}", flush=True)
            res = {"n": n, "R": R, "m": m, "load_before": os.getloadavg()[0]}
            res["reslog"] = run_child("reslog", folder, 0, 0, 7200)
            print("  reslog:", res["reslog"], flush=True)
            n_rhs = int(res["reslog"].get("solver", {}).get("rhs", 0)) if "solver" in res["reslog"] else 0
            res["floor"] = run_child("floor", folder, n_rhs, 0, 7200)
            print("  floor: ", res["floor"], flush=True)
            if not args.skip_pymrio:
                res["pymrio"] = run_child("pymrio", folder, 0, args.pymrio_cap_gb, args.pymrio_timeout)
                print("  pymrio:", res["pymrio"], flush=True)
                if "failed" not in res["pymrio"] and "failed" not in res["reslog"]:
                    worst = 0.0
                    for part in ("dimp", "dcba"):
                        a = np.load(folder / f"reslog.{part}.npy")
                        b = np.load(folder / f"pymrio.{part}.npy")
                        scale = np.abs(b).max(axis=1, keepdims=True)
                        worst = max(worst, float((np.abs(a - b) / np.where(scale > 0, scale, 1)).max()))
                    res["max_rel_diff"] = worst
            res["load_after"] = os.getloadavg()[0]
            rows.append(res)
    print()
    print("| n | R × m | reslog time (s) | reslog peak (GB) | dense-LU floor (s) | reslog / floor | reslog / floor, "
          "getrf matched | pymrio time (s) | pymrio peak (GB) | pymrio / reslog | max rel. diff | load avg |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        if r.get("skipped"):
            print(f"| {r['n']:,} | {r['R']} × {r['m']} | skipped (not enough free memory) | | | | | | | | |")
            continue
        rs, fl, pm = r["reslog"], r["floor"], r.get("pymrio", {"skipped": True})

        def t(d: dict) -> str:
            return f"{d['time']:.1f}" if "time" in d else "—"

        def mem(d: dict) -> str:
            return f"{d['peak_mb'] / 1024:.2f}" if "peak_mb" in d else "—"

        ratio_fl = f"{rs['time'] / fl['time']:.2f}" if "time" in rs and "time" in fl else "—"
        # the same getrf runs in both; on a shared machine its speed varies with the load of the
        # moment, so also give reslog's time with its own getrf replaced by the floor's
        lu_rs = float(rs.get("solver", {}).get("lu_seconds", float("nan"))) if "solver" in rs else float("nan")
        matched = (f"{(rs['time'] - lu_rs + fl['lu_time']) / fl['time']:.2f} (getrf {lu_rs:.0f} s vs "
                   f"{fl['lu_time']:.0f} s)" if "time" in rs and "time" in fl and lu_rs == lu_rs else "—")
        ratio_pm = f"{pm['time'] / rs['time']:.1f}×" if "time" in pm and "time" in rs else (
            f"pymrio failed: {pm['failed']}" if "failed" in pm else "pymrio not run (--skip-pymrio)")
        diff = f"{r['max_rel_diff']:.1e}" if "max_rel_diff" in r else "—"
        print(f"| {r['n']:,} | {r['R']} × {r['m']} | {t(rs)} | {mem(rs)} | {t(fl)} (LU {fl.get('lu_time', 0):.1f}) "
              f"| {ratio_fl} | {matched} | {t(pm)} | {mem(pm)} | {ratio_pm} | {diff} | {r['load_before']:.1f}–{r['load_after']:.1f} |")
    print()
    for r in rows:
        if not r.get("skipped") and "solver" in r["reslog"]:
            print(f"n = {r['n']:,}: reslog solver {r['reslog']['solver']}, method {r['reslog']['method']}, "
                  f"κ̂ = {float(r['reslog']['cond']):.3g}, productivity test: {r['reslog']['productivity']}")


if __name__ == "__main__":
    main()
