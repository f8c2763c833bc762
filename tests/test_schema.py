"""Code lists: countries, commodities, taxonomy."""

from __future__ import annotations

import pytest

from reslog.schema import (
    EVENT_TYPES,
    TAXONOMY_VERSION,
    commodities_table,
    countries_table,
    country_name,
    is_event_type,
    resolve_commodity,
    resolve_country,
)


@pytest.mark.parametrize(
    ("name", "iso3"),
    [
        ("Congo (Kinshasa)", "COD"), ("Congo (Brazzaville)", "COG"), ("Burma", "MMR"),
        ("Korea, Republic of", "KOR"), ("Australia3", "AUS"), ("World total (rounded)", "WLD"),
        ("Other countries", "ROW"), ("ZAR", "COD"), ("ROM", "ROU"), ("コンゴ民主共和国", "COD"),
        ("チリ", "CHL"), (710, "ZAF"), ("842", "USA"), (699, "IND"), ("Côte d'Ivoire", "CIV"),
        ("Türkiye", "TUR"), ("BR", "BRA"), ("bra", "BRA"), ("United States", "USA"),
    ],
)
def test_resolve_country(name: object, iso3: str) -> None:
    assert resolve_country(name) == iso3


@pytest.mark.parametrize("name", ["Atlantis", "", None, "12345", 3.5])
def test_resolve_country_unknown(name: object) -> None:
    assert resolve_country(name) is None


def test_countries_table_has_every_iso_country_and_japanese_names() -> None:
    df = countries_table()
    assert df["iso3"].is_unique
    assert (df["kind"] == "country").sum() == 249
    assert country_name("COD", "ja") == "コンゴ民主共和国"
    assert country_name("JPN") == "Japan"
    assert df.set_index("iso3").loc["CHL", "name_ja"] == "チリ"


@pytest.mark.parametrize(
    ("text", "name"),
    [("Coltan", "tantalum"), ("iron ore", "iron"), ("Rare earths", "rare_earths"),
     ("Platinum-group metals", "pgm"), ("銅", "copper"), ("Graphite (natural)", "graphite"),
     ("Gallium (low-purity)", "gallium"), ("galamsey", "gold"), ("aluminum", "aluminium"),
     ("Co", "cobalt"), ("レアアース", "rare_earths"), ("wolfram", "tungsten")],
)
def test_resolve_commodity(text: str, name: str) -> None:
    assert resolve_commodity(text) == name


def test_commodity_list_covers_eu_crm_and_major_metals() -> None:
    df = commodities_table().set_index("name")
    eu_2023 = ["antimony", "arsenic", "bauxite", "baryte", "beryllium", "bismuth", "boron", "cobalt",
               "coking_coal", "copper", "feldspar", "fluorspar", "gallium", "germanium", "hafnium",
               "helium", "heavy_rare_earths", "light_rare_earths", "lithium", "magnesium", "manganese",
               "graphite", "nickel", "niobium", "phosphate_rock", "phosphorus", "pgm", "scandium",
               "silicon", "strontium", "tantalum", "titanium", "tungsten", "vanadium"]
    assert len(eu_2023) == 34
    assert df.loc[eu_2023, "eu_crm_2023"].all()
    for m in ["iron", "aluminium", "copper", "zinc", "lead", "nickel", "gold", "silver", "tin"]:
        assert m in df.index
    assert df["name"].is_unique if "name" in df else df.index.is_unique


def test_taxonomy() -> None:
    required = {"tailings_failure", "mine_accident", "labour_unrest", "community_conflict",
                "armed_conflict", "export_restriction", "sanctions", "regulatory_change", "asgm",
                "pollution", "natural_hazard", "logistics_disruption", "human_rights", "none"}
    assert required <= set(EVENT_TYPES)
    assert TAXONOMY_VERSION.count(".") == 2
    assert is_event_type("asgm") and not is_event_type("earthquake")
    assert all(e.label_ja and e.definition for e in EVENT_TYPES.values())
