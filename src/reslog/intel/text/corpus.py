"""The labelled corpus shipped in ``data/corpus/`` (English and Japanese articles, headlines, posts).

Each JSON line holds ``id, lang, kind, title, text, published, url`` and the labels
``event_type, country (ISO3|null), commodity (canonical|null), mine, cluster, casualties,
release_m3``. ``cluster`` groups the articles that report one real-world event (used to keep
near-duplicates on one side of the train/test split, and as the gold standard of
de-duplication). The writing protocol is in ``docs/corpus-protocol.md``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd

from reslog.paths import PACKAGE_DATA
from reslog.schema import EVENT_TYPES

CORPUS_DIR = PACKAGE_DATA / "corpus"
CORPUS_FILES = ("articles_en.jsonl", "articles_ja.jsonl", "articles_en_2.jsonl", "articles_ja_2.jsonl",
                "articles_en_3.jsonl", "articles_ja_3.jsonl")
"""Corpus files in reading order: the first corpus, then the second batch (weak types, hard
``none`` negatives), then the third (production disruptions, taxonomy 2.0.0); ids continue the
numbering of the earlier files)."""
LABEL_COLUMNS = ("event_type", "country", "commodity", "mine", "cluster", "casualties", "release_m3")


def corpus_paths(directory: Path | None = None) -> list[Path]:
    """The corpus files that exist in ``directory`` (default: the package corpus)."""
    d = Path(directory) if directory is not None else CORPUS_DIR
    return [d / f for f in CORPUS_FILES if (d / f).exists()]


def corpus_sha256(directory: Path | None = None) -> str:
    """SHA-256 over the corpus files (identifies a trained model's training data)."""
    h = hashlib.sha256()
    for p in corpus_paths(directory):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def load_corpus(directory: Path | None = None) -> pd.DataFrame:
    """All labelled records as a DataFrame (one row per article).

    Lines that are not complete JSON objects with an ``id`` and a known ``event_type`` are
    skipped (the corpus may be appended to while it is read; a half-written last line is
    expected then). Duplicate ids keep the first occurrence.
    """
    rows: list[dict] = []
    seen: set[str] = set()
    for p in corpus_paths(directory):
        with open(p, encoding="utf-8", errors="replace") as fh:
            for lineno, line in enumerate(fh, start=1):
                line = line.strip()
                if not line:
                    continue
                try:
                    r = json.loads(line)
                except ValueError:
                    continue
                if not isinstance(r, dict) or not r.get("id") or r.get("event_type") not in EVENT_TYPES:
                    continue
                if r["id"] in seen:
                    continue
                seen.add(r["id"])
                r.setdefault("cluster", f"s-{r['id']}")
                r["_file"] = p.name
                r["_line"] = lineno
                rows.append(r)
    cols = ["id", "lang", "kind", "title", "text", "published", "url", *LABEL_COLUMNS, "_file", "_line"]
    df = pd.DataFrame(rows)
    for c in cols:
        if c not in df.columns:
            df[c] = None
    df = df[cols].copy()
    for c in ("title", "text"):
        df[c] = df[c].fillna("").astype(str)
    df["cluster"] = df["cluster"].fillna(df["id"].map(lambda i: f"s-{i}"))
    return df.reset_index(drop=True)
