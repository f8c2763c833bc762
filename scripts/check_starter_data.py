"""Self-check of the starter dataset shipped in ``src/reslog/data/starter/``.

Run ``python scripts/check_starter_data.py`` (exit code 1 on any failure). It checks that

* every CSV loads with pandas (UTF-8, header row, exact column layout);
* every country resolves through :func:`reslog.schema.resolve_country` and every commodity
  through :func:`reslog.schema.resolve_commodity` (to itself: the files hold canonical names);
* every row cites a source;
* ``production.csv`` has >= 28 commodities, and for each (commodity, year, stage) table the
  country rows add up to the printed "World total (rounded)" row (the ratio is reported; a
  ratio outside 0.90-1.10 is a failure unless the USGS footnote explains it, see ``EXPLAINED``);
* ``production.csv`` agrees with the 11 MCS 2026 tables in ``shared/data/production`` where both
  hold a value (skipped when the shared folder is absent);
* ``mine_sites.csv`` has >= 70 mines with valid coordinates, types and statuses;
* ``governance.csv`` covers every producing country of ``production.csv`` and ``mine_sites.csv``;
* ``tailings_failures.csv`` has >= 25 events since 2000 whose ``mine_id`` (when given) exists.
"""

from __future__ import annotations

import math
import re
import sys

import pandas as pd

from reslog.paths import PACKAGE_DATA, shared_data_dir
from reslog.schema import EVENT_TYPES, resolve_commodity, resolve_country

STARTER = PACKAGE_DATA / "starter"

COLUMNS = {
    "production.csv": ["country", "commodity", "year", "stage", "quantity", "unit", "marker",
                       "estimated", "source"],
    "mine_sites.csv": ["mine_id", "name", "lat", "lon", "country", "commodities", "type", "status",
                       "operator", "tailings_facilities", "capacity", "capacity_unit", "capacity_year",
                       "capacity_text", "source"],
    "governance.csv": ["codeindyr", "code", "countryname", "year", "indicator", "estimate", "stddev",
                       "nsource", "pctrank", "pctranklower", "pctrankupper", "source"],
    "tailings_failures.csv": ["event_id", "event_type", "start_time", "end_time", "lat", "lon",
                              "country", "mine_id", "commodity", "severity", "confidence", "deaths",
                              "release_m3", "title", "description", "source_urls", "source"],
}

# (commodity, year) whose world total deliberately differs from the sum of the listed rows,
# with the USGS reason.
EXPLAINED: dict[tuple[str, int], str] = {}

# shared/data/production/mcs2026_world_production file -> (commodity, value column) pairs
SHARED = {
    "antimony.csv": [("antimony", 2024, "production_2024"), ("antimony", 2025, "production_2025e")],
    "cobalt.csv": [("cobalt", 2024, "production_2024"), ("cobalt", 2025, "production_2025e")],
    "copper_refinery_inferred.csv": [("copper", 2024, "production_2024"),
                                     ("copper", 2025, "production_2025e")],
    "gallium_low_purity.csv": [("gallium", 2024, "production_2024"),
                               ("gallium", 2025, "production_2025e")],
    "graphite_natural.csv": [("graphite", 2024, "production_2024"),
                             ("graphite", 2025, "production_2025e")],
    "lithium.csv": [("lithium", 2024, "production_2024"), ("lithium", 2025, "production_2025e")],
    "manganese.csv": [("manganese", 2024, "production_2024"),
                      ("manganese", 2025, "production_2025e")],
    "nickel.csv": [("nickel", 2024, "production_2024"), ("nickel", 2025, "production_2025e")],
    "platinum_group_metals.csv": [("palladium", 2024, "palladium_2024"),
                                  ("palladium", 2025, "palladium_2025e"),
                                  ("platinum", 2025, "platinum_2025e")],
    "rare_earths.csv": [("rare_earths", 2024, "production_2024"),
                        ("rare_earths", 2025, "production_2025e")],
    "tungsten.csv": [("tungsten", 2024, "production_2024"), ("tungsten", 2025, "production_2025e")],
}


