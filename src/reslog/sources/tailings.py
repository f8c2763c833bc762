"""CSP2 "Tailings Dam Failures 1915–2022" table → ``risk_events`` (type ``tailings_failure``).

The table (UTF-8 with BOM, column names with line breaks) has one failure per row. Mapping:

* ``event_id`` = ``csp2-<INCIDENT YEAR>-<n>``, ``n`` counting the year's rows from the bottom
  of the file (the table is sorted newest first, so the numbering of past failures does not
  change when CSP2 adds new ones at the top).
* ``start_time``/``end_time`` bound the period the date is known to: ``7/Nov/22`` → that day
  (00:00 to 23:59:59), ``Mar/95`` or ``Jan/Feb-99`` → the month(s), a bare year → the whole
  year. Spanish month abbreviations (``Ene``, ``Ago``, ``Set``…) and Excel serial days are read.
  ``INCIDENT YEAR`` is authoritative: a date in another year is ignored (noted).
* ``country`` from ``MINE/PROJECT & LOCATION`` (:func:`country_from_location`).
* ``severity`` = (5 − code) / 4 from the CSP2 ``SEVERITY CODE`` 1–4 (1 very serious → 1.0,
  2 serious → 0.75, 3 → 0.5, 4 least serious → 0.25); ``confidence`` = 0.9 (a curated
  compilation of reported failures; dates and volumes are often approximate).
* ``deaths`` from ``DEATHS`` (integers; ``yes``/fractions mean "deaths, count unknown": NULL,
  kept in the description); ``release_m3`` from ``RELEASE (cu. meters)`` (``none`` → 0,
  ``> 4,500`` → 4500, noted as a lower bound).
* ``commodity`` = the first resolvable element of ``ORE TYPE`` (``Pb Zn`` → lead; ``P`` →
  phosphate_rock; ``K`` → potash; ``Ash`` → coal (coal ash); ``Jade``, ``Sand`` … → NULL).
* ``lat``/``lon``/``mine_id`` empty; ``title`` = location text; ``description`` = notes plus
  dam type, height, storage, runout and cause code; ``source_urls`` = URLs in ``SOURCES``.

References
----------
Center for Science in Public Participation (2023), *Tailings Dam Failures 1915–2022 (as of
31 Jan 2023)*, compiled by D. Chambers, B. Williams, L. N. Bowker, E. A. Tuttle,
http://www.csp2.org/tsf-failures-from-1915 .
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from reslog.errors import InputError
from reslog.schema import TAXONOMY_VERSION, resolve_commodity, resolve_country
from reslog.sources.base import Parsed, SourceMeta
from reslog.sources.validate import (
    col_number,
    decode_strict,
    fail_first,
    finish,
    parse_csv_text,
    read_bytes,
    sha256_bytes,
)

CSP2_LICENCE = ("none stated; published openly by CSP2 with an acknowledgement request — "
                "research use with attribution")
CONFIDENCE = 0.9
_COLS = {"severity": "SEVERITY CODE", "location": "MINE/PROJECT & LOCATION", "ore": "ORE TYPE",
         "dam_type": "DAM TYPE", "height": "DAM HEIGHT (meters)",
         "storage": "STORAGE VOLUME (cu. meters)", "cause": "Type Cause",
         "year": "INCIDENT YEAR", "date": "INCIDENT DATE", "release": "RELEASE (cu. meters)",
         "runout": "RUNOUT (km)", "deaths": "DEATHS", "sources": "SOURCES", "notes": "NOTES"}
_REQUIRED = ["severity", "location", "ore", "year", "date", "release", "deaths"]

# --------------------------------------------------------------------------- country fallbacks
#: Sub-national regions and misspellings seen in CSP2 locations → ISO3 (documented fallbacks).
REGION_COUNTRY: dict[str, str] = {
    # misspellings / variants
    "brazll": "BRA", "equador": "ECU", "potugal": "PRT", "phillippines": "PHL",
    "united kindom": "GBR", "united kingdon": "GBR", "uk": "GBR", "usa": "USA", "u.s.a.": "USA",
    "macedonia": "MKD", "german democratic republic": "DEU", "west germany": "DEU",
    "south wales": "GBR", "wales": "GBR", "scotland": "GBR", "england": "GBR",
    "siberia": "RUS", "western siberia": "RUS", "sverdlovsk oblast": "RUS",
    # Canada
    "british columbia": "CAN", "bc": "CAN", "b.c.": "CAN", "quebec": "CAN", "ontario": "CAN",
    "manitoba": "CAN", "saskatchewan": "CAN", "alberta": "CAN", "yukon": "CAN",
    "new brunswick": "CAN", "nova scotia": "CAN", "newfoundland": "CAN",
    "northwest territories": "CAN", "nunavut": "CAN",
    # Australia
    "new south wales": "AUS", "queensland": "AUS", "tasmania": "AUS", "south australia": "AUS",
    "western australia": "AUS", "victoria": "AUS", "northern territory": "AUS",
    # China
    "hubei": "CHN", "hunan": "CHN", "yunnan": "CHN", "shanxi": "CHN", "shaanxi": "CHN",
    "guangxi": "CHN", "guangdong": "CHN", "jiangxi": "CHN", "henan": "CHN", "hebei": "CHN",
    "fujian": "CHN", "inner mongolia": "CHN", "sichuan": "CHN", "guizhou": "CHN",
    "gansu": "CHN", "qinghai": "CHN", "xinjiang": "CHN", "liaoning": "CHN", "shandong": "CHN",
    "zhejiang": "CHN", "anhui": "CHN", "heilongjiang": "CHN", "jilin": "CHN",
    # Philippines, Chile, others
    "luzon": "PHL", "benguet": "PHL", "marinduque": "PHL", "mindanao": "PHL",
    "zamboanga del norte": "PHL", "surigao del norte": "PHL",
    "n m": "USA", "n.m.": "USA",
}
#: US postal codes, matched only as a whole upper-case part (``Marianna Mine #58, PA``).
US_POSTAL = {
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA",
    "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ",
    "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT",
    "VA", "WA", "WV", "WI", "WY",
}
US_STATES = {
    "alabama", "alaska", "arizona", "arkansas", "california", "colorado", "connecticut",
    "delaware", "florida", "georgia", "hawaii", "idaho", "illinois", "indiana", "iowa", "kansas",
    "kentucky", "louisiana", "maine", "maryland", "massachusetts", "michigan", "minnesota",
    "mississippi", "missouri", "montana", "nebraska", "nevada", "new hampshire", "new jersey",
    "new mexico", "new york", "north carolina", "north dakota", "ohio", "oklahoma", "oregon",
    "pennsylvania", "rhode island", "south carolina", "south dakota", "tennessee", "texas",
    "utah", "vermont", "virginia", "washington", "west virginia", "wisconsin", "wyoming",
}
#: Mines named without any country in CSP2 (the 1965 La Ligua earthquake failures and a few
#: well-known sites) → ISO3, matched as words in the location text.
MINE_COUNTRY: dict[str, str] = {
    "el cobre": "CHL", "cerro negro": "CHL", "los maquis": "CHL", "veta de agua": "CHL",
    "veta de aqua": "CHL", "hierro viejo": "CHL", "vallenar": "CHL", "la patagua": "CHL",
    "zijin": "CHN", "magma mine": "USA", "coalmont": "CAN", "aberfan": "GBR",
    "baranggay": "PHL", "barangay": "PHL", "qmm": "MDG",
}
_DIRECTIONS = re.compile(r"^(?:central|northern|southern|eastern|western|north|south|east|west|"
                         r"northwestern|northeastern|southwestern|southeastern|north-west|"
                         r"south-west|upper|lower|near)\s+", re.IGNORECASE)
_NOISE = re.compile(r"#\s*\d+|\b\d+\s*/\s*\d+\b|\(\s*\d+\s+of\s+\d+\s*\)|\bno\.?\s*\d+\b",
                    re.IGNORECASE)


def _one(part: str) -> str | None:
    p = re.sub(r"\s+", " ", part).strip(" .,-;:")
    if len(p) < 2:
        return None
    low = p.lower()
    if p in US_POSTAL:
        return "USA"
    if low in REGION_COUNTRY:
        return REGION_COUNTRY[low]
    if low in US_STATES:
        return "USA"
    if len(p) >= 4 or low in ("usa", "uk", "drc", "png", "uae"):
        iso = resolve_country(p)
        if iso and iso not in ("WLD", "ROW"):
            return iso
    return None


def country_from_location(text: str) -> tuple[str | None, str]:
    """ISO3 of a CSP2 free-text location, and how it was found.

    Rules, in order (the first that answers wins):

    1. the comma/dash/semicolon-separated parts **outside** parentheses, last part first,
       each tried whole, then without a leading direction word (``central Macedonia``), then
       by its last one to three words (``Benquet Philippines``), then its first three to one
       words (``German Democratic Republic VEB Zinnerz``) — through
       :func:`reslog.schema.resolve_country` (names of ≥ 4 letters, or USA/UK/DRC/PNG/UAE),
       :data:`REGION_COUNTRY` (provinces, states, misspellings), the US states and the US
       postal codes (:data:`US_POSTAL`, whole upper-case parts only);
    2. the same inside parentheses (``Mailuu-Suu #7 tailings dam (Kyrgyzstan)``);
    3. :data:`MINE_COUNTRY`, mine names that CSP2 lists without a country.

    Returns
    -------
    (iso3 or None, rule) with rule in ``{"part", "paren", "mine", "none"}``.
    """
    clean = _NOISE.sub(" ", text)
    inside = " , ".join(re.findall(r"\(([^()]*)\)", clean))
    outside = re.sub(r"\([^()]*\)", " , ", re.sub(r"\([^()]*\([^()]*\)[^()]*\)", " , ", clean))
    for rule, chunk in (("part", outside), ("paren", inside)):
        parts = [p for p in re.split(r"[,;]| - | – |/", chunk) if p.strip()]
        for part in reversed(parts):
            for cand in _candidates(part):
                iso = _one(cand)
                if iso:
                    return iso, rule
    low = text.lower()
    for name, iso in MINE_COUNTRY.items():
        if re.search(rf"\b{re.escape(name)}\b", low):
            return iso, "mine"
    return None, "none"


def _candidates(part: str) -> list[str]:
    p = re.sub(r"\s+", " ", part).strip(" .,-;:")
    out = [p]
    stripped = _DIRECTIONS.sub("", p)
    if stripped != p:
        out.append(stripped)
    words = p.split(" ")
    for n in (3, 2, 1):
        if len(words) > n:
            out.append(" ".join(words[-n:]))
    for n in (3, 2, 1):
        if len(words) > n:
            out.append(" ".join(words[:n]))
    return out


# --------------------------------------------------------------------------- dates
_MONTHS = {"jan": 1, "ene": 1, "feb": 2, "mar": 3, "apr": 4, "abr": 4, "may": 5, "jun": 6,
           "jul": 7, "aug": 8, "ago": 8, "sep": 9, "set": 9, "oct": 10, "nov": 11, "dec": 12,
           "dic": 12}


def parse_csp2_date(text: str, year: int) -> tuple[datetime, datetime, str]:
    """(start, end, precision) of a CSP2 ``INCIDENT DATE`` within ``INCIDENT YEAR``.

    ``precision`` is ``day``, ``month``, ``months`` or ``year``; anything unreadable or in
    another year falls back to the whole ``year`` (precision ``year``).
    """
    t = text.strip()
    whole_year = (datetime(year, 1, 1), datetime(year, 12, 31, 23, 59, 59), "year")
    m = re.fullmatch(r"(\d{1,2})[/-]([A-Za-z]{3})[a-z]*[/-](\d{2})", t)
    if m:
        mon = _MONTHS.get(m.group(2).lower())
        if mon and _yy(m.group(3), year) == year:
            try:
                d = datetime(year, mon, int(m.group(1)))
            except ValueError:
                return whole_year
            return d, d + timedelta(days=1, seconds=-1), "day"
        return whole_year
    m = re.fullmatch(r"([A-Za-z]{3})(?:[/-]([A-Za-z]{3}))?[/-](\d{2})", t)
    if m:
        m1 = _MONTHS.get(m.group(1).lower())
        m2 = _MONTHS.get((m.group(2) or m.group(1)).lower())
        if m1 and m2 and m2 >= m1 and _yy(m.group(3), year) == year:
            start = datetime(year, m1, 1)
            nxt = datetime(year + (m2 == 12), m2 % 12 + 1, 1)
            return start, nxt - timedelta(seconds=1), "month" if m1 == m2 else "months"
        return whole_year
    if re.fullmatch(r"\d{5}", t):  # Excel serial day number (1900 date system)
        d = datetime(1899, 12, 30) + timedelta(days=int(t))
        if d.year == year:
            return d, d + timedelta(days=1, seconds=-1), "day"
    return whole_year


def _yy(two: str, year: int) -> int:
    return (year // 100) * 100 + int(two)


# --------------------------------------------------------------------------- commodity
ORE_FALLBACK = {"p": "phosphate_rock", "k": "potash", "f": "fluorspar", "ash": "coal",
                "pt": "platinum", "ree": "rare_earths", "barite": "baryte", "diamonds": "diamond"}


def commodity_from_ore(text: str) -> str | None:
    """First resolvable element of a CSP2 ``ORE TYPE`` (``'Pb Zn'`` → ``'lead'``)."""
    for tok in re.split(r"[\s,;/]+", text.strip()):
        if not tok:
            continue
        low = tok.lower()
        name = ORE_FALLBACK.get(low) or resolve_commodity(tok)
        if name:
            return name
    return None


# --------------------------------------------------------------------------- reader
def read_csp2_tailings(path: str | Path) -> Parsed:
    """Read the CSP2 tailings-dam failure table into ``risk_events``.

    Returns
    -------
    Parsed with ``risk_events`` (all rows; the notes report how many got a country, a day-exact
    date and a commodity).
    """
    path = Path(path)
    data = read_bytes(path)
    header, df = parse_csv_text(path, decode_strict(path, data), duplicate_names=True)
    # normalise the header: line breaks and doubled spaces inside names
    df.columns = [re.sub(r"\s+", " ", h).strip() for h in header]
    df = df.loc[:, ~pd.Index(df.columns).duplicated()].astype(str)
    missing = [_COLS[k] for k in _REQUIRED if _COLS[k] not in df.columns]
    if missing:
        raise InputError(path, f"missing column(s) {missing}; is this the CSP2 table?", row=0,
                         field=missing[0])
    if df.empty:
        raise InputError(path, "file has a header but no data rows", row=1,
                         field=_COLS["severity"])
    for k in ("dam_type", "height", "storage", "cause", "runout", "sources", "notes"):
        if _COLS[k] not in df.columns:
            df[_COLS[k]] = ""
    c = _COLS
    code = col_number(path, df, c["severity"], integer=True, lo=1, hi=4)
    year = col_number(path, df, c["year"], integer=True, lo=1800, hi=2100)
    loc = df[c["location"]].astype(str).str.strip()
    fail_first(path, loc == "", c["location"], "the location is empty")

    deaths_raw = df[c["deaths"]].astype(str).str.strip()
    unknown_deaths = deaths_raw.str.lower().isin(["yes", "several", "unknown", "?"])
    d_num = pd.to_numeric(deaths_raw.where(~unknown_deaths, ""), errors="coerce")
    fail_first(path, (deaths_raw != "") & ~unknown_deaths & d_num.isna(), c["deaths"],
               lambda v: f"'{v}' is not a number of deaths", deaths_raw)
    fail_first(path, d_num < 0, c["deaths"], lambda v: f"negative deaths {v}", deaths_raw)
    fractional = d_num.notna() & (d_num != np.round(d_num))
    deaths = d_num.where(~fractional).round().astype("Int64")

    rel_raw = df[c["release"]].astype(str).str.strip()
    rel_low = rel_raw.str.lower()
    rel_bound = rel_raw.str.startswith(">")
    rel_txt = rel_raw.where(~rel_bound, rel_raw.str.lstrip("> ").str.strip())
    rel_txt = rel_txt.where(~rel_low.isin(["none", "nil"]), "0")
    release = col_number(path, pd.DataFrame({c["release"]: rel_txt}, index=df.index),
                         c["release"], required=False)

    countries = loc.map(country_from_location)
    iso = countries.map(lambda t: t[0])
    dates = [parse_csp2_date(d, int(y)) for d, y in zip(df[c["date"]].astype(str), year)]
    start = pd.Series([d[0] for d in dates], index=df.index, dtype="datetime64[us]")
    end = pd.Series([d[1] for d in dates], index=df.index, dtype="datetime64[us]")
    precision = pd.Series([d[2] for d in dates], index=df.index)
    commodity = df[c["ore"]].astype(str).map(commodity_from_ore)

    # stable ids: n-th failure of the year counted from the oldest (bottom) row
    order = pd.Series(range(len(df), 0, -1), index=df.index)
    n = order.groupby(year.to_numpy()).rank(method="first").astype(int)
    event_id = "csp2-" + year.astype(str) + "-" + n.astype(str)

    desc = [_description(r, c, p, dr, fr, rb) for (_, r), p, dr, fr, rb in zip(
        df.iterrows(), precision, unknown_deaths, fractional, rel_bound)]
    urls = df[c["sources"]].astype(str).map(
        lambda s: "|".join(dict.fromkeys(u.rstrip(".,;)") for u in re.findall(r"https?://\S+", s)))
        or None)
    out = pd.DataFrame({
        "event_id": event_id, "event_type": "tailings_failure", "start_time": start,
        "end_time": end, "lat": np.nan, "lon": np.nan, "country": iso, "mine_id": None,
        "commodity": commodity, "severity": (5 - code.astype(float)) / 4.0,
        "confidence": CONFIDENCE, "deaths": deaths, "release_m3": release,
        "title": "Tailings dam failure: " + loc, "description": desc, "source_urls": urls,
        "taxonomy_version": TAXONOMY_VERSION,
        "source": "CSP2 Tailings Dam Failures 1915-2022 (as of 31 Jan 2023), row "
                  + df.index.astype(str) + "; sources: " + df[c["sources"]].astype(str),
    }, index=df.index)
    if out["event_id"].duplicated().any():  # pragma: no cover - guaranteed by construction
        raise AssertionError("csp2 event ids not unique")
    rules = countries.map(lambda t: t[1]).value_counts().to_dict()
    notes = [
        f"{path.name}: {len(out)} failures; country found for {int(iso.notna().sum())} "
        f"({rules}), day-exact date for {int((precision == 'day').sum())}, commodity for "
        f"{int(commodity.notna().sum())}",
    ]
    meta = SourceMeta(
        source="csp2_tailings", version="1915-2022 (as of 31 Jan 2023)", licence=CSP2_LICENCE,
        citation=("Center for Science in Public Participation (2023) Tailings Dam Failures "
                  "1915-2022, compiled by D. Chambers, B. Williams, L. N. Bowker and E. A. "
                  "Tuttle, http://www.csp2.org/tsf-failures-from-1915"),
        files=(str(path.resolve()),), sha256=sha256_bytes(data))
    return Parsed(tables={"risk_events": finish(out, "risk_events")}, meta=meta, notes=notes)


def _description(r: pd.Series, c: dict[str, str], precision: str, unknown_deaths: bool,
                 fractional: bool, rel_bound: bool) -> str:
    bits = []
    notes = str(r[c["notes"]]).strip()
    if notes:
        bits.append(notes)
    facts = []
    for key, label in (("dam_type", "dam type"), ("height", "dam height m"),
                       ("storage", "storage m3"), ("runout", "runout km"),
                       ("cause", "CSP2 cause code"), ("ore", "ore")):
        v = str(r[c[key]]).strip()
        if v:
            facts.append(f"{label}: {v}")
    if unknown_deaths or fractional:
        facts.append(f"CSP2 DEATHS: '{str(r[c['deaths']]).strip()}' (count unknown)")
    if rel_bound:
        facts.append(f"release is a lower bound ({str(r[c['release']]).strip()})")
    if precision != "day":
        facts.append(f"date known to the {precision.rstrip('s')} "
                     f"(CSP2 date: '{str(r[c['date']]).strip()}')")
    if facts:
        bits.append("[" + "; ".join(facts) + "]")
    return " ".join(bits) or None  # type: ignore[return-value]
