"""Gold-trade exposure: a hand-solved hub network, and the command on the demo warehouse."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from rich.console import Console
from typer.testing import CliRunner

from reslog.cli import app
from reslog.intel.imagery.exposure import calc_gold_exposure


def _trade(rows):
    return pd.DataFrame(rows, columns=["exporter", "importer", "q"])


def test_hub_network_by_hand():
    # GHA (30 ha) ships 100 t to the hub CHE, which re-exports 60 t to JPN and 40 t to IND;
    # AUS (no ASGM) ships 40 t to JPN; PER (10 ha) exports no gold in the data.
    area = pd.Series({"GHA": 30.0, "PER": 10.0})
    tr = _trade([("GHA", "CHE", 100.0), ("CHE", "JPN", 60.0), ("CHE", "IND", 40.0),
                 ("AUS", "JPN", 40.0)])
    res = calc_gold_exposure(area, tr)
    t = res.table.set_index("country")
    assert t.loc["JPN", "imports"] == 100.0
    assert t.loc["JPN", "direct_share"] == 0.0               # nothing direct from GHA
    assert t.loc["JPN", "traced_share"] == pytest.approx(0.6)  # 60 of 100 t via CHE
    assert t.loc["JPN", "attributed_area_ha"] == pytest.approx(18.0)  # 30 ha × 60/100
    assert t.loc["IND", "attributed_area_ha"] == pytest.approx(12.0)
    assert t.loc["CHE", "direct_share"] == 1.0
    assert t.loc["CHE", "attributed_area_ha"] == pytest.approx(0.0, abs=1e-9)  # a pure hub
    assert t["attributed_area_ha"].sum() == pytest.approx(30.0)   # all traced area assigned
    assert any("PER" in n for n in res.notes)
    assert any("net exports" in n for n in res.notes)


def test_production_is_used_when_given():
    area = pd.Series({"GHA": 10.0})
    tr = _trade([("GHA", "CHE", 50.0), ("CHE", "JPN", 50.0)])
    # GHA mines 100 t and keeps 50; CHE mines nothing
    res = calc_gold_exposure(area, tr, pd.Series({"GHA": 100.0}))
    t = res.table.set_index("country")
    assert t.loc["JPN", "attributed_area_ha"] == pytest.approx(5.0)   # half of GHA's gold
    assert t.loc["GHA", "attributed_area_ha"] == pytest.approx(5.0)   # the half used at home


def test_no_exports_from_hotspot_countries_says_why():
    res = calc_gold_exposure(pd.Series({"VEN": 5.0}), _trade([("ZAF", "GBR", 3.0)]))
    assert res.table.empty and "no HS 7108 exports from the hotspot countries (VEN)" in res.empty_reason
    assert "ZAF" in res.empty_reason


def _zaf_hotspots(tmp_path: Path) -> Path:
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": None, "properties": {
            "hotspot_id": "h1", "area_ha": 46.08, "centroid_lat": -25.78, "centroid_lon": 31.05,
            "probability": 0.93, "country": "ZAF", "first_seen": "2021-06-01", "scene": "sim.tif",
            "simulated_scene": True}}]}
    p = tmp_path / "zaf.geojson"
    p.write_text(json.dumps(doc))
    return p


@pytest.mark.shared_data
def test_exposure_command_on_the_demo_warehouse(tmp_path, shared_data):
    from reslog.jobs.demo import run_demo

    db = tmp_path / "demo.duckdb"
    run_demo(db, tmp_path / "r.html", console=Console(file=open(tmp_path / "o.txt", "w")))
    runner = CliRunner()
    # the demo warehouse has no trade: an empty result that says why
    r = runner.invoke(app, ["imagery", "exposure", "--db", str(db), "--hotspots",
                            str(_zaf_hotspots(tmp_path))])
    assert r.exit_code == 0, r.output
    assert "no HS 7108 (gold) trade rows" in r.output
    baci = shared_data / "trade" / "baci_HS92_2021_V202301_exports_ZAF_AFG.csv"
    r = runner.invoke(app, ["ingest", "baci", str(baci), "--db", str(db)])
    assert r.exit_code == 0, r.output
    out = tmp_path / "exp.csv"
    r = runner.invoke(app, ["imagery", "exposure", "--db", str(db), "--hotspots",
                            str(_zaf_hotspots(tmp_path)), "--importer", "GBR", "--output", str(out)])
    assert r.exit_code == 0, r.output
    assert "(simulated)" in r.output
    tab = pd.read_csv(out)
    trade = pd.read_csv(tmp_path / "exp_trade.csv")
    # every number traces to the trade rows: imports per country = sum of its 7108 rows
    assert set(trade["k"]) <= {710811, 710812, 710813, 710820}
    assert trade["ledger_id"].notna().all()
    imp = trade.groupby("importer")["q"].sum()
    for r_ in tab.itertuples():
        if r_.imports > 0:
            assert r_.imports == pytest.approx(imp[r_.country])
    # only ZAF exports gold in the sample: every importer's gold is from ZAF (direct = traced)
    np.testing.assert_allclose(tab.loc[tab["imports"] > 0, "direct_share"], 1.0)
    assert tab["attributed_area_ha"].sum() == pytest.approx(46.08)


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_C = ["GHA", "PER", "CHE", "ARE", "JPN", "IND", "AUS"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_C), st.sampled_from(_C), st.floats(0.1, 100)),
                min_size=1, max_size=15),
       st.floats(1, 500), st.floats(0, 500))
def test_attributed_area_is_conserved(flows, a_gha, a_per):
    tr = _trade([f for f in flows if f[0] != f[1]])
    area = pd.Series({"GHA": a_gha, "PER": a_per})
    res = calc_gold_exposure(area, tr)
    if res.empty_reason:
        return
    traced = [c for c in area.index if area[c] > 0 and c in set(tr["exporter"])]
    # every hectare of a traced origin with production ends up attributed somewhere
    origins = set(res.origins["origin"])
    expect = sum(area[c] for c in traced if c in origins)
    assert res.table["attributed_area_ha"].sum() == pytest.approx(expect, rel=1e-6, abs=1e-9)
    assert ((res.table["direct_share"] >= 0) & (res.table["direct_share"] <= 1 + 1e-12)).all()
    assert ((res.table["traced_share"] >= 0) & (res.table["traced_share"] <= 1 + 1e-9)).all()
