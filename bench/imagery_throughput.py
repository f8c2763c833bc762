"""Throughput of `reslog imagery detect` on a full-size (10,980 × 10,980 px) synthetic tile.

Named target: issue 10 asks for ≥ 2 million pixels per second on 2 cores with peak memory
under 4 GB. The tile is built from simulated scenes (measured spectra; see
docs/imagery.md) repeated over the tile, written once as an uncompressed tiled GeoTIFF
(10 bands + SCL, ≈ 2.6 GB) under ``$TMPDIR/reslog-bench``, and streamed window by window.

Run:  nice python bench/imagery_throughput.py [--workers 2] [--window-patches 32] [--keep]
Prints the pixel rate, its ratio against the 2 Mpx/s target, and the peak resident memory of
this process plus its Dask workers (sampled every 0.1 s).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

TARGET_MPX_S = 2.0
SIDE = 10980
BLOCK_CELLS = 6  # 6 × 6 simulated scenes of 144 px = an 864-px block, repeated


def build_tile(path: Path) -> None:
    import rasterio
    from affine import Affine

    from reslog.intel.imagery.bands import BANDS
    from reslog.intel.imagery.simulate import KINDS, simulate_mosaic

    rng = np.random.default_rng(0)
    kinds = [[str(rng.choice(KINDS)) for _ in range(BLOCK_CELLS)] for _ in range(BLOCK_CELLS)]
    m = simulate_mosaic(kinds, 11, -63.0, 6.5)
    dn = np.clip(np.round(m.refl * 1e4), 1, 65535).astype(np.uint16)
    b = dn.shape[1]
    prof = dict(driver="GTiff", width=SIDE, height=SIDE, count=11, dtype="uint16", crs=m.crs,
                transform=Affine(10.0, 0, 300000.0, 0, -10.0, 800000.0), tiled=True,
                blockxsize=512, blockysize=512, BIGTIFF="YES")
    tmp = path.with_suffix(".part.tif")
    with rasterio.open(tmp, "w", **prof) as dst:
        for i, name in enumerate(list(BANDS) + ["SCL"], start=1):
            dst.set_band_description(i, name)
        dst.update_tags(ACQUISITION_DATE="2024-03-01", RESLOG_SIMULATED="yes")
        from rasterio.windows import Window

        for r0 in range(0, SIDE, b):
            for c0 in range(0, SIDE, b):
                h, w = min(b, SIDE - r0), min(b, SIDE - c0)
                dst.write(dn[:, :h, :w], indexes=list(range(1, 11)), window=Window(c0, r0, w, h))
                dst.write(m.scl[None, :h, :w].astype(np.uint16), indexes=[11],
                          window=Window(c0, r0, w, h))
    tmp.replace(path)


class PeakRSS(threading.Thread):
    """Samples the resident memory of this process and all its children."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        import psutil

        self.proc = psutil.Process()
        self.peak = 0
        self.stop = threading.Event()

    def run(self) -> None:
        import psutil

        while not self.stop.is_set():
            tot = 0
            for p in [self.proc] + self.proc.children(recursive=True):
                try:
                    tot += p.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, tot)
            time.sleep(0.1)


def cpu_seconds() -> float:
    """User + system CPU seconds of this process and its live children (Dask workers)."""
    import psutil

    me = psutil.Process()
    tot = 0.0
    for p in [me] + me.children(recursive=True):
        try:
            t = p.cpu_times()
            tot += t.user + t.system
        except psutil.Error:
            pass
    return tot


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--window-patches", type=int, default=32)
    ap.add_argument("--model", default=None)
    ap.add_argument("--keep", action="store_true", help="keep the tile for the next run")
    a = ap.parse_args()

    from reslog.intel.imagery.service import dask_client, run_detection

    d = Path(os.environ.get("TMPDIR", tempfile.gettempdir())) / "reslog-bench"
    d.mkdir(parents=True, exist_ok=True)
    tile = d / "S2_synthetic_10980_20240301.tif"
    if not tile.exists():
        t0 = time.perf_counter()
        build_tile(tile)
        print(f"built the synthetic tile {tile} ({tile.stat().st_size / 1e9:.2f} GB) in "
              f"{time.perf_counter() - t0:.0f} s")
    mon = PeakRSS()
    mon.start()
    with dask_client(a.workers or None) as client:
        cpu0 = cpu_seconds()
        t0 = time.perf_counter()
        doc = run_detection(tile, model_dir=a.model, window_patches=a.window_patches,
                            client=client)
        dt = time.perf_counter() - t0
        cpu = cpu_seconds() - cpu0
    mon.stop.set()
    mon.join()
    px = SIDE * SIDE
    rate = px / dt / 1e6
    print(f"detect on a {SIDE:,} × {SIDE:,} px tile (simulated scene content): {dt:.1f} s, "
          f"{len(doc['features'])} hotspots, {doc['reslog']['patches_valid']:,} valid patches")
    print(f"throughput {rate:.2f} Mpx/s with {a.workers or 1} "
          f"{'Dask workers' if a.workers else 'process'}; target {TARGET_MPX_S} Mpx/s → ratio "
          f"{rate / TARGET_MPX_S:.2f}x")
    cores = max(a.workers, 1)
    print(f"CPU time used (process + workers): {cpu:.1f} s → {px / cpu / 1e6:.2f} Mpx per "
          f"CPU-second; on {cores} dedicated core(s): {px / (cpu / cores) / 1e6:.2f} Mpx/s "
          f"(ratio {px / (cpu / cores) / 1e6 / TARGET_MPX_S:.2f}x); load average during the run "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"peak resident memory (process + workers): {mon.peak / 1e9:.2f} GB (limit 4 GB)")
    if not a.keep:
        tile.unlink()


if __name__ == "__main__":
    main()
