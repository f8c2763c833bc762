"""Countries: ISO 3166-1 from ``pycountry`` (with its Japanese locale) plus the aliases
that real sources use (USGS "Congo (Kinshasa)", "Burma"; WGI legacy codes "ZAR", "ROM";
BACI numeric specifics such as 842 for the USA, 699 for India).

Two pseudo-countries stand for rows every production table carries:
``WLD`` (world total) and ``ROW`` (USGS "Other countries", the rest of the world).
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from functools import lru_cache

import pandas as pd
import pycountry

AGGREGATES: dict[str, tuple[str, str]] = {
    "WLD": ("World", "世界"),
    "ROW": ("Other countries", "その他の国"),
}

# Names and codes seen in real sources that ISO names do not cover (normalised keys).
_ALIASES: dict[str, str] = {
    # USGS Mineral Commodity Summaries
    "congo (kinshasa)": "COD", "congo kinshasa": "COD", "democratic republic of the congo": "COD",
    "democratic republic of congo": "COD",  # Our World in Data entity name
    "dr congo": "COD", "drc": "COD", "congo, dem. rep.": "COD", "zaire": "COD",
    "congo (brazzaville)": "COG", "congo brazzaville": "COG", "republic of the congo": "COG",
    "congo, rep.": "COG", "burma": "MMR", "myanmar": "MMR",
    "korea, republic of": "KOR", "republic of korea": "KOR", "south korea": "KOR", "korea": "KOR",
    "korea, rep.": "KOR", "korea, north": "PRK", "north korea": "PRK",
    "korea, dem. people's rep.": "PRK", "russia": "RUS", "turkey": "TUR", "turkiye": "TUR",
    "laos": "LAO", "lao pdr": "LAO", "vietnam": "VNM", "viet nam": "VNM", "bolivia": "BOL",
    "iran": "IRN", "iran, islamic rep.": "IRN", "tanzania": "TZA", "venezuela": "VEN",
    "venezuela, rb": "VEN", "taiwan": "TWN", "chinese taipei": "TWN", "other asia, nes": "TWN",
    "czech republic": "CZE", "czechia": "CZE", "ivory coast": "CIV", "cote d'ivoire": "CIV",
    "united states": "USA", "usa": "USA", "u.s.": "USA", "united states of america": "USA",
    "united kingdom": "GBR", "uk": "GBR", "great britain": "GBR", "syria": "SYR",
    "moldova": "MDA", "macedonia": "MKD", "north macedonia": "MKD", "kyrgyzstan": "KGZ",
    "kyrgyz republic": "KGZ", "slovak republic": "SVK", "egypt, arab rep.": "EGY",
    "gambia, the": "GMB", "bahamas, the": "BHS", "yemen, rep.": "YEM", "hong kong sar, china": "HKG",
    "hong kong": "HKG", "macao sar, china": "MAC", "micronesia, fed. sts.": "FSM",
    "st. lucia": "LCA", "st. kitts and nevis": "KNA", "st. vincent and the grenadines": "VCT",
    "eswatini": "SWZ", "swaziland": "SWZ", "cabo verde": "CPV", "cape verde": "CPV",
    "brunei": "BRN", "kosovo": "XKX", "west bank and gaza": "PSE", "palestine": "PSE",
    "timor-leste": "TLS", "east timor": "TLS", "new caledonia": "NCL", "the netherlands": "NLD",
    "netherlands": "NLD", "holland": "NLD", "philippines": "PHL", "the philippines": "PHL",
    "uae": "ARE", "united arab emirates": "ARE", "saudi arabia": "SAU",
    "papua new guinea": "PNG", "south africa": "ZAF", "guinea-bissau": "GNB",
    "serbia and montenegro": "SCG", "yugoslavia": "SCG", "sudan (former)": "SDN",
    "ethiopia (excludes eritrea)": "ETH", "fmr sudan": "SDN", "czechoslovakia": "CSK",
    "ussr": "SUN", "soviet union": "SUN", "east germany": "DDR",
    # WGI / World Bank legacy codes
    "zar": "COD", "rom": "ROU", "tmp": "TLS", "ado": "AND", "wbg": "PSE", "ksv": "XKX",
    # WIOD
    "row": "ROW",
    # aggregates
    "world": "WLD", "world total": "WLD", "world total (rounded)": "WLD",
    "world total (may be rounded)": "WLD", "other countries": "ROW", "rest of world": "ROW",
    "other": "ROW",
}

# Historical entities that appear in trade data (BACI) but not in ISO 3166-1 today.
_HISTORICAL: dict[str, str] = {
    "SCG": "Serbia and Montenegro", "CSK": "Czechoslovakia", "SUN": "USSR", "DDR": "East Germany",
    "XKX": "Kosovo", "ANT": "Netherlands Antilles",
}

# BACI (CEPII) numeric codes that differ from ISO 3166-1 numeric.
BACI_NUMERIC: dict[int, str] = {251: "FRA", 381: "ITA", 490: "TWN", 579: "NOR", 699: "IND",
                                757: "CHE", 842: "USA", 58: "BEL", 711: "ZAF", 891: "SCG",
                                530: "ANT", 736: "SDN", 697: "EUN", 568: "OEN"}


# Short English names where ISO's is long or formal (used for display only).
_SHORT_EN: dict[str, str] = {
    "COD": "DR Congo", "COG": "Congo (Rep.)", "RUS": "Russia", "KOR": "South Korea",
    "PRK": "North Korea", "IRN": "Iran", "BOL": "Bolivia", "TZA": "Tanzania", "VEN": "Venezuela",
    "LAO": "Laos", "VNM": "Vietnam", "SYR": "Syria", "MDA": "Moldova", "FSM": "Micronesia",
    "GBR": "United Kingdom", "USA": "United States", "CZE": "Czechia", "MKD": "North Macedonia",
    "PSE": "Palestine", "TWN": "Taiwan", "BRN": "Brunei", "CPV": "Cabo Verde", "VAT": "Vatican",
    "TUR": "Türkiye", "CIV": "Côte d'Ivoire",
}


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("’", "'").strip().lower()
    text = re.sub(r"\s+", " ", text)
    return re.sub(r"\s*\d+\s*$", "", text)  # USGS footnote digits glued to names ("Australia3")


@lru_cache(maxsize=1)
def _ja() -> gettext.NullTranslations:
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ja"])
    except OSError:  # pragma: no cover - locale missing from a broken install
        return gettext.NullTranslations()


@lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    idx: dict[str, str] = {}
    for c in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            v = getattr(c, attr, None)
            if v:
                idx[_norm(v)] = c.alpha_3
        idx[c.alpha_3.lower()] = c.alpha_3
        idx[c.alpha_2.lower()] = c.alpha_3
        ja = _ja().gettext(c.name)
        if ja != c.name:
            idx[_norm(ja)] = c.alpha_3
    for code in _HISTORICAL:
        idx[code.lower()] = code
    for code in AGGREGATES:
        idx[code.lower()] = code
    idx.update(_ALIASES)
    return idx


def resolve_country(value: object) -> str | None:
    """Return the ISO 3166-1 alpha-3 code for a name, alpha-2/alpha-3 code or numeric code.

    Parameters
    ----------
    value : str or int
        A country name as written by USGS, the World Bank, CEPII, WIOD or ISO; an English or
        Japanese name; an alpha-2/alpha-3 code; or an ISO/BACI numeric code.

    Returns
    -------
    str or None
        Alpha-3 code (``WLD``/``ROW`` for world total / other countries), or ``None`` if unknown.
    """
    if value is None:
        return None
    if isinstance(value, (int,)) or (isinstance(value, str) and value.strip().isdigit()):
        num = int(value)
        if num in BACI_NUMERIC:
            return BACI_NUMERIC[num]
        c = pycountry.countries.get(numeric=f"{num:03d}")
        return c.alpha_3 if c else None
    if not isinstance(value, str) or not value.strip():
        return None
    return _index().get(_norm(value))


def country_name(iso3: str, lang: str = "en") -> str:
    """English (``lang='en'``) or Japanese (``lang='ja'``) short name of an alpha-3 code."""
    if iso3 in AGGREGATES:
        return AGGREGATES[iso3][1 if lang == "ja" else 0]
    c = pycountry.countries.get(alpha_3=iso3)
    if c is None:
        return _HISTORICAL.get(iso3, iso3)
    if lang == "ja":
        return _ja().gettext(c.name)
    return _SHORT_EN.get(iso3) or getattr(c, "common_name", None) or c.name


@lru_cache(maxsize=1)
def countries_table() -> pd.DataFrame:
    """The canonical ``countries`` table: iso3, iso2, numeric, name_en, name_ja, kind."""
    rows = []
    for c in pycountry.countries:
        rows.append({"iso3": c.alpha_3, "iso2": c.alpha_2, "numeric": int(c.numeric),
                     "name_en": country_name(c.alpha_3),
                     "name_ja": _ja().gettext(c.name), "kind": "country"})
    for code, name in _HISTORICAL.items():
        rows.append({"iso3": code, "iso2": None, "numeric": None, "name_en": name,
                     "name_ja": name, "kind": "historical"})
    for code, (en, ja) in AGGREGATES.items():
        rows.append({"iso3": code, "iso2": None, "numeric": None, "name_en": en, "name_ja": ja,
                     "kind": "aggregate"})
    df = pd.DataFrame(rows)
    df["numeric"] = df["numeric"].astype("Int64")
    return df
