"""Bad input gets a clear message naming file, row and field; documented handling of
below-detection values; real inputs go through the warehouse ledger."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from reslog.errors import InputError
from reslog.sources.geochem import read_porphyry_csv, read_samples_csv
from reslog.sources.scenarios import parse_scenario_paths, read_scenario_paths

HEAD = "scenario,country,year,ghg,gdp,population\n"


def _write(tmp_path: Path, text: str, name: str = "paths.csv") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_scenario_paths_ok(tmp_path: Path) -> None:
    p = _write(tmp_path, HEAD + "s,JPN,2030,1000,5e12,1.2e8\ns,JPN,2040,900,6e12,1.1e8\n"
                         "s,Germany,2030,700,4e12,8e7\ns,Germany,2040,600,4.5e12,7.9e7\n")
    df = parse_scenario_paths(p)
    assert set(df["country"]) == {"JPN", "DEU"}
    parsed = read_scenario_paths(p)
    assert len(parsed.tables["scenario_inputs"]) == 12 and parsed.meta.sha256


@pytest.mark.parametrize("body, row, field, words", [
    ("s,JPN,2030,-5,5e12,1e8\n", 1, "ghg", "must be > 0"),
    ("s,XXL,2030,5,5e12,1e8\n", 1, "country", "unknown country"),
    ("s,JPN,2030,5,,1e8\n", 1, "gdp", "empty"),
])
def test_scenario_paths_bad_cells(tmp_path: Path, body: str, row: int, field: str, words: str) -> None:
    with pytest.raises(InputError) as e:
        parse_scenario_paths(_write(tmp_path, HEAD + body))
    assert e.value.row == row and e.value.field == field and words in str(e.value)


def test_scenario_paths_missing_year(tmp_path: Path) -> None:
    p = _write(tmp_path, HEAD + "s,JPN,2030,1,1,1\ns,JPN,2040,1,1,1\ns,DEU,2030,1,1,1\n")
    with pytest.raises(InputError, match=r"country DEU: year\(s\) \[2040\] missing") as e:
        parse_scenario_paths(p)
    assert e.value.field == "year"
    p = _write(tmp_path, HEAD + "s,JPN,2030,1,1,1\ns,JPN,2035,1,1,1\ns,JPN,2045,1,1,1\n")
    with pytest.raises(InputError, match="year 2040 is missing"):
        parse_scenario_paths(p)


def test_below_detection_is_half_the_limit_and_flagged(tmp_path: Path) -> None:
    p = _write(tmp_path, "sample_id,La,Ce,Eu\nA,<0.4,12,na\nB,3,0,1\n", "s.csv")
    vals, flags = read_samples_csv(p)
    assert vals.loc["A", "La"] == pytest.approx(0.2) and flags.loc["A", "La"] == "bdl"
    assert np.isnan(vals.loc["A", "Eu"]) and flags.loc["A", "Eu"] == ""
    assert np.isnan(vals.loc["B", "Ce"]) and flags.loc["B", "Ce"] == "bdl_unknown"


def test_bad_concentration_names_row_and_field(tmp_path: Path) -> None:
    p = _write(tmp_path, "sample_id,La,Ce\nA,1,2\nB,abc,2\n", "s.csv")
    with pytest.raises(InputError) as e:
        read_samples_csv(p)
    assert e.value.row == 2 and e.value.field == "La"
    p = _write(tmp_path, "Label,Deposit,La,Yb\nX,,1,2\n", "lab.csv")
    with pytest.raises(InputError, match="deposit name is required") as e:
        read_porphyry_csv(p)
    assert e.value.field == "Deposit"


@pytest.mark.shared_data
def test_real_inputs_are_in_the_ledger(shared_data: Path, tmp_path: Path) -> None:
    from reslog.jobs.scenario import load_shared_inputs
    from reslog.store.warehouse import Warehouse

    with Warehouse.open(tmp_path / "wh.duckdb") as wh:
        done = load_shared_inputs(wh, shared_data, kinds={"ssp", "refcomp", "porphyry"}, log=lambda m: None)
        led = wh.ledger()
        assert {"ssp", "refcomp", "porphyry"} <= set(led["kind"])
        # every row of the area's tables points at a ledger entry
        for t in ("scenario_inputs", "reference_compositions", "geochem_samples"):
            ids = set(wh.query(f"SELECT DISTINCT ledger_id FROM {t}")["ledger_id"])
            assert ids and ids <= set(led["ledger_id"])
        again = load_shared_inputs(wh, shared_data, kinds={"ssp"}, log=lambda m: None)
        assert all(r.skipped for _, _, r in again)
    assert len(done) >= 5
