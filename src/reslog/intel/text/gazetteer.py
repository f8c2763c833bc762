"""Gazetteers: countries, places, mines and commodities found in text, with character spans.

What is matched
---------------
* **Countries**: ISO 3166-1 names from ``pycountry`` (English, official and common names, and the
  Japanese locale), the aliases of :func:`reslog.schema.resolve_country`, plus
  ``data/gazetteer/countries_extra.csv`` (demonyms, capitals, everyday Japanese names, blocs).
* **Places**: ``data/gazetteer/places.csv``: mining provinces, towns, mines, ports, rivers →
  ISO3 with approximate coordinates (see ``data/gazetteer/SOURCES.md``).
* **Mines** from the warehouse (``mine_sites``), passed in as a DataFrame.
* **Commodities**: canonical names, Japanese names and aliases of
  :data:`reslog.schema.COMMODITIES` plus ``data/gazetteer/commodity_terms.csv`` (galamsey,
  garimpo, 鉱滓 …), some of which also hint an event type.

How it matches (:class:`PhraseMatcher`)
---------------------------------------
Keys and text are *folded*: lower case, Latin diacritics removed character by character (so
offsets into the folded text are offsets into the original). Scanning left to right, at each
position the longest key that starts there wins and the scan jumps past it (greedy
longest-match, no overlaps), so "Papua New Guinea" is never read as "Guinea", nor
"Latin America" as "America". A Latin-script key must not touch letters or digits on either
side. A key in Japanese script must start on a MeCab token boundary and end on one, or be
followed only by a short suffix of the same token (鉱, 鉱山, 鉱石, 精鉱, 山): this keeps 金 (gold)
in 金鉱山 but not in 賃金 or 金属, and 鉄 (iron) out of 鉄道. Element symbols are never matched in
running text (``Co``, ``In``, ``As`` are words).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import pandas as pd
import pycountry

from reslog.paths import PACKAGE_DATA
from reslog.schema import COMMODITIES, resolve_country
from reslog.schema.countries import _ALIASES, _ja

GAZETTEER_DIR = PACKAGE_DATA / "gazetteer"

JA_OK_SUFFIX = frozenset({"鉱", "鉱山", "鉱石", "精鉱", "山", "鉱床", "地金", "鉱区"})
"""Token remainders allowed after a Japanese key (金|鉱山 in 金鉱山 tokenised as 金鉱|山)."""

# Words that a mine name from a database must not be (they occur in running text).
_MINE_STOP = frozenset({
    "main", "north", "south", "east", "west", "central", "mine", "project", "deposit", "new",
    "big", "gold", "copper", "river", "valley", "hill", "lake", "creek", "mountain", "star",
    "hope", "victory", "union", "unity", "eagle", "phoenix", "liberty", "discovery", "king",
    "queen", "royal", "empire", "standard", "general", "national", "mining", "resources",
})
_MINE_SUFFIX = re.compile(
    r"\s+(mine|mines|project|deposit|prospect|operation|operations|complex|open pit|"
    r"mining area|mining and processing area|dam|smelter|refinery)$", re.I)
# Ambiguous English commodity words matched only inside a multi-word context (commodity_terms.csv).
_AMBIGUOUS_EN = frozenset({"lead"})


def _fold_char(ch: str) -> str:
    d = unicodedata.decomposition(ch)
    if d and not d.startswith("<") and ord(ch) < 0x250:
        base = chr(int(d.split()[0], 16))
        return base.lower()
    return ch.lower() if len(ch.lower()) == 1 else ch


_FOLD_TABLE = {i: _fold_char(chr(i)) for i in range(0xC0, 0x250)}
_FOLD_TABLE.update({ord("’"): "'", ord("‘"): "'"})


def fold(text: str) -> str:
    """Lower-case ``text`` and strip Latin diacritics, one character for one (offsets kept)."""
    out = text.translate(_FOLD_TABLE).lower()
    if len(out) != len(text):  # a few characters lower-case to two (İ → i̇): keep offsets exact
        out = "".join(c.translate(_FOLD_TABLE).lower()[:1] or c for c in text)
    return out


def is_japanese_script(s: str) -> bool:
    """True when ``s`` contains kana or CJK ideographs."""
    return any(0x3040 <= ord(c) <= 0x30FF or 0x4E00 <= ord(c) <= 0x9FFF for c in s)


@dataclass(frozen=True)
class Entry:
    """What a key refers to.

    Attributes
    ----------
    kind : ``country``, ``demonym``, ``capital``, ``bloc``, ``place``, ``mine``, ``commodity``,
        ``term`` (a colloquial word that names a commodity and may hint an event type) or
        ``cue`` (a word typical of one event type, ``data/gazetteer/event_cues.csv``).
    value : ISO3 for country-like kinds, canonical commodity for ``commodity``/``term``,
        the place name for ``place``, the ``mine_id`` (or place name) for ``mine``.
    iso3 : the country the key locates (``None`` for blocs, commodities, regions).
    lat, lon : coordinates (degrees) when known.
    commodities : commodities associated with a place or mine.
    hint : event type hinted by a term (``asgm``, ``tailings_failure``) or ``None``.
    subkind : finer kind from the source table (``province``, ``town``, ``port`` …).
    """

    kind: str
    value: str | None
    iso3: str | None = None
    lat: float | None = None
    lon: float | None = None
    commodities: tuple[str, ...] = ()
    hint: str | None = None
    subkind: str = ""


@dataclass(frozen=True)
class Match:
    """One key found in a text: ``[start, end)`` offsets, the surface text and what it refers to."""

    start: int
    end: int
    surface: str
    entries: tuple[Entry, ...]


class PhraseMatcher:
    """Greedy longest-match dictionary matcher over folded text (see module docstring)."""

    def __init__(self) -> None:
        self._table: dict[str, list[Entry]] = {}
        self._lengths: dict[str, list[int]] = {}
        self._exact: dict[str, set[str]] = {}  # short upper-case keys (US, UK, EU): exact case only

    def add(self, key: str, entry: Entry, *, first: bool = False) -> None:
        """Register ``key`` (any case, NFKC-normalised) for ``entry``.

        ``first=True`` puts the entry before those already registered for the key (used by the
        curated tables, which override ISO names: "Congo" in mining news is the DRC)."""
        raw = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", key).strip())
        k = fold(raw)
        if len(k) < 2 and not is_japanese_script(k):
            return
        letters = re.sub(r"[^A-Za-z]", "", raw)
        if letters and letters.isupper() and len(letters) <= 5:
            self._exact.setdefault(k, set()).add(raw)
        elif k in self._exact:
            self._exact[k].add("*")  # also registered in ordinary case: any case matches
        lst = self._table.setdefault(k, [])
        if entry not in lst:
            if first:
                lst.insert(0, entry)
            else:
                lst.append(entry)
        lens = self._lengths.setdefault(k[0], [])
        if len(k) not in lens:
            lens.append(len(k))
            lens.sort(reverse=True)

    def has(self, key: str) -> bool:
        """Whether ``key`` (after normalisation and folding) is registered."""
        k = re.sub(r"\s+", " ", fold(unicodedata.normalize("NFKC", key).strip()))
        return k in self._table

    def __len__(self) -> int:
        return len(self._table)

    def find(self, text: str, folded: str | None = None, ja_bounds: tuple[set[int], dict[int, int]] | None = None
             ) -> list[Match]:
        """All non-overlapping longest matches in ``text``.

        Parameters
        ----------
        text : str
            Original (NFKC-normalised) text; surfaces are cut from it.
        folded : str, optional
            ``fold(text)`` if already computed.
        ja_bounds : (starts, ends) , optional
            Token start offsets and a map token-start → token-end of the MeCab tokens, for
            Japanese-script keys. Without it Japanese keys match anywhere.
        """
        f = folded if folded is not None else fold(text)
        n = len(f)
        out: list[Match] = []
        i = 0
        table, lengths = self._table, self._lengths
        while i < n:
            lens = lengths.get(f[i])
            hit = None
            if lens:
                for L in lens:
                    if i + L > n:
                        continue
                    key = f[i:i + L]
                    if key in table and self._ok(f, i, i + L, key, ja_bounds) and (
                            key not in self._exact or "*" in self._exact[key]
                            or text[i:i + L] in self._exact[key]):
                        hit = (key, L)
                        break
            if hit is None:
                i += 1
                continue
            key, L = hit
            out.append(Match(i, i + L, text[i:i + L], tuple(table[key])))
            i += L
        return out

    @staticmethod
    def _ok(f: str, s: int, e: int, key: str, ja_bounds) -> bool:
        first, last = key[0], key[-1]
        if first.isascii() and first.isalnum() and s > 0 and f[s - 1].isalnum() and f[s - 1].isascii():
            return False
        if last.isascii() and last.isalnum() and e < len(f) and f[e].isalnum() and f[e].isascii():
            return False
        if ja_bounds is not None and is_japanese_script(key):
            starts, tok_end = ja_bounds
            if s not in starts:
                return False
            if e not in starts and e < len(f):
                # find the token containing e-1: the last token start <= e-1
                j = e - 1
                while j > s and j not in starts:
                    j -= 1
                te = tok_end.get(j, e)
                if te != e and f[e:te] not in JA_OK_SUFFIX:
                    return False
        return True


def _read_csv(name: str) -> list[dict[str, str]]:
    with open(GAZETTEER_DIR / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _num(s: str) -> float | None:
    try:
        return float(s) if s not in ("", None) else None
    except ValueError:
        return None


@lru_cache(maxsize=1)
def _base_entries() -> tuple[tuple[str, Entry], ...]:
    """(key, entry) pairs from the package data (countries, places, commodities, terms)."""
    pairs: list[tuple[str, Entry]] = []
    # countries: ISO names, Japanese locale, schema aliases (names only, not 2-3 letter codes)
    for c in pycountry.countries:
        e = Entry("country", c.alpha_3, c.alpha_3)
        for attr in ("name", "official_name", "common_name"):
            v = getattr(c, attr, None)
            if v:
                pairs.append((v, e))
        ja = _ja().gettext(c.name)
        if ja != c.name:
            for part in re.split(r"\s*[()（）]\s*", ja):
                if len(part) >= 2:
                    pairs.append((part, e))
    for alias, iso in _ALIASES.items():
        if len(alias) > 3 and iso not in ("WLD", "ROW") and "," not in alias and "(" not in alias:
            pairs.append((alias, Entry("country", iso, iso)))
    for r in _read_csv("countries_extra.csv"):
        iso = r["iso3"] or None
        kind = {"demonym": "demonym", "capital": "capital", "bloc": "bloc"}.get(r["kind"], "country")
        pairs.append((r["alias"], Entry(kind, iso, iso, subkind="curated")))
    # places
    for r in _read_csv("places.csv"):
        iso = r["iso3"] or None
        coms = tuple(x for x in r["commodities"].split(";") if x)
        kind = "mine" if r["kind"] == "mine" else ("region" if iso is None else "place")
        e = Entry(kind, r["name"], iso, _num(r["lat"]), _num(r["lon"]), coms, None, r["kind"])
        for k in [r["name"], r["name_ja"], *r["aliases"].split("|")]:
            if k:
                pairs.append((k, e))
    # commodities
    for c in COMMODITIES:
        e = Entry("commodity", c.name)
        keys = [c.name.replace("_", " "), c.name_ja, *c.aliases]
        for k in keys:
            if k and fold(k) not in _AMBIGUOUS_EN and not (len(k) <= 3 and k.isascii()):
                pairs.append((k, e))
        if c.name_ja and len(c.name_ja) == 1:
            pairs.append((c.name_ja, e))
    for r in _read_csv("commodity_terms.csv"):
        coms = [c for c in r["commodity"].split(";") if c] or [None]
        for com in coms:
            pairs.append((r["term"], Entry("term", com, None, hint=r["event_hint"] or None)))
    for r in _read_csv("event_cues.csv"):
        pairs.append((r["term"], Entry("cue", None, None, hint=r["event_type"])))
    return tuple(pairs)


SUBDIVISION_COUNTRIES = (
    "AR", "AU", "BF", "BO", "BR", "BW", "CA", "CD", "CI", "CL", "CN", "CO", "EC", "ET", "GH",
    "GN", "GT", "GY", "ID", "IN", "KG", "MG", "ML", "MN", "MX", "MZ", "NA", "NE", "NG", "PE",
    "PG", "PH", "PK", "SD", "SL", "TZ", "US", "VE", "VN", "ZA", "ZM", "ZW", "MM", "LA", "CU",
    "TR", "SN", "HN", "JP", "UA", "PL", "ES", "SE", "FI", "GL", "KZ", "UZ",
)
"""Countries whose top-level ISO 3166-2 subdivisions are matched as places (mining countries)."""
_SUBDIV_SUFFIX = re.compile(
    r"\s+(Sheng|Shi|Zizhiqu|Huizu Zizhiqu|Zhuangzu Zizhiqu|Weiwu'er Zizhiqu|Zangzu Zizhiqu|"
    r"oblysy|Province|Region|State|Department|Territory)$", re.I)
_SUBDIV_STOP = frozenset({
    "central", "northern", "southern", "eastern", "western", "north", "south", "east", "west",
    "capital", "national capital", "federal district", "distrito federal", "centre", "center",
    "coast", "upper", "lower", "copperbelt", "lima", "amazonas", "mexico", "puerto rico",
    "georgia", "washington", "new york", "ciudad de mexico", "santa cruz", "la paz", "san martin",
    "bolivar", "independencia", "libertad", "la libertad", "colon", "guatemala", "panama",
    "victoria", "nord", "cascades", "acre", "chaco", "misiones", "formosa", "san juan", "santa fe",
    "san luis", "sahel", "plateau", "lagos", "delta", "rivers", "niger", "borno", "kaduna",
    "mara", "singida", "nyanza", "kigoma", "ruvuma", "eastern cape", "northern cape",
    "benguet", "manila", "davao", "cebu", "texas", "madre de dios",
})


@lru_cache(maxsize=1)
def subdivision_entries() -> tuple[tuple[str, Entry], ...]:
    """Top-level ISO 3166-2 subdivisions (``pycountry``) of :data:`SUBDIVISION_COUNTRIES`.

    Official suffixes are dropped ("Guangxi Zhuangzu Zizhiqu" → "Guangxi"); names shared by two
    countries, names that are also country names, generic words and names under 4 letters
    are skipped. Coordinates are unknown (``None``): a subdivision locates the country only.
    """
    cands: dict[str, set[str]] = {}
    for cc in SUBDIVISION_COUNTRIES:
        for sd in pycountry.subdivisions.get(country_code=cc) or []:
            if getattr(sd, "parent_code", None):
                continue
            for raw in re.split(r"\s*[,/\[\]]\s*", sd.name):
                name = _SUBDIV_SUFFIX.sub("", raw.strip())
                if len(name) < 4:
                    continue
                iso3 = pycountry.countries.get(alpha_2=cc).alpha_3
                cands.setdefault(name, set()).add(iso3)
    out = []
    for name, isos in cands.items():
        f = fold(name)
        if len(isos) != 1 or f in _SUBDIV_STOP or resolve_country(name) is not None:
            continue
        iso = next(iter(isos))
        out.append((name, Entry("place", name, iso, None, None, (), None, "subdivision")))
    return tuple(out)


def mine_entries(mines: pd.DataFrame | None) -> list[tuple[str, Entry]]:
    """(key, entry) pairs for the warehouse ``mine_sites`` table.

    Names shorter than 4 characters, generic words and names that are also a country or a
    commodity are skipped; a trailing "mine", "project" or "deposit" is also dropped to make a
    second key ("Thacker Pass project" → "Thacker Pass").
    """
    if mines is None or len(mines) == 0:
        return []
    need = {"mine_id", "name", "country"}
    missing = need - set(mines.columns)
    if missing:
        raise ValueError(f"mine_sites frame lacks column(s) {sorted(missing)}")
    pairs: list[tuple[str, Entry]] = []
    for r in mines.itertuples(index=False):
        name = str(getattr(r, "name") or "").strip()
        if not name:
            continue
        coms_raw = getattr(r, "commodities", "") if hasattr(r, "commodities") else ""
        coms = tuple(x for x in str(coms_raw or "").split(";") if x)
        lat = getattr(r, "lat", None)
        lon = getattr(r, "lon", None)
        e = Entry("mine", str(getattr(r, "mine_id")), str(getattr(r, "country") or "") or None,
                  float(lat) if lat is not None and lat == lat else None,
                  float(lon) if lon is not None and lon == lon else None, coms, None, "warehouse")
        keys: set[str] = set()
        base = re.sub(r"\s*\([^)]*\)", "", name).strip()
        for part in [name, base, *re.split(r"\s+/\s+|\s*;\s*", base)]:
            part = part.strip(" ,")
            if not part:
                continue
            keys.add(part)
            keys.add(_MINE_SUFFIX.sub("", part))
        for k in keys:
            fk = fold(k)
            if len(fk) < 4 or fk in _MINE_STOP or resolve_country(k) is not None:
                continue
            pairs.append((k, e))
    return pairs


@dataclass
class Gazetteer:
    """Entity dictionaries in one matcher, event cue words in another (cues never hide an
    entity: "illegal gold" is an ``asgm`` cue *and* the commodity gold). Build with :meth:`build`."""

    matcher: PhraseMatcher
    cues: PhraseMatcher = field(default_factory=PhraseMatcher)
    n_mines: int = 0
    places: dict[str, Entry] = field(default_factory=dict)

    @classmethod
    def build(cls, mines: pd.DataFrame | None = None, extra: Iterable[tuple[str, Entry]] = ()) -> "Gazetteer":
        """Gazetteer from the package data plus warehouse mines (``mine_sites`` columns)."""
        m = PhraseMatcher()
        cues = PhraseMatcher()
        for k, e in _base_entries():
            if e.kind == "cue":
                cues.add(k, e)
            else:
                m.add(k, e, first=e.subkind == "curated")
        for k, e in subdivision_entries():  # curated entries above take precedence
            if not m.has(k):
                m.add(k, e)
        mp = mine_entries(mines)
        for k, e in mp:
            m.add(k, e)
        for k, e in extra:
            m.add(k, e)
        return cls(m, cues, n_mines=len({e.value for _, e in mp}))

    def find(self, text: str, ja_bounds=None) -> list[Match]:
        """Matches in ``text`` (see :meth:`PhraseMatcher.find`)."""
        return self.matcher.find(text, None, ja_bounds)


@lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    """The package gazetteer without warehouse mines (cached)."""
    return Gazetteer.build(None)


def gazetteer_files() -> list[Path]:
    """The packaged data files the gazetteer reads (for provenance hashes)."""
    return [GAZETTEER_DIR / n for n in ("countries_extra.csv", "places.csv", "commodity_terms.csv",
                                        "event_cues.csv")]
