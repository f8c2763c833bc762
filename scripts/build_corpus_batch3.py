"""Write the third corpus batch (production disruptions, issue 13) and apply the 2.0.0 relabels.

Run once: ``PYTHONPATH=src python scripts/build_corpus_batch3.py BATCH_EN.py BATCH_JA.py``; the batch
files (three rounds were appended with :func:`_records`, see docs/corpus-protocol.md) hold the
hand-written items as Python tuples (kind, title, text, published, event_type,
country, commodity, mine, cluster slug). Kept so the batch can be audited and re-generated; see
docs/corpus-protocol.md section 4, item 9.
"""

from __future__ import annotations

import json
import runpy
import sys
from pathlib import Path

from reslog.paths import PACKAGE_DATA
from reslog.schema import EVENT_TYPES, resolve_commodity, resolve_country

CORPUS = PACKAGE_DATA / "corpus"
# Relabels under taxonomy 2.0.0 (section 3.1 "production_disruption", 3.3 jade/gemstones).
RELABEL = {
    "en-0482": {"event_type": "production_disruption"},  # "trims 2026 uranium production plans"
    "ja-0134": {"event_type": "production_disruption"},  # 豪州でリチウム鉱山の休止相次ぐ
    "en-0091": {"commodity": "jade"}, "ja-0092": {"commodity": "jade"},
    "en-0339": {"commodity": "jade"}, "ja-0126": {"commodity": "jade"}, "ja-0203": {"commodity": "jade"},
    "en-0037": {"commodity": "gemstones"}, "ja-0158": {"commodity": "gemstones"},
    "en-0353": {"commodity": "gemstones"}, "en-0196": {"commodity": "gemstones"},
    "ja-0313": {"commodity": "gemstones"},
}


def _records(items: list[tuple], lang: str, start: int) -> list[dict]:
    out = []
    for k, (kind, title, text, date, etype, country, commodity, mine, cluster) in enumerate(items):
        i = f"{lang}-{start + k:04d}"
        assert etype in EVENT_TYPES, (i, etype)
        assert country is None or resolve_country(country) == country, (i, country)
        assert commodity is None or resolve_commodity(commodity) == commodity, (i, commodity)
        if kind == "post":
            body = title
            title = body if len(body) <= 80 else body[:79] + "…"
        else:
            body = text if text is not None else title
        out.append({
            "id": i, "lang": lang, "kind": kind, "title": title, "text": body, "published": date,
            "url": f"https://example-news.test/{lang}/{date.replace('-', '/')}/{i}",
            "event_type": etype, "country": country, "commodity": commodity, "mine": mine,
            "cluster": cluster or f"s-{i}", "casualties": None, "release_m3": None,
        })
    return out


def _last_id(lang: str) -> int:
    n = 0
    for p in CORPUS.glob(f"articles_{lang}*.jsonl"):
        for line in p.read_text(encoding="utf-8").splitlines():
            n = max(n, int(json.loads(line)["id"].split("-")[1]))
    return n


def main(en_file: str, ja_file: str) -> None:
    for lang, f, var in (("en", en_file, "EN"), ("ja", ja_file, "JA")):
        out = CORPUS / f"articles_{lang}_3.jsonl"
        if out.exists():
            sys.exit(f"{out} exists already")
        recs = _records(runpy.run_path(f)[var], lang, _last_id(lang) + 1)
        out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")
        print(f"{out.name}: {len(recs)} items")
    for p in sorted(CORPUS.glob("articles_*.jsonl")):
        lines = p.read_text(encoding="utf-8").splitlines()
        changed = 0
        for n, line in enumerate(lines):
            r = json.loads(line)
            if r["id"] in RELABEL:
                r.update(RELABEL[r["id"]])
                lines[n] = json.dumps(r, ensure_ascii=False)
                changed += 1
        if changed:
            p.write_text("\n".join(lines) + "\n", encoding="utf-8")
            print(f"{p.name}: {changed} relabelled")


if __name__ == "__main__":
    main(*sys.argv[1:3])
