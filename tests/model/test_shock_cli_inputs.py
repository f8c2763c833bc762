"""``reslog io shock``: the shocked sectors lose exactly the stated fraction, whatever the model (issue 14, item 4)."""

from __future__ import annotations

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from reslog.cli.io import register
from reslog.errors import InputError


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def _run(tmp_path, text: str, model: str):
    shock = tmp_path / "s.csv"
    shock.write_text(text)
    out = tmp_path / "o.csv"
    res = CliRunner().invoke(_app(), ["io", "shock", "--mrio", "pymrio-test", "--shock", str(shock),
                                      "--output", str(out), "--model", model])
    return res, out


def test_ghosh_shocked_sector_loses_exactly_the_stated_fraction(tmp_path) -> None:
    res, out = _run(tmp_path, "region,sector,loss\nreg2,mining,0.3\nreg4,manufactoring,0.1\n", "ghosh")
    assert res.exit_code == 0, res.output
    so = pd.read_csv(out).set_index(["region", "sector"])
    assert so.loc[("reg2", "mining"), "loss_share"] == pytest.approx(0.3, rel=1e-12)
    assert so.loc[("reg4", "manufactoring"), "loss_share"] == pytest.approx(0.1, rel=1e-12)


@pytest.mark.parametrize("model", ["ghosh", "iim-supply", "leontief", "iim-demand"])
def test_every_model_keeps_the_stated_own_loss(tmp_path, model: str) -> None:
    # before: iim-supply / iim-demand fed the stated loss in as a perturbation, and the shocked
    # sector's own loss came out larger than the file said
    res, out = _run(tmp_path, "region,sector,loss\nreg2,mining,0.3\n", model)
    assert res.exit_code == 0, res.output
    so = pd.read_csv(out).set_index(["region", "sector"])
    assert so.loc[("reg2", "mining"), "loss_share"] == pytest.approx(0.3, rel=1e-12)
    assert (so["loss_share"] >= -1e-12).all()


def test_unknown_model_is_refused(tmp_path) -> None:
    res, _ = _run(tmp_path, "region,sector,loss\nreg2,mining,0.3\n", "magic")
    assert isinstance(res.exception, InputError)
    assert "unknown model" in str(res.exception)
