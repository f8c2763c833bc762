"""MRIO readers (pymrio folder, CSV/Parquet blocks, WIOD) and the ``reslog io`` commands."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pymrio
import pytest
import typer
from typer.testing import CliRunner

from reslog.cli.io import demo_section, load_mrio, register
from reslog.errors import InputError
from reslog.model.io import MRIO
from reslog.sources.mrio import read_blocks, read_mrio, read_pymrio_folder, read_pymrio_test, read_wiod_2011


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.callback()
    def _root() -> None:  # makes "io" a sub-command
        """reslog (test root)."""

    return app


def _write_blocks(folder: Path, fmt: str) -> MRIO:
    src = read_pymrio_test()
    long = src.to_parsed().tables["io_blocks"]
    folder.mkdir(parents=True)
    for block, sub in long.groupby("block"):
        stem = str(block).replace("F_Y:", "F_Y_").replace("F:", "F_")
        if stem == "x":
            continue
        sub = sub[["row_region", "row_sector", "col_region", "col_sector", "value"]]
        if fmt == "csv":
            sub.to_csv(folder / f"{stem}.csv", index=False)
        else:
            sub.to_parquet(folder / f"{stem}.parquet", index=False)
    return MRIO.from_pymrio(pymrio.load_test())


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_blocks_roundtrip(tmp_path, fmt):
    ref = _write_blocks(tmp_path / "b", fmt)
    m = load_mrio(tmp_path / "b")
    assert set(m.extensions) == {"factor_inputs", "emissions"}
    a = m.accounts("emissions").D_cba_reg
    b = ref.accounts("emissions").D_cba_reg
    assert a.columns.equals(b.columns)
    np.testing.assert_allclose(a.to_numpy(), b.to_numpy(), rtol=1e-12)


def test_blocks_bad_value_names_file_row_field(tmp_path):
    _write_blocks(tmp_path / "b", "csv")
    z = (tmp_path / "b" / "Z.csv").read_text().splitlines()
    z[3] = ",".join(z[3].split(",")[:-1] + ["abc"])
    (tmp_path / "b" / "Z.csv").write_text("\n".join(z) + "\n")
    with pytest.raises(InputError, match=r"Z.csv, row 3, field 'value': 'abc' is not a finite number"):
        read_blocks(tmp_path / "b")


def test_pymrio_folder(tmp_path):
    io = pymrio.load_test()
    io.save_all(tmp_path / "saved")
    src = read_pymrio_folder(tmp_path / "saved")
    assert src.Z.shape == (48, 48) and "emissions" in src.extensions
    assert len(src.meta.sha256) == 64
    with pytest.raises(InputError, match="not found"):
        read_pymrio_folder(tmp_path / "nothing")
    with pytest.raises(InputError, match="not a recognised MRIO"):
        (tmp_path / "empty").mkdir()
        read_mrio(tmp_path / "empty")


def test_to_parsed_long_table():
    parsed = read_pymrio_test().to_parsed()
    t = parsed.tables["io_blocks"]
    assert list(t.columns) == ["mrio", "block", "row_region", "row_sector", "col_region", "col_sector", "value", "unit"]
    assert {"Z", "Y", "F:emissions", "F_Y:emissions"} <= set(t["block"])
    m = MRIO.from_long(t[t["block"] != "x"])
    np.testing.assert_allclose(m.x_array, MRIO.from_pymrio(pymrio.load_test()).x_array)


@pytest.mark.shared_data
def test_wiod_reader(shared_data):
    src = read_wiod_2011(shared_data / "io_tables")
    assert src.Z.index.names == ["region", "sector"] and len(src.Z.index.get_level_values("region").unique()) == 41
    assert src.Y.columns[0] == ("AUS", "CONS_h")
    assert src.x.loc[("AUS", "c2")] == 266955
    assert src.meta.source == "wiod2013_wiot2011" and len(src.meta.sha256) == 64


def test_wiod_reader_bad_cell(tmp_path):
    lab = ["AAA_c1", "AAA_c2"]
    pd.DataFrame([[1, 2], [3, "x"]], index=pd.Index(lab, name="row"), columns=lab).to_csv(
        tmp_path / "wiod2013_wiot2011_Z_intermediate_musd.csv")
    pd.DataFrame([[1], [2]], index=pd.Index(lab, name="row"), columns=["AAA_CONS_h"]).to_csv(
        tmp_path / "wiod2013_wiot2011_Y_final_demand_musd.csv")
    pd.DataFrame({"row": lab, "gross_output_musd": [10, 10]}).to_csv(
        tmp_path / "wiod2013_wiot2011_x_output_labels.csv", index=False)
    with pytest.raises(InputError, match=r"Z_intermediate_musd.csv, row 2, field 'AAA_c2': 'x' is not a number"):
        read_wiod_2011(tmp_path)


def test_cli_footprint_shock_paths(tmp_path):
    app, r = _app(), CliRunner()
    out = tmp_path / "fp.csv"
    res = r.invoke(app, ["io", "footprint", "--mrio", "pymrio-test", "--extension", "emissions", "--output", str(out)])
    assert res.exit_code == 0, res.output
    fp = pd.read_csv(out)
    ref = MRIO.from_pymrio(pymrio.load_test()).accounts("emissions").D_cba_reg
    np.testing.assert_allclose(fp.iloc[:, 1].to_numpy(), ref.iloc[0].to_numpy(), rtol=1e-12)
    res = r.invoke(app, ["io", "footprint", "--mrio", "pymrio-test", "--extension", "emissions", "--by", "origin",
                         "--stressor", "emission_type1", "--output", str(tmp_path / "o.csv")])
    assert res.exit_code == 0, res.output
    o = pd.read_csv(tmp_path / "o.csv")
    assert len(o) == 36 and set(o.columns) == {"consumer", "stressor", "origin_region", "value", "unit"}
    assert set(o["unit"]) == {"kg"}  # the extension's unit reaches the CSV
    dem = tmp_path / "d.csv"
    dem.write_text("region,sector,value\nreg2,mining,1000000\n")
    res = r.invoke(app, ["io", "footprint", "--mrio", "pymrio-test", "--extension", "emissions", "--demand", str(dem),
                         "--by", "origin", "--output", str(tmp_path / "dd.csv")])
    assert res.exit_code == 0, res.output
    shock = tmp_path / "s.csv"
    shock.write_text("region,sector,loss\nreg2,mining,0.5\n")
    res = r.invoke(app, ["io", "shock", "--mrio", "pymrio-test", "--shock", str(shock), "--output", str(tmp_path / "so.csv")])
    assert res.exit_code == 0, res.output
    so = pd.read_csv(tmp_path / "so.csv").set_index(["region", "sector"])
    assert so.loc[("reg2", "mining"), "loss_share"] == pytest.approx(0.5)
    assert (so["loss_share"] >= -1e-12).all()
    res = r.invoke(app, ["io", "paths", "--mrio", "pymrio-test", "--stressor", "emission_type1", "--region", "reg1",
                         "--top", "3"])
    assert res.exit_code == 0, res.output
    assert "  1. order" in res.output and "  3. order" in res.output


def test_cli_bad_shock_file(tmp_path):
    app, r = _app(), CliRunner()
    shock = tmp_path / "s.csv"
    shock.write_text("region,sector,loss\nreg2,mining,1.5\n")
    res = r.invoke(app, ["io", "shock", "--mrio", "pymrio-test", "--shock", str(shock), "--output", str(tmp_path / "o.csv")])
    assert isinstance(res.exception, InputError)
    assert "s.csv, row 1, field 'loss'" in str(res.exception)
    shock.write_text("region,sector,loss\nreg2,gold,0.5\n")
    res = r.invoke(app, ["io", "shock", "--mrio", "pymrio-test", "--shock", str(shock), "--output", str(tmp_path / "o.csv")])
    assert "unknown (region, sector)" in str(res.exception)


def test_demo_section():
    text = demo_section()
    assert "reg1" in text and "by origin region" in text
    assert text.count("%") >= 6
