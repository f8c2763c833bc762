"""Metal content table, stoichiometry, flags, stage map and embodied flows."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from reslog.errors import InputError, ModelInputError
from reslog.model.trade.embodied import aggregate_flows, calc_embodied_flows, flows_to_matrix
from reslog.model.trade.metal_content import (
    METALS,
    calc_battery_bom,
    calc_metal_flags,
    expand_revisions,
    metal_content_table,
    molar_mass,
    parse_formula,
    read_metal_content,
    stoichiometric_fraction,
)
from reslog.model.trade.stages import STAGES, describe_chain, stage_codes

REQUIRED_METALS = {"iron", "aluminium", "copper", "zinc", "lead", "nickel", "chromium", "manganese",
                   "molybdenum", "cobalt", "lithium", "tungsten", "tin", "tantalum", "gallium",
                   "platinum", "palladium", "neodymium", "dysprosium", "gold", "silver"}


def test_stoichiometry_by_hand():
    assert stoichiometric_fraction("CoO", "Co") == pytest.approx(58.933 / 74.932, rel=1e-12)
    assert stoichiometric_fraction("CoO", "cobalt") == stoichiometric_fraction("CoO", "Co")
    assert stoichiometric_fraction("Li2CO3", "Li") == pytest.approx(
        2 * 6.94 / (2 * 6.94 + 12.011 + 3 * 15.999))
    assert stoichiometric_fraction("Al2O3", "Al") == pytest.approx(
        2 * 26.982 / (2 * 26.982 + 3 * 15.999))
    # hydrate and parentheses
    assert parse_formula("CuSO4·5H2O") == {"Cu": 1, "S": 1, "O": 9, "H": 10}
    assert parse_formula("Co(OH)2") == {"Co": 1, "O": 2, "H": 2}
    assert parse_formula("(NH4)10(H2W12O42)·4H2O")["W"] == 12
    assert molar_mass("H2O") == pytest.approx(18.015)
    for bad in ("Xx2O", "Co(OH", "CoO)"):
        with pytest.raises(ModelInputError):
            parse_formula(bad)
    with pytest.raises(ModelInputError, match="contains no Ni"):
        stoichiometric_fraction("CoO", "Ni")


def test_table_covers_required_metals_with_valid_ranges():
    t = metal_content_table()
    assert REQUIRED_METALS <= set(t["metal"])
    assert ((t["low"] <= t["fraction"]) & (t["fraction"] <= t["high"])).all()
    assert ((t["low"] >= 0) & (t["high"] <= 1)).all()
    assert set(t["method"]) == {"stoichiometry", "grade", "bom"}
    assert (t["citation"].str.len() > 10).all()
    co = t[(t["hs6"] == "282200") & (t["metal"] == "cobalt")].iloc[0]
    # purity 0.55 × Co(OH)2; range CoO (pure) to 0.35 × Co(OH)2
    assert co["fraction"] == pytest.approx(0.55 * stoichiometric_fraction("Co(OH)2", "Co"))
    assert co["high"] == pytest.approx(stoichiometric_fraction("CoO", "Co"))
    li = t[(t["hs6"] == "283691")].iloc[0]
    assert li["fraction"] == pytest.approx(stoichiometric_fraction("Li2CO3", "Li"))
    bom = t[(t["hs6"] == "850760") & (t["metal"] == "cobalt")].iloc[0]
    assert bom["method"] == "bom" and bom["low"] == 0.0


def test_revisions_select_the_right_codes():
    assert expand_revisions("HS12+") == ("HS12", "HS17", "HS22")
    assert expand_revisions("HS92-HS02") == ("HS92", "HS96", "HS02")
    assert "850760" in stage_codes("cobalt", "HS17")["product"]
    assert "850760" not in stage_codes("cobalt", "HS92")["product"]
    assert stage_codes("cobalt", "HS92")["refined"] == ["282200", "810510"]
    assert stage_codes("cobalt", "H6")["mine"] == ["260500"]  # BACI revision code accepted
    assert describe_chain("cobalt", "HS22").startswith("cobalt (HS22): mine 260500 → refined")


def test_every_stage_code_has_content_and_stage():
    t = metal_content_table()
    assert set(t["stage"]) <= {*STAGES, "scrap"}
    for metal in REQUIRED_METALS:
        codes = stage_codes(metal, "HS22")
        assert any(codes.values()), metal


def test_flags_combine_content_and_heading_rules():
    f = calc_metal_flags(["260500", 850760, "720711", "010111", "811292"], "HS22")
    got = set(zip(f["hs6"], f["metal"]))
    assert ("260500", "cobalt") in got and ("850760", "lithium") in got
    assert ("850760", "aluminium") in got  # known presence without a fraction (rule)
    assert ("720711", "iron") in got and ("811292", "gallium") in got
    assert not any(h == "010111" for h, _ in got)
    src = dict(zip(zip(f["hs6"], f["metal"]), f["source"]))
    assert src[("850760", "cobalt")] == "content" and src[("850760", "aluminium")].startswith("rule:")


def test_bad_content_file_names_row_and_field(tmp_path: Path):
    good = Path(metal_content_table.__globals__["CONTENT_FILE"]).read_text().splitlines()
    header = good[0]
    p = tmp_path / "c.csv"
    p.write_text(header + "\n26050,HS92+,cobalt,mine,grade,x,,0.1,0.05,0.2,,cite,\n")
    with pytest.raises(InputError, match="row 1, field 'hs6'"):
        read_metal_content(p)
    p.write_text(header + "\n260500,HS92+,cobalt,mine,grade,x,,0.3,0.05,0.2,,cite,\n")
    with pytest.raises(InputError, match="field 'fraction'"):
        read_metal_content(p)
    p.write_text(header + "\n282200,HS92+,nickel,refined,stoichiometry,CoO,,,,,,cite,\n")
    with pytest.raises(InputError, match="field 'basis'.*contains no Ni"):
        read_metal_content(p)
    p.write_text(header + "\n260500,HS93+,cobalt,mine,grade,x,,0.1,0.05,0.2,,cite,\n")
    with pytest.raises(InputError, match="field 'revisions'"):
        read_metal_content(p)


def test_battery_bom_from_intensity():
    inten = pd.DataFrame({
        "Mineral": ["Cobalt", "Cobalt", "Lithium", "Lithium"],
        "chemistry": ["NMC 622", "LFP", "NMC 622", "LFP"],
        "kg_per_kwh": [0.2, 0.0, 0.1, 0.09],
    })
    bom = calc_battery_bom(inten, {"NMC 622": 0.25, "LFP": 0.16}).set_index("metal")
    assert bom.loc["cobalt"].tolist() == pytest.approx([0.05, 0.0, 0.05])
    assert bom.loc["lithium"].tolist() == pytest.approx([0.025, 0.0144, 0.025])


def test_embodied_flows_and_exporter_restriction():
    content = metal_content_table("HS92")
    tr = pd.DataFrame({"t": 2021, "exporter": ["COD", "AUS", "CHL", "ZAF"],
                       "importer": ["CHN", "CHN", "CHN", "JPN"], "k": [260500, 253090, 253090, 10111],
                       "q": [1000.0, 100.0, 100.0, 5.0]})
    f = calc_embodied_flows(tr, content)
    got = {(r.exporter, r.metal): r.metal_t for r in f.itertuples()}
    assert got[("COD", "cobalt")] == pytest.approx(100.0)  # 10 % grade
    assert got[("AUS", "lithium")] == pytest.approx(2.8)  # spodumene, AUS listed
    assert ("CHL", "lithium") not in got  # 2530.90 from Chile is not spodumene
    m = flows_to_matrix(aggregate_flows(f[f["metal"] == "cobalt"]), ["CHN", "COD"])
    assert m.loc["COD", "CHN"] == pytest.approx(100.0) and m.to_numpy().sum() == pytest.approx(100.0)
    with pytest.raises(ModelInputError, match="missing quantity"):
        calc_embodied_flows(tr.assign(q=[None, 1.0, 1.0, 1.0]), content)
    assert calc_embodied_flows(tr.assign(q=[None, 1.0, 1.0, 1.0]), content,
                               missing="drop").attrs["dropped"] == 1


def test_metals_registry_uses_canonical_commodities():
    from reslog.schema import resolve_commodity

    for m in METALS:
        assert resolve_commodity(m) == m
