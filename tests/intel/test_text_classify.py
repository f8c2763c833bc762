"""Event-type classifier (cue dropout), the sanctions actor rule and the two-part corpus."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reslog.intel.text.analysis import analyse
from reslog.intel.text.classify import EventClassifier, calc_cue_dropout, hint_features
from reslog.intel.text.corpus import CORPUS_FILES, load_corpus
from reslog.intel.text.extract import extract_events
from reslog.intel.text.gazetteer import default_gazetteer
from reslog.intel.text.ingest import Article
from reslog.intel.text.resolve import Candidate, calc_drop_actors


def _an(title: str, text: str = "", lang: str | None = None):
    return analyse(Article(id="t", title=title, text=text, lang=lang), default_gazetteer())


def test_cue_dropout_doubles_the_training_set_and_empties_the_copies_hints():
    a = _an("Tailings dam collapses at Zambian copper mine")
    b = _an("Copper price edges higher")
    assert a.hints, "the tailings cue must be found"
    xs, ys = calc_cue_dropout([a, b], ["tailings_failure", "none"])
    assert ys == ["tailings_failure", "none", "tailings_failure", "none"]
    assert xs[0] is a and xs[1] is b
    assert xs[2].hints == [] and xs[3].hints == []
    assert xs[2].words == a.words and xs[2].doc == a.doc
    assert a.hints, "the original analysis is not modified"


def test_no_constant_feature_in_the_cue_block():
    a = _an("Copper price edges higher")
    assert hint_features(a) == ["none", "title:none"] == a.hints  # "price" is a none cue
    assert hint_features(_an("Board meets in Perth on Tuesday")) == []


def test_fit_rejects_mismatched_lengths():
    a = _an("Tailings dam collapses at Zambian copper mine")
    with pytest.raises(ValueError, match="3 analyses but 2 labels"):
        EventClassifier().fit([a, a, a], ["tailings_failure", "none"])


def _cand(value: str, actor: bool) -> Candidate:
    return Candidate(value, {"actor": 1.0} if actor else {})


def test_drop_actors_only_for_sanctions_and_never_empties():
    c = {"USA": _cand("USA", True), "SDN": _cand("SDN", False)}
    assert list(calc_drop_actors(c, "sanctions")) == ["SDN"]
    assert list(calc_drop_actors(c, "export_restriction")) == ["USA", "SDN"]
    only = {"USA": _cand("USA", True)}
    assert list(calc_drop_actors(only, "sanctions")) == ["USA"]


@settings(max_examples=50, deadline=None)
@given(st.dictionaries(st.sampled_from(["USA", "GBR", "RUS", "SDN", "CHN"]), st.booleans(), min_size=1),
       st.sampled_from(["sanctions", "none", "mine_accident"]))
def test_drop_actors_returns_a_nonempty_subset(flags, event_type):
    c = {k: _cand(k, v) for k, v in flags.items()}
    out = calc_drop_actors(c, event_type)
    assert out and set(out) <= set(c)
    if event_type == "sanctions" and not all(flags.values()):
        assert not any(flags[k] for k in out)


def test_us_sanctions_on_sudanese_gold_are_located_in_sudan(text_model):
    ev = extract_events([Article(
        id="s1", lang="en",
        title="US sanctions traders accused of smuggling Sudanese gold for armed groups", text="")],
        model=text_model)[0]
    assert ev.event_type == "sanctions"
    assert ev.country == "SDN" and ev.commodity == "gold"


def test_corpus_loader_reads_the_second_batch():
    assert CORPUS_FILES[2:4] == ("articles_en_2.jsonl", "articles_ja_2.jsonl")
    assert CORPUS_FILES[4:] == ("articles_en_3.jsonl", "articles_ja_3.jsonl")  # taxonomy 2.0.0 batch
    df = load_corpus()
    files = set(df["_file"])
    assert {"articles_en_2.jsonl", "articles_ja_2.jsonl"} <= files
    assert df["id"].is_unique and not df["text"].duplicated().any()
    second = df[df["_file"].str.endswith("_2.jsonl")]
    # the second batch continues the id numbering and pairs EN/JA reports of one event
    assert second["id"].str.slice(3).astype(int).min() > 400
    multi = second.groupby("cluster")["lang"].agg(set)
    assert (multi.map(len) == 2).sum() >= 30
