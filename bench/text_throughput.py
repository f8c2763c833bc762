"""Throughput of ``reslog events extract`` (articles per second), target ≥ 200 on 2 cores.

Articles are the bundled corpus and sample articles (English and Japanese, headlines, posts and
full articles), repeated with fresh ids to ``--n`` articles. The model is trained (or loaded from
the cache) before timing; the timed part is the whole extraction (language detection,
tokenisation, gazetteer, classification, candidate ranking, quantities, severity, evidence)
plus writing the JSON lines. Run::

    .venv/bin/python bench/text_throughput.py --n 3000
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from reslog.intel.text.corpus import load_corpus
from reslog.intel.text.extract import extract_file
from reslog.intel.text.model import load_or_train
from reslog.paths import PACKAGE_DATA


def make_input(path: Path, n: int) -> dict[str, int]:
    """Write ``n`` articles (corpus + samples, cycled) to ``path``; return counts per language."""
    df = load_corpus()
    recs = [{"id": r.id, "title": r.title, "text": r.text, "lang": r.lang, "published": r.published,
             "url": r.url} for r in df.itertuples(index=False)]
    with open(PACKAGE_DATA / "sample_articles.jsonl", encoding="utf-8") as fh:
        recs += [json.loads(x) for x in fh if x.strip()]
    counts: dict[str, int] = {}
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            r = dict(recs[i % len(recs)])
            r["id"] = f"b{i}"
            counts[r.get("lang") or "?"] = counts.get(r.get("lang") or "?", 0) + 1
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    return counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=3000, help="number of articles")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs (best is reported)")
    args = ap.parse_args()
    model = load_or_train()
    with tempfile.TemporaryDirectory() as d:
        inp, out = Path(d) / "articles.jsonl", Path(d) / "events.jsonl"
        counts = make_input(inp, args.n)
        chars = inp.stat().st_size
        extract_file(inp, out, model=model)  # warm-up (MeCab dictionary, caches)
        best = float("inf")
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            rep = extract_file(inp, out, model=model)
            best = min(best, time.perf_counter() - t0)
        assert rep.n_written == args.n, (rep.n_written, args.n)
    rate = args.n / best
    print(f"articles: {args.n} ({', '.join(f'{k} {v}' for k, v in sorted(counts.items()))}), "
          f"{chars / 1e6:.1f} MB of JSON lines")
    print(f"cpus available: {len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count()}")
    print(f"extract: {best:.2f} s (best of {args.repeat}) -> {rate:,.0f} articles/s "
          f"(target >= 200) {'OK' if rate >= 200 else 'BELOW TARGET'}")


if __name__ == "__main__":
    main()