def calc_severity(csp2_class: int, deaths: float, release_m3: float) -> float:
    """Severity rule of ``docs/starter-data.md``.

    ``severity = 0.5 * S_class + 0.25 * S_deaths + 0.25 * S_release`` with
    ``S_class = {1: 1.0, 2: 0.75, 3: 0.5, 4: 0.25}[class]``,
    ``S_deaths = min(1, log10(1 + deaths) / log10(101))`` and
    ``S_release = clip((log10(release_m3) - 4) / 3, 0, 1)`` (10^4 m3 -> 0, 10^7 m3 -> 1);
    unreported deaths or release count as 0.
    """
    s_cls = {1: 1.0, 2: 0.75, 3: 0.5, 4: 0.25}[csp2_class]
    s_d = min(1.0, math.log10(1 + deaths) / math.log10(101)) if deaths > 0 else 0.0
    s_r = min(1.0, max(0.0, (math.log10(release_m3) - 4) / 3)) if release_m3 > 0 else 0.0
    return 0.5 * s_cls + 0.25 * s_d + 0.25 * s_r


class Report:
    """Collects failures and prints them."""

    def __init__(self) -> None:
        self.failures: list[str] = []

    def fail(self, msg: str) -> None:
        self.failures.append(msg)
        print("FAIL:", msg)


def load(name: str, rep: Report) -> pd.DataFrame:
    """Read one starter CSV with pandas and check its exact column layout."""
    path = STARTER / name
    df = pd.read_csv(path, encoding="utf-8", keep_default_na=False, dtype=str)
    if list(df.columns) != COLUMNS[name]:
        rep.fail(f"{name}: columns {list(df.columns)} != {COLUMNS[name]}")
    empty_src = df.index[df["source"].str.strip() == ""].tolist()
    if empty_src:
        rep.fail(f"{name}: rows {[i + 2 for i in empty_src]} have no source")
    return df


def _num(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s.replace("", None), errors="raise")


def check_production(rep: Report) -> pd.DataFrame:
    """Resolution, commodity count and sums vs world totals of production.csv."""
    df = load("production.csv", rep)
    for i, row in df.iterrows():
        if resolve_country(row["country"]) is None:
            rep.fail(f"production.csv row {i + 2}: country {row['country']!r} does not resolve")
        if resolve_commodity(row["commodity"]) != row["commodity"]:
            rep.fail(f"production.csv row {i + 2}: commodity {row['commodity']!r} not canonical")
        if row["stage"] not in ("mine", "refined"):
            rep.fail(f"production.csv row {i + 2}: stage {row['stage']!r}")
        if row["quantity"] == "" and row["marker"] not in ("W", "NA"):
            rep.fail(f"production.csv row {i + 2}: empty quantity without W/NA marker")
    df["q"] = _num(df["quantity"])
    df["iso3"] = df["country"].map(resolve_country)
    dup = df.duplicated(["iso3", "commodity", "year", "stage"], keep=False)
    if dup.any():
        rep.fail(f"production.csv: duplicate keys at rows {[i + 2 for i in df.index[dup]]}")
    n_comm = df["commodity"].nunique()
    print(f"production.csv: {len(df)} rows, {n_comm} commodities, "
          f"{df.loc[~df.iso3.isin(['WLD', 'ROW']), 'iso3'].nunique()} producing countries")
    if n_comm < 28:
        rep.fail(f"production.csv: only {n_comm} commodities (< 28)")
    print(f"{'commodity':<14}{'year':>5} {'stage':<8}{'sum rows':>14}{'world':>14}{'ratio':>7}  unit")
    for (comm, year, stage), g in df.groupby(["commodity", "year", "stage"]):
        world = g.loc[g.iso3 == "WLD", "q"]
        parts = g.loc[g.iso3 != "WLD", "q"].sum()
        if world.empty or pd.isna(world.iloc[0]):
            rep.fail(f"production.csv: {comm} {year} {stage} has no world total")
            continue
        ratio = parts / world.iloc[0]
        print(f"{comm:<14}{year:>5} {stage:<8}{parts:>14,.1f}{world.iloc[0]:>14,.1f}{ratio:>7.3f}"
              f"  {g.unit.iloc[0]}")
        if not 0.90 <= ratio <= 1.10 and (comm, int(year)) not in EXPLAINED:
            rep.fail(f"production.csv: {comm} {year}: rows sum to {ratio:.3f} x world total")
    return df


