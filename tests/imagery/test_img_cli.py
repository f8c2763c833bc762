"""`reslog imagery` commands end to end: simulate → detect → ingest twice → exposure."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from reslog.cli import app


def test_simulate_detect_ingest_is_idempotent(tmp_path, tiny_models):
    r = CliRunner()
    scene, before = tmp_path / "s.tif", tmp_path / "b.tif"
    res = r.invoke(app, ["imagery", "simulate", "--output", str(scene), "--before", str(before),
                         "--kinds", "forest,mine;road,sandbar", "--seed", "2"])
    assert res.exit_code == 0, res.output
    out = tmp_path / "h.geojson"
    db = tmp_path / "w.duckdb"
    args = ["imagery", "detect", "--scene", str(scene), "--output", str(out), "--model",
            str(tiny_models), "--ingest", "--db", str(db)]
    first = r.invoke(app, args)
    assert first.exit_code == 0, first.output
    doc = json.loads(out.read_text())
    assert doc["reslog"]["simulated_scene"] is True and "(simulated)" in first.output
    second = r.invoke(app, args)
    assert second.exit_code == 0 and "already in the warehouse" in second.output
    from reslog.store.warehouse import Warehouse

    with Warehouse.open(db, read_only=True) as wh:
        n = wh.query("SELECT count(*) n FROM risk_events WHERE source='imagery_s2'")["n"][0]
        assert n == len(doc["features"])
    two = r.invoke(app, ["imagery", "detect", "--scene", str(scene), "--before", str(before),
                         "--output", str(tmp_path / "h2.geojson"), "--model", str(tiny_models),
                         "--map", str(tmp_path / "map.html")])
    assert two.exit_code == 0, two.output
    assert (tmp_path / "map.html").stat().st_size > 100_000  # plotly.js inlined


def _main(monkeypatch, capsys, args):
    import pytest

    from reslog.cli import main

    monkeypatch.setattr("sys.argv", ["reslog", *args])
    with pytest.raises(SystemExit) as e:
        main()
    return e.value.code, capsys.readouterr().err


def test_cli_errors_exit_2_with_a_message(tmp_path, monkeypatch, capsys):
    code, err = _main(monkeypatch, capsys, ["imagery", "detect", "--scene",
                                            str(tmp_path / "none.tif"), "--output",
                                            str(tmp_path / "o.geojson")])
    assert code == 2 and "no such file" in err
    code, err = _main(monkeypatch, capsys, ["imagery", "train", "--labels", str(tmp_path),
                                            "--output", str(tmp_path / "m")])
    assert code == 2 and "exactly one of" in err
    code, err = _main(monkeypatch, capsys, ["imagery", "simulate", "--output",
                                            str(tmp_path / "x.tif"), "--kinds", "forest,volcano"])
    assert code == 2 and "volcano" in err
