"""Section 5: the server keeps answering reads while the one writer ingests.

The writer's transaction is held open on purpose (no timing luck): reads issued meanwhile must
succeed at once, see the warehouse as it was before the ingest, and see the new rows after COMMIT.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pandas as pd
import pytest

from reslog.paths import PACKAGE_DATA
from reslog.sources.registry import read
from reslog.store.hub import WarehouseHub


@pytest.fixture
def hub(tmp_path: Path):
    h = WarehouseHub(tmp_path / "w.duckdb")
    with h.writer() as wh:
        wh.ingest(read("production", PACKAGE_DATA / "starter" / "production.csv"), kind="production")
    yield h
    h.close()


def _count(h: WarehouseHub) -> int:
    with h.reader() as wh:
        return int(wh.con.execute("SELECT count(*) FROM mine_sites").fetchall()[0][0])


def test_reads_succeed_and_see_a_snapshot_while_a_write_transaction_is_open(hub: WarehouseHub):
    inside, release, done = threading.Event(), threading.Event(), threading.Event()
    errors: list[BaseException] = []
    v0 = hub.version

    def writer() -> None:
        try:
            with hub.writer() as wh:
                wh.con.execute("BEGIN TRANSACTION")
                parsed = read("mines", PACKAGE_DATA / "starter" / "mine_sites.csv")
                wh._ingest_frame("mine_sites", parsed.tables["mine_sites"], 99, "test")
                inside.set()
                release.wait(30)
                wh.con.execute("COMMIT")
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)
        finally:
            done.set()

    t = threading.Thread(target=writer)
    t.start()
    assert inside.wait(30)
    counts = [_count(hub) for _ in range(20)]           # would raise or hang if reads were blocked
    with hub.reader() as wh:
        n_prod = len(wh.production())
    release.set()
    t.join(30)
    assert not errors and done.is_set()
    assert counts == [0] * 20                           # the open transaction is invisible
    assert n_prod > 0
    assert _count(hub) > 0                              # committed rows are visible afterwards
    assert hub.version != v0


def test_ingest_in_a_thread_while_readers_hammer(hub: WarehouseHub):
    stop = threading.Event()
    results: list[int] = []
    errors: list[BaseException] = []

    def reader() -> None:
        while not stop.is_set():
            try:
                with hub.reader() as wh:
                    results.append(len(wh.query("SELECT * FROM production LIMIT 50")))
            except BaseException as e:  # pragma: no cover
                errors.append(e)

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for th in threads:
        th.start()
    try:
        for kind, f in (("wgi", "governance.csv"), ("mines", "mine_sites.csv"), ("events", "tailings_failures.csv")):
            parsed = read(kind, PACKAGE_DATA / "starter" / f)
            with hub.writer() as wh:
                assert not wh.ingest(parsed, kind=kind).skipped
    finally:
        stop.set()
        for th in threads:
            th.join(30)
    assert not errors
    assert results and all(r == 50 for r in results)
    with hub.reader() as wh:
        assert len(wh.ledger()) == 4


def test_http_reads_during_open_write_transaction(tmp_path: Path):
    from fastapi.testclient import TestClient

    from reslog.api.app import create_app
    from reslog.api.settings import Settings

    app = create_app(Settings(db=tmp_path / "w.duckdb", secret_key="t"))
    hub = app.state.hub
    with hub.writer() as wh:
        wh.ingest(read("events", PACKAGE_DATA / "starter" / "tailings_failures.csv"), kind="events")
    inside, release = threading.Event(), threading.Event()

    def writer() -> None:
        with hub.writer() as wh:
            wh.con.execute("BEGIN TRANSACTION")
            wh.con.execute("DELETE FROM risk_events")
            inside.set()
            release.wait(30)
            wh.con.execute("ROLLBACK")

    t = threading.Thread(target=writer)
    t.start()
    try:
        assert inside.wait(30)
        with TestClient(app) as c:
            for _ in range(5):
                r = c.get("/api/events", params={"limit": 5})
                assert r.status_code == 200
                assert r.json()["total"] > 0            # the pending delete is not visible
            release.set()
            t.join(30)
            assert c.get("/api/events", params={"limit": 5}).json()["total"] > 0  # rolled back
    finally:
        release.set()
        t.join(30)
        hub.close()


def test_second_process_writer_gets_a_clear_error(hub: WarehouseHub):
    import subprocess
    import sys

    _count(hub)  # the hub holds the file open
    code = ("import sys\nfrom reslog.store.warehouse import Warehouse, WarehouseError\n"
            f"try:\n    Warehouse.open({str(hub.path)!r})\nexcept WarehouseError as e:\n"
            "    print(e); sys.exit(3)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                       env={**__import__("os").environ, "PYTHONPATH": str(Path(__file__).parents[2] / "src")})
    assert r.returncode == 3, r.stderr
    assert "reslog serve" in r.stdout and "POST /api/ledger/ingests" in r.stdout


def test_frames_are_independent_of_cursor(hub: WarehouseHub):
    with hub.reader() as wh:
        df = wh.production()
    assert isinstance(df, pd.DataFrame) and len(df) > 0


def test_warehouse_open_inside_the_serving_process_uses_the_hub(hub: WarehouseHub):
    from reslog.store.warehouse import Warehouse, WarehouseError

    n = _count(hub)
    wh = Warehouse.open(hub.path, read_only=True)   # library code opening the file itself
    try:
        assert len(wh.production()) > 0 and wh.read_only
    finally:
        wh.close()                                    # closes the cursor, not the hub
    assert _count(hub) == n
    with pytest.raises(WarehouseError, match="one writer"):
        Warehouse.open(hub.path)
    hub.close()
    Warehouse.open(hub.path).close()                  # once the hub has stopped, files open normally
