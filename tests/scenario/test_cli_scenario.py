"""The area's commands: clear exit-2 messages when inputs are missing; demand runs offline."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def _reslog(*args: str, db: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RESLOG_DB": str(db), "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}
    return subprocess.run([sys.executable, "-m", "reslog", *args], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=300)


def test_trade_without_inputs_says_what_to_run(tmp_path: Path, db_path: Path) -> None:
    from reslog.store.warehouse import Warehouse

    Warehouse.open(db_path).close()
    r = _reslog("scenario", "trade", "--no-skill", db=db_path, cwd=tmp_path)
    assert r.returncode == 2, r.stdout + r.stderr
    assert "reslog scenario load" in r.stderr or "ingest" in r.stderr


def test_classify_without_model_exits_2(tmp_path: Path, db_path: Path) -> None:
    (tmp_path / "s.csv").write_text("sample_id,La\nA,1\n")
    r = _reslog("fingerprint", "classify", str(tmp_path / "s.csv"), "--model", str(tmp_path / "none.pkl"),
                db=db_path, cwd=tmp_path)
    assert r.returncode == 2 and "reslog fingerprint train" in r.stderr


def test_demand_runs_on_an_empty_warehouse(tmp_path: Path, db_path: Path) -> None:
    from reslog.store.warehouse import Warehouse

    Warehouse.open(db_path).close()
    r = _reslog("scenario", "demand", db=db_path, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Mass balance" in r.stdout and "lithium" in r.stdout


def test_bad_scenario_paths_file_names_row_and_field(tmp_path: Path, db_path: Path) -> None:
    p = tmp_path / "paths.csv"
    p.write_text("scenario,country,year,ghg,gdp,population\ns,JPN,2030,-1,1,1\n")
    r = _reslog("ingest", "scenario-paths", str(p), db=db_path, cwd=tmp_path)
    assert r.returncode == 2
    assert "row 1" in r.stderr and "'ghg'" in r.stderr
