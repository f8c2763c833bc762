"""Numbers that drive severity: deaths, volume released, duration; and the event date.

Rules (English and Japanese), each returning the value and the character span of its evidence:

* **Deaths** — a number within five words before *killed / dead / died / deaths / bodies /
  fatalities / lost their lives*, or after *killing / kills / death toll … (rose) to*; Japanese
  「12人が死亡」「死者12人」「9人の死亡」「12人死亡」. Spelled-out numbers (one … twenty, dozens → 24,
  hundreds → 200) and Japanese numerals (十二人) are read. The largest value found is kept
  (reports update upwards: "7 dead … death toll rises to 11").
* **Volume released** (m³) — *N [thousand|million|billion] cubic metres / m3 / litres / gallons*
  and 「N万立方メートル」「N億リットル」; litres ÷ 1,000, US gallons × 0.003785.
* **Duration** (days) — *N days / weeks / months* and 「N日間」「N週間」「Nカ月」 (weeks × 7, months × 30).
* **Date** — ISO ``YYYY-MM-DD``, "5 March 2024", "March 5, 2024", 「2024年3月5日」 found in the text;
  used only when the article has no ``published`` date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WORDNUM = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "hundred": 100, "dozen": 12,
    "dozens": 24, "scores": 40, "hundreds": 200, "thousands": 2000,
}
_NUM = r"(\d[\d,]*(?:\.\d+)?|" + "|".join(sorted(_WORDNUM, key=len, reverse=True)) + r")"
_JA_DIGITS = {"〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_JA_UNITS = {"十": 10, "百": 100, "千": 1000}


@dataclass(frozen=True)
class Quantity:
    """A value read from the text with its evidence span ``[start, end)``."""

    value: float
    start: int
    end: int
    text: str


def parse_number(tok: str) -> float | None:
    """Value of a number token: digits with thousands separators, an English word, or kanji numerals."""
    t = tok.strip().lower().replace(",", "")
    if not t:
        return None
    if t in _WORDNUM:
        return float(_WORDNUM[t])
    try:
        return float(t)
    except ValueError:
        pass
    if all(c in _JA_DIGITS or c in _JA_UNITS for c in t):
        total, cur = 0, 0
        for c in t:
            if c in _JA_DIGITS:
                cur = _JA_DIGITS[c]
            else:
                total += (cur or 1) * _JA_UNITS[c]
                cur = 0
        return float(total + cur)
    return None


_DEATH_EN = [
    re.compile(r"\b" + _NUM + r"\s+(?:[a-z\-]+\s+){0,4}?(?:were\s+|have\s+been\s+|are\s+|was\s+)?"
               r"(?:confirmed\s+)?(?:killed|dead|died|deaths|bodies|fatalities|lost\s+their\s+lives)\b", re.I),
    re.compile(r"\b(?:killing|kills|killed|kill)\s+(?:at\s+least\s+|some\s+|about\s+|nearly\s+|around\s+)?"
               + _NUM + r"\b", re.I),
    re.compile(r"\bdeath\s+toll\s+(?:\w+\s+){0,3}?(?:to|of|at|reached|hit)\s+(?:at\s+least\s+)?" + _NUM + r"\b", re.I),
]
_JA_NUM = r"([0-9][0-9,]*|[〇一二三四五六七八九十百千]+)"
_DEATH_JA = [
    re.compile(_JA_NUM + r"人(?:が|の|も)?(?:死亡|死去|亡くな|犠牲|遺体|が死|死)"),
    re.compile(r"死者(?:は|が|数は)?(?:少なくとも|約)?" + _JA_NUM + r"人"),
    re.compile(r"(?:死亡|犠牲)者(?:は|が)?(?:少なくとも|約)?" + _JA_NUM + r"人"),
]

_VOL_EN = re.compile(
    r"\b(\d[\d,]*(?:\.\d+)?)\s*(thousand|million|billion|mn|bn|m)?\s*"
    r"(cubic\s+met(?:re|er)s?|m3\b|litres|liters|gallons)", re.I)
_VOL_JA = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(万|億|千)?\s*(立方メートル|m3|立米|リットル)")
_MULT = {"thousand": 1e3, "million": 1e6, "mn": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9,
         "万": 1e4, "億": 1e8, "千": 1e3}

_DUR_EN = re.compile(r"\b" + _NUM + r"[\s\-]+(days?|weeks?|months?)\b", re.I)
_DUR_JA = re.compile(_JA_NUM + r"\s*(日間|週間|カ月|ヶ月|か月|ヵ月)")
_DUR_MULT = {"day": 1, "days": 1, "week": 7, "weeks": 7, "month": 30, "months": 30,
             "日間": 1, "週間": 7, "カ月": 30, "ヶ月": 30, "か月": 30, "ヵ月": 30}

_MONTHS = {m: i for i, m in enumerate(["january", "february", "march", "april", "may", "june", "july",
                                        "august", "september", "october", "november", "december"], 1)}
_DATE_ISO = re.compile(r"\b(19\d\d|20\d\d)-(\d\d)-(\d\d)\b")
_DATE_DMY = re.compile(r"\b(\d{1,2})\s+(" + "|".join(_MONTHS) + r")\s+(19\d\d|20\d\d)\b", re.I)
_DATE_MDY = re.compile(r"\b(" + "|".join(_MONTHS) + r")\s+(\d{1,2}),?\s+(19\d\d|20\d\d)\b", re.I)
_DATE_JA = re.compile(r"(19\d\d|20\d\d)年(\d{1,2})月(\d{1,2})日")


def calc_deaths(doc: str, lang: str) -> Quantity | None:
    """Largest death count reported in ``doc`` (see module docstring), or ``None``."""
    best: Quantity | None = None
    pats = _DEATH_JA if lang == "ja" else _DEATH_EN
    for pat in pats:
        for m in pat.finditer(doc):
            v = parse_number(m.group(1))
            if v is None or v > 100_000:
                continue
            if best is None or v > best.value:
                best = Quantity(v, m.start(), m.end(), m.group(0))
    return best


def calc_release_m3(doc: str, lang: str) -> Quantity | None:
    """Largest volume released, in cubic metres, or ``None``."""
    best: Quantity | None = None
    for m in list(_VOL_EN.finditer(doc)) + list(_VOL_JA.finditer(doc)):
        try:
            v = float(m.group(1).replace(",", ""))
        except ValueError:
            continue
        mult = _MULT.get((m.group(2) or "").lower(), 1.0)
        unit = m.group(3).lower()
        v *= mult
        if unit.startswith(("litre", "liter", "リットル")):
            v /= 1000.0
        elif unit.startswith("gallon"):
            v *= 0.003785
        if best is None or v > best.value:
            best = Quantity(v, m.start(), m.end(), m.group(0))
    return best


def calc_duration_days(doc: str, lang: str) -> Quantity | None:
    """Longest duration mentioned (days), or ``None``."""
    best: Quantity | None = None
    pat = _DUR_JA if lang == "ja" else _DUR_EN
    for m in pat.finditer(doc):
        n = parse_number(m.group(1))
        if n is None or n > 1000:
            continue
        v = n * _DUR_MULT.get(m.group(2).lower(), 1)
        if best is None or v > best.value:
            best = Quantity(v, m.start(), m.end(), m.group(0))
    return best


def calc_text_date(doc: str) -> str | None:
    """First full date written in ``doc`` as ``YYYY-MM-DD``, or ``None``."""
    cands: list[tuple[int, str]] = []
    for m in _DATE_ISO.finditer(doc):
        cands.append((m.start(), f"{m.group(1)}-{m.group(2)}-{m.group(3)}"))
    for m in _DATE_DMY.finditer(doc):
        cands.append((m.start(), f"{m.group(3)}-{_MONTHS[m.group(2).lower()]:02d}-{int(m.group(1)):02d}"))
    for m in _DATE_MDY.finditer(doc):
        cands.append((m.start(), f"{m.group(3)}-{_MONTHS[m.group(1).lower()]:02d}-{int(m.group(2)):02d}"))
    for m in _DATE_JA.finditer(doc):
        cands.append((m.start(), f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"))
    for _, d in sorted(cands):
        mo, dd = int(d[5:7]), int(d[8:10])
        if 1 <= mo <= 12 and 1 <= dd <= 31:
            return d
    return None
