"""``reslog scenario``: load the real inputs, build scenario paths, project trade to 2050,
low-carbon metal demand. Commands call :mod:`reslog.jobs.scenario` and print; no analysis here.
Methods: docs/scenario.md."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from reslog.cli.common import DbOption, open_warehouse
from reslog.errors import ReslogError

console = Console(width=160) if not Console().is_terminal else Console()
scenario_app = typer.Typer(help="Trade projections under climate scenarios and low-carbon metal demand.",
                           no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add ``reslog scenario …``."""
    import reslog.store.scenario_tables  # noqa: F401

    app.add_typer(scenario_app, name="scenario")


def print_frame(df, title: str, max_rows: int = 40, floatfmt: str = "{:,.4g}") -> None:
    """Print a DataFrame as a Rich table."""
    t = Table(title=title)
    for c in df.columns:
        t.add_column(str(c), overflow="fold")
    for row in df.head(max_rows).itertuples(index=False):
        t.add_row(*[floatfmt.format(v) if isinstance(v, float) else str(v) for v in row])
    console.print(t)
    if len(df) > max_rows:
        console.print(f"  … {len(df) - max_rows} more rows")


def _products(text: Optional[str]) -> tuple[int, ...]:
    from reslog.jobs.scenario import SEED_PRODUCTS

    if not text:
        return SEED_PRODUCTS
    try:
        return tuple(int(x.strip()) for x in text.split(",") if x.strip())
    except ValueError:
        raise ReslogError(f"--products {text!r}: expected HS6 codes separated by commas, e.g. 847191,854219") from None


@scenario_app.command("load")
def load_cmd(db: DbOption = None,
             shared: Annotated[Optional[Path], typer.Option(help="Shared data folder (default ../shared/data).")] = None) -> None:
    """Ingest the real inputs (emissions, GDP, population, energy, SSP, WGI, metal production,
    BACI sample, USGS MCS, reference compositions, labelled REE) — one ledger entry per file."""
    from reslog.jobs.scenario import load_shared_inputs
    from reslog.paths import shared_data_dir

    folder = shared or shared_data_dir()
    if folder is None or not Path(folder).exists():
        raise ReslogError("no shared data folder found; pass --shared PATH or set RESLOG_SHARED_DATA")
    with open_warehouse(db) as wh:
        load_shared_inputs(wh, Path(folder), log=console.print)


@scenario_app.command("paths")
def paths_cmd(out: Annotated[Path, typer.Option(help="Where to write the scenario-path CSV.")] = Path("reslog-data/scenario_paths.csv"),
              db: DbOption = None) -> None:
    """Build GHG/GDP/population paths to 2050 (2 °C-type and high emission) and write them as the
    canonical scenario-path CSV (ingest it with `reslog ingest scenario-paths FILE`)."""
    from reslog.jobs.scenario import build_paths

    with open_warehouse(db, read_only=True) as wh:
        paths, dropped = build_paths(wh)
    out.parent.mkdir(parents=True, exist_ok=True)
    paths.to_csv(out, index=False)
    console.print(f"wrote {out}: {paths['country'].nunique()} countries × {paths['scenario'].nunique()} "
                  f"scenarios, {paths['year'].min()}–{paths['year'].max()}; {len(dropped)} countries lacked an input")


@scenario_app.command("trade")
def trade_cmd(
    db: DbOption = None,
    products: Annotated[Optional[str], typer.Option(help="HS6 codes, comma-separated (default: the seeds' ten).")] = None,
    paths: Annotated[Optional[Path], typer.Option(help="Scenario-path CSV (default: built from the warehouse).")] = None,
    ingested: Annotated[Optional[str], typer.Option(help="Use scenario paths ingested with `reslog ingest scenario-paths` (scenario names, comma-separated).")] = None,
    holdout: Annotated[int, typer.Option(help="Held-out recent years for the skill table.")] = 3,
    figure: Annotated[Optional[Path], typer.Option(help="Write the projection figure (HTML).")] = None,
    out: Annotated[Optional[Path], typer.Option(help="Write the projection table (CSV).")] = None,
    skill: Annotated[bool, typer.Option(help="Score skill on held-out years.")] = True,
) -> None:
    """Ridge projections of world trade volume per product to 2050 under two scenarios, with
    intervals, and the skill table against persistence and trend."""
    from reslog.jobs.scenario import SCENARIO_LABELS, run_trade
    from reslog.sources.scenarios import parse_scenario_paths

    from reslog.jobs.scenario import paths_from_warehouse

    p = parse_scenario_paths(paths) if paths else None
    with open_warehouse(db, read_only=True) as wh:
        if ingested:
            names = [x.strip() for x in ingested.split(",") if x.strip()]
            p = paths_from_warehouse(wh, names)
            if p.empty:
                raise ReslogError(f"--ingested {ingested!r}: no such scenario paths in the warehouse; "
                                  "ingest them with `reslog ingest scenario-paths FILE`")
        run = run_trade(wh, _products(products), p, holdout=holdout, skill=skill)
    cols = [c for c in ("product", "status", "n_rows", "n_countries", "years", "alpha", "cv",
                        "cv_rmse_log", "interval90_factor") if c in run.summary]
    print_frame(run.summary[cols], "Ridge fits per product")
    if len(run.projection):
        sel = run.projection[run.projection["year"].isin([2020, 2030, 2040, 2050])]
        print_frame(sel, "World volume (t): median and 90 % interval")
    if len(run.skill):
        print_frame(run.skill, "Skill on held-out years (log RMSE; skill = 1 − RMSE/RMSE_persistence)", 80)
    for n in run.notes:
        console.print(f"  note: {n}")
    if out:
        run.projection.to_csv(out, index=False)
        console.print(f"projection table: {out}")
    if figure and len(run.projection):
        from reslog.figures.scenario import trade_projection_figure

        figure.parent.mkdir(parents=True, exist_ok=True)
        trade_projection_figure(run.projection, run.history, SCENARIO_LABELS).write_html(
            str(figure), include_plotlyjs=True, include_mathjax=False)
        console.print(f"figure: {figure}")


@scenario_app.command("demand")
def demand_cmd(
    db: DbOption = None,
    deployment: Annotated[Optional[Path], typer.Option(help="Deployment CSV (default: shipped, cited).")] = None,
    figure: Annotated[Optional[Path], typer.Option(help="Write the demand figure (HTML).")] = None,
) -> None:
    """Stock-flow demand of PV, wind and EV batteries to 2050 against world production and reserves."""
    from reslog.jobs.scenario import run_demand

    with open_warehouse(db, read_only=True) as wh:
        run = run_demand(wh, deployment)
    print_frame(run.balance, "Mass balance, every year (max relative residual)")
    cols = ["commodity", "demand_2030_t", "demand_2050_t", "production_t", "reserves_t",
            "demand_2050_over_production", "cumulative_over_reserves", "year_demand_exceeds_production"]
    print_frame(run.comparison[cols], "Primary demand vs today's supply (t)")
    if figure:
        from reslog.figures.scenario import demand_figure

        figure.parent.mkdir(parents=True, exist_ok=True)
        demand_figure(run.demand, run.comparison).write_html(str(figure), include_plotlyjs=True)
        console.print(f"figure: {figure}")


def demo_sections(db_path: Path, console: Console):  # -> list[Section]
    """Report sections of the scenario, panel and fingerprint areas (for ``reslog demo``)."""
    from reslog.report.sections_scenario import scenario_sections

    return scenario_sections(db_path, log=console.print)
