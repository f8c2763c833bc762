"""``reslog trade``: clean bilateral trade, trace metals from mine to consumer, Sankey, IO link.

The commands read frames from the warehouse with SQL (tables ``trade``, ``trade_countries``,
``production``, ``io_blocks``, ``trade_clean``), call the pure functions of
:mod:`reslog.model.trade`, and print or write the results. ``docs/trade.md`` has the methods.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from pathlib import Path
from typing import Annotated, Optional

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from reslog import __version__
from reslog.cli.common import DbOption, open_warehouse
from reslog.errors import ReslogError
from reslog.schema import resolve_commodity, resolve_country
from reslog.services.trade import TradeDataMissing, country_map, distinct_years, load_chain

console = Console()
trade_app = typer.Typer(help="Trade-linked material flows: cleaning, origin tracing, Sankey, "
                        "IO–trade link.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add ``reslog trade …`` to the root app."""
    import reslog.store.trade_tables  # noqa: F401  (registers trade_clean)

    app.add_typer(trade_app, name="trade")


# ---------------------------------------------------------------------------- helpers


def parse_years(text: str) -> tuple[int, int]:
    """``2017-2021`` → (2017, 2021); ``2021`` → (2021, 2021)."""
    m = re.fullmatch(r"\s*(\d{4})\s*(?:[-–:]\s*(\d{4}))?\s*", text)
    if not m:
        raise ReslogError(f"--years {text!r}: expected YEAR or FROM-TO, e.g. 2017-2021")
    a, b = int(m.group(1)), int(m.group(2) or m.group(1))
    if b < a:
        raise ReslogError(f"--years {text!r}: the range runs backwards")
    return a, b


def _metal(name: str) -> str:
    from reslog.model.trade.metal_content import METALS

    m = resolve_commodity(name)
    if m is None or m not in METALS:
        raise ReslogError(f"--metal {name!r}: not a metal with trade content data; known: "
                          f"{', '.join(sorted(METALS))}")
    return m


def _run_trace(wh, metal: str, year: int, hs: str | None, raw: bool, bound: str):
    from reslog.model.trade.tracing import trace_chain

    data = load_chain(wh, metal, year, hs, raw, bound)
    return data, trace_chain(data.stages)


# ---------------------------------------------------------------------------- commands
@trade_app.command("clean", help="Clean trade quantities (moving-average 2σ rule, missing q "
                   "from median unit values) for a range of years into table trade_clean.")
