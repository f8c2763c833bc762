"""USGS MCS world tables and the canonical production CSV."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from reslog.sources.usgs import MCS_UNITS, parse_mcs_cells, read_production_csv, read_usgs_mcs
from reslog.store.tables import columns

MCS = "production/mcs2026_world_production"
HEADER = "commodity,country,production_2024,production_2025e,reserves,note\n"
GOOD = HEADER + ("cobalt,Congo (Kinshasa),\"226,000\",230000,6000000,\n"
                 "cobalt,Australia3,4780,3700,1700000,footnote 10\n"
                 "cobalt,United States,W,—,>70000,\n"
                 "cobalt,Other countries,NA,( ),Small,\n"
                 "cobalt,World total (rounded),302000,310000,12000000,\n")


def _row(df, country, year=None):
    sel = df[df.country == country]
    if year is not None:
        sel = sel[sel.year == year]
    assert len(sel) == 1
    return sel.iloc[0]


def test_markers_and_names(write):
    p = read_usgs_mcs(write("mcs2026/cobalt.csv", GOOD))
    prod, res = p.tables["production"], p.tables["reserves"]
    assert list(prod.columns) == [c for c in columns("production") if c != "ledger_id"]
    cod = _row(prod, "COD", 2024)
    assert cod.quantity == 226000 and cod.unit == "t Co" and cod.stage == "mine"
    assert not cod.estimated and _row(prod, "COD", 2025).estimated
    assert _row(prod, "AUS", 2024).quantity == 4780  # footnote digit glued to the name
    us24, us25 = _row(prod, "USA", 2024), _row(prod, "USA", 2025)
    assert math.isnan(us24.quantity) and us24.marker == "W"
    assert us25.quantity == 0 and us25.marker == "—"
    assert _row(res, "USA").quantity == 70000 and _row(res, "USA").marker == ">"
    row = _row(prod, "ROW", 2024)
    assert math.isnan(row.quantity) and row.marker == "NA"
    assert _row(prod, "ROW", 2025).marker == "( )"
    assert _row(res, "ROW").marker == "Small" and math.isnan(_row(res, "ROW").quantity)
    assert _row(res, "WLD").year == 2025  # reserves dated with the latest year
    assert p.meta.version == "MCS 2026" and p.meta.licence == "public domain (US Government work)"
    assert "footnote 10" in _row(prod, "AUS", 2024).source


def test_parse_cells_vectorised():
    import pandas as pd

    num, mark = parse_mcs_cells(pd.Series(["1,270", "W", "—", ">2000000", "( )", "NA", "x"]))
    assert num.tolist() == ["1,270", "", "0", "2000000", "", "", "x"]
    assert mark.tolist() == [None, "W", "—", ">", "( )", "NA", None]


@pytest.mark.parametrize("name", sorted(MCS_UNITS))
def test_real_mcs_tables(shared_data: Path, name: str):
    path = shared_data / MCS / f"{name}.csv"
    p = read_usgs_mcs(path)
    prod = p.tables["production"]
    n_rows = sum(1 for _ in open(path, encoding="utf-8")) - 1
    assert len(prod) == n_rows * (3 if name == "platinum_group_metals" else 2)
    assert set(prod.country) >= {"WLD"}
    assert prod.unit.eq(MCS_UNITS[name].unit).all()
    assert prod.stage.eq("refined" if name == "copper_refinery_inferred" else "mine").all()
    assert not prod.duplicated(["country", "commodity", "year", "stage"]).any()
    if name != "gallium_low_purity":
        assert len(p.tables["reserves"]) == n_rows
    else:
        assert "reserves" not in p.tables and "capacity" in p.notes[0]


def test_real_values_hand_checked(shared_data: Path):
    co = read_usgs_mcs(shared_data / MCS / "cobalt.csv").tables["production"]
    assert _row(co, "COD", 2024).quantity == 226000
    assert _row(co, "WLD", 2025).quantity == 310000
    pgm = read_usgs_mcs(shared_data / MCS / "platinum_group_metals.csv")
    pt = pgm.tables["production"].query("commodity == 'platinum'")
    assert pt.year.unique().tolist() == [2025] and _row(pt, "ZAF").quantity == 120000
    assert pgm.tables["reserves"].commodity.unique().tolist() == ["pgm"]
    sb = read_usgs_mcs(shared_data / MCS / "antimony.csv")
    assert _row(sb.tables["reserves"], "WLD").marker == ">"
    cu = read_usgs_mcs(shared_data / MCS / "copper_refinery_inferred.csv").tables["production"]
    assert _row(cu, "CHN", 2024).quantity == 12400 and _row(cu, "CHN", 2024).unit == "kt Cu"


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize("content, row, field, match", [
    ("commodity,production_2024\ncobalt,1\n", 0, "country", "missing column"),
    (HEADER + "cobalt,Atlantis,1,2,3,\n", 1, "country", "unknown country"),
    (HEADER + "cobalt,Cuba,1,-2,3,\n", 1, "production_2025e", "negative"),
    (HEADER + "cobalt,Cuba,1,nan,3,\n", 1, "production_2025e", "not a number"),
    (HEADER + "cobalt,Cuba,1,,3,\n", 1, "production_2025e", "empty cell"),
    (HEADER + "cobalt,Cuba,1,2,3,\ncobalt,Chile,1,2,3,\ncobalt,Cuba,4,5,6,\n", 3, "country",
     "duplicate"),
    (HEADER + "cobalt,Cuba,1,2,3,\ncobalt,Chile,1,2", 2, "reserves", "truncated"),
    (HEADER + "cobalt,Cuba,1,2,3,\nnickel,Chile,1,2,3,\n", 2, "commodity", "one table"),
    ("", 0, None, "empty"),
    (HEADER.replace("reserves", "tonnage") + "cobalt,Cuba,1,2,3,\n", 0, "tonnage",
     "unrecognised column"),
])
def test_bad_mcs(write, expect_error, content, row, field, match):
    expect_error(read_usgs_mcs, write("cobalt.csv", content), row=row, field=field, match=match)


def test_bad_mcs_encoding_binary_and_unit(write, expect_error):
    latin = (HEADER + "cobalt,Côte d'Ivoire,1,2,3,\n").encode("latin-1")
    expect_error(read_usgs_mcs, write("cobalt.csv", latin), row=1, field="country",
                 match="UTF-8")
    expect_error(read_usgs_mcs, write("cobalt.csv", b"\x89PNG\r\n\x1a\n\x00\x00"), match="binary")
    unknown = HEADER + "bauxite,Guinea,1,2,3,\n"
    expect_error(read_usgs_mcs, write("bauxite.csv", unknown), field="unit", match="unit=")
    p = read_usgs_mcs(write("bauxite.csv", unknown), unit="kt")
    assert p.tables["production"].unit.eq("kt").all()


# ------------------------------------------------------------------ canonical production CSV
PROD = "country,commodity,year,stage,quantity,unit,marker,estimated,source\n"


def test_production_csv_good(write):
    p = read_production_csv(write("prod.csv", PROD + (
        "Congo (Kinshasa),Cobalt,2023,mine,\"170,000\",t Co,,false,USGS MCS 2024 p. 55\n"
        "USA,cobalt,2023,mine,,t Co,W,true,USGS MCS 2024 p. 55\n"
        "WLD,coltan,2023,mine,2100,t Ta,,,USGS MCS 2024 p. 175\n")))
    df = p.tables["production"]
    assert df.country.tolist() == ["COD", "USA", "WLD"]
    assert df.commodity.tolist() == ["cobalt", "cobalt", "tantalum"]
    assert df.quantity.iloc[0] == 170000 and math.isnan(df.quantity.iloc[1])
    assert df.estimated.tolist() == [False, True, False]
    assert str(df.year.dtype) == "Int64"


@pytest.mark.parametrize("line, field, match", [
    ("Atlantis,cobalt,2023,mine,1,t,,,s", "country", "unknown country"),
    ("Cuba,unobtainium,2023,mine,1,t,,,s", "commodity", "unknown commodity"),
    ("Cuba,cobalt,2023,mine,-1,t,,,s", "quantity", "negative"),
    ("Cuba,cobalt,2023,mine,NaN,t,,,s", "quantity", "not a number"),
    ("Cuba,cobalt,2023,mine,,t,,,s", "quantity", "required"),
    ("Cuba,cobalt,2023,smelter,1,t,,,s", "stage", "not one of"),
    ("Cuba,cobalt,2023,mine,1,t,,maybe,s", "estimated", "true/false"),
    ("Cuba,cobalt,2023,mine,1,t,,,", "source", "required"),
    ("Cuba,cobalt,20x3,mine,1,t,,,s", "year", "not a number"),
])
def test_production_csv_bad(write, expect_error, line, field, match):
    good = "Chile,cobalt,2023,mine,1,t,,,s\n"
    expect_error(read_production_csv, write("p.csv", PROD + good + line + "\n"), row=2,
                 field=field, match=match)


def test_production_csv_duplicate_and_truncated(write, expect_error):
    row = "Cuba,cobalt,2023,mine,1,t,,,s\n"
    expect_error(read_production_csv, write("p.csv", PROD + row + row), row=2, field="country",
                 match="duplicate")
    expect_error(read_production_csv, write("p.csv", PROD + row + "Cuba,cobalt,20"), row=2,
                 match="truncated")
