"""The main job (``reslog demo``): build the warehouse from the bundled starter data and show a
first real result — per commodity, the top producing countries, the concentration of production
(HHI) and the governance-weighted concentration — then the analyses of the other areas, and write
it all as one HTML report."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from reslog.cli.common import import_area, missing_extra_message, resolve_db
from reslog.paths import PACKAGE_DATA
from reslog.report.html import Section, write_report
from reslog.sources.registry import read
from reslog.store.warehouse import Warehouse

STARTER = PACKAGE_DATA / "starter"

# (ingest kind, file) in load order. Every file cites its source on every row.
STARTER_FILES: tuple[tuple[str, Path], ...] = (
    ("hs", PACKAGE_DATA / "hs_mineral_codes.csv"),
    ("production", STARTER / "production.csv"),
    ("wgi", STARTER / "governance.csv"),
    ("mines", STARTER / "mine_sites.csv"),
    ("events", STARTER / "tailings_failures.csv"),
)

# Area demo sections, in order. Each ``demo_sections(db_path, console)`` prints to the console
# and returns report Sections.
AREA_SECTIONS: tuple[str, ...] = (
    "reslog.cli.risk", "reslog.cli.io", "reslog.cli.trade", "reslog.cli.events",
)


def build_warehouse(db: Path, console: Console) -> Warehouse:
    """Ingest every starter file into the warehouse at ``db`` (idempotent)."""
    wh = Warehouse.open(db)
    for kind, path in STARTER_FILES:
        parsed = read(kind, path)
        res = wh.ingest(parsed, kind=kind)
        what = "already there" if res.skipped else ", ".join(f"{t} {n:,}" for t, n in res.rows.items())
        console.print(f"  [dim]{kind:<11}[/dim] {path.name:<24} ledger #{res.ledger_id}: {what}")
    return wh


def production_concentration(wh: Warehouse) -> pd.DataFrame:
    """Per commodity and stage, latest reported (not estimated) year: top producers, HHI and
    governance-weighted HHI."""
    from reslog.model.concentration import concentration_table, select_reported

    # reported years; a series with estimates only (copper mine 2023e) keeps them, flagged "e"
    production = select_reported(wh.production())
    governance = wh.query("SELECT * FROM governance")
    table = concentration_table(production, governance)
    est = production[production["estimated"].fillna(False).astype(bool)]
    est_keys = set(zip(est["commodity"], est["stage"], est["year"]))
    table["year"] = [f"{y}e" if (c, s, y) in est_keys else str(y)
                     for c, s, y in zip(table["commodity"], table["stage"], table["year"])]
    cols = ["commodity", "stage", "year", "top_producers", "n_countries", "hhi", "hhi_wgi",
            "wgi_year", "world_total", "unit", "sources"]
    return table[cols]


def _print_concentration(df: pd.DataFrame, console: Console) -> None:
    t = Table(title="Production concentration, latest reported year (starter data)", show_lines=False)
    for col, just in (("commodity", "left"), ("stage", "left"), ("year", "right"),
                      ("top producers (share of world)", "left"), ("HHI", "right"),
                      ("HHI_WGI", "right")):
        t.add_column(col, justify=just)  # type: ignore[arg-type]
    for r in df.itertuples(index=False):
        t.add_row(r.commodity, r.stage, str(r.year), r.top_producers, f"{r.hhi:,.0f}",
                  "—" if pd.isna(r.hhi_wgi) else f"{r.hhi_wgi:,.2f}")
    console.print(t)


def cobalt_sankey_section(wh: Warehouse, console: Console) -> Section:
    """The cobalt Sankey (mine → refining → consumption) for the latest year with both cobalt mine
    production and BACI trade; otherwise a section that says what is missing."""
    from reslog.errors import ReslogError

    title = "Cobalt: mine → refining → consumption (Sankey)"
    years = wh.query("SELECT DISTINCT t AS y FROM trade INTERSECT SELECT DISTINCT year AS y FROM production "
                     "WHERE commodity = 'cobalt' AND stage = 'mine' ORDER BY y DESC")
    if years.empty:
        msg = ("Not drawn: the warehouse holds no BACI trade for a year with cobalt mine production "
               "(the starter data have production only). Ingest BACI (`reslog data fetch baci`, then "
               "`reslog ingest baci FOLDER`) and re-run; `reslog trade sankey --metal cobalt` draws it too.")
        console.print(f"[dim]{title}: {msg}[/dim]")
        return Section(title, msg)
    year = int(years["y"].iloc[0])
    try:
        from reslog.cli.trade import _run_trace
        from reslog.figures.sankey import sankey_div
        from reslog.model.trade.sankey import calc_sankey_links

        data, res = _run_trace(wh, "cobalt", year, None, False, "fraction")
        links = calc_sankey_links(res, top=10)
    except ReslogError as e:
        return Section(title, f"Not drawn for {year}: {e}")
    return Section(title, f"Cobalt content (t) traced from mining countries through refining countries to "
                          f"consuming countries, {year} (Kastner et al. 2011 tracing of BACI trade; see "
                          "docs/trade.md).",
                   html=sankey_div(links, title=f"cobalt {year} (t Co)"), notes=data.notes + res.notes)


def world_map_section(wh: Warehouse, conc: pd.DataFrame, commodity: str = "cobalt",
                      stage: str = "mine") -> Section | None:
    """World map of production concentration for ``commodity`` (latest reported year of
    ``stage``): each producing country's share of world production
    (:func:`reslog.model.concentration.calc_shares`) on the shipped Natural Earth polygons, with
    the mines of the commodity as points (:func:`reslog.figures.world_map.world_map_figure`, the
    dashboard's map). Offline: inline GeoJSON, no tiles; plotly.js is embedded once by the report.
    None when the warehouse has no reported production of the commodity."""
    from reslog.figures.geo import countries_geojson
    from reslog.figures.world_map import world_map_figure
    from reslog.model.concentration import calc_shares

    prod = wh.production(reported_only=True)
    p = prod[(prod["commodity"] == commodity) & (prod["stage"] == stage)]
    if p.empty:
        return None
    year = int(p["year"].max())
    p = p[p["year"] == year]
    shares = calc_shares(p[["country", "quantity"]]).drop(labels=["ROW", "WLD"], errors="ignore")
    values = pd.DataFrame({"country": shares.index, "value": shares.to_numpy()})
    mines = wh.query("SELECT name, lat, lon, country, commodities FROM mine_sites")
    mines = mines[mines["commodities"].fillna("").str.split(";").map(lambda cs: commodity in cs)]
    pts = pd.DataFrame({"lat": mines["lat"], "lon": mines["lon"], "kind": "mine",
                        "label": mines["name"] + " (" + mines["country"] + ")"}).dropna(subset=["lat", "lon"])
    fig = world_map_figure(values, countries_geojson(), points=pts if len(pts) else None,
                           value_label="share of world production (%)", colorscale="Blues",
                           point_names={"mine": "mines"}, height=480)
    hhi = float((shares ** 2).sum())
    row = conc[(conc["commodity"] == commodity) & (conc["stage"] == stage)]
    top = row["top_producers"].iloc[0] if len(row) else ""
    html = fig.to_html(full_html=False, include_plotlyjs=False, include_mathjax=False,
                       config={"displaylogo": False})
    return Section(f"Where {commodity} comes from: world map of {stage} production, {year}",
                   f"Share of world {stage} production of {commodity} by country, {year} (warehouse "
                   f"'production' table, reported values); HHI {hhi:,.0f}. {top}. Points are the "
                   "mines of the commodity in the warehouse. The same map, with country risk and "
                   "imagery hotspots, is the dashboard's world map (`reslog serve`, /map).",
                   table=p[["country", "quantity", "unit", "source"]].assign(
                       share_pct=p["country"].map(shares)).sort_values("share_pct", ascending=False),
                   html=html)


def scenario_demo_sections(path: Path, console: Console) -> list[Section]:
    """The scenario, panel and fingerprint sections (:mod:`reslog.report.sections_scenario`) on
    the demo warehouse as it is (no shared-data load: about 1 s). On the starter data the
    low-carbon demand section is drawn; trade, panel and fingerprints say what to ingest."""
    try:
        from reslog.report.sections_scenario import scenario_sections
    except ModuleNotFoundError as e:  # an optional extra is not installed
        return [Section("Scenarios", f"scenario sections skipped: {missing_extra_message(e)}")]
    try:
        return scenario_sections(path, log=lambda m: console.print(f"[dim]{escape(m)}[/dim]"), load=False)
    except ModuleNotFoundError as e:
        return [Section("Scenarios", f"scenario sections skipped: {missing_extra_message(e)}")]


def run_demo(db: Path | None, report: Path, *, fresh: bool = False,
             console: Console | None = None) -> Path:
    """Run the main job and return the path of the HTML report."""
    console = console or Console()
    t0 = time.perf_counter()
    path = resolve_db(db)
    if fresh and path.exists():
        path.unlink()
        Path(str(path) + ".wal").unlink(missing_ok=True)
    console.rule("[bold]reslog demo")
    console.print(f"warehouse: {path}")
    wh = build_warehouse(path, console)
    try:
        conc = production_concentration(wh)
    finally:
        wh.close()
    _print_concentration(conc, console)
    sections = [Section(
        "Who produces what: concentration of production (mine and refined stages)",
        "For each commodity in the starter data, its latest year: the largest producing countries "
        "with their share of world production, the Herfindahl–Hirschman index (HHI, 0–10,000) and "
        "the governance-weighted concentration HHI_WGI = Σ sᵢ²·WGIᵢ (shares as fractions, WGI rescaled "
        "to the EU 0–10 scale, 10 = worst). Sources per row in the warehouse 'production' table.",
        table=conc,
    )]
    for mod_name in AREA_SECTIONS:
        mod = import_area(mod_name)
        fn: Callable[..., list[Section]] | None = getattr(mod, "demo_sections", None)
        if fn is None:
            continue
        try:
            sections.extend(fn(path, console))
        except ModuleNotFoundError as e:  # an optional extra is not installed
            msg = f"{mod_name.removeprefix('reslog.cli.')} section skipped: {missing_extra_message(e)}"
            console.print(f"[yellow]{escape(msg)}[/yellow]")
            sections.append(Section(mod_name.removeprefix("reslog.cli.").title(), msg))
    sections.extend(scenario_demo_sections(path, console))
    with Warehouse.open(path, read_only=True) as wh:
        wm = world_map_section(wh, conc)  # world map of cobalt mine production (figures.world_map)
        if wm is not None:
            sections.insert(1, wm)
        sections.append(cobalt_sankey_section(wh, console))
        ledger = wh.ledger()
        counts = wh.counts()
    out = write_report(report, "reslog demo — mineral supply risk at a glance", sections, ledger)
    console.print(
        f"warehouse holds {counts['production']:,} production rows, {counts['mine_sites']:,} mines, "
        f"{counts['governance']:,} WGI rows, {counts['risk_events']:,} risk events, "
        f"{counts['ledger']:,} ledger entries"
    )
    console.print(f"report: {out}   ({time.perf_counter() - t0:.1f} s)")
    return out
