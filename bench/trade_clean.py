"""Benchmark: reslog trade cleaning vs the pandas groupby-apply baseline.

Usage::

    python bench/trade_clean.py [--rows 10000000] [--baseline-series 20000] [--baseline-full]

A multi-year sample of ``--rows`` rows (years 2012–2021; exporter, importer and product codes
from BACI's real code lists in ``../shared/data/trade`` when present) is generated: each
exporter–importer–product series has a log-normal level and trend, is present in a random
subset of years, carries 2 % injected spikes (×5–×30) and 4 % missing quantities.

* reslog (``clean_trade``) runs on the whole sample.
* The baseline (``bench/trade_clean_baseline.py``: one Python call per series) would take
  hours on 10 M rows, so by default it runs on a random subset of ``--baseline-series`` whole
  series (unit values are computed from the full sample in both, so the subset's output must be
  identical). reslog is timed on the same subset too. The speed ratio is reported both
  per row (full-sample reslog vs subset baseline throughput) and like-for-like on the subset.
  ``--baseline-full`` runs the baseline on everything instead.

Output identity: flags equal, q_clean equal to 1e-9 relative (the two sum windows in a
different order).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from trade_clean_baseline import clean_trade_baseline  # noqa: E402

from reslog.model.trade.clean import CleaningParams, clean_trade, estimate_missing_quantity  # noqa: E402

# the baseline implements the published single-σ rule: compare like for like
PUBLISHED = CleaningParams(scale="sd")
from reslog.paths import shared_data_dir  # noqa: E402


def code_lists() -> tuple[np.ndarray, np.ndarray]:
    """BACI country and HS92 product codes (real lists when ../shared/data is present)."""
    d = shared_data_dir()
    if d is not None:
        c = pd.read_csv(d / "trade" / "baci_country_codes_V202301.csv")["country_code"].to_numpy()
        p = pd.read_csv(d / "trade" / "baci_product_codes_HS92_V202301.csv")["code"].to_numpy()
        return c.astype(np.int64), p.astype(np.int64)
    return np.arange(4, 900, 4, dtype=np.int64), np.arange(10111, 970600, 190, dtype=np.int64)


def make_sample(rows: int, seed: int = 1, years: tuple[int, int] = (2012, 2021)) -> pd.DataFrame:
    """Synthetic multi-year BACI-like sample with ``rows`` rows (see module docstring)."""
    rng = np.random.default_rng(seed)
    countries, products = code_lists()
    yrs = np.arange(years[0], years[1] + 1)
    p_present = 0.7
    n_series = int(rows / (len(yrs) * p_present) * 1.08) + 10
    # Zipf-like skew: big traders and products carry most series
    wi = 1.0 / np.arange(1, len(countries) + 1) ** 0.8
    wk = 1.0 / np.arange(1, len(products) + 1) ** 0.5
    i = rng.choice(countries, n_series, p=wi / wi.sum())
    j = rng.choice(countries, n_series, p=wi[::-1] / wi.sum())
    k = rng.choice(products, n_series, p=wk / wk.sum())
    key = pd.DataFrame({"i": i, "j": j, "k": k})
    key = key[key["i"] != key["j"]].drop_duplicates()
    ns = len(key)
    present = rng.random((ns, len(yrs))) < p_present
    sidx, yidx = np.nonzero(present)
    if len(sidx) > rows:
        sidx, yidx = sidx[:rows], yidx[:rows]
    level = rng.lognormal(3.0, 2.0, ns)
    trend = rng.normal(0.0, 0.05, ns)
    q = level[sidx] * np.exp(trend[sidx] * yidx + rng.normal(0, 0.15, len(sidx)))
    spike = rng.random(len(sidx)) < 0.02
    q[spike] *= rng.uniform(5, 30, spike.sum())
    uv = rng.lognormal(0.5, 0.8, len(products))
    kk = key["k"].to_numpy()[sidx]
    v = q * uv[np.searchsorted(np.sort(products), kk)] * rng.lognormal(0, 0.1, len(sidx))
    q = np.round(q, 3)
    v = np.round(v, 3)
    qq = q.astype(float)
    qq[rng.random(len(sidx)) < 0.04] = np.nan
    return pd.DataFrame({
        "t": yrs[yidx].astype(np.int16), "i": key["i"].to_numpy()[sidx].astype(np.int16),
        "j": key["j"].to_numpy()[sidx].astype(np.int16), "k": kk.astype(np.int32),
        "v": v, "q": qq,
    })


def compare(a: pd.DataFrame, b: pd.DataFrame) -> tuple[int, float, int]:
    """(flag mismatches, max relative q_clean difference, estimated-flag mismatches)."""
    keys = ["t", "i", "j", "k"]
    a = a.sort_values(keys).reset_index(drop=True)
    b = b.sort_values(keys).reset_index(drop=True)
    if len(a) != len(b) or not (a[keys].to_numpy() == b[keys].to_numpy()).all():
        raise SystemExit("outputs have different rows")
    fa, fb = a["outlier"].to_numpy(bool), b["outlier"].to_numpy(bool)
    qa, qb = a["q_clean"].to_numpy(float), b["q_clean"].to_numpy(float)
    both_nan = np.isnan(qa) & np.isnan(qb)
    rel = np.abs(qa - qb) / np.maximum(np.abs(qb), 1e-300)
    rel[both_nan] = 0.0
    est = int((a["q_estimated"].to_numpy(bool) != b["q_estimated"].to_numpy(bool)).sum())
    return int((fa != fb).sum()), float(np.nanmax(rel)) if len(rel) else 0.0, est


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--baseline-series", type=int, default=20_000)
    ap.add_argument("--baseline-full", action="store_true")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    t0 = time.perf_counter()
    df = make_sample(args.rows, args.seed)
    print(f"sample: {len(df):,} rows, {df.groupby(['i','j','k']).ngroups:,} series, "
          f"years {df.t.min()}-{df.t.max()}, generated in {time.perf_counter() - t0:.1f} s")

    t0 = time.perf_counter()
    full = clean_trade(df, PUBLISHED)
    t_full = time.perf_counter() - t0
    print(f"reslog clean_trade, full sample: {t_full:.2f} s = {len(df) / t_full:,.0f} rows/s; "
          f"outliers {int(full.outlier.sum()):,}, estimated q {int(full.q_estimated.sum()):,}")

    if args.baseline_full:
        sub_df, sub_ref = df, full
    else:
        rng = np.random.default_rng(args.seed + 1)
        keys = df[["i", "j", "k"]].drop_duplicates()
        pick = keys.iloc[rng.choice(len(keys), min(args.baseline_series, len(keys)), replace=False)]
        mask = df.set_index(["i", "j", "k"]).index.isin(pd.MultiIndex.from_frame(pick))
        # give the subset the full sample's unit values, so both methods see the same inputs
        q_filled, est = estimate_missing_quantity(df)
        sub_df = df[mask].assign(q=q_filled[mask])
        sub_ref = full[mask]
    t0 = time.perf_counter()
    base = clean_trade_baseline(sub_df)
    t_base = time.perf_counter() - t0
    if not args.baseline_full:
        # the subset was handed pre-filled quantities: take "estimated" from the full sample
        ref = sub_ref.set_index(["t", "i", "j", "k"])["q_estimated"]
        base["q_estimated"] = ref.loc[pd.MultiIndex.from_frame(base[["t", "i", "j", "k"]])].to_numpy()
    t0 = time.perf_counter()
    sub_res = clean_trade(sub_df, PUBLISHED)
    t_sub = time.perf_counter() - t0
    flags, rel, est = compare(sub_ref, base)
    flags2, rel2, _ = compare(sub_res, base)
    print(f"baseline groupby-apply: {len(sub_df):,} rows in {t_base:.2f} s = "
          f"{len(sub_df) / t_base:,.0f} rows/s")
    print(f"reslog on the same subset: {t_sub:.3f} s")
    print(f"identical output: flag mismatches {flags} / {len(sub_df):,}, max rel. q_clean diff "
          f"{rel:.2e}, estimated-flag mismatches {est}; (subset run: {flags2}, {rel2:.2e})")
    ratio_rows = (len(df) / t_full) / (len(sub_df) / t_base)
    ratio_sub = t_base / t_sub
    print(f"speed-up per row (full reslog vs baseline): {ratio_rows:,.1f}x")
    print(f"speed-up like-for-like on the subset: {ratio_sub:,.1f}x")
    ok = flags == 0 and rel < 1e-9 and est == 0
    print("RESULT:", "identical" if ok else "DIFFERENT", f"ratio {ratio_rows:,.1f}x (target ≥ 5x)")


if __name__ == "__main__":
    main()
