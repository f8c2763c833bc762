"""The warehouse: one transaction per ingest, idempotent, replace-by-key, ledger, checksums."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from reslog.errors import InputError
from reslog.sources.base import Parsed, SourceMeta, SqlScan
from reslog.store.warehouse import Warehouse, WarehouseError


def _prod(q: float = 220_000.0) -> pd.DataFrame:
    return pd.DataFrame({
        "country": ["COD", "AUS"], "commodity": ["cobalt", "cobalt"], "year": [2024, 2024],
        "stage": ["mine", "mine"], "quantity": [q, 3_600.0], "unit": ["t Co content"] * 2,
        "marker": [None, None], "estimated": [False, False], "source": ["test"] * 2,
    })


def _meta(sha: str) -> SourceMeta:
    return SourceMeta("test", "v1", "CC0", "cite", ("f.csv",), sha)


def test_ingest_writes_rows_and_ledger(db_path: Path) -> None:
    with Warehouse.open(db_path) as wh:
        res = wh.ingest(Parsed({"production": _prod()}, _meta("a")), kind="production")
        assert not res.skipped and res.rows == {"production": 2}
        led = wh.ledger()
        assert list(led["sha256"]) == ["a"] and int(led["rows"].iloc[0]) == 2
        assert set(wh.table("production")["ledger_id"]) == {res.ledger_id}


def test_same_content_twice_is_a_no_op(db_path: Path) -> None:
    with Warehouse.open(db_path) as wh:
        wh.ingest(Parsed({"production": _prod()}, _meta("a")), kind="production")
        before = wh.checksums()
        res = wh.ingest(Parsed({"production": _prod()}, _meta("a")), kind="production")
        assert res.skipped and wh.checksums() == before


def test_newer_ingest_replaces_rows_with_the_same_key(db_path: Path) -> None:
    with Warehouse.open(db_path) as wh:
        wh.ingest(Parsed({"production": _prod(1.0)}, _meta("a")), kind="production")
        r2 = wh.ingest(Parsed({"production": _prod(2.0)}, _meta("b")), kind="production")
        df = wh.table("production").set_index("country")
        assert len(df) == 2 and df.loc["COD", "quantity"] == 2.0
        assert df.loc["COD", "ledger_id"] == r2.ledger_id


def test_failure_in_second_table_rolls_back_the_first(db_path: Path, tmp_path: Path) -> None:
    csv = tmp_path / "t.csv"
    csv.write_text("t,i,j,k,v,q\n2021,4,8,10111,1.0,2.0\n")
    bad = SqlScan(sql=f"SELECT t, i, j, k, v, q, 'HS92' FROM read_csv('{csv}')",
                  checks=[f"SELECT 1 AS row, 'v' AS field, 'always bad' AS message FROM read_csv('{csv}')"],
                  file=str(csv))
    with Warehouse.open(db_path) as wh:
        before = wh.checksums()
        with pytest.raises(InputError, match=r"t\.csv, row 1, field 'v': always bad"):
            wh.ingest(Parsed({"production": _prod(), "trade": bad}, _meta("c")), kind="x")
        assert wh.checksums() == before
        assert len(wh.ledger()) == 0


def test_scan_loads_and_replaces(db_path: Path, tmp_path: Path) -> None:
    csv = tmp_path / "t.csv"
    csv.write_text("t,i,j,k,v,q\n2021,4,8,10111,1.0,2.0\n2021,4,12,10111,3.0,\n")
    scan = SqlScan(sql=f"SELECT t, i, j, k, v, q, 'HS92' FROM read_csv('{csv}')", checks=[],
                   replace_where="t = 2021 AND hs_revision = 'HS92'")
    with Warehouse.open(db_path) as wh:
        assert wh.ingest(Parsed({"trade": scan}, _meta("d")), kind="baci").rows == {"trade": 2}
        assert wh.ingest(Parsed({"trade": scan}, _meta("e")), kind="baci").rows == {"trade": 2}
        assert wh.counts()["trade"] == 2


def test_duplicate_key_in_frame_is_refused(db_path: Path) -> None:
    df = pd.concat([_prod(), _prod()], ignore_index=True)
    with Warehouse.open(db_path) as wh:
        with pytest.raises(InputError, match="duplicate key"):
            wh.ingest(Parsed({"production": df}, _meta("f")), kind="production")
        assert wh.counts()["production"] == 0


def test_reference_tables_and_read_only(db_path: Path) -> None:
    with pytest.raises(WarehouseError, match="no warehouse here yet"):
        Warehouse.open(db_path, read_only=True)
    Warehouse.open(db_path).close()
    with Warehouse.open(db_path, read_only=True) as wh:
        counts = wh.counts()
        assert counts["countries"] >= 249 and counts["commodities"] >= 50
        with pytest.raises(WarehouseError):
            wh.ingest(Parsed({"production": _prod()}, _meta("g")), kind="production")


def test_production_reported_only_leaves_out_estimates(db_path: Path) -> None:
    df = _prod()
    df.loc[1, "estimated"] = True
    with Warehouse.open(db_path) as wh:
        wh.ingest(Parsed({"production": df}, _meta("h")), kind="production")
        assert len(wh.production()) == 2
        assert list(wh.production(reported_only=True)["country"]) == ["COD"]
