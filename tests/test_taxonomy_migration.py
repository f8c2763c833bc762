"""Taxonomy 2.0.0: the production_disruption type, and stored 1.0.0 events migrated on open."""

from __future__ import annotations

from pathlib import Path

import pytest

from reslog.schema import EVENT_TYPES, TAXONOMY_VERSION, resolve_commodity
from reslog.schema.taxonomy import migrate_event_type
from reslog.store.warehouse import Warehouse


def test_new_type_and_version() -> None:
    t = EVENT_TYPES["production_disruption"]
    assert t.label_ja == "生産障害·減産" and t.channel == "supply"
    assert TAXONOMY_VERSION == "2.0.0"
    assert migrate_event_type("tailings_failure", "1.0.0") == "tailings_failure"
    with pytest.raises(ValueError, match="no taxonomy migration"):
        migrate_event_type("tailings_failure", "0.9.0")
    assert resolve_commodity("翡翠") == "jade" and resolve_commodity("rubies") == "gemstones"


def test_stored_events_are_migrated_on_open(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    wh = Warehouse.open(db)
    wh.con.execute("DELETE FROM commodities WHERE name IN ('jade', 'gemstones')")  # an older warehouse
    wh.con.execute(
        "INSERT INTO risk_events (event_id, event_type, severity, confidence, taxonomy_version, source) VALUES "
        "('e1', 'mine_accident', 0.5, 1, '1.0.0', 'test'), ('e2', 'pollution', 0.5, 1, '2.0.0', 'test')")
    wh.close()
    wh = Warehouse.open(db)
    try:
        ev = wh.query("SELECT event_id, event_type, taxonomy_version FROM risk_events ORDER BY event_id")
        assert ev["taxonomy_version"].tolist() == ["2.0.0", "2.0.0"]
        assert ev["event_type"].tolist() == ["mine_accident", "pollution"]
        led = wh.ledger()
        mig = led[led["kind"] == "migration"]
        assert len(mig) == 1 and "1 rows from taxonomy 1.0.0 to 2.0.0" in mig["citation"].iloc[0]
        assert {"jade", "gemstones"} <= set(wh.query("SELECT name FROM commodities")["name"])
    finally:
        wh.close()
    wh = Warehouse.open(db)  # idempotent: nothing left to migrate
    try:
        assert (wh.ledger()["kind"] == "migration").sum() == 1
    finally:
        wh.close()


def test_unknown_stored_type_is_refused_unchanged(tmp_path: Path) -> None:
    from reslog.store.warehouse import WarehouseError

    db = tmp_path / "w.duckdb"
    wh = Warehouse.open(db)
    wh.con.execute("INSERT INTO risk_events (event_id, event_type, severity, confidence, taxonomy_version, source) VALUES "
                   "('e1', 'meteor_strike', 0.5, 1, '1.0.0', 'test')")
    wh.close()
    with pytest.raises(WarehouseError, match="meteor_strike"):
        Warehouse.open(db)
    con = __import__("duckdb").connect(str(db), read_only=True)
    assert con.execute("SELECT taxonomy_version FROM risk_events").fetchall() == [("1.0.0",)]
    con.close()
