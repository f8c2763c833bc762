"""Hand-computed SR, EI and import reliance (reslog.model.criticality)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reslog.errors import ModelInputError
from reslog.model.criticality import (
    EU27,
    assess_material,
    calc_economic_importance,
    calc_q_max,
    calc_import_reliance,
    calc_sourcing_shares,
    calc_supply_risk,
    compare_published,
    scope_members,
)


def test_import_reliance_by_hand() -> None:
    # P=20, I=100, E=20 → (100−20)/(20+100−20) = 0.8
    assert calc_import_reliance(100, 20, 20) == pytest.approx(0.8)
    assert calc_import_reliance(10, 30, 50) == 0.0  # net exporter
    assert calc_import_reliance(50, 0, 0) == 1.0
    with pytest.raises(ModelInputError, match="imports"):
        calc_import_reliance(-1, 0, 0)


def test_supply_risk_by_hand() -> None:
    # [4·0.8/2 + 2·(1 − 0.4)]·(1 − 0.25)·0.9 = [1.6 + 1.2]·0.675 = 1.89
    assert calc_supply_risk(4.0, 2.0, 0.8, 0.25, 0.9) == pytest.approx(1.89)
    # IR = 0: only the sourcing concentration counts
    assert calc_supply_risk(4.0, 2.0, 0.0, 0.0, 1.0) == pytest.approx(2.0)
    # IR = 1: half and half
    assert calc_supply_risk(4.0, 2.0, 1.0, 0.0, 1.0) == pytest.approx(3.0)
    with pytest.raises(ModelInputError, match="eol_rir"):
        calc_supply_risk(4.0, 2.0, 0.5, 1.5, 1.0)


def test_economic_importance_by_hand() -> None:
    a = {"C24": 0.5, "C29": 0.3, "C26": 0.2}
    q = {"C24": 100.0, "C29": 200.0, "C26": 50.0, "C10": 400.0}
    # Σ A·Q = 50 + 60 + 10 = 120; ·0.95 / 400 · 10 = 2.85
    assert calc_economic_importance(a, q, 0.95, q_max=400.0) == pytest.approx(2.85)
    assert calc_economic_importance(a, q, 1.0, q_max=240.0) == pytest.approx(5.0)
    with pytest.raises(ModelInputError, match="C99"):
        calc_economic_importance({"C99": 1.0}, q, 1.0, q_max=400.0)
    with pytest.raises(ModelInputError, match="sum"):
        calc_economic_importance({"C24": 0.8, "C29": 0.8}, q, 1.0, q_max=400.0)


def test_q_max_is_the_scope_economy_not_the_callers_sectors() -> None:
    # Issue 14.10: a material used only in two small sectors must not be scaled by the larger of
    # those two (that gave EI = 10·SI_EI); Q_max is the largest manufacturing sector of the economy.
    economy = {"C10": 400.0, "C24": 100.0, "C29": 200.0, "F41": 900.0, "G46": 1000.0}
    assert calc_q_max(economy) == 400.0  # construction / trade are not manufacturing
    a = {"C24": 0.5, "C29": 0.5}
    ei = calc_economic_importance(a, economy, 1.0, q_max=calc_q_max(economy))
    assert ei == pytest.approx(10 * 150.0 / 400.0)
    with pytest.raises(TypeError):
        calc_economic_importance(a, {"C24": 100.0, "C29": 200.0}, 1.0)  # type: ignore[call-arg]
    with pytest.raises(ModelInputError, match="exceeds q_max"):
        calc_economic_importance(a, economy, 1.0, q_max=150.0)
    with pytest.raises(ModelInputError, match="manufacturing"):
        calc_q_max({"F41": 1.0})


def test_sourcing_shares_eu_ignores_intra_eu() -> None:
    dom = pd.Series({"FIN": 10.0, "CHN": 999.0})  # China's production is not EU sourcing
    imp = pd.Series({"COD": 60.0, "DEU": 500.0, "RUS": 30.0})  # DEU is intra-EU
    s = calc_sourcing_shares(dom, imp, "EU")
    assert s.to_dict() == pytest.approx({"COD": 60.0, "RUS": 30.0, "FIN": 10.0})
    j = calc_sourcing_shares(pd.Series({"JPN": 5.0}), pd.Series({"AUS": 15.0}), "JPN")
    assert j.to_dict() == pytest.approx({"AUS": 75.0, "JPN": 25.0})


def test_scope_members() -> None:
    assert scope_members("eu") == EU27 and len(EU27) == 27
    assert scope_members("JPN") == {"JPN"}
    with pytest.raises(ModelInputError, match="scope"):
        scope_members("Europe")


def test_assess_material_by_hand() -> None:
    wgi = pd.Series({"CHN": 6.0, "AUS": 1.5, "COD": 8.0, "FIN": 1.0})
    gs = pd.Series({"CHN": 60.0, "AUS": 20.0, "ROW": 20.0})  # 0.36·6 + 0.04·1.5 = 2.22
    src = pd.Series({"COD": 50.0, "FIN": 50.0})  # 0.25·8 + 0.25·1 = 2.25
    r = assess_material("x", "EU", gs, src, wgi, import_reliance=0.5, eol_rir=0.2, si_sr=0.9,
                        ei=3.0)
    assert r.hhi_wgi_gs == pytest.approx(2.22)
    assert r.hhi_wgi_sourcing == pytest.approx(2.25)
    # [2.22·0.25 + 2.25·0.75]·0.8·0.9 = (0.555 + 1.6875)·0.72 = 1.6146
    assert r.sr == pytest.approx(1.6146)
    assert r.critical


def test_compare_published() -> None:
    comp = pd.DataFrame({"commodity": ["a", "b"], "sr": [1.05, 2.0]})
    pub = pd.DataFrame({"commodity": ["a", "b"], "sr_published": [1.0, 1.5], "source": ["s", "s"]})
    m = compare_published(comp, pub).set_index("commodity")
    assert m.loc["a", "sr_rel_diff"] == pytest.approx(0.05)
    assert bool(m.loc["a", "within_tolerance"]) and not bool(m.loc["b", "within_tolerance"])


_f = st.floats(min_value=0.0, max_value=1.0)


@settings(max_examples=80, deadline=None)
@given(st.floats(0, 10), st.floats(0, 10), _f, _f, _f)
def test_supply_risk_bounds(gs: float, src: float, ir: float, rir: float, si: float) -> None:
    sr = calc_supply_risk(gs, src, ir, rir, si)
    assert 0.0 <= sr <= max(gs, src) + 1e-9
    # recycling never raises supply risk
    assert calc_supply_risk(gs, src, ir, min(rir + 0.1, 1.0), si) <= sr + 1e-12


def test_criticality_table_by_hand() -> None:
    from reslog.model.criticality import criticality_table

    conc = pd.DataFrame({
        "commodity": ["x", "x", "y"], "stage": ["mine", "refined", "mine"], "year": [2024] * 3,
        "hhi": [5000.0, 9000.0, 2000.0], "hhi_wgi": [2.0, 4.0, 1.0]})
    params = pd.DataFrame({"commodity": ["x"], "eol_rir": [0.5], "si_sr": [0.8], "ir": [0.6],
                           "ei": [3.0], "source": ["test"]})
    wgi = pd.Series({"COD": 8.0, "FIN": 1.0})
    sourcing = pd.DataFrame({"commodity": ["x", "x"], "country": ["COD", "FIN"],
                             "share_pct": [50.0, 50.0]})
    t = criticality_table(conc, params, wgi_eu=wgi, sourcing=sourcing).set_index("commodity")
    x = t.loc["x"]
    assert x["stage"] == "refined"  # bottleneck stage (higher HHI_WGI)
    assert x["hhi_wgi_sourcing"] == pytest.approx(2.25)
    # [4·0.3 + 2.25·0.7]·0.5·0.8 = (1.2 + 1.575)·0.4 = 1.11
    assert x["sr"] == pytest.approx(1.11)
    assert x["sr_upper"] == pytest.approx(2.775)
    assert bool(x["critical"])
    y = t.loc["y"]
    assert np.isnan(y["sr"]) and y["sr_upper"] == pytest.approx(1.0)
    assert "assumed" in y["sourcing_basis"]
