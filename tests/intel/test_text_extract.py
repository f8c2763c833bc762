"""Extraction contract, cross-lingual de-duplication, alerts, evaluation helpers, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from reslog.intel.text.alerts import calc_alerts, parse_watchlists, read_watchlist
from reslog.intel.text.dedup import calc_link, deduplicate
from reslog.intel.text.evaluate import calc_bcubed, calc_split
from reslog.intel.text.extract import extract_events, extract_file
from reslog.intel.text.ingest import Article
from reslog.errors import InputError

DAM_EN = Article(
    id="en-dam", lang="en", published="2031-05-04", url="https://a.test/en",
    title="Copper tailings dam bursts in Zambia's Copperbelt, three workers killed",
    text="A tailings dam at a copper processing plant near Chingola in Zambia's Copperbelt Province "
         "burst on Saturday, releasing about 50,000 cubic metres of acidic slurry into a stream "
         "that feeds the Kafue River. Three workers were killed and the plant was shut.")
DAM_JA = Article(
    id="ja-dam", lang="ja", published="2031-05-05", url="https://b.test/ja",
    title="ザンビア：カッパーベルト州の銅鉱山で鉱滓ダムが決壊、作業員3人死亡",
    text="ザンビア北部カッパーベルト州チンゴラ近郊の銅の選鉱施設で4日、鉱滓ダムが決壊し、約5万立方メートルの"
         "酸性スラリーがカフエ川の支流に流れ込んだ。作業員3人が死亡し、施設は操業を停止した。")


def test_one_english_and_one_japanese_article_become_one_event_with_two_sources(text_model):
    evs = extract_events([DAM_EN, DAM_JA], model=text_model)
    for e in evs:
        assert e.event_type == "tailings_failure"
        assert e.country == "ZMB" and e.commodity == "copper"
        assert e.deaths == 3 and e.release_m3 == pytest.approx(5e4)
    merged = deduplicate(evs, [e.snippet for e in evs])
    assert len(merged) == 1
    m = merged[0]
    assert sorted(m.members) == ["en-dam", "ja-dam"]
    assert m.source_urls == ["https://a.test/en", "https://b.test/ja"]
    assert m.langs == ["en", "ja"] and m.start_time == "2031-05-04" and m.end_time == "2031-05-05"


def test_different_events_stay_apart(text_model):
    other = Article(id="en-strike", lang="en", published="2031-05-04", url="https://c.test",
                    title="Miners strike at Chilean copper mine over pay",
                    text="Workers at a copper mine in Chile's Antofagasta region walked out on Saturday.")
    late = Article(id="en-dam-2033", lang="en", published="2033-01-10", url="https://d.test",
                   title=DAM_EN.title, text=DAM_EN.text.replace("Three", "Five"))
    evs = extract_events([DAM_EN, other, late], model=text_model)
    merged = deduplicate(evs, [e.snippet for e in evs])
    # the 2033 copy is near-identical text: collapsed; the Chilean strike stays apart
    groups = sorted(sorted(m.members) for m in merged)
    assert ["en-strike"] in groups


def test_extract_contract_one_line_per_valid_id(tmp_path, text_model):
    inp = tmp_path / "a.jsonl"
    lines = [
        json.dumps({"id": "1", "title": DAM_EN.title, "text": DAM_EN.text, "url": "https://a.test"}),
        "{not json",
        json.dumps({"id": "3", "title": "", "text": ""}),
        json.dumps({"id": "4", "title": "LME copper rises on weaker dollar", "text": "Prices edged up."}),
        json.dumps({"id": "5", "title": DAM_JA.title, "text": DAM_JA.text}, ensure_ascii=False),
    ]
    inp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rep = extract_file(inp, tmp_path / "o.jsonl", model=text_model)
    out = [json.loads(x) for x in (tmp_path / "o.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [o["id"] for o in out] == ["1", "3", "4", "5"]
    assert [p.line for p in rep.problems if p.level == "error"] == [2]
    by = {o["id"]: o for o in out}
    assert by["3"]["event_type"] == "none" and by["3"]["country"] is None
    assert by["4"]["event_type"] == "none" and by["4"]["severity"] == 0.0
    for o in out:
        assert set(["id", "event_type", "country", "commodity", "mine_id", "lat", "lon", "date",
                    "severity", "confidence", "evidence"]) <= set(o)
        assert 0.0 <= o["severity"] <= 1.0 and 0.0 <= o["confidence"] <= 1.0
    ev1 = by["1"]["evidence"]
    assert any(s["kind"] == "country" for s in ev1) and any(s["kind"] == "deaths" for s in ev1)
    for s in ev1:  # spans point into the cleaned title/text
        src = DAM_EN.title if s["field"] == "title" else DAM_EN.text
        assert src[s["start"]:s["end"]] == s["text"]


@settings(max_examples=15, deadline=None)
@given(st.lists(st.text(max_size=120), min_size=1, max_size=4))
def test_extract_never_crashes_and_returns_one_record_per_article(text_model, texts):
    arts = [Article(id=str(i), title=t[:40], text=t) for i, t in enumerate(texts)]
    evs = extract_events(arts, model=text_model)
    assert [e.id for e in evs] == [a.id for a in arts]
    assert all(0 <= e.severity <= 1 and 0 <= e.confidence <= 1 for e in evs)


def test_alerts_match_countries_commodities_mines_suppliers(text_model, tmp_path):
    evs = extract_events([DAM_EN], model=text_model)
    wl = parse_watchlists({"watchlists": [
        {"name": "zambia", "countries": ["ザンビア"]},
        {"name": "metals", "commodities": ["銅", "cobalt"], "min_severity": 0.99},
        {"name": "supplier", "suppliers": [{"name": "Acme", "country": "ZMB", "commodity": "copper"}]},
        {"name": "chile", "countries": ["Chile"]},
    ]})
    alerts = calc_alerts(evs, wl)
    assert {a.watchlist for a in alerts} == {"zambia", "supplier"}
    assert all(a.event_id == "en-dam" for a in alerts)
    assert "supplier Acme" in next(a for a in alerts if a.watchlist == "supplier").reasons
    bad = tmp_path / "w.json"
    bad.write_text(json.dumps({"name": "x", "countries": ["Atlantis"]}))
    with pytest.raises(InputError, match="Atlantis"):
        read_watchlist(bad)


def test_bcubed_hand_example():
    # gold {a,b,c} {d}; predicted {a,b} {c,d}
    p, r, f = calc_bcubed(["g1", "g1", "g1", "g2"], ["p1", "p1", "p2", "p2"])
    assert p == pytest.approx((1 + 1 + 0.5 + 0.5) / 4)
    assert r == pytest.approx((2 / 3 + 2 / 3 + 1 / 3 + 1) / 4)
    assert f == pytest.approx(2 * p * r / (p + r))
    assert calc_bcubed(["a", "b"], ["x", "y"]) == (1.0, 1.0, 1.0)


@given(st.lists(st.sampled_from([f"c{i}" for i in range(30)]), min_size=1, max_size=200))
def test_split_never_separates_a_cluster(clusters):
    test = calc_split(clusters)
    seen: dict[str, bool] = {}
    for c, t in zip(clusters, test):
        assert seen.setdefault(c, bool(t)) == bool(t)


def test_cli_extract_ingest_alerts(tmp_path, db_path, text_model):
    import typer

    from reslog.cli.events import register
    from reslog.store.warehouse import Warehouse

    app = typer.Typer()
    register(app)
    inp = tmp_path / "a.jsonl"
    inp.write_text("\n".join(json.dumps({"id": a.id, "title": a.title, "text": a.text, "url": a.url,
                                         "published": a.published}, ensure_ascii=False)
                             for a in (DAM_EN, DAM_JA)) + "\n\x00\x01junk\n", encoding="utf-8")
    out = tmp_path / "e.jsonl"
    r = CliRunner().invoke(app, ["events", "extract", "--input", str(inp), "--output", str(out),
                                 "--db", str(db_path)])
    assert r.exit_code == 0, r.output
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2
    r = CliRunner().invoke(app, ["events", "ingest", str(out), "--db", str(db_path)])
    assert r.exit_code == 0, r.output
    with Warehouse.open(db_path, read_only=True) as wh:
        ev = wh.query("SELECT * FROM risk_events")
        led = wh.ledger()
    assert len(ev) == 1 and ev.loc[0, "event_type"] == "tailings_failure"
    assert ev.loc[0, "source_urls"].split("|") == ["https://a.test/en", "https://b.test/ja"]
    assert led["source"].tolist()[-1] == "text_events"
    wl = tmp_path / "w.toml"
    wl.write_text('[[watchlists]]\nname = "zm"\ncountries = ["ZMB"]\n', encoding="utf-8")
    r = CliRunner().invoke(app, ["events", "alerts", "--watchlist", str(wl), "--db", str(db_path)])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output.strip().splitlines()[0])["watchlist"] == "zm"
