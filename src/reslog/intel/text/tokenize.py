"""Tokenisation: regular-expression words for English, MeCab (fugashi + unidic-lite) for Japanese.

Japanese has no spaces, so words come from ``fugashi`` with the UniDic-lite dictionary
(both on PyPI, nothing downloaded at run time). Tokens carry their character offsets so the
gazetteer can require matches to start and end on word boundaries (「賃金」 must not yield
「金」 = gold, 「鉄道」 must not yield 「鉄」 = iron).

Features for the classifier (:func:`analyze`) are lower-cased words for English and UniDic
lemmas (the English gloss that UniDic appends to loanwords, 「ストライキ-strike」, is cut) for
Japanese; character n-grams are added by the classifier itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_EN_WORD = re.compile(r"[a-z0-9]+(?:['’\-][a-z0-9]+)*")
_JA_KEEP_POS = {"名詞", "動詞", "形容詞", "形状詞", "副詞", "接尾辞", "接頭辞", "代名詞"}


@dataclass(frozen=True)
class Token:
    """One token: surface string, lemma, part of speech and ``[start, end)`` character offsets."""

    surface: str
    lemma: str
    pos: str
    start: int
    end: int


@lru_cache(maxsize=1)
def _tagger():  # -> fugashi.Tagger
    import fugashi  # local import: only needed for Japanese

    return fugashi.Tagger()


def tokens_en(text: str) -> list[Token]:
    """English word tokens of ``text`` (lower-cased lemma = surface)."""
    low = text.lower()
    return [Token(m.group(), m.group(), "w", m.start(), m.end()) for m in _EN_WORD.finditer(low)]


def tokens_ja(text: str) -> list[Token]:
    """Japanese tokens of ``text`` from MeCab/UniDic with character offsets.

    The lemma is UniDic's ``lemma`` with the English gloss removed (``ストライキ-strike`` →
    ``ストライキ``), or the surface when the dictionary has none (numbers, unknown words).
    """
    out: list[Token] = []
    pos = 0
    for w in _tagger()(text):
        s = w.surface
        if not s:
            continue
        i = text.find(s, pos)
        if i < 0:  # should not happen; keep offsets monotone
            i = pos
        feat = w.feature
        lemma = getattr(feat, "lemma", None) or s
        lemma = lemma.split("-", 1)[0] if "-" in lemma and not lemma.startswith("-") else lemma
        out.append(Token(s, lemma, getattr(feat, "pos1", "") or "", i, i + len(s)))
        pos = i + len(s)
    return out


def tokenize(text: str, lang: str) -> list[Token]:
    """Tokens of ``text`` in ``lang`` (``"ja"`` uses MeCab, anything else the English rule)."""
    return tokens_ja(text) if lang == "ja" else tokens_en(text)


def analyze(tokens: list[Token], lang: str) -> list[str]:
    """Word features for the classifier: English words, or Japanese content-word lemmas.

    Numbers are mapped to the placeholder ``<num>`` so that "12 killed" and "30 killed" share
    a feature. Japanese tokens outside content parts of speech (particles, auxiliaries,
    symbols) are dropped.
    """
    feats: list[str] = []
    for t in tokens:
        if lang == "ja":
            if t.pos not in _JA_KEEP_POS:
                continue
            lem = t.lemma
        else:
            lem = t.lemma
        if lem[:1].isdigit():
            lem = "<num>"
        feats.append(lem)
    return feats