def clean_cmd(
    years: Annotated[str, typer.Option("--years", help="Years to clean, e.g. 2017-2021.")],
    hs: Annotated[Optional[str], typer.Option("--hs", help="HS revision (default: each one "
                                              "present in those years).")] = None,
    window: Annotated[int, typer.Option(help="Moving-average window in years (odd).")] = 5,
    sigma: Annotated[float, typer.Option(help="Outlier threshold in standard deviations.")] = 2.0,
    min_years: Annotated[int, typer.Option(help="Shortest series tested.")] = 5,
    scale: Annotated[str, typer.Option(help="Residual scale: loo (leave-one-out σ, default), sd "
                                       "(the published single σ per series) or mad.")] = "loo",
    db: DbOption = None,
) -> None:
    """Clean the trade of years A–B chapter by chapter and store it in ``trade_clean``."""
    import reslog.store.trade_tables  # noqa: F401
    from reslog.model.trade.clean import CleaningParams, clean_trade
    from reslog.sources.base import Parsed, SourceMeta, SqlScan

    a, b = parse_years(years)
    params = CleaningParams(window=window, n_sigma=sigma, min_years=min_years, scale=scale)  # type: ignore[arg-type]
    wh = open_warehouse(db)
    try:
        revs = wh.query("SELECT DISTINCT hs_revision FROM trade WHERE t BETWEEN ? AND ?",
                        [a, b])["hs_revision"].tolist()
        if hs:
            revs = [r for r in revs if r.upper() == hs.upper()]
        if not revs:
            have = distinct_years(wh, "SELECT DISTINCT t FROM trade ORDER BY t", [])
            raise TradeDataMissing(f"no trade for {a}–{b}{' in ' + hs if hs else ''}; years with "
                                   f"trade: {', '.join(map(str, have)) or 'none'}")
        for rev in sorted(revs):
            where = "hs_revision = ? AND t BETWEEN ? AND ?"
            n, chk = wh.query(f"SELECT count(*), sum(hash(t, i, j, k, v, q))::VARCHAR FROM trade "
                              f"WHERE {where}", [rev, a, b]).iloc[0]
            sha = hashlib.sha256(f"trade_clean|{rev}|{a}-{b}|{n}|{chk}|{params.describe()}|"
                                 f"{__version__}".encode()).hexdigest()
            chapters = wh.query(f"SELECT DISTINCT k // 10000 AS ch FROM trade WHERE {where} "
                                "ORDER BY ch", [rev, a, b])["ch"].tolist()
            stats = {"rows": 0, "outliers": 0, "estimated": 0}
            with tempfile.TemporaryDirectory(prefix="reslog-clean-") as tmp:
                for ch in chapters:
                    df = wh.query(f"SELECT t, i, j, k, v, q FROM trade WHERE {where} AND "
                                  "k BETWEEN ? AND ?", [rev, a, b, int(ch) * 10000,
                                                        int(ch) * 10000 + 9999])
                    res = clean_trade(df, params)
                    res["hs_revision"] = rev
                    res["params"] = params.describe()
                    stats["rows"] += len(res)
                    stats["outliers"] += int(res["outlier"].sum())
                    stats["estimated"] += int(res["q_estimated"].sum())
                    res[list(reslog.store.trade_tables.TRADE_CLEAN_COLUMNS)].to_parquet(
                        Path(tmp) / f"ch{int(ch):02d}.parquet", index=False)
                cols = ", ".join(reslog.store.trade_tables.TRADE_CLEAN_COLUMNS)
                glob = str(Path(tmp) / "*.parquet").replace("'", "''")
                scan = SqlScan(sql=f"SELECT {cols} FROM read_parquet('{glob}')",
                               rows_hint=stats["rows"],
                               replace_where=f"hs_revision = '{rev}' AND t BETWEEN {a} AND {b}",
                               file=f"trade {rev} {a}-{b}")
                meta = SourceMeta(source="reslog trade clean", version=params.describe(),
                                  licence="derived from CEPII BACI (Etalab 2.0)",
                                  citation="reslog cleaning of BACI quantities (docs/trade.md)",
                                  files=(f"warehouse:trade {rev} {a}-{b}",), sha256=sha)
                result = wh.ingest(Parsed({"trade_clean": scan}, meta), kind="trade_clean")
            if result.skipped:
                console.print(f"{rev} {a}–{b}: already cleaned with these parameters "
                              f"(ledger {result.ledger_id}); nothing to do")
            else:
                console.print(f"{rev} {a}–{b}: {stats['rows']:,} rows cleaned, "
                              f"{stats['outliers']:,} outliers replaced, {stats['estimated']:,} "
                              f"missing quantities estimated (ledger {result.ledger_id})")
    finally:
        wh.close()


@trade_app.command("trace", help="Attribute each country's consumption of a metal to the "
                   "mining countries it comes from (Kastner et al. 2011, multi-stage).")
def trace_cmd(
    metal: Annotated[str, typer.Option("--metal", help="Metal, e.g. cobalt.")],
    year: Annotated[int, typer.Option("--year", help="Year of production and trade.")],
    output: Annotated[Optional[Path], typer.Option("--output", help="CSV file to write "
                                                   "(consumer, origin, quantity_t, share).")] = None,
    consumer: Annotated[Optional[str], typer.Option("--consumer", help="Only this consuming "
                                                    "country (ISO3 or name).")] = None,
    hs: Annotated[Optional[str], typer.Option("--hs", help="HS revision of the trade "
                                              "(default: newest for the year).")] = None,
    raw: Annotated[bool, typer.Option("--raw", help="Use raw BACI quantities, not "
                                      "trade_clean.")] = False,
    bound: Annotated[str, typer.Option(help="Metal content: fraction, low or high.")] = "fraction",
    db: DbOption = None,
) -> None:
    """Trace ``metal`` in ``year`` and write consumer → origin attributions."""
    from reslog.model.trade.tracing import consumer_origins

    if bound not in ("fraction", "low", "high"):
        raise ReslogError(f"--bound {bound!r}: use fraction, low or high")
    m = _metal(metal)
    iso = None
    if consumer:
        iso = resolve_country(consumer)
        if iso is None:
            raise ReslogError(f"--consumer {consumer!r}: unknown country")
    wh = open_warehouse(db, read_only=True)
    try:
        data, res = _run_trace(wh, m, year, hs, raw, bound)
    finally:
        wh.close()
    table = consumer_origins(res, iso)
    for n in data.notes + res.notes:
        console.print(f"[yellow]note:[/yellow] {n}")
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        table[["consumer", "origin", "quantity_t", "share"]].to_csv(output, index=False)
        console.print(f"wrote {len(table):,} rows to {output}")
    t = Table(title=f"{m} {year} ({data.revision}, {data.quantity_source}): consumption by "
              "mining origin, t")
    for c in ("consumer", "origin", "quantity_t", "share"):
        t.add_column(c, justify="right" if c in ("quantity_t", "share") else "left")
    show = table if iso else table.sort_values("quantity_t", ascending=False).head(20)
    for r in show.head(40).itertuples(index=False):
        t.add_row(r.consumer, r.origin, f"{r.quantity_t:,.1f}", f"{r.share:.3f}")
    console.print(t)
    console.print(f"world mine production traced: {res.world_production:,.0f} t; losses "
                  f"{res.losses['quantity_t'].sum():,.0f} t; stages: {' → '.join(res.stages)}")


