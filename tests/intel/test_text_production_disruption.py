"""Production-disruption headlines (taxonomy 2.0.0), EN and JA, typed by ``reslog events extract``;
jade and gemstone sites are not guessed as rare earths from their region."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reslog.intel.text.extract import extract_events
from reslog.intel.text.ingest import Article

# (title, event_type, country, commodity); None = not checked. The first two are the issue's examples
# (also corpus items); the others were written for this test and are not in the corpus. Known limit:
# "Vale … in Manitoba" is located at Vale's home country (the gazetteer has no Manitoba), so only its
# type and commodity are checked; a restart that names no commodity takes the mine's first one.
HEADLINES = [
    ("Glencore to halt Mutanda cobalt mine", "production_disruption", "COD", "cobalt"),
    ("Kazatomprom cuts output on acid shortage", "production_disruption", "KAZ", "uranium"),
    ("Vale to put Thompson nickel operations in Manitoba on care and maintenance",
     "production_disruption", None, "nickel"),
    ("Copper miner in Chile curtails cathode output as sulphuric acid shortage deepens",
     "production_disruption", "CHL", "copper"),
    ("Zinc smelter in Germany mothballs a roaster as power costs soar", "production_disruption", "DEU", "zinc"),
    ("豪州：リチウム鉱山が操業を休止し保守管理に移行、価格低迷で", "production_disruption", "AUS", "lithium"),
    ("カザフスタン：ウラン生産会社、硫酸不足で減産", "production_disruption", "KAZ", "uranium"),
    ("南ア：白金鉱山会社が2つの立坑を閉鎖し減産へ", "production_disruption", "ZAF", "platinum"),
    # not production disruptions
    ("Glencore restarts Mutanda after two-year pause", "none", "COD", None),
    ("Tailings dam bursts at copper mine in Zambia, two killed", "tailings_failure", "ZMB", "copper"),
]


def _articles() -> list[Article]:
    return [Article(id=f"h{i}", lang="ja" if any(ord(ch) > 0x3000 for ch in t) else "en", title=t, text=t)
            for i, (t, *_rest) in enumerate(HEADLINES)]


def test_production_disruption_headlines_are_typed(text_model) -> None:
    evs = {e.id: e for e in extract_events(_articles(), model=text_model)}
    wrong = []
    for i, (title, etype, country, commodity) in enumerate(HEADLINES):
        e = evs[f"h{i}"]
        got = (e.event_type, e.country if country else None, e.commodity if commodity else None)
        if got != (etype, country, commodity):
            wrong.append((title, e.event_type, e.country, e.commodity))
    assert not wrong, wrong


def test_jade_and_gems_are_not_rare_earths(text_model) -> None:
    arts = [Article(id="j1", lang="en", title="Jade miners in Kachin State protest new permits",
                    text="Jade miners in Kachin State protest new permits"),
            Article(id="j2", lang="ja", title="ミャンマー：カチン州のヒスイ鉱山で土砂崩れ、作業員10人死亡",
                    text="ミャンマー：カチン州のヒスイ鉱山で土砂崩れ、作業員10人死亡"),
            Article(id="g1", lang="en", title="Ruby and sapphire rush draws thousands to Madagascar forest",
                    text="Ruby and sapphire rush draws thousands to Madagascar forest")]
    evs = {e.id: e for e in extract_events(arts, model=text_model)}
    assert evs["j1"].commodity == "jade" and evs["j2"].commodity == "jade"
    assert evs["g1"].commodity == "gemstones"
    assert all(e.commodity != "rare_earths" for e in evs.values())


def test_cli_extract_types_the_issue_headlines(tmp_path: Path, text_model) -> None:
    from reslog.cli import app

    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": f"h{i}", "title": t, "text": t}, ensure_ascii=False) + "\n"
                           for i, (t, *_r) in enumerate(HEADLINES[:2])), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    res = CliRunner().invoke(app, ["events", "extract", "--input", str(src), "--output", str(out)])
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["event_type"] for r in rows] == ["production_disruption"] * 2
    assert [r["commodity"] for r in rows] == ["cobalt", "uranium"]
