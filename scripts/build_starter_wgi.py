"""Build ``src/reslog/data/starter/governance.csv``: the WGI subset of the starter dataset.

The World Bank's Worldwide Governance Indicators (WGI, 2024 update, 1996-2023, long layout) are
read from ``shared/data/governance/wgi_2024_update_1996_2023_long.csv`` (or ``--wgi PATH``). The
script keeps the rows of one year (default 2023, the latest) for every *producing* country, plus, for
production series of earlier years (gold and bauxite 2015, iron ore 2022), the WGI of that year for
their producers: every
country of ``production.csv`` (USGS names such as "Congo (Kinshasa)"), of ``mine_sites.csv`` and of
``tailings_failures.csv`` (ISO3), all mapped to ISO 3166 alpha-3 through :func:`reslog.schema.resolve_country`. WGI country
codes are mapped the same way, so legacy WGI codes (``ZAR`` for the DR Congo, ``ROM`` for Romania)
match. The world/aggregate pseudo-countries (``WLD``, ``ROW``) are skipped.

Output columns are the official WGI long layout, unchanged (values are copied as text, so no
number is re-formatted), plus a final ``source`` column with the citation::

    codeindyr,code,countryname,year,indicator,estimate,stddev,nsource,pctrank,pctranklower,
    pctrankupper,source

Usage::

    python scripts/build_starter_wgi.py [--wgi PATH] [--year 2023] [--out PATH]

Producing countries without WGI scores (e.g. New Caledonia, a French overseas territory) are
listed on stderr; the script fails (exit 2) if a needed country has *some* but not all six
indicators, or if the WGI file lacks a required column.

References
----------
Kaufmann, D. and Kraay, A. (2024). Worldwide Governance Indicators, 2024 Update.
World Bank, www.govindicators.org. Licence CC BY 4.0.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from reslog.paths import PACKAGE_DATA, shared_data_dir
from reslog.schema import resolve_country

WGI_COLUMNS = ["codeindyr", "code", "countryname", "year", "indicator", "estimate", "stddev",
               "nsource", "pctrank", "pctranklower", "pctrankupper"]
INDICATORS = ("va", "pv", "ge", "rq", "rl", "cc")
SOURCE = "World Bank, Worldwide Governance Indicators, 2024 update ({year} data), CC BY 4.0"
STARTER = PACKAGE_DATA / "starter"
AGGREGATES = {"WLD", "ROW"}


def read_producing_countries(starter: Path) -> set[str]:
    """ISO3 codes of every country in the starter production, mine-site and tailings files.

    Parameters
    ----------
    starter : Path
        Folder holding the starter CSV files.

    Returns
    -------
    set of str
        Alpha-3 codes, aggregates (``WLD``/``ROW``) excluded.

    Raises
    ------
    SystemExit
        If a country name does not resolve (the message names file, row and value).
    """
    codes: set[str] = set()
    for name in ("production.csv", "mine_sites.csv", "tailings_failures.csv"):
        path = starter / name
        if not path.exists():
            continue
        df = pd.read_csv(path, dtype=str, keep_default_na=False, usecols=["country"])
        for i, value in enumerate(df["country"], start=2):
            iso3 = resolve_country(value)
            if iso3 is None:
                raise SystemExit(f"{path}, row {i}, field 'country': unknown country {value!r}")
            codes.add(iso3)
    return codes - AGGREGATES


def select_wgi(wgi: pd.DataFrame, countries: set[str], year: int) -> tuple[pd.DataFrame, list[str]]:
    """Rows of ``wgi`` for ``year`` whose country code resolves to one of ``countries``.

    Parameters
    ----------
    wgi : DataFrame
        The WGI long table (all columns as text).
    countries : set of str
        Wanted ISO3 codes.
    year : int
        Year to keep.

    Returns
    -------
    selected : DataFrame
        WGI rows in the official column order plus ``source``, sorted by code and indicator.
    missing : list of str
        Wanted countries with no WGI row in ``year``.
    """
    wgi = wgi[wgi["year"].astype(int) == year].copy()
    wgi["_iso3"] = wgi["code"].map(resolve_country)
    sel = wgi[wgi["_iso3"].isin(countries)].copy()
    order = {k: i for i, k in enumerate(INDICATORS)}
    sel = sel.sort_values(["_iso3", "indicator"], key=lambda s: s.map(order) if s.name == "indicator"
                          else s)
    missing = sorted(countries - set(sel["_iso3"]))
    sel["source"] = SOURCE.format(year=year)
    return sel[[*WGI_COLUMNS, "source"]].reset_index(drop=True), missing


def read_older_production_years(starter: Path, year: int) -> dict[int, set[str]]:
    """Production years before ``year`` and their producing countries (ISO3): those series need
    the WGI of their own year (concentration uses the latest WGI ≤ the production year)."""
    path = starter / "production.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False, usecols=["country", "year"])
    out: dict[int, set[str]] = {}
    for c, y in zip(df["country"], df["year"]):
        iso3 = resolve_country(c)
        if iso3 and iso3 not in AGGREGATES and int(y) < year:
            out.setdefault(int(y), set()).add(iso3)
    return out


def check_complete(sel: pd.DataFrame) -> list[str]:
    """Countries (WGI codes) that do not have exactly the six indicators once each."""
    bad = []
    for code, g in sel.groupby("code"):
        if sorted(g["indicator"]) != sorted(INDICATORS):
            bad.append(f"{code}: {sorted(g['indicator'])}")
    return bad


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    shared = shared_data_dir()
    default_wgi = (shared / "governance" / "wgi_2024_update_1996_2023_long.csv") if shared else None
    parser.add_argument("--wgi", type=Path, default=default_wgi, help="WGI long CSV")
    parser.add_argument("--year", type=int, default=2023)
    parser.add_argument("--out", type=Path, default=STARTER / "governance.csv")
    args = parser.parse_args(argv)
    if args.wgi is None or not args.wgi.exists():
        print(f"error: WGI file not found ({args.wgi}); pass --wgi PATH", file=sys.stderr)
        return 2
    wgi = pd.read_csv(args.wgi, dtype=str, keep_default_na=False, encoding="utf-8")
    lacking = [c for c in WGI_COLUMNS if c not in wgi.columns]
    if lacking:
        print(f"error: {args.wgi}: missing columns {lacking}", file=sys.stderr)
        return 2
    countries = read_producing_countries(STARTER)
    sel, missing = select_wgi(wgi, countries, args.year)
    bad = check_complete(sel)
    if bad:
        print(f"error: {args.wgi}: incomplete indicators for {bad}", file=sys.stderr)
        return 2
    if missing:
        print(f"note: no WGI {args.year} rows for {missing}", file=sys.stderr)
    for y, cs in sorted(read_older_production_years(STARTER, args.year).items()):
        older, miss = select_wgi(wgi, cs, y)
        if check_complete(older):
            print(f"error: {args.wgi}: incomplete indicators in {y}", file=sys.stderr)
            return 2
        if miss:
            print(f"note: no WGI {y} rows for {miss}", file=sys.stderr)
        sel = pd.concat([sel, older], ignore_index=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    sel.to_csv(args.out, index=False, encoding="utf-8", lineterminator="\n")
    print(f"wrote {args.out}: {len(sel)} rows, {sel['code'].nunique()} countries, years "
          f"{sorted(set(sel['year']))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
