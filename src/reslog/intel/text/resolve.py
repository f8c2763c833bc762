"""Which country and which commodity an article's event concerns, among those it mentions.

An article names several countries ("Chinese-owned smelter in Indonesia halts after strike")
and commodities ("nickel … cobalt by-product"). Every country (commodity) found by the
gazetteer becomes a *candidate* described by a few features (:func:`calc_country_features`,
:func:`calc_commodity_features`): how often and how it is mentioned (country name, demonym,
capital, province/town, mine), whether it is in the title, in a JOGMEC-style headline prefix
「国：」, its relative first position, and the classifier's probability that the text reports
no event (``pred_none``). A logistic
regression (:class:`CandidateRanker`) trained on the corpus scores candidates; the best one
is chosen when its probability reaches a threshold ``tau`` tuned on the training data,
otherwise the result is ``null`` (global news, market reports).

Without a trained ranker, fixed weights (:data:`DEFAULT_COUNTRY_WEIGHTS`) are used.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from reslog.intel.text.analysis import Analysis
from reslog.intel.text.gazetteer import Entry, Match

COUNTRY_KINDS = ("country", "demonym", "capital", "place", "mine")
COUNTRY_FEATURES = (
    "n_country", "n_demonym", "n_capital", "n_place", "n_mine", "in_title", "title_prefix",
    "first_rel", "is_first", "share", "possessive", "n_cands", "pred_none", "none_x_title",
    "none_x_site", "only_demonym", "actor", "actor_x_sanctions", "origin", "origin_x_sanctions",
    "demonym_x_sanctions", "none_cues", "none_cues_x_demonym", "none_cues_x_site",
)
COMMODITY_FEATURES = (
    "n_direct", "n_term", "in_title", "first_rel", "is_first", "share", "n_site", "only_site",
    "is_parent", "is_child", "n_cands", "pred_none", "title_count",
)
DEFAULT_COUNTRY_WEIGHTS = {"n_country": 1.5, "n_demonym": 0.6, "n_capital": 1.0, "n_place": 2.0,
                           "n_mine": 3.0, "in_title": 1.0, "title_prefix": 3.0, "is_first": 0.5,
                           "first_rel": -1.0}
DEFAULT_COMMODITY_WEIGHTS = {"n_direct": 1.5, "n_term": 1.0, "in_title": 1.0, "is_first": 0.5,
                             "n_site": 0.5, "first_rel": -1.0, "is_child": 0.3}


@dataclass
class Candidate:
    """A candidate value with its feature vector and the evidence spans (``(start, end, surface)``)."""

    value: str
    features: dict[str, float]
    spans: list[tuple[int, int, str]] = field(default_factory=list)
    lat: float | None = None
    lon: float | None = None
    mine_id: str | None = None


def _title_prefix_end(a: Analysis) -> int:
    """End offset of a 「国：」 / "Country:" prefix in the title, or -1."""
    title = a.title
    for sep in ("：", ":"):
        i = title.find(sep)
        if 0 < i <= 20:
            return i
    return -1


_ACTOR_NEXT_JA = ("、", "は", "が", "も", "と", "政府", "当局")


def calc_is_actor(a: Analysis, start: int, end: int) -> bool:
    """A mention at the very start of the title used as the subject of the sentence
    ("US sanctions …", "Canada bans …", "米国、…", "日本政府は …"), not as a place
    (the JOGMEC prefix 「チリ：」 is a place)."""
    if start > 1 or (a.body_start and end > a.body_start):
        return False
    nxt = a.doc[end:end + 3]
    if a.lang == "ja":
        return nxt.startswith(_ACTOR_NEXT_JA)
    if nxt.startswith(("'s", "’s", ":", " -")):
        return False
    rest = a.doc[end:end + 30].lstrip(" ,")
    word = rest.split(" ", 1)[0] if rest else ""
    return nxt.startswith((",", " and ")) or (word[:1].islower() and word not in ("mine", "mines", "miners"))


def _probs(p: float | dict[str, float]) -> dict[str, float]:
    return {"none": float(p)} if isinstance(p, (int, float)) else dict(p)


def calc_country_features(a: Analysis, probs: float | dict[str, float]) -> dict[str, Candidate]:
    """Country candidates of an analysed article with their features.

    ``probs`` are the classifier's event-type probabilities (or just ``p(none)``); the
    probability of ``sanctions`` matters because there the country named as the actor ("US
    sanctions …") is not where the event happens, while the origin ("Russian aluminium",
    「ロシア産」) is.
    """
    pr = _probs(probs)
    pred_none, p_sanc = pr.get("none", 0.0), pr.get("sanctions", 0.0)
    com_starts = {m.start for m in a.matches if any(e.kind in ("commodity", "term") for e in m.entries)}
    none_cues = math.log1p(sum(1 for h in a.hints if h == "none"))
    cands: dict[str, Candidate] = {}
    counts: dict[str, dict[str, int]] = {}
    n = max(len(a.doc), 1)
    prefix_end = _title_prefix_end(a)
    for m in a.matches:
        ents = [e for e in m.entries if e.kind in COUNTRY_KINDS and e.iso3]
        if not ents:
            continue
        # a warehouse mine wins over a curated entry of the same name (it carries the mine_id)
        e = next((x for x in ents if x.subkind == "warehouse"), ents[0])
        c = cands.get(e.iso3)
        if c is None:
            c = cands[e.iso3] = Candidate(e.iso3, {"first": m.start})
            counts[e.iso3] = {k: 0 for k in COUNTRY_KINDS}
        counts[e.iso3][e.kind] += 1
        c.spans.append((m.start, m.end, m.surface))
        if e.kind in ("mine", "place") and e.lat is not None and (c.lat is None or e.kind == "mine"):
            c.lat, c.lon = e.lat, e.lon
        if e.kind == "mine" and e.subkind == "warehouse" and c.mine_id is None:
            c.mine_id = e.value
        f = c.features
        if a.body_start and m.end <= a.body_start:
            f["in_title"] = 1.0
        if prefix_end >= 0 and m.end <= prefix_end + 1 and m.start <= 2:
            f["title_prefix"] = 1.0
        if a.lang == "en" and a.doc[m.end:m.end + 2] in ("'s", "’s"):
            f["possessive"] = 1.0
        if calc_is_actor(a, m.start, m.end):
            f["actor"] = 1.0
        if a.doc[m.end:m.end + 1] == "産" or (m.end + 1) in com_starts:
            f["origin"] = 1.0
    total = sum(sum(v.values()) for v in counts.values()) or 1
    first_iso = min(cands, key=lambda k: cands[k].features["first"]) if cands else None
    for iso, c in cands.items():
        f = c.features
        cnt = counts[iso]
        for k in COUNTRY_KINDS:
            f[f"n_{k}"] = math.log1p(cnt[k])
        f["first_rel"] = f.pop("first") / n
        f["is_first"] = 1.0 if iso == first_iso else 0.0
        f["share"] = sum(cnt.values()) / total
        f["n_cands"] = math.log1p(len(cands))
        f["pred_none"] = float(pred_none)
        f["none_x_title"] = f["pred_none"] * f.get("in_title", 0.0)
        f["none_x_site"] = f["pred_none"] * (1.0 if cnt["place"] + cnt["mine"] else 0.0)
        f["only_demonym"] = 1.0 if cnt["demonym"] == sum(cnt.values()) else 0.0
        f["actor_x_sanctions"] = f.get("actor", 0.0) * p_sanc
        f["origin_x_sanctions"] = f.get("origin", 0.0) * p_sanc
        f["demonym_x_sanctions"] = (1.0 if cnt["demonym"] else 0.0) * p_sanc
        f["none_cues"] = none_cues
        f["none_cues_x_demonym"] = none_cues * f["only_demonym"]
        f["none_cues_x_site"] = none_cues * (1.0 if cnt["place"] + cnt["mine"] else 0.0)
    return cands


ACTOR_EXCLUDED_TYPES = frozenset({"sanctions"})
"""Event types whose sentence subject is never the event's country: the sanctioning state
("US sanctions traders of Sudanese gold" happens in Sudan, corpus protocol §3.2)."""


def calc_drop_actors(cands: dict[str, Candidate], event_type: str) -> dict[str, Candidate]:
    """Remove the acting state from the candidates of an event whose country is its target.

    For :data:`ACTOR_EXCLUDED_TYPES` a country flagged ``actor`` (subject at the head of the
    title, :func:`calc_is_actor`) is dropped when at least one other candidate remains; for
    other types, or when the actor is the only country named, ``cands`` is returned as is.
    Every sanctions item of the corpus follows this rule (the actor is never the label).
    """
    if event_type not in ACTOR_EXCLUDED_TYPES:
        return cands
    kept = {k: c for k, c in cands.items() if not c.features.get("actor")}
    return kept if kept else cands


def _commodity_tree() -> dict[str, str | None]:
    from reslog.schema import COMMODITIES

    return {c.name: c.parent for c in COMMODITIES}


_PARENT = _commodity_tree()


def _ancestors(c: str) -> set[str]:
    out: set[str] = set()
    p = _PARENT.get(c)
    while p:
        out.add(p)
        p = _PARENT.get(p)
    return out


def calc_commodity_features(a: Analysis, probs: float | dict[str, float]) -> dict[str, Candidate]:
    """Commodity candidates of an analysed article with their features."""
    pred_none = _probs(probs).get("none", 0.0)
    cands: dict[str, Candidate] = {}
    n = max(len(a.doc), 1)
    cnt: dict[str, dict[str, float]] = {}
    for m in a.matches:
        for e in m.entries:
            vals: list[tuple[str, str]] = []
            if e.kind == "commodity" and e.value:
                vals.append((e.value, "direct"))
            elif e.kind == "term" and e.value:
                vals.append((e.value, "term"))
            elif e.kind in ("mine", "place") and e.commodities:
                w = "site"
                vals.extend((cm, w) for cm in e.commodities)
            for val, how in vals:
                c = cands.get(val)
                if c is None:
                    c = cands[val] = Candidate(val, {"first": m.start if how != "site" else n})
                    cnt[val] = {"direct": 0, "term": 0, "site": 0, "title": 0}
                cnt[val][how] += 1
                if how != "site":
                    c.features["first"] = min(c.features["first"], m.start)
                    c.spans.append((m.start, m.end, m.surface))
                    if a.body_start and m.end <= a.body_start:
                        c.features["in_title"] = 1.0
                        cnt[val]["title"] += 1
    total = sum(v["direct"] + v["term"] for v in cnt.values()) or 1
    direct = [k for k in cands if cnt[k]["direct"] + cnt[k]["term"] > 0]
    first_val = min(direct, key=lambda k: cands[k].features["first"]) if direct else None
    for val, c in cands.items():
        f = c.features
        k = cnt[val]
        f["n_direct"] = math.log1p(k["direct"])
        f["n_term"] = math.log1p(k["term"])
        f["n_site"] = math.log1p(k["site"])
        f["only_site"] = 1.0 if k["direct"] + k["term"] == 0 else 0.0
        f["first_rel"] = f.pop("first") / n
        f["is_first"] = 1.0 if val == first_val else 0.0
        f["share"] = (k["direct"] + k["term"]) / total
        f["title_count"] = math.log1p(k["title"])
        others = set(cands) - {val}
        f["is_parent"] = 1.0 if any(val in _ancestors(o) for o in others) else 0.0
        f["is_child"] = 1.0 if _ancestors(val) & others else 0.0
        f["n_cands"] = math.log1p(len(cands))
        f["pred_none"] = float(pred_none)
    return cands


@dataclass
class CandidateRanker:
    """Logistic-regression scorer of candidates with a null threshold ``tau``.

    Attributes
    ----------
    features : feature names (the vector order).
    weights : fallback linear weights used when not fitted.
    """

    features: tuple[str, ...]
    weights: dict[str, float]
    model: LogisticRegression | None = None
    tau: float = 0.0

    def _vec(self, c: Candidate) -> list[float]:
        return [float(c.features.get(k, 0.0)) for k in self.features]

    def score(self, cands: dict[str, Candidate]) -> dict[str, float]:
        """Probability (fitted) or linear score (fallback) of every candidate."""
        if not cands:
            return {}
        keys = list(cands)
        if self.model is not None:
            p = self.model.predict_proba(np.array([self._vec(cands[k]) for k in keys]))[:, 1]
            return dict(zip(keys, p.tolist()))
        return {k: sum(self.weights.get(f, 0.0) * v for f, v in cands[k].features.items()) for k in keys}

    def choose(self, cands: dict[str, Candidate]) -> tuple[Candidate | None, float]:
        """Best candidate and its score, or ``(None, best score)`` below ``tau``."""
        s = self.score(cands)
        if not s:
            return None, 0.0
        best = max(s, key=lambda k: (s[k], -cands[k].features.get("first_rel", 1.0)))
        if s[best] < self.tau:
            return None, s[best]
        return cands[best], s[best]

    def fit(self, cand_sets: Sequence[dict[str, Candidate]], gold: Sequence[str | None]) -> "CandidateRanker":
        """Fit on candidate sets and gold values; then tune ``tau`` for exact-match accuracy."""
        x, y = [], []
        for cands, g in zip(cand_sets, gold):
            for k, c in cands.items():
                x.append(self._vec(c))
                y.append(1 if k == g else 0)
        if len(set(y)) < 2:
            self.model = None
            return self
        self.model = LogisticRegression(C=1.0, max_iter=2000)
        with threadpool_limits(1):
            self.model.fit(np.array(x), np.array(y))
        best_tau, best_acc = 0.0, -1.0
        scored = [self.score(c) for c in cand_sets]
        for tau in np.linspace(0.0, 0.9, 46):
            ok = 0
            for s, g in zip(scored, gold):
                pick = max(s, key=s.get) if s else None
                if pick is not None and s[pick] < tau:
                    pick = None
                ok += pick == g
            if ok > best_acc:
                best_acc, best_tau = ok, float(tau)
        self.tau = best_tau
        return self


def country_ranker() -> CandidateRanker:
    """An unfitted country ranker (fallback weights)."""
    return CandidateRanker(COUNTRY_FEATURES, DEFAULT_COUNTRY_WEIGHTS)


def commodity_ranker() -> CandidateRanker:
    """An unfitted commodity ranker (fallback weights)."""
    return CandidateRanker(COMMODITY_FEATURES, DEFAULT_COMMODITY_WEIGHTS)


def entries_of(m: Match, kinds: tuple[str, ...]) -> list[Entry]:
    """Entries of a match whose kind is in ``kinds``."""
    return [e for e in m.entries if e.kind in kinds]
