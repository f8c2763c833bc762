"""De-duplication: articles about the same real-world event become one event with every source.

Two extracted articles *a*, *b* are linked (:func:`calc_link`) when

1. **near-identical texts** — cosine similarity of character 3–5-gram TF-IDF vectors
   ≥ :data:`NEAR_DUP` (wire copies, reposts): linked whatever was extracted; or
2. **same event** — all of:

   * same event type (``none`` articles are never merged by this rule),
   * same country (not null),
   * compatible commodity (equal, or one of them unknown),
   * dates at most ``max_days`` apart (a missing date is compatible),
   * not two different warehouse mines;
   * and a similarity: text cosine ≥ :data:`MIN_SIM` for articles in one language, or any
     shared entity (place or mine by canonical gazetteer name, shared by English and Japanese:
     Brumadinho = ブルマジーニョ; or the commodity) or dates ≤ 3 days apart for a cross-lingual
     pair, whose texts have no n-grams in common.

Events are the connected components of the link graph (union–find). The merged event takes
the confidence-weighted majority event type, the most common country and commodity, the
earliest and latest dates as start and end, the largest deaths, volume and severity, and
lists every source URL. Its ``event_id`` is ``txt-`` + the first 16 hex digits of the SHA-1
of its earliest article id, stable when later articles join.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from reslog.intel.text.extract import ExtractedEvent

NEAR_DUP = 0.85
"""Text cosine above which two articles are copies of each other."""
MIN_SIM = 0.10
"""Text cosine needed, with matching event fields, to link two articles in one language."""
MAX_DAYS = 7
"""Largest date difference (days) between two reports of one event."""


@dataclass
class MergedEvent:
    """One de-duplicated event."""

    event_id: str
    event_type: str
    country: str | None
    commodity: str | None
    mine_id: str | None
    lat: float | None
    lon: float | None
    start_time: str | None
    end_time: str | None
    severity: float
    confidence: float
    deaths: int | None
    release_m3: float | None
    title: str
    description: str
    source_urls: list[str]
    members: list[str]
    langs: list[str] = field(default_factory=list)


def _parse(d: str | None) -> date | None:
    if not d:
        return None
    try:
        return date.fromisoformat(d[:10])
    except ValueError:
        return None


def calc_text_similarity(texts: Sequence[str]) -> np.ndarray:
    """Pairwise cosine similarity of character 3–5-gram TF-IDF vectors, shape ``(n, n)``."""
    if len(texts) == 0:
        return np.zeros((0, 0))
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=1)
    try:
        x = vec.fit_transform([t.lower() if t else " " for t in texts])
    except ValueError:  # empty vocabulary
        return np.eye(len(texts))
    return (x @ x.T).toarray()


def calc_link(a: ExtractedEvent, b: ExtractedEvent, sim: float, max_days: int = MAX_DAYS) -> bool:
    """Whether two extracted articles report the same event (see module docstring)."""
    if sim >= NEAR_DUP:
        return True
    if a.event_type == "none" or a.event_type != b.event_type:
        return False
    if a.country is None or a.country != b.country:
        return False
    if a.commodity and b.commodity and a.commodity != b.commodity:
        return False
    da, db = _parse(a.date), _parse(b.date)
    gap = abs((da - db).days) if da and db else 0
    if gap > max_days:
        return False
    pa, pb = set(a.places), set(b.places)
    if a.mine_id and b.mine_id and a.mine_id != b.mine_id:
        return False
    if a.lang == b.lang:
        return sim >= MIN_SIM
    shared = bool(pa & pb) or bool(a.commodity and a.commodity == b.commodity)
    return shared or gap <= 3


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.p = list(range(n))

    def find(self, i: int) -> int:
        while self.p[i] != i:
            self.p[i] = self.p[self.p[i]]
            i = self.p[i]
        return i

    def union(self, i: int, j: int) -> None:
        ri, rj = self.find(i), self.find(j)
        if ri != rj:
            self.p[max(ri, rj)] = min(ri, rj)


def cluster_events(events: Sequence[ExtractedEvent], texts: Sequence[str],
                   max_days: int = MAX_DAYS) -> list[int]:
    """Cluster label per event (connected components of :func:`calc_link`).

    Parameters
    ----------
    events : extracted articles.
    texts : their texts (title + body), same order, for the similarity.
    max_days : largest date gap within one event.

    Returns
    -------
    list of int
        ``labels[i]`` is the index of the first member of event *i*'s cluster.
    """
    n = len(events)
    if len(texts) != n:
        raise ValueError(f"{n} events but {len(texts)} texts")
    sim = calc_text_similarity(list(texts))
    uf = _UnionFind(n)
    # block by country (or by near-duplicate text for events without one) to stay ~linear
    by_country: dict[str | None, list[int]] = {}
    for i, e in enumerate(events):
        by_country.setdefault(e.country, []).append(i)
    for idx in by_country.values():
        for x in range(len(idx)):
            for y in range(x + 1, len(idx)):
                i, j = idx[x], idx[y]
                if calc_link(events[i], events[j], float(sim[i, j]), max_days):
                    uf.union(i, j)
    # near-duplicates across countries (e.g. one copy lost its country)
    hi = np.argwhere(np.triu(sim, 1) >= NEAR_DUP)
    for i, j in hi:
        uf.union(int(i), int(j))
    return [uf.find(i) for i in range(n)]


def _event_id(first_id: str) -> str:
    return "txt-" + hashlib.sha1(first_id.encode("utf-8")).hexdigest()[:16]


def merge_events(events: Sequence[ExtractedEvent], labels: Sequence[int],
                 descriptions: Sequence[str] | None = None) -> list[MergedEvent]:
    """One :class:`MergedEvent` per cluster label (``none`` clusters are dropped)."""
    groups: dict[int, list[int]] = {}
    for i, lab in enumerate(labels):
        groups.setdefault(lab, []).append(i)
    out: list[MergedEvent] = []
    for idx in groups.values():
        mem = [events[i] for i in idx]
        votes: Counter[str] = Counter()
        for e in mem:
            votes[e.event_type] += e.confidence
        etype = votes.most_common(1)[0][0]
        if etype == "none":
            continue
        mem_t = [e for e in mem if e.event_type == etype] or mem
        def common(attr: str) -> str | None:
            c = Counter(getattr(e, attr) for e in mem_t if getattr(e, attr))
            return c.most_common(1)[0][0] if c else None
        dates = sorted(d for d in (e.date for e in mem) if d)
        order = sorted(range(len(mem)), key=lambda k: ((mem[k].date or "9999"), mem[k].id))
        first = mem[order[0]]
        lead = max(mem_t, key=lambda e: (e.lang == "en", e.confidence))
        located = next((e for e in mem_t if e.lat is not None), None)
        deaths = [e.deaths for e in mem if e.deaths is not None]
        vols = [e.release_m3 for e in mem if e.release_m3 is not None]
        conf = 1.0 - float(np.prod([1.0 - e.confidence for e in mem_t]))
        desc = ""
        if descriptions is not None:
            desc = descriptions[idx[mem.index(lead)]][:1000]
        out.append(MergedEvent(
            event_id=_event_id(first.id), event_type=etype, country=common("country"),
            commodity=common("commodity"), mine_id=common("mine_id"),
            lat=located.lat if located else None, lon=located.lon if located else None,
            start_time=dates[0] if dates else None, end_time=dates[-1] if dates else None,
            severity=max(e.severity for e in mem_t), confidence=round(min(conf, 0.999), 4),
            deaths=max(deaths) if deaths else None, release_m3=max(vols) if vols else None,
            title=lead.title, description=desc,
            source_urls=sorted({e.url for e in mem if e.url}), members=[e.id for e in mem],
            langs=sorted({e.lang for e in mem}),
        ))
    out.sort(key=lambda m: (m.start_time or "", m.event_id))
    return out


def deduplicate(events: Sequence[ExtractedEvent], texts: Sequence[str],
                max_days: int = MAX_DAYS) -> list[MergedEvent]:
    """Cluster and merge in one call (see :func:`cluster_events`, :func:`merge_events`)."""
    labels = cluster_events(events, texts, max_days)
    return merge_events(events, labels, texts)
