"""EU 2023 criticality with numbers: computed SR vs published SR, labels, lower bounds, scopes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from reslog.model.concentration import calc_hhi_wgi, calc_hhi_wgi_gap, calc_window_production
from reslog.model.criticality import ScopeSupply, assess_scope, material_table
from reslog.sources.crm import read_eu_crm_2023, read_eu_trade_factors

# Tolerance reached by the SR comparison (relative, |SR_computed / SR_published − 1|). The EU used
# 2016–2020 production (World Mining Data / BGS); the starter data hold USGS MCS 2026 (2024). The
# largest difference is cobalt: the DRC's mine share rose from about two thirds to three quarters.
SR_TOLERANCE = 0.40


def _gov(countries: dict[str, float], year: int = 2023) -> pd.DataFrame:
    rows = [{"country": c, "year": year, "indicator": ind, "estimate": e}
            for c, e in countries.items() for ind in ("va", "pv", "ge", "rq", "rl", "cc")]
    return pd.DataFrame(rows)


def _prod(rows: list[tuple[str, int, float]], commodity: str = "cobalt", stage: str = "mine") -> pd.DataFrame:
    return pd.DataFrame([{"country": c, "commodity": commodity, "stage": stage, "year": y, "quantity": q,
                          "unit": "t Co content"} for c, y, q in rows])


def _eu_row(**kw: object) -> pd.DataFrame:
    base = {"material": "Cobalt", "commodity": "cobalt", "stage": "extraction", "used_stage": True,
            "supply_basis": "GSonly", "sr_stage": 2.8, "ir": 0.81, "sr": 2.8, "ei": 6.8, "si_sr": 0.9,
            "si_ei": 0.9, "eol_rir": 0.2, "note": "", "source": "test"}
    base.update(kw)
    return pd.DataFrame([base])


def test_gsonly_sr_by_hand_with_gap_and_trade_factor() -> None:
    # COD 60, CHN 20, named without WGI (XKX) 10, ROW 10 (world 100).
    prod = _prod([("COD", 2024, 60.0), ("CHN", 2024, 20.0), ("XKX", 2024, 10.0), ("WLD", 2024, 100.0)])
    gov = _gov({"COD": -1.5, "CHN": -0.5})  # WGI_EU 8 and 6
    tf = pd.DataFrame({"material": ["Cobalt"], "country": ["COD"], "stage": ["extraction"],
                       "scope": ["world"], "t": [1.1]})
    st = assess_scope(_eu_row(), prod, gov, trade_factors=tf)
    r = st.iloc[0]
    # HHI_WGI,t = 0.36·8·1.1 + 0.04·6 = 3.168 + 0.24 = 3.408
    assert r["hhi_wgi_gs"] == pytest.approx(3.408)
    # gap: ROW 0.1²·10·1.1 = 0.11; XKX without WGI 0.1²·10·1 = 0.1
    assert r["hhi_wgi_gs_gap"] == pytest.approx(0.21)
    # SR = 3.408·(1 − 0.2)·0.9
    assert r["sr_computed"] == pytest.approx(3.408 * 0.72)
    assert r["sr_gap"] == pytest.approx(0.21 * 0.72)
    assert bool(r["sr_lower_bound"])
    assert r["sr_basis"] == "computed" and r["sr"] == r["sr_computed"]
    assert r["sr_published"] == 2.8 and r["ei_basis"] == "published EU 2023"


def test_years_window_is_averaged_and_stated() -> None:
    prod = _prod([("COD", 2022, 50.0), ("CHN", 2022, 50.0), ("COD", 2024, 90.0), ("CHN", 2024, 10.0)])
    agg, yrs, unit = calc_window_production(prod, "cobalt", "mine", (2022, 2024))
    assert yrs == [2022, 2024] and unit == "t Co content"
    assert agg.set_index("country")["quantity"].to_dict() == {"CHN": 60.0, "COD": 140.0}
    gov = pd.concat([_gov({"COD": -1.5, "CHN": -0.5}, 2022), _gov({"COD": -1.0, "CHN": -0.5}, 2023)])
    st = assess_scope(_eu_row(), prod, gov, years=(2022, 2024))
    # shares 70/30; WGI averaged over 2022 (2022 WGI: 8, 6) and 2024 (latest, 2023 WGI: 7, 6)
    assert st.iloc[0]["years"] == "2022–2024 (mean of 2)"
    assert st.iloc[0]["hhi_wgi_gs"] == pytest.approx(0.49 * 7.5 + 0.09 * 6.0)
    # the latest year alone when no window is given
    assert assess_scope(_eu_row(), prod, gov).iloc[0]["years"] == "2024"


def test_missing_inputs_fall_back_to_published_labelled() -> None:
    prod = _prod([("COD", 2024, 60.0), ("CHN", 2024, 40.0)])
    gov = _gov({"COD": -1.5, "CHN": -0.5})
    st = assess_scope(_eu_row(supply_basis="GS+EU"), prod, gov)
    r = st.iloc[0]
    assert np.isnan(r["sr_computed"])
    assert r["sr"] == 2.8 and r["sr_basis"] == "published EU 2023"
    assert "EU sourcing shares" in r["missing_inputs"]
    # with the EU's sourcing from trade, SR is computed and IR (published 0.81) enters it
    sup = {("cobalt", "mine"): ScopeSupply(pd.Series({"COD": 50.0, "CHN": 50.0}), float("nan"), "test")}
    r2 = assess_scope(_eu_row(supply_basis="GS+EU"), prod, gov, supply=sup).iloc[0]
    gs = 0.36 * 8 + 0.16 * 6
    src = 0.25 * 8 + 0.25 * 6
    assert r2["sr_computed"] == pytest.approx((gs * 0.405 + src * (1 - 0.405)) * 0.72)
    assert r2["sr_basis"] == "computed" and r2["ir_basis"] == "published EU 2023"


def test_japan_scope_uses_trade_and_names_missing_inputs() -> None:
    prod = _prod([("COD", 2024, 60.0), ("CHN", 2024, 40.0)])
    gov = _gov({"COD": -1.5, "CHN": -0.5, "PHL": 0.0})
    r = assess_scope(_eu_row(), prod, gov, scope="JPN").iloc[0]
    assert np.isnan(r["sr"]) and np.isnan(r["ei"])  # no published value for Japan
    assert "JPN sourcing" in r["missing_inputs"] and "JPN import reliance" in r["missing_inputs"]
    assert "Q_s of JPN" in r["missing_inputs"]
    sup = {("cobalt", "mine"): ScopeSupply(pd.Series({"PHL": 100.0}), 1.0, "BACI test")}
    r = assess_scope(_eu_row(), prod, gov, scope="JPN", supply=sup).iloc[0]
    gs = 0.36 * 8 + 0.16 * 6
    # IR = 1: half global supply, half Japan's sourcing (PHL, WGI_EU 5)
    assert r["sr_computed"] == pytest.approx((gs * 0.5 + 5.0 * 0.5) * 0.72)
    assert r["sr_basis"].startswith("computed") and "EU 2023 values" in r["proxies"]


def test_gap_is_zero_when_everyone_is_named_and_scored() -> None:
    s = pd.Series({"A": 70.0, "B": 30.0})
    w = pd.Series({"A": 2.0, "B": 4.0})
    assert calc_hhi_wgi_gap(s, w) == 0.0
    assert calc_hhi_wgi(s, w, trade_factor={"A": 0.8}) == pytest.approx(0.49 * 2 * 0.8 + 0.09 * 4)


def test_packaged_eu_2023_table_matches_shared_transcription(shared_data: Path) -> None:
    raw = pd.read_csv(shared_data / "criticality" / "eu_crm_2023_results_critmat.csv").drop_duplicates()
    eu = read_eu_crm_2023()
    assert set(eu["material"]) == set(raw["material_name"])
    assert eu["source"].str.contains("10.2873/725585").all()
    for r in raw.itertuples():
        used = eu[(eu["material"] == r.material_name) & eu["used_stage"]].iloc[0]
        assert used["sr"] == pytest.approx(r.supply_risk) and used["ei"] == pytest.approx(r.economic_importance)
        assert used["eol_rir"] == pytest.approx(r.end_of_life / 100)
    co = eu[(eu["material"] == "Cobalt") & (eu["stage"] == "extraction")].iloc[0]
    assert (co["sr_stage"], co["ei"], co["supply_basis"], co["ir"]) == (2.8, 6.8, "GSonly", 0.81)
    tf = read_eu_trade_factors()
    assert len(tf) == 121 and tf["t"].between(0.8, 1.5).all()


def test_computed_sr_matches_published_2023(db_path: Path) -> None:
    """Every material × stage whose inputs are all present: computed SR vs published EU 2023 SR."""
    from rich.console import Console

    from reslog.jobs.demo import build_warehouse

    wh = build_warehouse(db_path, Console(quiet=True))
    try:
        prod, gov = wh.production(reported_only=True), wh.query("SELECT * FROM governance")
    finally:
        wh.close()
    st = assess_scope(read_eu_crm_2023(), prod, gov, trade_factors=read_eu_trade_factors())
    comp = st[st["sr_computed"].notna()]
    assert set(comp["material"]) >= {"Beryllium", "Cobalt", "Lithium", "Niobium", "Vanadium"}
    worst = comp["sr_rel_diff"].abs().max()
    assert worst <= SR_TOLERANCE, comp[["material", "stage", "sr_computed", "sr_published", "sr_rel_diff"]]
    # the critical/non-critical verdict (SR ≥ 1) agrees for every computed material
    assert ((comp["sr_computed"] >= 1) == (comp["sr_published"] >= 1)).all()
    mt = material_table(st)
    # every one of the 90 materials shows an SR and an EI, labelled
    assert mt["sr"].notna().all() and mt["ei"].notna().all()
    assert set(mt["sr_basis"]) <= {"computed", "published EU 2023"}
    assert mt["material"].is_unique and len(mt) == 90
