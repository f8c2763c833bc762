"""The labelled news corpus: schema, label sets, coverage per type × language, cluster coherence."""

from __future__ import annotations

import json
from collections import Counter

from reslog.paths import PACKAGE_DATA
from reslog.schema import EVENT_TYPES, resolve_commodity, resolve_country

CORPUS = PACKAGE_DATA / "corpus"
KEYS = {"id", "lang", "kind", "title", "text", "published", "url", "event_type", "country",
        "commodity", "mine", "cluster", "casualties", "release_m3"}


def _items() -> list[dict]:
    out = []
    files = sorted(CORPUS.glob("articles_*.jsonl"))
    assert {f.name for f in files} >= {"articles_en.jsonl", "articles_ja.jsonl"}
    for f in files:
        name = f.name
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), start=1):
            assert line.strip(), f"{name}:{n} empty line"
            out.append(json.loads(line))
    return out


def test_corpus_schema_and_labels() -> None:
    items = _items()
    ids = [it["id"] for it in items]
    assert len(ids) == len(set(ids))
    for it in items:
        assert KEYS <= set(it), it["id"]
        assert it["lang"] in ("en", "ja")
        assert it["kind"] in ("article", "headline", "post")
        assert it["event_type"] in EVENT_TYPES, it["id"]
        assert it["country"] is None or resolve_country(it["country"]) == it["country"], it["id"]
        assert it["commodity"] is None or resolve_commodity(it["commodity"]) == it["commodity"], it["id"]
        assert it["url"].startswith("https://example-news.test/"), it["id"]
        assert it["title"].strip() and it["text"].strip()


def test_corpus_covers_every_type_in_both_languages() -> None:
    items = _items()
    assert len(items) >= 600
    c = Counter((it["lang"], it["event_type"]) for it in items)
    for lang in ("en", "ja"):
        for t in EVENT_TYPES:
            assert c[(lang, t)] >= (80 if t == "none" else 25), (lang, t, c[(lang, t)])


def test_clusters_are_coherent_and_some_are_bilingual() -> None:
    by_cluster: dict[str, list[dict]] = {}
    for it in _items():
        by_cluster.setdefault(it["cluster"], []).append(it)
    multi = {k: v for k, v in by_cluster.items() if len(v) > 1}
    assert len(multi) >= 12
    for k, v in multi.items():
        assert len({it["event_type"] for it in v}) == 1, k
        assert len({it["country"] for it in v}) == 1, k
    assert sum(1 for v in multi.values() if {it["lang"] for it in v} == {"en", "ja"}) >= 12
