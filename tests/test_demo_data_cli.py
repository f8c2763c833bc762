"""``reslog platform demo-data``: the demo organisation's simulated site and hotspots, stored once."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from typer.testing import CliRunner

from reslog.cli import app
from reslog.jobs.demo import build_warehouse
from reslog.store.warehouse import Warehouse


def test_demo_data_is_idempotent(tmp_path: Path) -> None:
    db = tmp_path / "reslog.duckdb"
    build_warehouse(db, Console(quiet=True)).close()
    r = CliRunner()
    first = r.invoke(app, ["platform", "demo-data", "--db", str(db)])
    assert first.exit_code == 0, first.output
    assert "accepted: 30,240" in first.output
    again = r.invoke(app, ["platform", "demo-data", "--db", str(db)])
    assert again.exit_code == 0, again.output
    assert "accepted: 0" in again.output
    with Warehouse.open(db, read_only=True) as wh:
        n_asgm = wh.query("SELECT count(*) AS n FROM risk_events WHERE event_type = 'asgm'")["n"].iloc[0]
        sites = wh.query("SELECT site_id, org_id FROM monitoring_sites")
    assert n_asgm >= 1
    assert list(sites["site_id"]) == ["demo-tsf"] and sites["org_id"].notna().all()
