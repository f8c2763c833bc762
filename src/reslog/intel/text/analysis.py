"""One pass over an article: language, tokens, gazetteer matches, classifier words.

Everything later steps need (the classifier, the country/commodity resolvers, the quantity
extractor, de-duplication) is computed once here, so an article is tokenised and matched
exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reslog.intel.text.gazetteer import Gazetteer, Match, fold
from reslog.intel.text.ingest import Article
from reslog.intel.text.lang import detect_lang
from reslog.intel.text.tokenize import Token, analyze, tokenize

MODEL_TEXT_CHARS = 6000
"""Characters of the body analysed (news leads carry the event; bounds time on long texts)."""


@dataclass
class Analysis:
    """An article prepared for extraction.

    Attributes
    ----------
    article : the input.
    lang : ``"en"``, ``"ja"`` or ``"und"``.
    doc : ``title + "\\n" + body`` (the body is omitted when it repeats the title, as in
        headline-only records); every span offset refers to this string.
    body_start : offset of the body in ``doc`` (``len(doc)`` when there is no body).
    tokens : tokens of ``doc``.
    matches : gazetteer entity matches in ``doc`` (countries, places, mines, commodities, terms).
    words : classifier word features.
    hints : one event type per cue or colloquial term found (galamsey → ``asgm``, 鉱滓 →
        ``tailings_failure``, ストライキ → ``labour_unrest``), repeated as ``title:<type>`` when
        in the title.
    cues : cue-word matches (``data/gazetteer/event_cues.csv``), found independently of entities.
    """

    article: Article
    lang: str
    doc: str
    body_start: int
    tokens: list[Token]
    matches: list[Match]
    words: list[str]
    hints: list[str] = field(default_factory=list)
    cues: list[Match] = field(default_factory=list)

    @property
    def title(self) -> str:
        """The title part of :attr:`doc`."""
        return self.doc[: max(self.body_start - 1, 0)] if self.body_start else ""


def build_doc(title: str, text: str, limit: int = MODEL_TEXT_CHARS) -> tuple[str, int]:
    """``(doc, body_start)``: title and body joined by a newline; a body equal to the title is dropped."""
    title = title.strip()
    body = text.strip()
    if body == title or not body:
        return title, len(title) + 1
    if not title:
        return body[:limit], 0
    return f"{title}\n{body[:limit]}", len(title) + 1


def analyse(article: Article, gazetteer: Gazetteer) -> Analysis:
    """Language, tokens, matches and features of one article."""
    doc, body_start = build_doc(article.title, article.text)
    lang = detect_lang(doc, article.lang)
    toks = tokenize(doc, lang) if doc else []
    bounds = None
    if lang == "ja":
        bounds = ({t.start for t in toks} | {t.end for t in toks} | {len(doc)},
                  {t.start: t.end for t in toks})
    folded = fold(doc)
    matches = gazetteer.matcher.find(doc, folded, bounds) if doc else []
    cues = gazetteer.cues.find(doc, folded, bounds) if doc else []
    hints: list[str] = []
    for m in sorted(matches + cues, key=lambda m: m.start):
        in_title = bool(body_start) and m.end <= body_start
        for h in {e.hint for e in m.entries if e.hint}:
            hints.append(h)
            if in_title:
                hints.append(f"title:{h}")
    words = analyze(toks, lang)
    return Analysis(article, lang, doc, body_start, toks, matches, words, hints, cues)