@trade_app.command("sankey", help="Write an offline HTML Sankey: mine country → refining "
                   "country → consuming country.")
def sankey_cmd(
    metal: Annotated[str, typer.Option("--metal", help="Metal, e.g. cobalt.")],
    year: Annotated[int, typer.Option("--year", help="Year.")],
    output: Annotated[Path, typer.Option("--output", help="HTML file to write.")],
    top: Annotated[int, typer.Option(help="Countries shown per column (rest: Other).")] = 12,
    hs: Annotated[Optional[str], typer.Option("--hs", help="HS revision.")] = None,
    raw: Annotated[bool, typer.Option("--raw", help="Use raw quantities.")] = False,
    db: DbOption = None,
) -> None:
    """Trace and draw the flows as a self-contained HTML file (no network needed to view)."""
    from reslog.figures.sankey import sankey_html
    from reslog.model.trade.sankey import calc_sankey_links

    m = _metal(metal)
    wh = open_warehouse(db, read_only=True)
    try:
        data, res = _run_trace(wh, m, year, hs, raw, "fraction")
    finally:
        wh.close()
    links = calc_sankey_links(res, top=top)
    html = sankey_html(links, title=f"{m} {year}: mine → refining → consumption (t {m})")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(html, encoding="utf-8")
    for n in data.notes + res.notes:
        console.print(f"[yellow]note:[/yellow] {n}")
    console.print(f"wrote {output} ({len(links)} flows, {links['quantity_t'].sum():,.0f} t)")


@trade_app.command("link", help="Rank the imported HS6 items a sector's final demand needs, "
                   "directly and indirectly, with value and embodied metals.")
