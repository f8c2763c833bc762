"""Figure functions (shared by the report and the dashboard): offline maps, hand-checkable data."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from reslog.figures.geo import GEO_FILE, countries_geojson


def test_shipped_geometry_is_small_and_keyed_by_iso3() -> None:
    assert GEO_FILE.stat().st_size < 300_000
    g = countries_geojson()
    ids = [f["id"] for f in g["features"]]
    assert len(ids) == len(set(ids)) >= 170
    assert {"FRA", "NOR", "CHN", "COD", "CHL", "JPN"} <= set(ids)
    assert all(len(i) == 3 for i in ids)


def test_world_map_needs_no_network() -> None:
    from reslog.figures.world_map import world_map_figure

    values = pd.DataFrame({"country": ["CHL", "PER", "XXX"], "value": [24.0, 10.0, 1.0]})
    pts = pd.DataFrame({"lat": [-24.3], "lon": [-69.1], "label": ["Escondida"], "kind": ["mine"]})
    fig = world_map_figure(values, countries_geojson(), points=pts, value_label="share %")
    d = json.loads(fig.to_json())
    assert d["layout"]["map"]["style"] == "white-bg"
    data_trace = d["data"][1]
    assert data_trace["locations"] == ["CHL", "PER"]  # no polygon for XXX: left out of the map
    assert [f["id"] for f in data_trace["geojson"]["features"]] == ["CHL", "PER"]
    assert d["data"][2]["type"] == "scattermap" and d["data"][2]["lat"] == [-24.3]
    text = fig.to_json()
    assert "http://" not in text and "https://" not in text and "mapbox://" not in text


def test_origin_breakdown_orders_countries_by_total() -> None:
    from reslog.figures.exposure import origin_breakdown_figure

    t = pd.DataFrame({"country": ["AUS", "AUS", "CHN", "COD"], "risk_type": ["iron", "lithium", "iron", "cobalt"],
                      "kg": [300.0, 80.0, 200.0, 12.0]})
    fig = origin_breakdown_figure(t, value="kg", names={"AUS": "Australia"})
    ys = [list(tr.y) for tr in fig.data]
    assert ys[0][-1] == "Australia"  # largest total (380 kg) at the top
    total = {}
    for tr in fig.data:
        for y, x in zip(tr.y, tr.x):
            total[y] = total.get(y, 0.0) + x
    assert total == {"Australia": 380.0, "CHN": 200.0, "COD": 12.0}


def test_shock_and_events_figures() -> None:
    from reslog.figures.events import events_timeline_figure
    from reslog.figures.shock import shock_consumers_figure

    cons = pd.DataFrame({"country": ["CHN", "JPN"], "lost_tonnes": [5.0e6, 4.0e5], "share": [0.5, 0.04]})
    fig = shock_consumers_figure(cons, names={"CHN": "中国"})
    assert list(fig.data[0].y) == ["JPN", "中国"] and list(fig.data[0].x) == [4.0e5, 5.0e6]
    ev = pd.DataFrame({"start_time": pd.to_datetime(["2019-01-25", "2015-11-05"]), "severity": [1.0, 0.91],
                       "event_type": ["tailings_failure"] * 2, "country": ["BRA", "BRA"],
                       "title": ["Brumadinho", "Fundão"]})
    f2 = events_timeline_figure(ev, type_names={"tailings_failure": "鉱滓ダム決壊"})
    assert f2.data[0].name == "鉱滓ダム決壊" and list(f2.data[0].x) == ["2019-01-25", "2015-11-05"]


def test_criticality_matrix_keeps_report_function_and_translates() -> None:
    from reslog.figures.criticality import figure_html, matrix_figure, sr_bound_figure

    df = pd.DataFrame({"commodity": ["antimony", "bauxite", "copper"], "sr": [2.0, 2.1, None], "ei": [4.7, 2.9, None]})
    fig = matrix_figure(df, labels={"critical": "クリティカル"}, names={"antimony": "アンチモン"})
    assert fig.data[0].name.startswith("クリティカル") and "アンチモン" in list(fig.data[0].text)
    assert "<html" in figure_html(df)
    crit = pd.DataFrame({"commodity": ["gallium", "zinc"], "stage": ["refined", "mine"],
                         "sr_upper": [5.46, 0.79], "sr": [None, None]})
    b = sr_bound_figure(crit)
    assert list(b.data[0].x) == [0.79, 5.46]
    assert list(b.data[0].marker.color) == ["#2c7fb8", "#c0392b"]  # only gallium above SR = 1
