"""Gazetteer matching: word boundaries, Japanese token boundaries, longest match, mines."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from reslog.intel.text.analysis import analyse
from reslog.intel.text.gazetteer import Gazetteer, default_gazetteer, fold
from reslog.intel.text.ingest import Article


def _found(text: str, lang: str | None = None) -> list[tuple[str, str, str | None]]:
    a = analyse(Article(id="t", title=text, lang=lang), default_gazetteer())
    return [(m.surface, e.kind, e.value) for m in a.matches for e in m.entries]


def test_longest_match_and_regions_shadow_countries():
    f = _found("Papua New Guinea and Latin America")
    assert ("Papua New Guinea", "country", "PNG") in f
    assert not any(v == "USA" for _, _, v in f)
    assert not any(v == "GIN" for _, _, v in f)


def test_english_word_boundaries_and_ambiguous_lead():
    f = _found("The strike could lead to losses at the Congolese cobalt mine; lead poisoning near Kabwe")
    vals = [(s, v) for s, _, v in f]
    assert ("cobalt", "cobalt") in vals and ("Congolese", "COD") in vals
    assert ("lead poisoning", "lead") in vals
    assert sum(1 for s, v in vals if v == "lead") == 1  # "lead to" is not the metal
    assert not any(v == "cobalt" and s != "cobalt" for s, v in vals)


def test_japanese_token_boundaries():
    f = _found("チリ：銅鉱山でスト、賃金交渉が決裂。金鉱山の鉄道輸送も停止。金属価格は上昇", "ja")
    values = [v for _, _, v in f]
    assert "CHL" in values and "copper" in values and "gold" in values
    assert "iron" not in values  # 鉄道 = railway
    assert sum(1 for s, _, v in f if v == "gold") == 1  # 賃金 (wages) and 金属 (metal) are not gold


def test_cross_lingual_places_share_canonical_names():
    en = {v for _, k, v in _found("Mud reached Brumadinho in Minas Gerais") if k == "place"}
    ja = {v for _, k, v in _found("ミナスジェライス州ブルマジーニョで鉱滓ダムが決壊", "ja") if k == "place"}
    assert {"Brumadinho", "Minas Gerais"} <= en & ja


def test_warehouse_mines_carry_their_id():
    mines = pd.DataFrame({"mine_id": ["x-1", "x-2"], "name": ["Foo Bar mine (Somewhere)", "Main"],
                          "lat": [1.0, 2.0], "lon": [3.0, 4.0], "country": ["PER", "CHL"],
                          "commodities": ["copper;gold", "copper"]})
    g = Gazetteer.build(mines)
    hits = [(m.surface, e.value) for m in g.find("Strike at Foo Bar today; main road") for e in m.entries
            if e.kind == "mine"]
    assert hits == [("Foo Bar", "x-1")]  # the generic name "Main" is not matched


@settings(max_examples=80, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abc ÀÉçİ'’-chilecongo銅金鉄チリ")), max_size=80))
def test_fold_keeps_offsets_and_matches_do_not_overlap(s):
    assert len(fold(s)) == len(s)
    ms = default_gazetteer().find(s)
    ends = -1
    for m in ms:
        assert 0 <= m.start < m.end <= len(s) and m.start >= ends
        assert s[m.start:m.end] == m.surface
        ends = m.end