def check_against_shared(prod: pd.DataFrame, rep: Report) -> None:
    """Compare with the shared MCS 2026 transcription (same source, read independently)."""
    root = shared_data_dir()
    if root is None:
        print("shared/data absent: cross-check skipped")
        return
    folder = root / "production" / "mcs2026_world_production"
    n = 0
    for fname, pairs in SHARED.items():
        sh = pd.read_csv(folder / fname, dtype=str, keep_default_na=False)
        for comm, year, col in pairs:
            for _, r in sh.iterrows():
                raw = r[col].strip()
                mine = prod[(prod.commodity == comm) & (prod.year == str(year))
                            & (prod.country == r["country"])]
                if mine.empty:
                    if raw not in ("", "—"):
                        rep.fail(f"shared {fname}: {r['country']} {comm} {year} = {raw} missing")
                    continue
                m = mine.iloc[0]
                if raw in ("W", "NA"):
                    ok = m["marker"] == raw
                elif raw == "—":
                    ok = m["marker"] == "—" and m["q"] == 0
                else:
                    ok = float(raw) == m["q"]
                n += 1
                if not ok:
                    rep.fail(f"shared {fname}: {r['country']} {comm} {year}: shared {raw!r} vs "
                             f"starter {m['quantity']!r}{m['marker']!r}")
    print(f"cross-check with shared MCS 2026 CSVs: {n} values compared")


def _rings(geom: dict) -> list[list[list[float]]]:
    """Outer and inner rings of a GeoJSON (Multi)Polygon."""
    polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
    return [ring for poly in polys for ring in poly]


def _inside(lon: float, lat: float, rings: list[list[list[float]]]) -> bool:
    """Even-odd ray casting over all rings (holes handled by parity)."""
    inside = False
    for ring in rings:
        for (x0, y0), (x1, y1) in zip(ring, ring[1:]):
            if (y0 > lat) != (y1 > lat) and lon < x0 + (lat - y0) * (x1 - x0) / (y1 - y0):
                inside = not inside
    return inside


def _near(lon: float, lat: float, rings: list[list[list[float]]], deg: float) -> bool:
    """True if a ring vertex lies within ``deg`` degrees (coastal/border tolerance)."""
    return any(abs(x - lon) <= deg and abs(y - lat) <= deg for ring in rings for x, y in ring)


def check_mine_positions(df: pd.DataFrame, rep: Report) -> None:
    """Each mine must fall inside (or within 0.1 degree of) its country's Natural Earth polygon."""
    root = shared_data_dir()
    path = root / "boundaries" / "ne_50m_admin_0_countries.geojson" if root else None
    if path is None or not path.exists():
        print("Natural Earth boundaries absent: position check skipped")
        return
    import json

    shapes: dict[str, list] = {}
    for feat in json.loads(path.read_text(encoding="utf-8"))["features"]:
        props = feat["properties"]
        for key in ("ISO_A3_EH", "ADM0_A3", "ISO_A3"):
            code = props.get(key)
            if code and code != "-99":
                shapes.setdefault(code, []).extend(_rings(feat["geometry"]))
    n = 0
    for _, row in df.iterrows():
        iso3 = resolve_country(row["country"])
        rings = shapes.get(iso3)
        lon, lat = float(row["lon"]), float(row["lat"])
        if rings is None:
            rep.fail(f"mine_sites.csv {row['mine_id']}: no boundary for {iso3}")
        elif not (_inside(lon, lat, rings) or _near(lon, lat, rings, 0.1)):
            rep.fail(f"mine_sites.csv {row['mine_id']}: ({lat}, {lon}) is outside {iso3}")
        else:
            n += 1
    print(f"mine positions inside their country polygon (Natural Earth 1:50m): {n}/{len(df)}")


def check_mines(rep: Report) -> pd.DataFrame:
    """mine_sites.csv: ids, coordinates, codes."""
    df = load("mine_sites.csv", rep)
    if df["mine_id"].duplicated().any():
        rep.fail(f"mine_sites.csv: duplicate mine_id {df.mine_id[df.mine_id.duplicated()].tolist()}")
    for i, row in df.iterrows():
        where = f"mine_sites.csv row {i + 2} ({row['mine_id']})"
        lat, lon = float(row["lat"]), float(row["lon"])
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            rep.fail(f"{where}: bad coordinates")
        if resolve_country(row["country"]) is None:
            rep.fail(f"{where}: country {row['country']!r}")
        for c in row["commodities"].split(";"):
            if resolve_commodity(c) != c:
                rep.fail(f"{where}: commodity {c!r} not canonical")
        if row["type"] not in ("industrial", "artisanal"):
            rep.fail(f"{where}: type {row['type']!r}")
        if row["status"] not in ("operating", "care_and_maintenance", "closed", "development"):
            rep.fail(f"{where}: status {row['status']!r}")
        if row["tailings_facilities"] and not row["tailings_facilities"].isdigit():
            rep.fail(f"{where}: tailings_facilities {row['tailings_facilities']!r}")
    print(f"mine_sites.csv: {len(df)} mines in {df.country.map(resolve_country).nunique()} countries, "
          f"{(df.type == 'artisanal').sum()} artisanal")
    if len(df) < 70:
        rep.fail(f"mine_sites.csv: only {len(df)} mines (< 70)")
    check_mine_positions(df, rep)
    return df


