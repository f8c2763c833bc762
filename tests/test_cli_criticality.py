"""`reslog criticality`: trade-derived sourcing and import reliance enter SR (issue 14.10)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from rich.console import Console


@pytest.fixture(scope="module")
def wh_with_trade(tmp_path_factory: pytest.TempPathFactory):
    from reslog.jobs.demo import build_warehouse

    db = tmp_path_factory.mktemp("crit") / "w.duckdb"
    wh = build_warehouse(db, Console(quiet=True))
    # BACI-style rows: cobalt ores and concentrates (HS 260500) into Japan from the Philippines and
    # Australia, and a little re-export; codes as in BACI (392 JPN, 608 PHL, 36 AUS, 180 COD).
    wh.con.execute("INSERT INTO trade_countries VALUES (392, 'JPN', 'Japan', 'test', 0), "
                   "(608, 'PHL', 'Philippines', 'test', 0), (36, 'AUS', 'Australia', 'test', 0), "
                   "(180, 'COD', 'DR Congo', 'test', 0)")
    wh.con.execute("INSERT INTO trade VALUES (2021, 608, 392, 260500, 10, 3000, 'HS92', 0), "
                   "(2021, 36, 392, 260500, 10, 1000, 'HS92', 0), (2021, 392, 180, 260500, 1, 500, 'HS92', 0)")
    yield wh
    wh.close()


def test_japan_sourcing_and_import_reliance_come_from_trade(wh_with_trade) -> None:
    from reslog.services.criticality import criticality_frame as _criticality_frame

    df = _criticality_frame(wh_with_trade, None, "JPN")
    co = df[df["material"] == "Cobalt"].iloc[0]
    # Japan mines no cobalt: imports 4,000 t gross minus exports 500 → IR = 1
    assert co["import_reliance"] == pytest.approx(1.0)
    assert "BACI 2021" in co["sourcing_basis"] and np.isfinite(co["hhi_wgi_sourcing"])
    assert co["sr_basis"].startswith("computed") and "EU 2023 values" in co["proxies"]
    # SR = [HHI_GS·1/2 + HHI_JPN·1/2]·(1 − EoL)·SI with Japan's sourcing 75 % PHL, 25 % AUS
    exp = (co["hhi_wgi_gs"] / 2 + co["hhi_wgi_sourcing"] / 2) * (1 - co["eol_rir"]) * co["si_sr"]
    assert co["sr"] == pytest.approx(exp)
    # materials without trade name what is missing
    li = df[df["material"] == "Lithium"].iloc[0]
    assert np.isnan(li["sr"]) and "JPN sourcing" in li["missing_inputs"]
