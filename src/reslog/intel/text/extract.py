"""The orchestrator: articles → one extracted record per input id.

Steps per article (:func:`extract_events`): analyse (language, tokens, gazetteer matches) →
classify the event type → choose country and commodity among the mentioned candidates →
read deaths / volume / duration / date → severity → evidence spans. Output records follow
the extraction contract of ``reslog events extract``:

``id, event_type, country, commodity, mine_id, lat, lon, date, severity, confidence,
evidence`` plus ``lang``, ``title``, ``url``, ``deaths``, ``release_m3``, ``duration_days``,
``confidence_country``, ``confidence_commodity``, ``places`` (canonical names of the places
and mines named in the country of the event) and ``snippet`` (the first
:data:`SNIPPET_CHARS` characters of title + text, for de-duplication at ingest).

``confidence`` is the classifier's probability of the chosen event type. Evidence spans are
``{"field": "title"|"text", "start", "end", "text", "kind"}`` with character offsets into the
cleaned (NFKC-normalised) title or text; ``kind`` is ``cue`` (a word that drove the event
type), ``country``, ``commodity``, ``deaths``, ``release`` or ``duration``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from reslog.intel.text.analysis import Analysis, analyse
from reslog.intel.text.gazetteer import Gazetteer, default_gazetteer
from reslog.intel.text.ingest import Article, Problem, parse_date, read_any
from reslog.intel.text.model import TextModel, load_or_train
from reslog.intel.text.quantities import (calc_deaths, calc_duration_days, calc_release_m3,
                                          calc_text_date)
from reslog.intel.text.resolve import (calc_commodity_features, calc_country_features,
                                       calc_drop_actors)
from reslog.intel.text.severity import ShareLookup, calc_severity

BATCH = 256
SNIPPET_CHARS = 600
"""Characters of title + text kept in the output (used by de-duplication at ingest)."""


@dataclass
class ExtractedEvent:
    """The extraction result for one article (see module docstring)."""

    id: str
    event_type: str
    country: str | None
    commodity: str | None
    mine_id: str | None
    lat: float | None
    lon: float | None
    date: str | None
    severity: float
    confidence: float
    evidence: list[dict] = field(default_factory=list)
    lang: str = "und"
    title: str = ""
    url: str | None = None
    deaths: int | None = None
    release_m3: float | None = None
    duration_days: float | None = None
    confidence_country: float | None = None
    confidence_commodity: float | None = None
    places: list[str] = field(default_factory=list)
    snippet: str = ""

    def to_record(self) -> dict:
        """JSON-serialisable dict (one output line)."""
        return asdict(self)


def _span(a: Analysis, start: int, end: int, kind: str) -> dict:
    if a.body_start and start >= a.body_start:
        fld, off = "text", a.body_start
    else:
        fld, off = "title", 0
    return {"field": fld, "start": start - off, "end": end - off, "text": a.doc[start:end], "kind": kind}


def _cue_spans(a: Analysis, model: TextModel, label: str, k: int = 3) -> list[dict]:
    """Spans of the (at most ``k``) words with the largest positive weight for ``label``."""
    clf = model.classifier
    if label not in clf.classes_ or not a.tokens:
        return []
    coef = clf.model.coef_
    row = coef[clf.classes_.index(label)] if coef.shape[0] > 1 else coef[0]
    vocab = clf.words.vocabulary_
    scored: dict[str, tuple[float, int]] = {}
    toks = [t for t in a.tokens]
    from reslog.intel.text.tokenize import analyze

    feats = analyze(toks, a.lang)
    # analyze() drops some Japanese tokens: align by recomputing per token
    for t in toks:
        f = analyze([t], a.lang)
        if not f:
            continue
        j = vocab.get(f[0])
        if j is None:
            continue
        w = float(row[j])
        if w > 0 and (f[0] not in scored or scored[f[0]][0] < w):
            scored.setdefault(f[0], (w, t.start))
    del feats
    top = sorted(scored.items(), key=lambda kv: -kv[1][0])[:k]
    out = []
    for word, (_, start) in top:
        tok = next(t for t in toks if t.start == start)
        out.append(_span(a, tok.start, tok.end, "cue"))
    return out


def _date(article: Article, a: Analysis) -> str | None:
    d = parse_date(article.published) if article.published else None
    if d:
        return d[:10]
    if article.published and len(article.published) >= 10 and article.published[4] == "-":
        return article.published[:10]
    return calc_text_date(a.doc)


def extract_from_analyses(analyses: Sequence[Analysis], model: TextModel,
                          share_lookup: ShareLookup | None = None) -> list[ExtractedEvent]:
    """Extraction over already analysed articles (batch classification)."""
    if not analyses:
        return []
    probs = model.classifier.predict_proba(analyses)
    classes = model.classifier.classes_
    out: list[ExtractedEvent] = []
    for a, p in zip(analyses, probs):
        k = int(np.argmax(p))
        label, conf = classes[k], float(p[k])
        pred_none = label == "none"
        pd_ = {c: float(v) for c, v in zip(classes, p)}
        ccands = calc_country_features(a, pd_)
        country, c_score = model.country.choose(calc_drop_actors(ccands, label))
        mcands = calc_commodity_features(a, pd_)
        commodity, m_score = model.commodity.choose(mcands)
        deaths = calc_deaths(a.doc, a.lang)
        vol = calc_release_m3(a.doc, a.lang)
        dur = calc_duration_days(a.doc, a.lang)
        iso = country.value if country else None
        com = commodity.value if commodity else None
        mine_id = country.mine_id if country else None
        share = share_lookup(iso, com, mine_id) if share_lookup and not pred_none else None
        sev = calc_severity(label, deaths.value if deaths else None, vol.value if vol else None,
                            dur.value if dur else None, share)
        ev: list[dict] = _cue_spans(a, model, label) if not pred_none else []
        if country:
            ev += [_span(a, s, e, "country") for s, e, _ in country.spans[:3]]
        if commodity:
            ev += [_span(a, s, e, "commodity") for s, e, _ in commodity.spans[:3]]
        for q, kind in ((deaths, "deaths"), (vol, "release"), (dur, "duration")):
            if q is not None:
                ev.append(_span(a, q.start, q.end, kind))
        places = sorted({e.value for m in a.matches for e in m.entries
                         if e.kind in ("place", "mine") and e.value and (e.iso3 == iso or iso is None)})
        out.append(ExtractedEvent(
            id=a.article.id, event_type=label, country=iso, commodity=com, mine_id=mine_id,
            lat=country.lat if country else None, lon=country.lon if country else None,
            date=_date(a.article, a), severity=sev, confidence=round(conf, 4), evidence=ev,
            lang=a.lang, title=a.article.title[:300], url=a.article.url,
            deaths=int(deaths.value) if deaths else None, release_m3=vol.value if vol else None,
            duration_days=dur.value if dur else None,
            confidence_country=round(float(c_score), 4) if country else None,
            confidence_commodity=round(float(m_score), 4) if commodity else None,
            places=places[:10], snippet=a.doc[:SNIPPET_CHARS],
        ))
    return out


def extract_events(articles: Iterable[Article], model: TextModel | None = None,
                   gazetteer: Gazetteer | None = None, share_lookup: ShareLookup | None = None
                   ) -> list[ExtractedEvent]:
    """One :class:`ExtractedEvent` per article, in input order.

    Parameters
    ----------
    articles : iterable of Article
    model : TextModel, optional
        Defaults to :func:`reslog.intel.text.model.load_or_train` (trained from the corpus).
    gazetteer : Gazetteer, optional
        Defaults to the package gazetteer; build one with warehouse mines via
        :meth:`Gazetteer.build`.
    share_lookup : callable, optional
        ``(country, commodity, mine_id) -> world supply share`` for severity.
    """
    model = model or load_or_train()
    gaz = gazetteer or default_gazetteer()
    out: list[ExtractedEvent] = []
    batch: list[Analysis] = []
    for art in articles:
        batch.append(analyse(art, gaz))
        if len(batch) >= BATCH:
            out.extend(extract_from_analyses(batch, model, share_lookup))
            batch = []
    out.extend(extract_from_analyses(batch, model, share_lookup))
    return out


@dataclass
class ExtractReport:
    """Counts and problems of one :func:`extract_file` run."""

    n_read: int
    n_written: int
    problems: list[Problem]


def extract_file(input_path: str | Path, output_path: str | Path, model: TextModel | None = None,
                 gazetteer: Gazetteer | None = None, share_lookup: ShareLookup | None = None
                 ) -> ExtractReport:
    """Read articles (JSON lines, feed or HTML), write one JSON line per article id.

    Bad lines are reported in the returned problems (with line numbers) and skipped; every
    other line is processed.
    """
    arts, problems = read_any(input_path)
    events = extract_events(arts, model, gazetteer, share_lookup)
    out = Path(output_path)
    if out.parent and not out.parent.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8") as fh:
        for e in events:
            fh.write(json.dumps(e.to_record(), ensure_ascii=False) + "\n")
    return ExtractReport(len(arts), len(events), problems)