def check_governance(prod: pd.DataFrame, mines: pd.DataFrame, rep: Report) -> None:
    """governance.csv covers every producing country with all six indicators per year (2023, and the
    years of older production series)."""
    df = load("governance.csv", rep)
    df["iso3"] = df["code"].map(resolve_country)
    if df["iso3"].isna().any():
        rep.fail(f"governance.csv: codes not resolving {df.code[df.iso3.isna()].unique().tolist()}")
    need = (set(prod.iso3) | set(mines.country.map(resolve_country))) - {"WLD", "ROW", None}
    have = set(df.iso3)
    missing = sorted(need - have)
    print(f"governance.csv: {len(df)} rows, {len(have)} countries; producing countries needed "
          f"{len(need)}, missing {missing}")
    for (iso3, year), g in df.groupby(["iso3", "year"]):
        if sorted(g.indicator) != sorted(["va", "pv", "ge", "rq", "rl", "cc"]):
            rep.fail(f"governance.csv: {iso3} {year} indicators {sorted(g.indicator)}")
    # NCL (New Caledonia) has no WGI scores: tolerated and reported.
    hard_missing = [m for m in missing if m not in ("NCL", "GRL")]
    if hard_missing:
        rep.fail(f"governance.csv: no WGI rows for {hard_missing}")


def check_tailings(mines: pd.DataFrame, rep: Report) -> None:
    """tailings_failures.csv: event layout, dates, mine links, severity range."""
    df = load("tailings_failures.csv", rep)
    ids = set(mines.mine_id)
    for i, row in df.iterrows():
        where = f"tailings_failures.csv row {i + 2} ({row['event_id']})"
        if row["event_type"] not in EVENT_TYPES:
            rep.fail(f"{where}: event_type {row['event_type']!r}")
        t = pd.Timestamp(row["start_time"])
        if t.year < 2000:
            rep.fail(f"{where}: before 2000")
        if row["mine_id"] and row["mine_id"] not in ids:
            rep.fail(f"{where}: mine_id {row['mine_id']!r} not in mine_sites.csv")
        if resolve_country(row["country"]) != row["country"]:
            rep.fail(f"{where}: country {row['country']!r} is not ISO3")
        if row["commodity"] and resolve_commodity(row["commodity"]) != row["commodity"]:
            rep.fail(f"{where}: commodity {row['commodity']!r}")
        for f in ("severity", "confidence"):
            if not 0 <= float(row[f]) <= 1:
                rep.fail(f"{where}: {f} out of [0, 1]")
        if not row["source_urls"].startswith("http"):
            rep.fail(f"{where}: no source URL")
        m = re.match(r"CSP2 severity class (\d)", row["description"])
        if m is None:
            rep.fail(f"{where}: description does not state the CSP2 severity class")
        else:
            expect = calc_severity(int(m.group(1)), float(row["deaths"] or 0),
                                   float(row["release_m3"] or 0))
            if abs(expect - float(row["severity"])) > 5e-4:
                rep.fail(f"{where}: severity {row['severity']} != documented rule {expect:.3f}")
    linked = (df.mine_id != "").sum()
    print(f"tailings_failures.csv: {len(df)} events {df.start_time.min()}..{df.start_time.max()}, "
          f"{linked} linked to mine_sites.csv")
    if df.event_id.duplicated().any():
        rep.fail("tailings_failures.csv: duplicate event_id")
    if len(df) < 25:
        rep.fail(f"tailings_failures.csv: only {len(df)} events (< 25)")


def main() -> int:
    """Run all checks; return the process exit code."""
    rep = Report()
    prod = check_production(rep)
    check_against_shared(prod, rep)
    mines = check_mines(rep) if (STARTER / "mine_sites.csv").exists() else None
    if mines is not None and (STARTER / "governance.csv").exists():
        check_governance(prod, mines, rep)
    if mines is not None and (STARTER / "tailings_failures.csv").exists():
        check_tailings(mines, rep)
    print(f"\n{len(rep.failures)} failure(s)")
    return 1 if rep.failures else 0


if __name__ == "__main__":
    sys.exit(main())
