"""Benchmark: ingest one full BACI year through the real reader and the warehouse.

Usage::

    python bench/baci_ingest.py [--file BACI_HS92_Y2021_V202301.csv] [--rows 11000000]
                                [--memory-limit 3GB] [--threads 2]

With ``--file`` the real BACI data file (with its code files beside it) is ingested. Without
it, a stand-in year is generated first (not timed) in a temporary folder:

* BACI's real code lists from ``../shared/data/trade`` (238 country codes, 5,021 HS92
  product codes) are copied beside it, so the reader validates every code as it would for the
  real file;
* exporters, importers and products are drawn with Zipf-like weights (exponents 0.8, 0.8 and
  0.5 on randomly ordered code lists: a few countries and products carry most of the rows, as
  in BACI where the top 20 exporters hold about half of the flows), and (i, j, k) triples are
  unique;
* values are log-normal (thousand USD, 3 decimals), quantities = value / a log-normal unit value
  per product, written as BACI does: right-aligned in a quoted 13-character field, ``NA`` for
  4 % of rows.

It then reports rows/s of ``read_baci`` (one hashing pass) + ``Warehouse.ingest`` (DuckDB
streaming scan with the validation checks, one transaction), and the peak resident memory of
the process (sampled every 50 ms with psutil; DuckDB's buffers are inside the process).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import psutil

from reslog.paths import shared_data_dir


class PeakRSS:
    """Sample the resident set size of this process in a thread; ``peak`` in bytes."""

    def __init__(self, interval: float = 0.05) -> None:
        self.proc = psutil.Process()
        self.interval = interval
        self.peak = self.proc.memory_info().rss
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.proc.memory_info().rss)
            time.sleep(self.interval)

    def __enter__(self) -> "PeakRSS":
        self._t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._t.join()
        self.peak = max(self.peak, self.proc.memory_info().rss)


def generate_year(folder: Path, rows: int, seed: int = 2021, year: int = 2021) -> Path:
    """Write ``BACI_HS92_Y<year>_V202301.csv`` with ``rows`` rows plus the real code files."""
    import duckdb
    import pandas as pd

    src = shared_data_dir()
    if src is None:
        raise SystemExit("../shared/data is needed for BACI's code lists (or pass --file)")
    shutil.copy(src / "trade" / "baci_country_codes_V202301.csv", folder / "country_codes_V202301.csv")
    shutil.copy(src / "trade" / "baci_product_codes_HS92_V202301.csv",
                folder / "product_codes_HS92_V202301.csv")
    countries = pd.read_csv(folder / "country_codes_V202301.csv")["country_code"].to_numpy(np.int64)
    products = pd.read_csv(folder / "product_codes_HS92_V202301.csv")["code"].to_numpy(np.int64)
    rng = np.random.default_rng(seed)
    ci = rng.permutation(countries)
    cj = rng.permutation(countries)
    pk = rng.permutation(products)
    wc = 1.0 / np.arange(1, len(countries) + 1) ** 0.8
    wk = 1.0 / np.arange(1, len(products) + 1) ** 0.5
    keys = np.empty(0, dtype=np.int64)
    while len(keys) < rows:
        n = int((rows - len(keys)) * 1.3) + 1000
        i = rng.choice(ci, n, p=wc / wc.sum())
        j = rng.choice(cj, n, p=wc / wc.sum())
        k = rng.choice(pk, n, p=wk / wk.sum())
        ok = i != j
        new = (i[ok] * 1000 + j[ok]) * 1_000_000 + k[ok]
        keys = np.unique(np.concatenate([keys, new]))
    keys = rng.permutation(keys)[:rows]
    keys.sort()
    i, rest = np.divmod(keys, 1000 * 1_000_000)
    j, k = np.divmod(rest, 1_000_000)
    v = np.round(rng.lognormal(2.0, 2.5, rows), 3)
    uv = rng.lognormal(0.5, 1.2, len(products))
    q = np.round(v / uv[np.searchsorted(np.sort(products), k)] * rng.lognormal(0, 0.3, rows), 3)
    na = rng.random(rows) < 0.04
    path = folder / f"BACI_HS92_Y{year}_V202301.csv"
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = true")
    frame = pd.DataFrame({"t": year, "i": i, "j": j, "k": k, "v": v, "q": q, "na": na})
    con.register("g", frame)
    con.execute(
        f"COPY (SELECT t, i, j, k, v, CASE WHEN na THEN 'NA' ELSE lpad(printf('%.3f', q), 13, ' ') "
        f"END AS q FROM g) TO '{path}' (HEADER, DELIMITER ',', QUOTE '\"', FORCE_QUOTE (q))")
    con.close()
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--file", type=Path, help="a real BACI data file (code files beside it)")
    ap.add_argument("--rows", type=int, default=11_000_000)
    ap.add_argument("--memory-limit", default=None, help="DuckDB memory_limit, e.g. 3GB")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    from reslog.sources.baci import read_baci
    from reslog.store.warehouse import Warehouse

    with tempfile.TemporaryDirectory(prefix="reslog-baci-bench-") as tmp:
        tmpd = Path(tmp)
        if args.file is None:
            t0 = time.perf_counter()
            data = generate_year(tmpd, args.rows)
            print(f"generated {args.rows:,} rows ({data.stat().st_size / 1e6:,.0f} MB) in "
                  f"{time.perf_counter() - t0:.1f} s (not timed below)")
        else:
            data = args.file
        db = tmpd / "wh" / "bench.duckdb"
        wh = Warehouse.open(db)
        wh.con.execute(f"SET threads = {args.threads}")
        if args.memory_limit:
            wh.con.execute(f"SET memory_limit = '{args.memory_limit}'")
        base = psutil.Process().memory_info().rss
        with PeakRSS() as mem:
            t0 = time.perf_counter()
            parsed = read_baci(data)
            t_read = time.perf_counter() - t0
            res = wh.ingest(parsed, kind="baci")
            t_all = time.perf_counter() - t0
        n = res.rows.get("trade", 0)
        wh.close()
        print(f"read_baci (hash + header/last-line checks): {t_read:.1f} s")
        print(f"ingest total: {n:,} rows in {t_all:.1f} s = {n / t_all:,.0f} rows/s "
              f"(threads={args.threads}, memory_limit={args.memory_limit or 'DuckDB default'})")
        print(f"peak RSS {mem.peak / 2**30:.2f} GiB (process before ingest {base / 2**30:.2f} GiB); "
              f"warehouse file {db.stat().st_size / 1e6:,.0f} MB")
        ok = t_all < 60 and mem.peak < 4 * 2**30
        print("RESULT:", "within" if ok else "OUTSIDE", "target (< 60 s, < 4 GB)")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
