"""``reslog panel sdg``: the metals–SDG fixed-effects panel (docs/panel.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from reslog.cli.common import DbOption, open_warehouse

panel_app = typer.Typer(help="Metals–SDG panel regressions.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add ``reslog panel …``."""
    import reslog.store.scenario_tables  # noqa: F401

    app.add_typer(panel_app, name="panel")


@panel_app.command("sdg")
def sdg_cmd(db: DbOption = None,
            years: Annotated[str, typer.Option(help="Year range FROM-TO.")] = "1996-2012",
            q: Annotated[float, typer.Option(help="False-discovery rate for Benjamini–Hochberg.")] = 0.05,
            figure: Annotated[Optional[Path], typer.Option(help="Write the bar chart (HTML).")] = None,
            out: Annotated[Optional[Path], typer.Option(help="Write all regression rows (CSV).")] = None) -> None:
    """Regress SDG-related indicators on mined and imported metal input with country fixed
    effects and clustered errors; list the indicators that worsen after the BH correction."""
    from reslog.cli.scenario import console, print_frame
    from reslog.cli.trade import parse_years
    from reslog.jobs.scenario import run_panel_sdg

    y0, y1 = parse_years(years)
    with open_warehouse(db, read_only=True) as wh:
        run = run_panel_sdg(wh, (y0, y1), q)
    print_frame(run.coverage.drop(columns="country_list"), "Panel coverage")
    est = run.results[run.results.get("status") == "estimated"]
    cols = ["metal", "component", "indicator", "n_obs", "n_countries", "beta", "se", "p", "p_bh", "worsened"]
    print_frame(est[[c for c in cols if c in est]], "Fixed-effects estimates (clustered SE)", 80)
    print_frame(run.summary, "Indicators worsened per metal")
    for n in run.notes:
        console.print(f"  note: {n}")
    if out:
        run.results.to_csv(out, index=False)
    if figure:
        from reslog.figures.panel import worsened_bar_figure

        figure.parent.mkdir(parents=True, exist_ok=True)
        worsened_bar_figure(run.summary).write_html(str(figure), include_plotlyjs=True)
        console.print(f"figure: {figure}")
