"""The packaged Brazilian tailings-dam case (Brumadinho): cited inputs and the shock report."""

from __future__ import annotations

import pytest

from reslog.services.shock import run_case_shock
from reslog.sources.cases import read_shock_case


def test_base_exports_reconstruction() -> None:
    ex, notes = read_shock_case("brumadinho").base_exports(2018)
    assert ex["CHN"] == pytest.approx(0.583 * 386.9e6)
    assert ex["JPN"] == pytest.approx(12.3e6 / (1 - 0.248))
    assert ex.sum() == pytest.approx(386.9e6)
    assert any("ROW" in n for n in notes)


def test_case_report_names_top_consumers_with_tonnes() -> None:
    rep = run_case_shock("bra-corrego-do-feijao", 12)
    c = rep.consumers
    assert c.index[0] == "CHN"
    # destinations: exports 2018 + domestic use = production 2017 (436 Mt) − exports (386.9 Mt)
    assert c.loc["CHN", "lost_tonnes"] == pytest.approx(10.6e6 * 0.583 * 386.9 / 436.0)
    assert c["lost_tonnes"].sum() == pytest.approx(10.6e6)
    assert rep.cut.share_world == pytest.approx(10.6 / 2187)
    text = rep.summary()
    assert "China (CHN): 5,483,864 t" in text and "Japan (JPN)" in text