def link_cmd(
    io: Annotated[str, typer.Option("--io", help="MRIO name in io_blocks (e.g. wiod2013_wiot2011).")],
    sector: Annotated[str, typer.Option("--sector", help="IO sector code of the final demand "
                                        "(WIOD: c14 electrical and optical equipment).")],
    country: Annotated[str, typer.Option("--country", help="Country of the national IO table.")] = "JPN",
    demand: Annotated[float, typer.Option(help="Final demand in IO units (1 = 1 million USD "
                                          "for WIOD).")] = 1.0,
    year: Annotated[Optional[int], typer.Option(help="Trade year (default: latest).")] = None,
    top: Annotated[int, typer.Option(help="Items listed.")] = 20,
    output: Annotated[Optional[Path], typer.Option("--output", help="CSV file to write.")] = None,
    db: DbOption = None,
) -> None:
    """The seeds' "top imported items" table for one sector's final demand."""
    from reslog.model.trade.link import (
        calc_hs_sector_map,
        calc_import_requirements,
        national_io_from_mrio,
        rank_imported_items,
    )
    from reslog.model.trade.metal_content import metal_content_table, normalize_revision

    iso = resolve_country(country)
    if iso is None:
        raise ReslogError(f"--country {country!r}: unknown country")
    wh = open_warehouse(db, read_only=True)
    try:
        names = wh.query("SELECT DISTINCT mrio FROM io_blocks")["mrio"].tolist()
        if io not in names:
            raise TradeDataMissing(f"no MRIO named {io!r} in io_blocks; available: "
                                   f"{', '.join(names) or 'none (ingest one first)'}")
        z = wh.query("SELECT row_region, row_sector, col_region, col_sector, value FROM io_blocks "
                     "WHERE mrio = ? AND block = 'Z'", [io])
        xb = wh.query("SELECT row_region, row_sector, value FROM io_blocks WHERE mrio = ? AND "
                      "block = 'x'", [io])
        if xb.empty:
            xb = wh.query("SELECT row_region, row_sector, sum(value) AS value FROM io_blocks WHERE "
                          "mrio = ? AND block IN ('Z', 'Y') GROUP BY 1, 2", [io])
        years = distinct_years(wh, "SELECT DISTINCT t FROM trade ORDER BY t", [])
        if not years:
            raise TradeDataMissing("the warehouse has no trade (ingest BACI first)")
        ty = year or years[-1]
        if ty not in years:
            raise TradeDataMissing(f"no trade for {ty}; years with trade: {', '.join(map(str, years))}")
        cmap = country_map(wh)
        codes = [c for c, i in cmap.items() if i == iso] or \
            [int(c) for c in wh.query("SELECT DISTINCT j FROM trade")["j"] if resolve_country(int(c)) == iso]
        if not codes:
            raise TradeDataMissing(f"no BACI country code for {iso} in trade_countries")
        rev = wh.query("SELECT hs_revision FROM trade WHERE t = ? GROUP BY 1 ORDER BY 1 LIMIT 1",
                       [ty]).iloc[0, 0]
        imp = wh.query(f"SELECT k AS hs6, sum(v) AS v, sum(q) AS q FROM trade WHERE t = ? AND "
                       f"hs_revision = ? AND j IN ({', '.join(map(str, codes))}) GROUP BY k",
                       [ty, rev])
    finally:
        wh.close()
    idx = pd.MultiIndex.from_arrays([z["row_region"], z["row_sector"]])
    cidx = pd.MultiIndex.from_arrays([z["col_region"], z["col_sector"]])
    Z = pd.Series(z["value"].to_numpy(float), index=pd.MultiIndex.from_arrays(
        [idx.get_level_values(0), idx.get_level_values(1), cidx.get_level_values(0),
         cidx.get_level_values(1)])).unstack([2, 3], fill_value=0.0)
    x = pd.Series(xb["value"].to_numpy(float),
                  index=pd.MultiIndex.from_arrays([xb["row_region"], xb["row_sector"]]))
    Z = Z.reindex(index=x.index, columns=x.index, fill_value=0.0)
    A_d, A_m = national_io_from_mrio(Z, x, iso)
    if sector not in A_d.index:
        raise ReslogError(f"--sector {sector!r} not in {io}; sectors: {', '.join(A_d.index[:40])}")
    req = calc_import_requirements(A_d, A_m, pd.Series({sector: demand}))
    hs_map = calc_hs_sector_map(imp["hs6"])
    ranked = rank_imported_items(req, imp, hs_map, metal_content_table(normalize_revision(rev)),
                                 top=top)
    if normalize_revision(rev) != "HS92":
        console.print(f"[yellow]note:[/yellow] trade is {rev}; the concordance is built on HS92 "
                      "headings (stable for most chapters)")
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        ranked.to_csv(output, index=False)
        console.print(f"wrote {len(ranked)} rows to {output}")
    t = Table(title=f"{iso} {io}: imported HS6 items needed for {demand:g} of {sector} "
                    f"(trade {ty} {rev}; values in IO units)")
    metal_cols = [c for c in ranked.columns if c.endswith("_t") and c != "quantity_t"]
    for c, just in (("#", "right"), ("HS6", "left"), ("sector", "left"), ("direct", "right"),
                    ("indirect", "right"), ("total", "right"), ("tonnes", "right"),
                    ("embodied metals (t)", "left")):
        t.add_column(c, justify=just)  # type: ignore[arg-type]
    for n, r in enumerate(ranked.itertuples(index=False), start=1):
        d = r._asdict()
        metals = "; ".join(f"{c[:-2]} {d[c]:.3g}" for c in metal_cols if d[c] and d[c] > 0)
        t.add_row(str(n), str(d["hs6"]), str(d["sector"]), f"{d['value_direct']:.3g}",
                  f"{d['value_indirect']:.3g}", f"{d['value_total']:.3g}", f"{d['quantity_t']:.3g}",
                  metals or "—")
    console.print(t)
