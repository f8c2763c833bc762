"""Report sections of the scenario, panel and fingerprint areas, for ``reslog demo`` (or any
report): ``scenario_sections(db_path)`` returns :class:`~reslog.report.html.Section` objects.

When ../shared/data is present the real inputs are ingested first (idempotent, one ledger
entry per file). A section whose inputs are missing says so instead of failing the report.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from reslog.errors import ReslogError
from reslog.report.html import Section


def _safe(title: str, fn: Callable[[], Section]) -> Section:
    try:
        return fn()
    except ReslogError as e:
        return Section(title, f"Not available: {e}")


def scenario_sections(db_path: str | Path, log: Callable[[str], None] = print,
                      load: bool = True) -> list[Section]:
    """Trade projections, low-carbon demand, metals–SDG panel and REE fingerprint sections."""
    from reslog.figures.fingerprint import embedding_figure
    from reslog.figures.panel import worsened_bar_figure
    from reslog.figures.scenario import demand_figure, to_html, trade_projection_figure
    from reslog.jobs import scenario as J
    from reslog.paths import shared_data_dir
    from reslog.store.warehouse import Warehouse

    shared = shared_data_dir()
    if load and shared is not None:
        with Warehouse.open(db_path) as wh:
            J.load_shared_inputs(wh, shared, log=lambda m: None)
        log("  scenario inputs ingested from ../shared/data (ledger entries)")
    js = {"first": True}

    def html(fig) -> str:
        out = to_html(fig, include_plotlyjs=js["first"])
        js["first"] = False
        return out

    sections: list[Section] = []
    with Warehouse.open(db_path, read_only=True) as wh:
        def trade() -> Section:
            run = J.run_trade(wh, with_gbm=False)
            tab = run.projection[run.projection["year"].isin([2030, 2050])].copy()
            tab["scenario"] = tab["scenario"].map(J.SCENARIO_LABELS).fillna(tab["scenario"])
            notes = list(run.notes)
            if len(run.skill):
                best = (run.skill.dropna(subset=["rmse_log"]).sort_values("rmse_log")
                        .groupby("group").head(1)[["group", "model", "rmse_log", "skill_vs_persistence"]])
                notes.append("best model per metal on held-out years: " + "; ".join(
                    f"{r.group}: {r.model} ({r.rmse_log:.2f})" for r in best.itertuples()))
            return Section("Trade to 2050 under climate scenarios (ridge on GHG, GDP, population)",
                           "World volume per seed product (sum over the importers fitted; median and 90 % "
                           "split-conformal interval) under a 2 °C-type and a high-emission path. The BACI "
                           "sample holds one year (2021) of South African and Afghan exports, so the fit is "
                           "cross-sectional and the intervals are wide; docs/scenario.md explains.",
                           table=tab, html=html(trade_projection_figure(run.projection, run.history,
                                                                        J.SCENARIO_LABELS)), notes=notes)

        def demand() -> Section:
            run = J.run_demand(wh)
            return Section("Metal demand of PV, wind and EV batteries (stock-flow) against supply",
                           "Primary (mined) demand after end-of-life recycling, against the latest reported "
                           "world mine production and reserves in the warehouse. Mass balance holds every "
                           f"year (max relative residual {run.balance['max_relative_residual'].max():.1e}).",
                           table=run.comparison, html=html(demand_figure(run.demand, run.comparison)))

        def panel() -> Section:
            run = J.run_panel_sdg(wh)
            return Section("Metals and SDG-related indicators (fixed-effects panel)",
                           "Country fixed effects, errors clustered by country, controls ln GDP, ln "
                           "population, ln primary energy and mean WGI; Benjamini–Hochberg correction.",
                           table=run.summary, html=html(worsened_bar_figure(run.summary)),
                           notes=run.notes + [f"coverage: {r.metal} {r.countries} countries, {r.years}"
                                              for r in run.coverage.itertuples()])

        def fingerprint() -> Section:
            run = J.run_fingerprint(wh)
            return Section("Rare-earth fingerprints of porphyry deposits (grouped cross-validation)",
                           "Chondrite-normalised REE features; folds grouped by deposit so that no deposit "
                           "is in both training and test. Compare accuracy with the majority baseline.",
                           table=run.summary, html=html(embedding_figure(run.embedding)), notes=run.notes)

        for title, fn in (("Trade to 2050", trade), ("Low-carbon demand", demand),
                          ("Metals–SDG panel", panel), ("REE fingerprints", fingerprint)):
            sections.append(_safe(title, fn))
            log(f"  section: {sections[-1].title}")
    return sections

