"""Mine capacity: a number with an explicit unit and year, the original text kept beside it."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from reslog.errors import InputError
from reslog.paths import PACKAGE_DATA
from reslog.sources.mines import read_mine_sites
from reslog.store.warehouse import Warehouse

HEAD = "mine_id,name,lat,lon,country,commodities,type,source"


def test_starter_capacities_are_numeric_with_unit_and_text() -> None:
    m = read_mine_sites(PACKAGE_DATA / "starter" / "mine_sites.csv").tables["mine_sites"].set_index("mine_id")
    has = m[m["capacity"].notna()]
    assert len(has) == 26 and has["capacity_unit"].str.len().gt(0).all()
    assert has["capacity_text"].str.len().gt(0).all()
    k = m.loc["cod-kamoto-kcc"]
    assert (k["capacity"], k["capacity_unit"], k["capacity_year"]) == (270000.0, "t Cu/yr", 2020)
    assert k["capacity_text"].startswith("Copper 270,000 t, cobalt 23,900 t")
    g = m.loc["aus-greenbushes"]
    assert (g["capacity"], g["capacity_unit"], g["capacity_year"]) == (32.2, "kt Li/yr", 2023)


def test_capacity_without_unit_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "m.csv"
    f.write_text(HEAD + ",capacity\nx,X,1,2,CHL,copper,industrial,s,25\n")
    with pytest.raises(InputError, match="capacity_unit"):
        read_mine_sites(f)


def test_legacy_free_text_capacity_is_kept_as_text_never_guessed(tmp_path: Path) -> None:
    f = tmp_path / "m.csv"
    f.write_text(HEAD + ",capacity\nx,X,1,2,CHL,copper,industrial,s,about 25 kt Cu/yr\n")
    m = read_mine_sites(f).tables["mine_sites"].iloc[0]
    assert m["capacity_text"] == "about 25 kt Cu/yr" and m["capacity"] != m["capacity"]  # NaN


def test_old_warehouse_capacity_column_is_migrated(tmp_path: Path) -> None:
    from reslog.services.shock import capacity_t_per_year

    db = tmp_path / "w.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE mine_sites (mine_id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, lat DOUBLE, "
                "lon DOUBLE, country VARCHAR NOT NULL, commodities VARCHAR NOT NULL, type VARCHAR NOT NULL, "
                "status VARCHAR, operator VARCHAR, tailings_facilities INTEGER, capacity VARCHAR, "
                "source VARCHAR NOT NULL, ledger_id INTEGER)")
    con.execute("INSERT INTO mine_sites VALUES ('x', 'X', 1, 2, 'CHL', 'copper', 'industrial', NULL, NULL, NULL, "
                "'25 kt Cu/yr', 's', 1)")
    con.close()
    with Warehouse.open(db) as wh:
        r = wh.query("SELECT capacity, capacity_unit, capacity_text FROM mine_sites").iloc[0]
        assert r["capacity_text"] == "25 kt Cu/yr" and r["capacity"] != r["capacity"]
    assert capacity_t_per_year(25.0, "kt Cu/yr", "copper") == 25000.0
    assert capacity_t_per_year(20000.0, "t ore milled/day", "copper") is None
