"""Load test of ``reslog serve``: 50 concurrent clients on loopback, cached footprint and event
queries, p95 latency and errors — at rest and while an ingest writes through the one writer.

    PYTHONPATH=src python bench/api_load.py [--clients 50] [--seconds 15] [--port 8765]

The server (uvicorn, the real app from ``create_app``) runs in this process on 127.0.0.1 with a
demo warehouse (starter data + the pymrio test MRIO) in a temporary folder. The clients run in a
separate process (asyncio + httpx, one keep-alive connection each) so that their CPU does not
count as server time. Phase 1: the load at rest. Phase 2: the same load while an MRIO is ingested
by a thread through ``WarehouseHub.writer()`` — what ``POST /api/ledger/ingests`` does: WIOD 2011
(6.1 M Z cells) from the shared data folder when present, else a synthetic 60×20 blocks MRIO.

Baselines, printed as ratios: the target (p95 < 100 ms); the same load against a second server
with the cache off (``RESLOG_CACHE_ENTRIES=0``: every request computes, as without this design);
and the single cold computation of each URL, measured once before the load.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

TARGET_P95_MS = 100.0


# ----------------------------------------------------------------------------- client process
async def _get(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str, url: str) -> int:
    """One HTTP/1.1 keep-alive GET on an open connection; returns the status (body read fully).

    A URL starting with ``!`` is sent with a (stale) session cookie: the server must then take the
    full route (principal lookup in the platform DB, organisation events merged) — no fast path.
    """
    extra = ""
    if url.startswith("!"):
        url, extra = url[1:], "Cookie: reslog_session=bench-not-a-session\r\n"
    writer.write(f"GET {url} HTTP/1.1\r\nHost: {host}\r\nAccept: application/json\r\n{extra}\r\n".encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = 0
    chunked = False
    for ln in lines[1:]:
        k, _, v = ln.partition(":")
        if k.lower() == "content-length":
            length = int(v)
        elif k.lower() == "transfer-encoding" and "chunked" in v.lower():
            chunked = True
    if chunked:
        while True:
            size = int((await reader.readline()).strip(), 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length:
        await reader.readexactly(length)
    return status


async def _client_main(base: str, urls: list[str], clients: int, seconds: float) -> dict:
    """``clients`` concurrent keep-alive connections, each sending requests back to back.

    A minimal HTTP/1.1 client (asyncio streams) so that client CPU stays small beside the
    server's: the latency measured is the server's plus loopback.
    """
    host, port = base.removeprefix("http://").split(":")
    samples: list[tuple[float, str, float]] = []        # (wall start, group, latency ms)
    errors: list[str] = []
    deadline = time.perf_counter() + seconds

    async def one(k: int) -> None:
        reader, writer = await asyncio.open_connection(host, int(port))
        i = k
        try:
            while time.perf_counter() < deadline:
                url = urls[i % len(urls)]
                i += 1
                t0 = time.perf_counter()
                wall = time.time()
                try:
                    status = await asyncio.wait_for(_get(reader, writer, host, url), 30)
                except Exception as e:  # noqa: BLE001 - counted as an error; reconnect
                    errors.append(f"{url}: {type(e).__name__}")
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, int(port))
                    continue
                dt = (time.perf_counter() - t0) * 1000
                if status == 200:
                    samples.append((wall, _group(url), dt))
                else:
                    errors.append(f"{url}: HTTP {status}")
        finally:
            writer.close()

    await asyncio.gather(*(one(k) for k in range(clients)))
    return {"samples": samples, "errors": errors}


def _group(url: str) -> str:
    if url.startswith("!"):
        return "events_route"
    return "events" if "/api/events" in url else "footprint"


def _client_entry() -> None:
    cfg = json.loads(sys.stdin.read())
    out = asyncio.run(_client_main(cfg["base"], cfg["urls"], cfg["clients"], cfg["seconds"]))
    sys.stdout.write(json.dumps(out))


def _run_clients(base: str, urls: list[str], clients: int, seconds: float) -> dict:
    cfg = json.dumps({"base": base, "urls": urls, "clients": clients, "seconds": seconds})
    p = subprocess.run([sys.executable, __file__, "--client"], input=cfg, capture_output=True,
                       text=True, timeout=seconds + 120)
    if p.returncode != 0:
        raise RuntimeError(p.stderr[-2000:])
    return json.loads(p.stdout)


# ----------------------------------------------------------------------------- server side
def _pct(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    k = min(len(xs) - 1, max(0, int(round(q / 100 * (len(xs) - 1)))))
    return xs[k]


def _build_demo(db: Path) -> None:
    from rich.console import Console

    from reslog.jobs.demo import build_warehouse
    from reslog.sources.registry import read

    wh = build_warehouse(db, Console(file=io.StringIO()))
    try:
        wh.ingest(read("mrio", "pymrio-test"), kind="mrio")
    finally:
        wh.close()


def _ingest_sources(tmp: Path) -> list[tuple[str, Path]]:
    """WIOD 2011 from the shared data when present, then a synthetic blocks MRIO."""
    from reslog.paths import shared_data_dir

    out = []
    sd = shared_data_dir()
    if sd is not None and (sd / "io_tables" / "wiod2013_wiot2011_Z_intermediate_musd.csv").exists():
        out.append(("WIOD 2011 (shared data)", sd / "io_tables"))
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    regions, sectors = [f"R{i:02d}" for i in range(60)], [f"s{j:02d}" for j in range(20)]
    lab = pd.MultiIndex.from_product([regions, sectors]).to_frame(index=False, name=["region", "sector"])
    n = len(lab)
    rr, cc = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    Z = pd.DataFrame({"row_region": lab["region"].to_numpy()[rr.ravel()],
                      "row_sector": lab["sector"].to_numpy()[rr.ravel()],
                      "col_region": lab["region"].to_numpy()[cc.ravel()],
                      "col_sector": lab["sector"].to_numpy()[cc.ravel()],
                      "value": rng.random(n * n)})
    yr, yc = np.meshgrid(np.arange(n), np.arange(len(regions)), indexing="ij")
    Y = pd.DataFrame({"row_region": lab["region"].to_numpy()[yr.ravel()],
                      "row_sector": lab["sector"].to_numpy()[yr.ravel()],
                      "col_region": np.array(regions)[yc.ravel()], "col_sector": "final demand",
                      "value": rng.random(yr.size) * n})
    d = tmp / "synthetic-mrio"
    d.mkdir()
    Z.to_csv(d / "Z.csv", index=False)
    Y.to_csv(d / "Y.csv", index=False)
    out.append(("synthetic blocks MRIO (60 regions x 20 sectors)", d))
    return out


GROUPS = ("footprint", "events", "events_route")


def _summary(name: str, res: dict, seconds: float, window: list[tuple[float, float]] | None = None) -> dict:
    samples = res["samples"]
    if window is not None:
        samples = [x for x in samples if any(a <= x[0] <= b for a, b in window)]
        seconds = sum(b - a for a, b in window) or seconds
    out: dict = {"phase": name, "requests": len(samples), "rps": len(samples) / seconds,
                 "errors": len(res["errors"]), "error_examples": res["errors"][:5]}
    for g in GROUPS:
        xs = [x[2] for x in samples if x[1] == g]
        out[g] = {"n": len(xs), "p50": _pct(xs, 50), "p95": _pct(xs, 95), "p99": _pct(xs, 99)}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--baseline-seconds", type=float, default=8.0,
                    help="Length of the baseline phase: the same load with the cache off (0 skips).")
    args = ap.parse_args()

    import httpx
    import uvicorn

    from reslog.api.app import create_app
    from reslog.api.settings import Settings
    from reslog.services.ingest import read_isolated

    tmp = Path(tempfile.mkdtemp(prefix="reslog-api-load-"))
    db = tmp / "bench.duckdb"
    t0 = time.perf_counter()
    _build_demo(db)
    print(f"demo warehouse built in {time.perf_counter() - t0:.1f} s: {db}")
    app = create_app(Settings(db=db, secret_key="bench"))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=args.port, log_level="warning",
                                           access_log=False))
    th = threading.Thread(target=server.run, daemon=True)
    th.start()
    base = f"http://127.0.0.1:{args.port}"
    for _ in range(300):
        try:
            if httpx.get(base + "/api/meta/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    urls = [f"/api/mrio/pymrio_test/footprint?region=reg{i}&extension=emissions&limit=20" for i in range(1, 7)]
    urls += ["/api/products/bev/footprint", "/api/products/icev/footprint"]
    ev = ["/api/events?limit=20", "/api/events?country=BRA&limit=20", "/api/events?type=tailings_failure&limit=50",
          "/api/events?since=2015-01-01&limit=20", "/api/events?commodity=iron&limit=20"]
    urls += ev + ["!" + u for u in ev[:2]]
    cold = {}
    with httpx.Client(base_url=base, timeout=60) as c:
        for u in urls:                       # cold: computes and fills the cache
            t1 = time.perf_counter()
            assert c.get(u.lstrip("!")).status_code == 200, u
            cold[u] = (time.perf_counter() - t1) * 1000
    cold_fp = statistics.median([v for k, v in cold.items() if _group(k) == "footprint"])
    cold_ev = statistics.median([v for k, v in cold.items() if _group(k) == "events"])

    rest = _summary("at rest", _run_clients(base, urls, args.clients, args.seconds), args.seconds)

    base_sum = None
    if args.baseline_seconds > 0:          # named baseline: the same server and load, cache off
        import shutil

        db0 = tmp / "baseline.duckdb"
        shutil.copy(db, db0)
        app0 = create_app(Settings(db=db0, secret_key="bench", cache_entries=0))
        srv0 = uvicorn.Server(uvicorn.Config(app0, host="127.0.0.1", port=args.port + 1,
                                             log_level="warning", access_log=False))
        th0 = threading.Thread(target=srv0.run, daemon=True)
        th0.start()
        base0 = f"http://127.0.0.1:{args.port + 1}"
        for _ in range(300):
            try:
                if httpx.get(base0 + "/api/meta/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        base_sum = _summary("no cache", _run_clients(base0, urls, args.clients, args.baseline_seconds),
                            args.baseline_seconds)
        srv0.should_exit = True
        th0.join(30)

    sources = _ingest_sources(tmp)
    ing: list[dict] = []
    window: list[tuple[float, float]] = []
    parse_w: list[tuple[float, float]] = []
    write_w: list[tuple[float, float]] = []

    def ingest() -> None:
        time.sleep(1.0)
        for label, src in sources:
            a = time.time()
            t1 = time.perf_counter()
            parsed = read_isolated("mrio", src)  # as POST /api/ledger/ingests: parse in a worker process
            t2 = time.perf_counter()
            b = time.time()
            with app.state.hub.writer() as wh:
                res = wh.ingest(parsed, kind="mrio")
            window.append((a, time.time()))
            parse_w.append((a, b))
            write_w.append((b, time.time()))
            ing.append({"what": label, "parse_s": t2 - t1, "write_s": time.perf_counter() - t2,
                        "rows": sum(res.rows.values()), "ledger_id": res.ledger_id})

    it = threading.Thread(target=ingest)
    it.start()
    res = _run_clients(base, urls, args.clients, args.seconds)
    ingest_alive_at_end = it.is_alive()
    it.join()
    during = _summary("during ingest", res, args.seconds, window)
    during_parse = _summary("  parsing", res, args.seconds, parse_w)
    during_write = _summary("  writing", res, args.seconds, write_w)
    with httpx.Client(base_url=base, timeout=60) as c:
        after = c.get("/api/ledger").json()["total"]
    server.should_exit = True
    th.join(10)

    print(f"\n{args.clients} clients x {args.seconds:g} s per phase, loopback, keep-alive; ledger now {after} entries")
    for x in ing:
        print(f"  ingest {x['what']}: {x['rows']:,} rows, parse {x['parse_s']:.1f} s (no lock) + write "
              f"{x['write_s']:.1f} s (writer lock), ledger #{x['ledger_id']}")
    if ingest_alive_at_end:
        print("  (the ingest outlasted the phase: 'during ingest' covers only the overlap)")
    print(f"cold (uncached) compute, median per URL: footprint {cold_fp:.0f} ms, events {cold_ev:.0f} ms")
    print(f"{'phase':<15}{'req':>7}{'req/s':>7}{'err':>5}" + "".join(f"  {g + ' p50/p95/p99 ms':>34}" for g in GROUPS))
    for sm in ([base_sum] if base_sum else []) + [rest, during, during_parse, during_write]:
        cells = "".join(f"  {sm[g]['p50']:>10.1f}{sm[g]['p95']:>12.1f}{sm[g]['p99']:>12.1f}" for g in GROUPS)
        print(f"{sm['phase']:<15}{sm['requests']:>7}{sm['rps']:>7.0f}{sm['errors']:>5}{cells}")
        if sm["error_examples"]:
            print("  errors:", sm["error_examples"])
    worst = max(rest["footprint"]["p95"], rest["events"]["p95"])
    print(f"ratio cached p95 / target {TARGET_P95_MS:.0f} ms (footprint + events, at rest): {worst / TARGET_P95_MS:.2f} "
          f"({'PASS' if worst < TARGET_P95_MS and rest['errors'] == 0 else 'FAIL'})")
    print(f"single cold computation / cached p95, footprint: {cold_fp / max(rest['footprint']['p95'], 1e-9):.1f}x")
    if base_sum:
        for g in ("footprint", "events"):
            print(f"ratio no-cache p95 / cached p95 ({g}, same load): "
                  f"{base_sum[g]['p95'] / max(rest[g]['p95'], 1e-9):.1f}x "
                  f"({base_sum[g]['n']} vs {rest[g]['n']} requests answered)")
    with open(tmp / "result.json", "w") as f:
        json.dump({"no_cache": base_sum, "rest": rest, "during_ingest": during, "during_parse": during_parse,
                   "during_write": during_write, "ingest": ing, "cold_ms": cold,
                   "loadavg": os.getloadavg()}, f, default=float)
    print(f"machine load average (1, 5, 15 min): {', '.join(f'{x:.1f}' for x in os.getloadavg())} "
          f"on {os.cpu_count()} cores")
    print(f"details: {tmp / 'result.json'}")
    from reslog.services.ingest import shutdown

    shutdown()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--client":
        _client_entry()
    else:
        main()
