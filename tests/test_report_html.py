"""The HTML report: missing values print as "—" (never "nan"), sources as a footnote, plotly.js once."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from reslog.report.html import Section, clean_missing, split_sources, write_report


def _visible(html: str) -> str:
    return re.sub(r"<script.*?</script>", "", html, flags=re.S)


def test_missing_values_print_as_dash(tmp_path: Path) -> None:
    df = pd.DataFrame({
        "a": [1.5, np.nan, 3.0], "b": ["x", None, "nan"], "c": pd.array([1, None, 3], dtype="Int64"),
        "d": [pd.NaT, pd.Timestamp("2024-01-01"), pd.NaT], "e": ["NaN", "None", "ok"],
    })
    out = clean_missing(df)
    assert out.loc[1, "a"] == "—" and out.loc[1, "b"] == "—" and out.loc[2, "b"] == "—"
    assert out.loc[1, "c"] == "—" and out.loc[0, "d"] == "—" and out.loc[0, "e"] == "—"
    path = write_report(tmp_path / "r.html", "t", [Section("s", "text", table=df)], pd.DataFrame())
    html = _visible(path.read_text(encoding="utf-8"))
    assert not re.search(r"\bnan\b|\bNone\b|<NA>|NaT", html, flags=re.I)
    assert html.count("—") >= 6


def test_sources_become_a_numbered_footnote(tmp_path: Path) -> None:
    df = pd.DataFrame({"country": ["A", "B", "C"], "x": [1, 2, 3],
                       "source": ["USGS MCS 2026, Cobalt p. 2|WGI 2024", "USGS MCS 2026, Cobalt p. 2", None]})
    t, notes = split_sources(df)
    assert "source" not in t.columns and t["src"].tolist() == ["1, 2", "1", "—"]
    assert notes == ["[1] USGS MCS 2026, Cobalt p. 2", "[2] WGI 2024"]
    same = df.assign(source="one source")
    t2, notes2 = split_sources(same)
    assert "src" not in t2.columns and notes2 == ["[1] one source"]
    html = write_report(tmp_path / "r.html", "t", [Section("s", table=df)], pd.DataFrame()).read_text()
    assert "Sources: [1] USGS MCS 2026, Cobalt p. 2 [2] WGI 2024" in html


def test_plotly_js_embedded_once(tmp_path: Path) -> None:
    from reslog.figures.criticality import figure_html
    from reslog.figures.footprint import footprint_bars_html

    m = pd.DataFrame({"commodity": ["a", "b"], "sr": [1.2, 0.5], "ei": [3.0, 2.0],
                      "basis": ["SR computed, EI published EU 2023", "SR published EU 2023"]})
    bars = pd.DataFrame({"icev": [50.0, 30.0, 20.0], "bev": [20.0, 40.0, 40.0]}, index=["CHL", "AUS", "IDN"])
    secs = [Section("m", html=figure_html(m, full_html=False, include_plotlyjs=False)),
            Section("b", html=footprint_bars_html(bars, include_plotlyjs=False))]
    html = write_report(tmp_path / "r.html", "t", secs, pd.DataFrame()).read_text()
    assert html.count('Plotly.newPlot(') >= 2  # one call per figure (the library mentions it too)
    assert html.count("* plotly.js v") == 1  # the library banner: embedded once
    assert "<script src=" not in html  # offline: no external script


def test_footprint_bars_frame_groups_the_tail() -> None:
    from reslog.figures.footprint import footprint_bars_frame

    d = pd.DataFrame({"icev": [5.0, 3.0, 2.0, np.nan]}, index=["A", "B", "C", "D"])
    f = footprint_bars_frame(d, top=2)
    assert f.index.tolist() == ["A", "B", "Other"] and f.loc["Other", "icev"] == 2.0


def test_text_and_notes_never_print_nan(tmp_path: Path) -> None:
    sec = Section("s", "capacity is nan None; financial data", notes=["value: NaN"],
                  table=pd.DataFrame({"years": ["", "2024"]}))
    html = _visible(write_report(tmp_path / "r.html", "t", [sec], pd.DataFrame()).read_text())
    assert not re.search(r"\bnan\b|\bNone\b", html, flags=re.I)
    assert "financial" in html and "capacity is — —" in html


def test_demo_world_map_section_offline(tmp_path: Path) -> None:
    """The demo report's world map (cobalt mine production shares on the shipped polygons):
    shares sum to 100 %, the figure is inline (no tiles, no CDN) and plotly.js is embedded once."""
    from rich.console import Console

    from reslog.jobs.demo import build_warehouse, production_concentration, world_map_section

    wh = build_warehouse(tmp_path / "w.duckdb", Console(quiet=True))
    try:
        conc = production_concentration(wh)
        sec = world_map_section(wh, conc)
        assert world_map_section(wh, conc, commodity="unobtainium") is None
    finally:
        wh.close()
    assert sec is not None and "cobalt" in sec.title
    assert sec.table is not None and sec.table["share_pct"].sum() <= 100.0 + 1e-6
    assert sec.table.iloc[0]["country"] == "COD"
    assert "choroplethmap" in sec.html and "white-bg" in sec.html
    out = write_report(tmp_path / "r.html", "t", [sec, sec], pd.DataFrame()).read_text(encoding="utf-8")
    assert out.count("* plotly.js v") == 1
    assert not re.search(r"<script[^>]+src=", out)  # nothing loaded from elsewhere
