"""CLI for risk, criticality and shocks: ``reslog criticality``, ``reslog shock``, ``reslog profile``.

Commands open the warehouse, call the orchestrators of ``reslog.services`` (criticality, shock,
products; shared with the API and the dashboard) and print.
``demo_sections(db_path, console)`` contributes the criticality table and the Brazilian
tailings-dam case to ``reslog demo``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from reslog.cli.common import DbOption, open_warehouse, resolve_db
from reslog.errors import ReslogError
from reslog.services.criticality import criticality_frame, matrix_frame
from reslog.services.products import run_product_footprint
from reslog.services.shock import BRAZIL_CASE_MINE, run_shock

console = Console()

# The orchestration these commands share with the API and the dashboard (reading the warehouse,
# calling the model) lives in reslog.services (criticality, shock, products); commands only print.


def _print_df(df: pd.DataFrame, title: str, cols: list[str], fmt: dict[str, str] | None = None) -> None:
    fmt = fmt or {}
    t = Table(title=title)
    for c in cols:
        t.add_column(c, justify="left" if df[c].dtype == object else "right")
    for _, r in df.iterrows():
        t.add_row(*["—" if pd.isna(r[c]) else (format(r[c], fmt[c]) if c in fmt else str(r[c]))
                    for c in cols])
    console.print(t)


# ----------------------------------------------------------------------------- commands


def register(app: typer.Typer) -> None:
    """Add ``criticality``, ``shock`` and ``profile`` to the root app."""

    @app.command("criticality", help="EU-method supply risk (SR) and economic importance (EI) per "
                                     "material for a sourcing scope: computed where every input is "
                                     "cited, else the published EU 2023 value, labelled.")
    def criticality_cmd(
        year: Annotated[Optional[int], typer.Option("--year", help="One production year (default: each series' latest reported, non-estimated year).")] = None,
        years: Annotated[Optional[str], typer.Option("--years", help="Production window FIRST-LAST averaged, as the EU does (2016-2020 for the 2023 list).")] = None,
        scope: Annotated[str, typer.Option("--scope", help="Sourcing economy: EU or an ISO3 code (e.g. JPN).")] = "EU",
        output: Annotated[Optional[Path], typer.Option("--output", help="Write the table as CSV.")] = None,
        plot: Annotated[Optional[Path], typer.Option("--plot", help="Also write the SR vs EI matrix (.html, .png or .svg).")] = None,
        db: DbOption = None,
    ) -> None:
        from reslog.model.criticality import scope_members

        scope_members(scope)
        window = _parse_years(years)
        with open_warehouse(db, read_only=True) as wh:
            df = criticality_frame(wh, year, scope.upper(), window)
        print_criticality(df, scope.upper())
        if output is not None:
            output.parent.mkdir(parents=True, exist_ok=True)
            df.to_csv(output, index=False)
            console.print(f"written: {output}")
        if plot is not None:
            _write_matrix(df, plot)

    @app.command("shock", help="Supply cut from a mine (or event) for N months: lost tonnes, share of "
                               "world supply, and the consuming countries affected.")
    def shock_cmd(
        mine: Annotated[Optional[str], typer.Option("--mine", help="mine_id in mine_sites.")] = None,
        event: Annotated[Optional[str], typer.Option("--event", help="event_id in risk_events (uses its mine_id).")] = None,
        type_: Annotated[str, typer.Option("--type", help="Event type of the shock (taxonomy name).")] = "tailings_failure",
        months: Annotated[float, typer.Option("--months", help="Duration of the stoppage in months.")] = 12.0,
        annual_output: Annotated[Optional[float], typer.Option("--annual-output", help="Mine output in t/year (overrides mine_sites.capacity).")] = None,
        db: DbOption = None,
    ) -> None:
        from reslog.schema import is_event_type

        if not is_event_type(type_):
            raise ReslogError(f"--type '{type_}' is not a risk-event type of the taxonomy")
        with open_warehouse(db, read_only=True) as wh:
            if event is not None:
                ev = wh.query("SELECT mine_id FROM risk_events WHERE event_id = ?", [event])
                if ev.empty or pd.isna(ev["mine_id"].iloc[0]):
                    raise ReslogError(f"event '{event}' not found or not linked to a mine")
                mine = str(ev["mine_id"].iloc[0])
            if mine is None:
                raise ReslogError("give --mine MINE_ID or --event EVENT_ID")
            console.print(run_shock(wh, mine, months, annual_output).summary())

    @app.command("profile", help="Country risk profile: WGI dimensions and event history by type.")
    def profile_cmd(
        country: Annotated[str, typer.Option("--country", help="ISO3 code or name.")],
        year: Annotated[int, typer.Option("--year", help="Reference year.")] = 2023,
        window: Annotated[int, typer.Option("--window", help="Event window in years.")] = 10,
        db: DbOption = None,
    ) -> None:
        from reslog.model.profiles import country_profiles
        from reslog.schema import country_name, resolve_country

        iso = resolve_country(country)
        if iso is None:
            raise ReslogError(f"unknown country '{country}'")
        with open_warehouse(db, read_only=True) as wh:
            p = country_profiles(wh.query("SELECT * FROM governance"),
                                 wh.query("SELECT * FROM risk_events"), year, window=window,
                                 countries=[iso])
        r = p.loc[iso]
        console.print(f"[bold]{country_name(iso)} ({iso})[/bold], {year}, events {year - window + 1}–{year}")
        for k, v in r.items():
            console.print(f"  {k:<28} {v if not isinstance(v, float) else f'{v:.3f}'}")

    @app.command("criticality-matrix", help="SR vs EI matrix (EU thresholds SR ≥ 1, EI ≥ 2.8) as "
                                            "interactive offline HTML, PNG or SVG.")
    def matrix_cmd(
        output: Annotated[Path, typer.Option("--output", help="Output file: .html, .png or .svg.")],
        year: Annotated[Optional[int], typer.Option("--year", help="Production year (default: the latest reported, non-estimated year).")] = None,
        scope: Annotated[str, typer.Option("--scope", help="Sourcing economy: EU or an ISO3 code.")] = "EU",
        db: DbOption = None,
    ) -> None:
        crit = None
        path = resolve_db(db)
        if Path(path).exists():
            with open_warehouse(db, read_only=True) as wh:
                crit = criticality_frame(wh, year, scope.upper())
        _write_matrix(crit, output)

    register_products(app)


# ----------------------------------------------------------------------------- matrix and products


def _parse_years(spec: str | None) -> tuple[int, int] | None:
    if spec is None:
        return None
    try:
        a, _, b = spec.replace("–", "-").partition("-")
        lo, hi = int(a), int(b or a)
    except ValueError:
        raise ReslogError(f"--years: expected FIRST-LAST such as 2016-2020, got '{spec}'") from None
    if lo > hi:
        raise ReslogError(f"--years: first year {lo} is after last year {hi}")
    return lo, hi


def print_criticality(df: pd.DataFrame, scope: str) -> None:
    """Print the criticality table: every material with a value; computed vs published labelled."""
    shown = df[df["sr"].notna() | df["ei"].notna() | df["hhi_wgi_gs"].notna()]
    short = {"computed": "computed", "published EU 2023": "published"}
    disp = pd.DataFrame({
        "material": shown["material"], "stage": shown["stage"].str[:4], "years": shown["years"].str[:9],
        "HHI_WGI": shown["hhi_wgi_gs"], "+gap": shown["hhi_wgi_gs_gap"], "IR": shown["import_reliance"],
        "SR": shown["sr"], "SR is": [short.get(b, b) for b in shown["sr_basis"]],
        "SR pub.": shown["sr_published"], "EI": shown["ei"],
        "EI is": [short.get(b, b) for b in shown["ei_basis"]]})
    _print_df(disp, f"Criticality ({scope} scope): computed where all inputs are cited, else the "
              "published EU 2023 value", list(disp.columns),
              {"HHI_WGI": ".2f", "+gap": ".3f", "IR": ".2f", "SR": ".2f", "SR pub.": ".2f", "EI": ".2f"})
    lb = shown[shown["sr_lower_bound"]]
    if len(lb):
        console.print("lower bounds (ROW or producers without WGI left out; true SR ≤ SR + gap): "
                      + ", ".join(f"{r.material} +{r.sr_gap:.3f}" for r in lb.itertuples()))
    note = df.attrs.get("supply_note")
    if note:
        console.print(f"[dim]{note}[/dim]")
    miss = df[(df["missing_inputs"] != "") & df["hhi_wgi_gs"].notna()]
    if len(miss):
        console.print(f"[dim]{len(miss)} materials use a published value or none; missing inputs per "
                      "material in the CSV column 'missing_inputs' (--output).[/dim]")


def _write_matrix(crit: pd.DataFrame | None, path: Path) -> Path:
    from reslog.figures.criticality import write_matrix

    out = write_matrix(matrix_frame(crit), path)
    console.print(f"written: {out}")
    return out


def _footprint_table(fp: Any, top: int) -> Table:
    from reslog.schema import country_name

    cov, lacking = fp.coverage_tmr()
    cov_txt = (f"{100 * cov:.0f}% of estimated TMR" if cov == cov else
               f"coverage by TMR unknown: no TMR for {', '.join(lacking)}")
    bc = fp.by_country()
    t = Table(title=f"Telecoupled TMR per unit of {fp.product} by origin ({bc.attrs.get('basis', 'TMR')}; "
                    f"{cov_txt}; {100 * fp.coverage_mass:.0f}% of metal mass covered)")
    for c in ("origin", "kg metal", "kg TMR", "share"):
        t.add_column(c, justify="left" if c == "origin" else "right")
    for iso, r in bc.head(top).iterrows():
        name = "Other countries" if iso == "ROW" else f"{country_name(str(iso))} ({iso})"
        t.add_row(name, f"{r['kg_metal']:,.2f}", f"{r['kg_tmr']:,.1f}", f"{100 * r['share']:.1f}%")
    return t


def register_products(app: typer.Typer) -> None:
    """``reslog product footprint``, ``reslog exposure``, ``reslog criticality-matrix``."""
    product_app = typer.Typer(help="Product footprints (metal inventory × origin × TMR coefficients).")
    app.add_typer(product_app, name="product")

    @product_app.command("footprint", help="Telecoupled TMR / land disturbance by origin country per unit "
                                           "of a product (icev, bev, smartphone); prints country shares.")
    def footprint_cmd(
        product: Annotated[str, typer.Option("--product", help="Product: icev, bev or smartphone.")],
        country: Annotated[str, typer.Option("--country", help="Consuming country (ISO3).")] = "JPN",
        top: Annotated[int, typer.Option("--top", help="Rows to print.")] = 12,
        output: Annotated[Optional[Path], typer.Option("--output", help="Write metal × origin flows as CSV.")] = None,
        db: DbOption = None,
    ) -> None:
        from reslog.schema import resolve_country

        iso = resolve_country(country)
        if iso is None:
            raise ReslogError(f"unknown country '{country}'")
        wh = _open_optional(db)
        try:
            fp, notes = run_product_footprint(wh, product)
        finally:
            if wh is not None:
                wh.close()
        console.print(_footprint_table(fp, top))
        console.print(f"Consuming country {iso}: origin shares are world mine-production shares (trade "
                      "origin tracing not wired yet, so they are the same for every consumer).")
        for n in notes:
            console.print(f"  note: {n}")
        if output is not None:
            output.parent.mkdir(parents=True, exist_ok=True)
            fp.flows.to_csv(output, index=False)
            console.print(f"written: {output}")

    @app.command("exposure", help="Risk-weighted material exposure of a product (--product) by origin "
                                  "country and risk type; or of an MRIO sector (--sector --region).")
    def exposure_cmd(
        product: Annotated[Optional[str], typer.Option("--product", help="Product: icev, bev or smartphone.")] = None,
        country: Annotated[str, typer.Option("--country", help="Consuming country (ISO3).")] = "JPN",
        sector: Annotated[Optional[str], typer.Option("--sector", help="MRIO sector (with --region).")] = None,
        region: Annotated[Optional[str], typer.Option("--region", help="MRIO region of the final demand.")] = None,
        extension: Annotated[Optional[str], typer.Option("--extension", help="MRIO extension for --sector.")] = None,
        year: Annotated[int, typer.Option("--year", help="Reference year of the risk weights.")] = 2023,
        window: Annotated[int, typer.Option("--window", help="Event window (years).")] = 10,
        top: Annotated[int, typer.Option("--top", help="Rows to print.")] = 15,
        db: DbOption = None,
    ) -> None:
        from reslog.model.riskmap import country_risk_weights

        if product is None and sector is None:
            raise ReslogError("give --product P, or --sector S --region R")
        with open_warehouse(db, read_only=True) as wh:
            gov = wh.query("SELECT * FROM governance")
            ev = wh.query("SELECT * FROM risk_events")
            W = country_risk_weights(gov, ev, year, window=window)
            if product is not None:
                from reslog.model.product import calc_risk_exposure

                fp, notes = run_product_footprint(wh, product)
                ex = calc_risk_exposure(fp, W[["governance", "disruption", "combined"]])
                ex = ex[ex["country"] != "ROW"].dropna(subset=["exposure"])
                _print_df(ex.head(top), f"Risk-weighted metal exposure of one {product} ({country}), "
                          f"kg metal × weight", ["country", "risk_type", "quantity", "weight", "exposure"],
                          {"quantity": ",.2f", "weight": ".3f", "exposure": ",.3f"})
                for n in notes:
                    console.print(f"  note: {n}")
            else:
                _exposure_mrio(wh, W, sector, region, extension, top)


def _exposure_mrio(wh: Any, W: pd.DataFrame, sector: str | None, region: str | None,
                   extension: str | None, top: int) -> None:
    from reslog.model.io.mrio import MRIO
    from reslog.model.riskmap import region_sector_weights

    if sector is None or region is None:
        raise ReslogError("--sector needs --region")
    blocks = wh.query("SELECT * FROM io_blocks")
    if blocks.empty:
        raise ReslogError("the warehouse has no MRIO (io_blocks); ingest one with the IO commands first")
    mrio = MRIO.from_long(blocks)
    if not mrio.extensions:
        raise ReslogError("the MRIO has no satellite extension to weight")
    ext = extension or next(iter(mrio.extensions))
    regions = set(mrio.regions)
    region_of = {c: c for c in W.index if c in regions}
    weights = region_sector_weights(W[["governance", "disruption", "combined"]], region_of, mrio.labels)
    rf = mrio.risk_footprint({(region, sector): 1.0}, ext, weights)
    by = rf.by_region().sort_values("weighted", ascending=False).head(top)
    _print_df(by, f"Risk-weighted footprint of 1 unit of final demand for {region}/{sector} ({ext})",
              list(by.columns), {"weighted": ",.4g"})
    filled = weights.attrs.get("filled", [])
    if filled:
        regs = sorted({str(f["region"]) for f in filled})
        console.print(f"  note: {len(regs)} region(s) without country risk data use the world mean "
                      f"(activity-weighted): {', '.join(regs[:12])}{' …' if len(regs) > 12 else ''}")


def _open_optional(db: Any) -> Any | None:
    """Open the warehouse read-only if it exists; None otherwise (product data are packaged)."""
    from reslog.store.warehouse import Warehouse

    path = resolve_db(db)
    if not Path(path).exists():
        return None
    return Warehouse.open(path, read_only=True)


def criticality_section(crit: pd.DataFrame):  # -> Section
    """The demo's criticality table: one row per material, labelled computed/published, sources as a
    footnote."""
    from reslog.report.html import Section

    t = crit[crit["sr"].notna() | crit["ei"].notna()].copy()
    t["SR ± gap"] = [("—" if pd.isna(a) else f"{a:.2f}") + (f" (+{g:.3f})" if lb else "")
                     for a, g, lb in zip(t["sr"], t["sr_gap"], t["sr_lower_bound"])]
    table = t[["material", "stage", "years", "hhi_wgi_gs", "import_reliance", "SR ± gap", "sr_basis",
               "sr_published", "ei", "ei_basis"]].rename(columns={
        "hhi_wgi_gs": "HHI_WGI,t (GS)", "import_reliance": "IR", "sr_basis": "SR basis",
        "sr_published": "SR published", "ei": "EI", "ei_basis": "EI basis"})
    n_c = int(t["sr_basis"].str.startswith("computed").sum())
    comp = t[t["sr_basis"].str.startswith("computed")]
    diffs = ", ".join(f"{r.material} {r.sr_computed:.2f} vs {r.sr_published:.2f}" for r in comp.itertuples())
    return Section(
        "Criticality (EU CRM method)",
        "SR = [HHI_WGI,t(GS)·IR/2 + HHI_WGI,t(sourcing)·(1 − IR/2)]·(1 − EoL_RIR)·SI_SR (Blengini et al. "
        f"2017; EC 2023). {n_c} of {len(t)} materials have SR computed from cited inputs (world "
        "production at the stage the EU assessed, WGI, the EU trade parameters t, EoL-RIR and SI_SR), "
        f"shown beside the published value ({diffs}); the rest show the published EU 2023 SR, labelled. "
        "The EU used 2016–2020 production; the starter data hold 2024, which explains most of the "
        "differences. EI is published for every material: its inputs (end-use shares, NACE value "
        "added) are not available. '+gap' marks a lower bound (other countries or producers without "
        "WGI left out). See docs/criticality.md.",
        table=table,
        notes=["Sources: European Commission (2023) Study on the Critical Raw Materials for the EU 2023, "
               "doi:10.2873/725585 (SR, EI, EoL-RIR, SI, IR, t; via meyerdata/CritMAT @ 0bd8977); USGS "
               "Mineral Commodity Summaries 2026 (production); World Bank WGI 2024 update."])


def demo_sections(db_path: Path, console: Console) -> list:  # -> list[Section]
    """Criticality table and the Brazilian tailings-dam case for ``reslog demo``."""
    from reslog.report.html import Section

    sections = []
    from reslog.store.warehouse import Warehouse

    with Warehouse.open(resolve_db(db_path), read_only=True) as wh:
        crit = criticality_frame(wh, None, "EU")
        print_criticality(crit, "EU")
        sections.append(criticality_section(crit))
        try:
            rep = run_shock(wh, BRAZIL_CASE_MINE, 12.0)
            text = rep.summary()
            table = rep.consumers.reset_index().head(10)
        except ReslogError as e:
            text = (f"Brazilian tailings-dam case (mine '{BRAZIL_CASE_MINE}', 12 months): not run — {e}")
            table = None
        console.print(text)
        sections.append(Section("Shock: tailings-dam failure at a Brazilian iron-ore mine", text,
                                table=table))
        try:
            from reslog.figures.criticality import figure_html

            mf = matrix_frame(crit)
            sections.append(Section(
                "Criticality matrix (SR vs EI)",
                f"All {int((mf['sr'].notna() & mf['ei'].notna()).sum())} materials with both values: "
                "circles = SR computed from cited inputs, diamonds = SR as published in the EU 2023 "
                "assessment; EI is the published EU 2023 value (its inputs A_s, Q_s are not available). "
                "Thresholds SR ≥ 1, EI ≥ 2.8.",
                html=figure_html(mf, full_html=False, include_plotlyjs=False),
                notes=["Source: European Commission (2023), doi:10.2873/725585, via the CritMAT "
                       "transcription; production: starter data (USGS MCS 2026)."]))
        except Exception as e:  # noqa: BLE001 - the demo keeps going; the reason is shown
            console.print(f"criticality matrix not drawn: {e}")
        rows = []
        for prod in ("icev", "bev"):
            try:
                fp, _ = run_product_footprint(wh, prod)
            except ReslogError as e:
                console.print(f"product footprint {prod}: not run — {e}")
                continue
            bc = fp.by_country()
            rows.append(bc["share"].rename(prod))
            console.print(_footprint_table(fp, 6))
        if rows:
            tab = pd.concat(rows, axis=1).fillna(0.0).sort_values(rows[0].name, ascending=False)
            pct = 100 * tab
            try:
                from reslog.figures.footprint import footprint_bars_html
                from reslog.schema import country_name

                bars = footprint_bars_html(
                    pct, include_plotlyjs=False, unit="% of the car's estimated TMR",
                    labels={c: country_name(c) or c for c in pct.index},
                    title="Telecoupled material requirement by mining country: gasoline (icev) vs "
                          "battery-electric (bev) car")
            except Exception as e:  # noqa: BLE001 - the table still carries the numbers
                console.print(f"footprint bars not drawn: {e}")
                bars = ""
            sections.append(Section(
                "Product footprint: telecoupled TMR by origin, gasoline vs battery-electric car",
                "Shares of total material requirement (TMR: Halada/Ijima NIMS coefficients only; the "
                "rock-to-metal ratio of cobalt is a different quantity and is left out) per car by mining "
                "country; origin shares = world mine production. Coverage by TMR is unknown: aluminium "
                "(no bauxite origin) and, for the BEV, lithium, nickel, manganese and graphite have no "
                "cited TMR, so Australia and Indonesia are understated. See docs/products.md.",
                table=pct.head(12).round(1).reset_index().rename(columns={"index": "country"}),
                html=bars))
    return sections
