"""Readers: JSON lines with bad lines, feeds, HTML; text cleaning; language detection."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from reslog.intel.text.ingest import (MAX_CHARS, clean_text, read_any, read_feed, read_html,
                                      read_jsonl)
from reslog.intel.text.lang import detect_lang


def _write_lines(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def test_bad_lines_are_reported_with_line_numbers_and_others_processed(tmp_path):
    good = {"id": "a1", "title": "Strike at Escondida", "text": "Workers walked out."}
    lines = [
        json.dumps(good).encode(),                                            # 1 ok
        b'{"id": "a2", "title": "broken", ',                                  # 2 malformed JSON
        bytes(b for b in range(256) if b != 10) * 4,                                              # 3 binary junk
        json.dumps({"id": "a4", "title": "チリ：銅鉱山でスト", "text": ""},
                   ensure_ascii=False).encode("cp932"),                       # 4 wrong encoding
        json.dumps({"id": "a5", "title": "", "text": ""}).encode(),          # 5 empty text
        json.dumps({"id": "a6", "title": "big", "text": "x " * 5_000_000}).encode(),  # 6 10 MB
        json.dumps({"title": "no id"}).encode(),                              # 7 missing id
        json.dumps(good).encode(),                                            # 8 duplicate id
        b"[1, 2, 3]",                                                         # 9 not an object
        json.dumps({"id": "a10", "title": 5, "text": ["x"]}).encode(),       # 10 wrong types
    ]
    arts, problems = read_jsonl(_write_lines(tmp_path / "in.jsonl", lines))
    assert [a.id for a in arts] == ["a1", "a4", "a5", "a6", "a10"]
    errors = {p.line for p in problems if p.level == "error"}
    assert errors == {2, 3, 7, 8, 9}
    by_line = {p.line: p for p in problems}
    assert "malformed JSON" in by_line[2].message
    assert "cp932" in " ".join(p.message for p in problems if p.line == 4)
    assert arts[1].title == "チリ:銅鉱山でスト"  # NFKC: full-width colon → ":"
    assert len(arts[3].text) <= MAX_CHARS
    assert any(p.line == 6 and "cut" in p.message for p in problems)
    assert "line 2" in str(by_line[2]) and "in.jsonl" in str(by_line[2])


def test_binary_text_field_is_emptied_with_a_warning():
    text, warns = clean_text("\x00\x01\x02\x03" * 100 + "ok")
    assert text == "" and "binary" in warns[0]


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_clean_text_never_raises_and_is_bounded(s):
    out, _ = clean_text(s, max_chars=100)
    assert len(out) <= 100 * 3  # NFKC may expand a few characters
    assert "\x00" not in out


def test_rss_and_atom_feeds(tmp_path):
    rss = """<?xml version="1.0"?><rss version="2.0"><channel><language>ja</language>
      <item><title>ペルー：銅鉱山で道路封鎖</title><link>https://x.test/1</link>
      <description>&lt;p&gt;住民が&lt;b&gt;道路&lt;/b&gt;を封鎖&lt;/p&gt;</description>
      <pubDate>Tue, 10 Mar 2026 08:00:00 +0900</pubDate><guid>g1</guid></item></channel></rss>"""
    arts, probs = read_feed(rss.encode("utf-8"))
    assert not probs and arts[0].id == "g1" and arts[0].lang == "ja"
    assert arts[0].text == "住民が道路を封鎖" and arts[0].published.startswith("2026-03-10T08:00")
    atom = """<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en"><entry><id>e1</id>
      <title>Strike at mine</title><link rel="alternate" href="https://x.test/e1"/>
      <updated>2026-01-02T00:00:00Z</updated><summary>Union walks out.</summary></entry></feed>"""
    p = tmp_path / "feed.xml"
    p.write_text(atom, encoding="utf-8")
    arts, probs = read_any(p)
    assert arts[0].url == "https://x.test/e1" and arts[0].text == "Union walks out."
    _, probs = read_feed(b"<rss><channel><item>")
    assert probs and "malformed XML" in probs[0].message


def test_html_boilerplate_is_stripped():
    html = """<html lang="en"><head><title>Site | News</title>
      <meta property="og:title" content="Dam fails at copper mine"></head><body>
      <nav><a href="/">Home</a> <a href="/x">World</a></nav>
      <div class="cookie">We use cookies to improve your experience. Accept all cookies?</div>
      <article><h1>Dam fails at copper mine</h1>
      <p>A tailings dam at a copper mine in Zambia failed on Tuesday, releasing acid water into a river.</p>
      <p><a href="/a">Related story one about something else entirely</a></p>
      <p>Residents downstream were told not to drink the water until tests are complete.</p></article>
      <footer>Copyright 2026 Example News. All rights reserved.</footer></body></html>"""
    art, _ = read_html(html, id="h1")
    assert art.title == "Dam fails at copper mine" and art.lang == "en"
    assert "tailings dam" in art.text and "Residents downstream" in art.text
    assert "cookie" not in art.text.lower() and "Related story" not in art.text
    assert "Copyright" not in art.text


def test_language_detection():
    assert detect_lang("Strike halts copper output at Escondida") == "en"
    assert detect_lang("チリ：Escondida銅鉱山でストライキ") == "ja"
    assert detect_lang("中国：ガリウム輸出規制") == "ja"
    assert detect_lang("鉱滓ダム決壊") == "ja"
    assert detect_lang("12345 !!!") == "und"
    assert detect_lang("", declared="ja") == "ja"
