"""``reslog io shock``: the input column says what it is (issue 14, item 4)."""

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


@pytest.mark.parametrize("model", ["iim-supply", "iim-demand"])
def test_iim_refuses_a_loss_column(tmp_path, model: str) -> None:
    res, _ = _run(tmp_path, "region,sector,loss\nreg2,mining,0.3\n", model)
    assert isinstance(res.exception, InputError)
    msg = str(res.exception)
    assert "field 'perturbation'" in msg and "rename it 'perturbation'" in msg


@pytest.mark.parametrize("model", ["iim-supply", "iim-demand"])
def test_iim_perturbation_is_a_perturbation(tmp_path, model: str) -> None:
    res, out = _run(tmp_path, "region,sector,perturbation\nreg2,mining,0.3\n", model)
    assert res.exit_code == 0, res.output
    so = pd.read_csv(out).set_index(["region", "sector"])
    # the shocked sector's own inoperability includes the feedback: q_m = (Lᵀc)_m ≥ c_m
    assert so.loc[("reg2", "mining"), "loss_share"] >= 0.3


def test_ghosh_refuses_a_perturbation_column(tmp_path) -> None:
    res, _ = _run(tmp_path, "region,sector,perturbation\nreg2,mining,0.3\n", "ghosh")
    assert isinstance(res.exception, InputError)
    assert "field 'loss'" in str(res.exception)
