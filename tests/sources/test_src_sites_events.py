"""Mine sites (CSV, GeoJSON, Busch 2024) and risk events (CSV, JSON lines, CSP2, NIOSH)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from reslog.schema import TAXONOMY_VERSION
from reslog.sources.events import read_risk_events
from reslog.sources.mines import read_lithium_deposits_busch, read_mine_sites
from reslog.sources.niosh import read_niosh_disasters, severity_from_deaths
from reslog.sources.tailings import (
    commodity_from_ore,
    country_from_location,
    parse_csp2_date,
    read_csp2_tailings,
)

MH = ("mine_id,name,lat,lon,country,commodities,type,status,operator,tailings_facilities,"
      "capacity,source\n")
M1 = "kamoto,Kamoto,-10.7,25.4,Congo (Kinshasa),cobalt; copper,industrial,producing,Glencore,2,,s\n"
M2 = "asm-1,Kolwezi ASM,-10.72,25.47,COD,Cobalt,ASM,,,,,s\n"


def test_mines_csv(write):
    m = read_mine_sites(write("m.csv", MH + M1 + M2)).tables["mine_sites"]
    assert m.commodities.tolist() == ["cobalt;copper", "cobalt"]
    assert m.type.tolist() == ["industrial", "artisanal"]
    assert m.status.tolist() == ["operating", "unknown"]
    assert m.tailings_facilities.iloc[0] == 2 and m.country.tolist() == ["COD", "COD"]


def test_mines_geojson(write):
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [25.4, -10.7]},
         "properties": {"mine_id": "k", "name": "Kamoto", "country": "COD",
                        "commodities": ["cobalt", "copper"], "type": "industrial",
                        "source": "s"}}]}
    m = read_mine_sites(write("m.geojson", json.dumps(fc))).tables["mine_sites"]
    assert (m.lat.iloc[0], m.lon.iloc[0]) == (-10.7, 25.4)
    assert m.commodities.iloc[0] == "cobalt;copper"
    fc["features"][0]["geometry"] = {"type": "Polygon", "coordinates": []}
    with pytest.raises(Exception, match="not a Point"):
        read_mine_sites(write("m.geojson", json.dumps(fc)))


@pytest.mark.parametrize("line, field, match", [
    (M1.replace("-10.7", "-100.7"), "lat", "below the minimum"),
    (M1.replace("25.4", "250.4"), "lon", "above the maximum"),
    (M1.replace("Congo (Kinshasa)", "Wakanda"), "country", "unknown country"),
    (M1.replace("copper", "vibranium"), "commodities", "unknown commodity"),
    (M1.replace("industrial", "hobby"), "type", "not one of"),
    (M1.replace("producing", "dreaming"), "status", "not one of"),
    (M1.replace(",2,", ",-2,"), "tailings_facilities", "negative"),
    (M1.replace("-10.7", "NaN"), "lat", "not a number"),
    (M2.replace("asm-1", "kamoto"), "mine_id", "duplicate"),
])
def test_mines_bad(write, expect_error, line, field, match):
    first = M1 if field == "mine_id" else M1.replace("kamoto,", "other,")
    expect_error(read_mine_sites, write("m.csv", MH + first + line), row=2, field=field,
                 match=match)


def test_mines_bad_files(write, expect_error):
    expect_error(read_mine_sites, write("m.csv", MH.replace(",lat", ",latitude") + M1), row=0,
                 field="lat", match="missing column")
    expect_error(read_mine_sites, write("m.csv", MH + M1 + "x,Y,1"), row=2, match="truncated")
    expect_error(read_mine_sites, write("m.csv", b""), row=0, match="empty")
    expect_error(read_mine_sites, write("m.csv", (MH + M1.replace("Kamoto", "Kamoté"))
                                        .encode("cp1252")), row=1, field="name", match="UTF-8")
    expect_error(read_mine_sites, write("m.geojson", '{"type": "FeatureCollection", "feat'),
                 match="truncated")


def test_busch_lithium(shared_data: Path):
    p = read_lithium_deposits_busch(shared_data / "mine_sites/lithium_deposits_busch2024.csv")
    m = p.tables["mine_sites"]
    assert len(m) == 160 and m.mine_id.is_unique
    assert (m.commodities == "lithium").all() and (m.type == "industrial").all()
    assert m.status.value_counts().to_dict() == {"unknown": 69, "development": 39,
                                                 "operating": 36, "construction": 16}
    atacama = m[m.mine_id == "busch2024-li-1"].iloc[0]
    assert atacama.country == "CHL" and (atacama.lat, atacama.lon) == (-23.55, -68.36)
    assert p.meta.licence == "MIT"


# ------------------------------------------------------------------ risk events
EH = ("event_id,event_type,start_time,end_time,lat,lon,country,mine_id,commodity,severity,"
      "confidence,deaths,release_m3,title,description,source_urls,source\n")
E1 = ("brumadinho,tailings_failure,2019-01-25T12:28:00-02:00,,-20.12,-44.12,Brazil,,iron ore,"
      "1,0.95,270,11700000,Dam I,,https://a.example/x|https://b.example/y,ANM\n")
E2 = "ban-1,export_restriction,2020-01-01,,,,Indonesia,,nickel ore,0.8,0.9,,,,,,gov\n"


def test_events_csv(write):
    e = read_risk_events(write("e.csv", EH + E1 + E2)).tables["risk_events"]
    assert e.start_time.iloc[0] == pd.Timestamp("2019-01-25 14:28")
    assert e.country.tolist() == ["BRA", "IDN"] and e.commodity.tolist() == ["iron", "nickel"]
    assert e.deaths.iloc[0] == 270 and pd.isna(e.deaths.iloc[1])
    assert e.source_urls.iloc[0] == "https://a.example/x|https://b.example/y"
    assert (e.taxonomy_version == TAXONOMY_VERSION).all()


def test_events_jsonl(write):
    lines = [json.dumps({"event_id": "a", "event_type": "asgm", "severity": 0.4,
                         "confidence": 0.5, "source": "s", "lat": 5.1, "lon": -2.0,
                         "country": "Ghana", "source_urls": ["https://x.example"]}),
             "",
             json.dumps({"event_id": "b", "event_type": "none", "severity": 0,
                         "confidence": 1, "source": "s"})]
    e = read_risk_events(write("e.jsonl", "\n".join(lines) + "\n")).tables["risk_events"]
    assert e.event_id.tolist() == ["a", "b"] and e.source_urls.iloc[0] == "https://x.example"


@pytest.mark.parametrize("line, field, match", [
    (E2.replace("export_restriction", "alien_invasion"), "event_type", "not one of"),
    (E2.replace("0.8", "1.8"), "severity", "maximum"),
    (E2.replace("0.9", "-0.1"), "confidence", "negative"),
    (E2.replace("Indonesia", "Narnia"), "country", "unknown country"),
    (E2.replace("2020-01-01", "01/02/2020"), "start_time", "ISO 8601"),
    (E2.replace("2020-01-01,", "2020-01-01,2019-12-31"), "end_time", "before"),
    (E2.replace(",,,Indonesia", ",5,,Indonesia"), "lon", "both"),
    (E2.replace(",gov", "ftp://x,gov"), "source_urls", "http"),
    (E2.replace("0.8", "nan"), "severity", "not a number"),
    (E1.replace("brumadinho", "ok"), "event_id", "duplicate"),
])
def test_events_bad(write, expect_error, line, field, match):
    expect_error(read_risk_events, write("e.csv", EH + E2.replace("ban-1", "ok") + line),
                 row=2, field=field, match=match)


def test_events_jsonl_bad(write, expect_error):
    good = json.dumps({"event_id": "a", "event_type": "asgm", "severity": 0.4,
                       "confidence": 0.5, "source": "s"})
    expect_error(read_risk_events, write("e.jsonl", good + "\n" + good[:30]), row=2,
                 match="truncated")
    expect_error(read_risk_events, write("e.jsonl", good + "\n" + good.replace('"s"}', '"s", '
                                         '"colour": "red"}') + "\n"), row=2, field="colour")
    nan_line = good.replace("0.4", "NaN").replace('"a"', '"b"')
    expect_error(read_risk_events, write("e.jsonl", good + "\n" + nan_line),
                 row=2, field="severity", match="not a number")
    expect_error(read_risk_events, write("e.jsonl", good.replace(', "severity": 0.4', "")),
                 row=1, field="severity", match="missing key")
    expect_error(read_risk_events, write("e.jsonl", ""), row=0, match="empty")
    expect_error(read_risk_events, write("e.jsonl", b'{"event_id": "\xe9"}\n'), row=0,
                 match="UTF-8")


# ------------------------------------------------------------------ CSP2
def test_country_from_location():
    assert country_from_location("Jagersfontein, South Africa (De Beers)") == ("ZAF", "part")
    assert country_from_location("Pau Branco mine, Brazll (Vallourec)")[0] == "BRA"
    assert country_from_location("Mailuu-Suu #7 tailings dam (Kyrgyzstan)") == ("KGZ", "paren")
    assert country_from_location("Sasa TSF 4, central Macedonia (Central Asia Metals)")[0] == "MKD"
    assert country_from_location("Gold King Mine, near Silverton, Colorado")[0] == "USA"
    assert country_from_location("Marianna Mine #58, PA")[0] == "USA"
    assert country_from_location("Cadia, New South Wales (Newcrest Mining)")[0] == "AUS"
    assert country_from_location("El Cobre Old Dam") == ("CHL", "mine")
    assert country_from_location("Pit No. 2, Western") == (None, "none")


def test_csp2_dates():
    assert parse_csp2_date("7/Nov/22", 2022)[2] == "day"
    s, e, p = parse_csp2_date("4-Nov-15", 2015)
    assert (s, e.hour, p) == (pd.Timestamp("2015-11-04"), 23, "day")
    assert parse_csp2_date("15-Ago-98", 1998)[0] == pd.Timestamp("1998-08-15")
    s, e, p = parse_csp2_date("Jan/Feb-99", 1999)
    assert (s, e, p) == (pd.Timestamp("1999-01-01"), pd.Timestamp("1999-02-28 23:59:59"), "months")
    assert parse_csp2_date("", 1990)[2] == "year"
    assert parse_csp2_date("17/Aug/86", 1985)[2] == "year"  # INCIDENT YEAR wins
    assert parse_csp2_date("24732", 1967)[0] == pd.Timestamp("1967-09-17")


def test_csp2_commodity():
    assert commodity_from_ore("Pb Zn") == "lead" and commodity_from_ore("P") == "phosphate_rock"
    assert commodity_from_ore("Jade") == "jade" and commodity_from_ore("NI ") == "nickel"  # jade: taxonomy 2.0.0


def test_csp2_real(shared_data: Path):
    p = read_csp2_tailings(shared_data / "risk_events/tailings_dam_failures_1915_2022_csp2.csv")
    e = p.tables["risk_events"]
    assert len(e) == 376 and e.event_id.is_unique
    assert e.country.notna().sum() >= 370
    assert (e.event_type == "tailings_failure").all() and e.lat.isna().all()
    assert sorted(e.severity.unique()) == [0.25, 0.5, 0.75, 1.0]
    assert e.severity.value_counts()[1.0] == 58
    jag = e[e.title.str.contains("Jagersfontein")].iloc[0]
    assert (jag.country, jag.deaths, jag.release_m3) == ("ZAF", 3, 5040000.0)
    assert jag.start_time == pd.Timestamp("2022-09-11") and jag.event_id == "csp2-2022-7"
    assert e.event_id.iloc[-1] == "csp2-1915-1"


def test_csp2_bad(write, expect_error, shared_data: Path):
    text = (shared_data / "risk_events/tailings_dam_failures_1915_2022_csp2.csv").read_text(
        encoding="utf-8-sig")
    head, rest = text.split("\n1,", 1)
    expect_error(read_csp2_tailings, write("c.csv", head.replace("SEVERITY CODE", "SEV") + "\n1,"
                                           + rest), row=0, field="SEVERITY CODE")
    expect_error(read_csp2_tailings, write("c.csv", head + "\n9," + rest), row=1,
                 field="SEVERITY CODE", match="maximum")
    expect_error(read_csp2_tailings, write("c.csv", text[: len(text) // 2]), match="truncated")


def test_niosh(shared_data: Path):
    p = read_niosh_disasters(shared_data / "risk_events/us_mining_disasters_1839_2010_niosh.csv")
    e = p.tables["risk_events"]
    assert len(e) == 726 and e.event_id.is_unique and (e.country == "USA").all()
    assert e.deaths.min() >= 5 and (e.event_type == "mine_accident").all()
    assert severity_from_deaths(pd.Series([5, 50, 500])).tolist() == pytest.approx(
        [0.5, 0.75, 1.0])
