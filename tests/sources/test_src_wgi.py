"""World Bank WGI long format: CSV and xlsx."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from reslog.sources.wgi import normalise_indicator, read_wgi

H = ("codeindyr,code,countryname,year,indicator,estimate,stddev,nsource,pctrank,pctranklower,"
     "pctrankupper\n")
ROWS = ("AFGcc1996,AFG,Afghanistan,1996,cc,-1.29,0.34,2.0,4.3,0.0,27.4\n"
        "ZARge2000,ZAR,Congo Dem. Rep.,2000,ge,-1.7,0.3,4,1.0,0,5\n"
        "ROMrl2000,ROM,Romania,2000,Rule of Law,-0.1,0.2,7,50,40,60\n"
        "ASMcc1996,ASM,American Samoa,1996,cc,,,,,,\n")


def test_csv_good(write):
    p = read_wgi(write("wgi_2024_update.csv", H + ROWS))
    g = p.tables["governance"]
    assert g.country.tolist() == ["AFG", "COD", "ROU"]  # the all-empty row is dropped
    assert g.indicator.tolist() == ["cc", "ge", "rl"]
    assert g.estimate.iloc[0] == pytest.approx(-1.29) and g.nsource.iloc[0] == 2
    assert g.source.unique().tolist() == ["World Bank WGI 2024 update"]
    assert p.meta.licence == "CC BY 4.0" and "1 rows without any value" in p.notes[0]


def test_source_column_is_kept(write):
    p = read_wgi(write("w.csv", H.rstrip("\n") + ",source\n" + ROWS.replace("\n", ",my cite\n")))
    assert p.tables["governance"].source.eq("my cite").all()


def test_indicator_names():
    assert normalise_indicator("Political Stability and Absence of Violence/Terrorism") == "pv"
    assert normalise_indicator("GE.EST") == "ge" and normalise_indicator("PS.EST") == "pv"
    assert normalise_indicator("happiness") is None


def test_xlsx_long(tmp_path: Path):
    wb = Workbook()
    ws = wb.active
    ws.append(H.strip().split(","))
    ws.append(["AFGcc1996", "AFG", "Afghanistan", 1996, "cc", -1.29, 0.34, 2, 4.3, 0, 27.4])
    ws.append(["KSVva2010", "KSV", "Kosovo", 2010, "va", "..", "..", "..", "..", "..", ".."])
    ws.append(["KSVva2011", "KSV", "Kosovo", 2011, "va", 0.1, 0.2, 3, 45.5, 30, 60])
    path = tmp_path / "wgidataset.xlsx"
    wb.save(path)
    g = read_wgi(path, version="2024 update").tables["governance"]
    assert g.country.tolist() == ["AFG", "XKX"] and g.year.tolist() == [1996, 2011]
    assert g.estimate.tolist() == pytest.approx([-1.29, 0.1])


def test_xlsx_bad(tmp_path: Path, expect_error):
    wb = Workbook()
    ws = wb.active
    ws.append(H.strip().split(","))
    ws.append(["x", "AFG", "Afghanistan", 1996, "cc", -1.29, 0.34, 2, 4.3, 0, 27.4])
    ws.append(["x", "AFG", "Afghanistan", 1997, "cc", -1.29, -0.34, 2, 4.3, 0, 27.4])
    path = tmp_path / "wgidataset.xlsx"
    wb.save(path)
    expect_error(read_wgi, path, row=2, field="stddev", match="negative")
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(path.read_bytes()[:500])
    expect_error(read_wgi, cut, row=0, match="not a readable .xlsx")


def test_real_wgi(shared_data: Path):
    p = read_wgi(shared_data / "governance/wgi_2024_update_1996_2023_long.csv")
    g = p.tables["governance"]
    assert len(g) + 1126 == 32100
    assert g.country.nunique() == 214 and set(g.indicator) == {"va", "pv", "ge", "rq", "rl", "cc"}
    assert {"COD", "ROU", "XKX", "TLS", "PSE", "AND"} <= set(g.country)
    afg = g[(g.country == "AFG") & (g.year == 1996) & (g.indicator == "cc")].iloc[0]
    assert afg.estimate == pytest.approx(-1.291704773902893) and afg.nsource == 2
    assert p.meta.version == "2024 update"


@pytest.mark.parametrize("rows, row, field, match", [
    ("AFGcc1996,ATL,Atlantis,1996,cc,1,0.3,2,4,0,9\n", 1, "code", "unknown country"),
    ("AFGcc1996,AFG,Afghanistan,1996,xx,1,0.3,2,4,0,9\n", 1, "indicator", "not a WGI indicator"),
    ("AFGcc1996,AFG,Afghanistan,1996,cc,nan,0.3,2,4,0,9\n", 1, "estimate", "not a number"),
    ("AFGcc1996,AFG,Afghanistan,1996,cc,9,0.3,2,4,0,9\n", 1, "estimate", "above the maximum"),
    ("AFGcc1996,AFG,Afghanistan,1996,cc,1,-0.3,2,4,0,9\n", 1, "stddev", "negative"),
    ("AFGcc1996,AFG,Afghanistan,1996,cc,1,0.3,2.5,4,0,9\n", 1, "nsource", "whole number"),
    ("AFGcc1996,AFG,Afghanistan,1996,cc,1,0.3,2,140,0,9\n", 1, "pctrank", "maximum"),
    ("a,AFG,Afghanistan,1996,cc,1,0.3,2,4,0,9\nb,AFG,Afghanistan,1996,Control of Corruption,1,"
     "0.3,2,4,0,9\n", 2, "country", "duplicate"),
    ("a,AFG,Afghanistan,1996,cc,1,0.3,2,4,0,9\nb,AFG,Afghanistan,19", 2, "indicator",
     "truncated"),
])
def test_bad_csv(write, expect_error, rows, row, field, match):
    expect_error(read_wgi, write("w.csv", H + rows), row=row, field=field, match=match)


def test_bad_csv_files(write, expect_error):
    expect_error(read_wgi, write("w.csv", H.replace(",estimate", ",score") + ROWS), row=0,
                 field="estimate", match="missing column")
    expect_error(read_wgi, write("w.csv", ""), row=0, match="empty")
    expect_error(read_wgi, write("w.csv", (H + "a,CIV,Côte,1996,cc,1,0.3,2,4,0,9\n")
                                 .encode("latin-1")), row=1, field="countryname", match="UTF-8")
    expect_error(read_wgi, write("w.csv", bytes(range(256)) * 4), match="binary")
