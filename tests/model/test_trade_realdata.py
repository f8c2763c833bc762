"""The whole trade chain on real public data (../shared/data), skipped when absent.

Data: BACI HS92 V202301, 2021, all exports of South Africa and Afghanistan, with CEPII's code
lists; USGS MCS 2026 world mine production (2024 column, used as a proxy for 2021: the only
production years available); WIOD 2013 release, 2011 table; BatPac kg/kWh intensities.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from reslog.model.trade.clean import clean_trade
from reslog.model.trade.embodied import aggregate_flows, calc_embodied_flows
from reslog.model.trade.link import (
    calc_hs_sector_map,
    calc_import_requirements,
    national_io_from_mrio,
    rank_imported_items,
)
from reslog.model.trade.metal_content import calc_battery_bom, metal_content_table
from reslog.model.trade.stages import STAGES, stage_codes
from reslog.model.trade.tracing import UNTRACED, StageInput, consumer_origins, trace_chain
from reslog.schema import resolve_country

pytestmark = pytest.mark.shared_data


@pytest.fixture(scope="module")
def baci(shared_data: Path) -> pd.DataFrame:
    d = shared_data / "trade"
    tr = pd.read_csv(d / "baci_HS92_2021_V202301_exports_ZAF_AFG.csv", dtype={"q": str})
    tr["q"] = pd.to_numeric(tr["q"].str.strip().replace("NA", None), errors="raise")
    codes = pd.read_csv(d / "baci_country_codes_V202301.csv", keep_default_na=False)
    iso = dict(zip(codes["country_code"], codes["iso_3digit_alpha"]))
    tr["exporter"] = tr["i"].map(iso)
    tr["importer"] = tr["j"].map(lambda c: iso.get(c) or resolve_country(int(c)) or f"BACI{c}")
    return tr


@pytest.fixture(scope="module")
def manganese_2024(shared_data: Path) -> pd.Series:
    df = pd.read_csv(shared_data / "production" / "mcs2026_world_production" / "manganese.csv")
    df = df[~df["country"].str.startswith("World")]
    q = pd.to_numeric(df["production_2024"].astype(str).str.replace(",", ""), errors="coerce")
    iso = df["country"].map(resolve_country)
    assert iso.notna().all(), df.loc[iso.isna(), "country"].tolist()
    return (q * 1000.0).groupby(iso.to_numpy()).sum()  # kt Mn → t Mn


def test_cleaning_real_year(baci):
    out = clean_trade(baci[["t", "i", "j", "k", "v", "q"]])
    n_na = int(baci["q"].isna().sum())
    assert n_na > 0
    assert out["q_estimated"].sum() == pytest.approx(n_na, abs=n_na * 0.01)
    assert not out["outlier"].any()  # one year: nothing to test against
    assert (out.loc[out["q"].notna(), "q_clean"] == out.loc[out["q"].notna(), "q"]).all()


def test_manganese_chain_mine_to_consumer(baci, manganese_2024):
    cleaned = clean_trade(baci[["t", "i", "j", "k", "v", "q"]])
    tr = baci.assign(q_clean=cleaned["q_clean"].to_numpy())
    content = metal_content_table("HS92", "manganese")
    flows = aggregate_flows(calc_embodied_flows(tr, content, "manganese", quantity="q_clean"))
    codes = stage_codes("manganese", "HS92")
    stages = []
    for n, st in enumerate(STAGES):
        if n and not codes[st]:
            continue
        f = flows[flows["stage"] == st]
        stages.append(StageInput(st, f.rename(columns={"metal_t": "quantity"})[
            ["exporter", "importer", "quantity"]], manganese_2024 if n == 0 else None))
    res = trace_chain(stages)
    final = consumer_origins(res)
    world = manganese_2024.sum()
    assert world == pytest.approx(18_725_000, rel=0.01)  # sum of the MCS 2024 rows
    np.testing.assert_allclose(final.groupby("consumer")["share"].sum(), 1.0, rtol=1e-9)
    real = final[final["origin"] != UNTRACED]["quantity_t"].sum()
    assert real == pytest.approx(world - res.losses["quantity_t"].sum(), rel=1e-9)
    # South Africa's ore exports at 42 % Mn, by hand, equal the mine-stage exports traced
    ore = tr[(tr["k"] == 260200) & (tr["exporter"] == "ZAF")]
    b = res.balance.set_index(["stage", "country"])
    assert b.loc[("mine", "ZAF"), "exports"] == pytest.approx(0.42 * ore["q_clean"].sum(),
                                                              rel=1e-9)
    # Korea mines no manganese: everything it consumes comes from South African mines
    kor = final[final["consumer"] == "KOR"].set_index("origin")["share"]
    assert kor.get("ZAF", 0.0) == pytest.approx(1.0)
    # Gabon, a miner with no imports in this extract, consumes only its own production
    assert final[final["consumer"] == "GAB"].set_index("origin")["share"]["GAB"] == 1.0
    # ZAF mine-stage balance is consistent: production − exports (no imports recorded)
    zaf = b.loc[("mine", "ZAF")]
    assert zaf["apparent_consumption"] == pytest.approx(zaf["production"] - zaf["exports"])
    assert not zaf["negative"]


def test_battery_bom_matches_shared_intensities(shared_data: Path):
    inten = pd.read_csv(shared_data / "material_intensity" /
                        "battery_mineral_intensity_kg_per_kwh_busch2024.csv")
    bom = calc_battery_bom(inten).set_index("metal")
    table = metal_content_table("HS17")
    cells = table[(table["hs6"] == "850760") & (table["method"] == "bom")].set_index("metal")
    for metal, row in bom.iterrows():
        for col in ("fraction", "low", "high"):
            assert cells.loc[metal, col] == pytest.approx(row[col], abs=5e-6), (metal, col)


def test_content_codes_exist_in_real_nomenclatures(shared_data: Path):
    d = shared_data / "trade"
    hs92 = set(pd.read_csv(d / "baci_product_codes_HS92_V202301.csv")["code"].astype(str)
               .str.zfill(6))
    hs22 = set(pd.read_csv(d / "hs2022_nomenclature_datasets.csv", dtype=str)["hscode"])
    assert set(metal_content_table("HS92")["hs6"]) <= hs92
    assert set(metal_content_table("HS22")["hs6"]) <= hs22


def test_concordance_covers_hs92(shared_data: Path):
    codes = pd.read_csv(shared_data / "trade" / "baci_product_codes_HS92_V202301.csv")["code"]
    m = calc_hs_sector_map(codes)
    assert (m["isic3"] != "").all()  # every code matches a prefix
    mapped = (m["sector"] != "").mean()
    assert mapped > 0.95
    unmapped = m.loc[m["sector"] == "", "isic3"].unique().tolist()
    assert unmapped == ["9999"]  # only the deliberate "not classified" (scrap, art, n.e.s.)
    by = dict(zip(m["hs6"], m["sector"]))
    assert by["260500"] == "c2" and by["847120"] == "c14" and by["850780"] == "c14"
    assert by["720241"] == "c12" and by["710231"] == "c2" and by["720449"] == ""


def test_io_trade_link_on_wiod_japan(shared_data: Path, baci):
    io = shared_data / "io_tables"
    Z = pd.read_csv(io / "wiod2013_wiot2011_Z_intermediate_musd.csv", index_col=0)
    lab = pd.read_csv(io / "wiod2013_wiot2011_x_output_labels.csv")
    idx = pd.MultiIndex.from_arrays([lab["country"], lab["industry_code"]])
    Z.index, Z.columns = idx, idx
    x = pd.Series(lab["gross_output_musd"].to_numpy(float), index=idx)
    A_d, A_m = national_io_from_mrio(Z, x, "JPN")
    req = calc_import_requirements(A_d, A_m, pd.Series({"c14": 1.0}))  # 1 million USD
    assert (req["total"] >= req["direct"] - 1e-15).all()
    assert req.loc["c14", "direct"] == pytest.approx(A_m.loc["c14", "c14"])
    jp = baci[baci["j"] == 392].rename(columns={"k": "hs6"})[["hs6", "v", "q"]]
    hs = calc_hs_sector_map(baci["k"].unique())
    ranked = rank_imported_items(req, jp, hs, metal_content_table("HS92"), top=None)
    # value is conserved per sector over the items that carry it
    for s, g in ranked.groupby("sector"):
        assert g["value_total"].sum() == pytest.approx(req.loc[s, "total"], rel=1e-9)
    assert "platinum_t" in ranked.columns
    pgm = ranked[ranked["hs6"].isin(["711011", "711019"])]
    assert (pgm["platinum_t"] > 0).any()
    assert ranked["value_total"].is_monotonic_decreasing
