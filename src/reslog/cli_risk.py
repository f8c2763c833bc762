"""CLI for risk, criticality and shocks: ``reslog criticality``, ``reslog shock``, ``reslog profile``.

Commands read frames from the warehouse, call the pure functions in ``reslog.model`` and print.
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

from reslog.cli_common import DbOption, open_warehouse, resolve_db
from reslog.errors import ReslogError

console = Console()

# HS-6 codes whose BACI quantity (t) represents each commodity's first-stage trade.
SHOCK_HS: dict[str, tuple[int, ...]] = {
    "iron": (260111, 260112), "copper": (260300,), "nickel": (260400,), "cobalt": (260500,),
    "aluminium": (260600,), "bauxite": (260600,), "lead": (260700,), "zinc": (260800,),
    "tin": (260900,), "chromium": (261000,), "tungsten": (261100,), "manganese": (260200,),
}
BRAZIL_CASE_MINE = "bra-corrego-do-feijao"


# ----------------------------------------------------------------------------- data access


def _criticality_frame(wh: Any, year: int | None, scope: str) -> pd.DataFrame:
    from reslog.model.concentration import concentration_table
    from reslog.model.criticality import criticality_table
    from reslog.sources.crm import crm_parameters_wide, read_crm_published

    prod = wh.query("SELECT * FROM production")
    gov = wh.query("SELECT * FROM governance")
    if prod.empty:
        raise ReslogError("the warehouse has no production rows; run `reslog demo` or "
                          "`reslog data ingest production FILE` first")
    conc = concentration_table(prod, gov, year)
    if conc.empty:
        raise ReslogError(f"no production data for year {year}")
    published = read_crm_published()
    params = crm_parameters_wide(published, 2023)
    out = criticality_table(conc, params, scope=scope)
    pub_any = published[published["parameter"] == "sr"].sort_values("assessment").drop_duplicates(
        "commodity", keep="last")
    out = out.merge(pub_any[["commodity", "assessment", "value"]].rename(
        columns={"assessment": "sr_published_assessment", "value": "sr_published_latest"}),
        on="commodity", how="left")
    return out


def _print_df(df: pd.DataFrame, title: str, cols: list[str], fmt: dict[str, str] | None = None) -> None:
    fmt = fmt or {}
    t = Table(title=title)
    for c in cols:
        t.add_column(c, justify="left" if df[c].dtype == object else "right")
    for _, r in df.iterrows():
        t.add_row(*["—" if pd.isna(r[c]) else (format(r[c], fmt[c]) if c in fmt else str(r[c]))
                    for c in cols])
    console.print(t)


def _brazil_inputs(wh: Any, mine_id: str, annual_output: float | None) -> dict[str, Any]:
    """Collect what the shock model needs from the warehouse; raise naming what is missing."""
    from reslog.model.shock import parse_capacity

    mine = wh.query("SELECT * FROM mine_sites WHERE mine_id = ?", [mine_id])
    if mine.empty:
        raise ReslogError(f"mine '{mine_id}' is not in the warehouse table mine_sites")
    m = mine.iloc[0]
    commodity = str(m["commodities"]).split(";")[0]
    origin = str(m["country"])
    cap = annual_output if annual_output is not None else parse_capacity(m.get("capacity"))
    missing = []
    if cap is None:
        missing.append(f"the annual output of mine '{mine_id}' (mine_sites.capacity is empty; "
                       "pass --annual-output TONNES)")
    prod = wh.query("SELECT country, year, quantity, unit FROM production WHERE commodity = ? AND "
                    "stage = 'mine' AND quantity IS NOT NULL ORDER BY year DESC", [commodity])
    if prod.empty:
        missing.append(f"mine production of {commodity} (production table, stage 'mine')")
    if missing:
        raise ReslogError("cannot run the shock: missing " + "; ".join(missing))
    yr = int(prod["year"].max())
    p = prod[prod["year"] == yr]
    unit = str(p["unit"].iloc[0])
    mult = {"t": 1.0, "kt": 1e3, "Mt": 1e6}.get(unit.split()[0], None)
    if mult is None:
        raise ReslogError(f"production unit '{unit}' of {commodity} is not a tonnage")
    world = p.loc[p["country"] == "WLD", "quantity"]
    world_t = float(world.iloc[0] if len(world) else p.loc[p["country"] != "ROW", "quantity"].sum()) * mult
    country = p.loc[p["country"] == origin, "quantity"]
    if country.empty:
        raise ReslogError(f"no {yr} mine production of {commodity} for {origin}")
    return {"commodity": commodity, "origin": origin, "annual_output": float(cap), "year": yr,
            "world_t": world_t, "country_t": float(country.iloc[0]) * mult, "mine": m}


def _destinations(wh: Any, origin: str, commodity: str, production_t: float) -> tuple[pd.Series, float | None, str]:
    """Deliveries of the origin by destination (t) from BACI trade, with the export unit value."""
    from reslog.model.shock import calc_destinations
    from reslog.schema import resolve_country

    codes = SHOCK_HS.get(commodity)
    if not codes:
        raise ReslogError(f"no HS codes known for {commodity} shocks")
    tr = wh.query(
        "SELECT t.t, t.j, t.k, t.v, t.q, c.iso3 FROM trade t LEFT JOIN trade_countries c ON c.code = t.j "
        f"WHERE t.k IN ({','.join(str(c) for c in codes)})")
    if tr.empty:
        raise ReslogError(f"the warehouse has no BACI trade for HS {codes}; ingest BACI "
                          "(`reslog data fetch baci`) to trace who consumes the lost tonnes")
    ex_codes = [n for n in range(1, 1000) if resolve_country(n) == origin]
    tr = tr[tr["j"].notna()]
    exp = wh.query(
        f"SELECT t.j, t.v, t.q, t.t FROM trade t WHERE t.k IN ({','.join(str(c) for c in codes)}) "
        f"AND t.i IN ({','.join(str(c) for c in ex_codes) or '-1'})")
    if exp.empty:
        raise ReslogError(f"no exports of HS {codes} by {origin} in the warehouse trade table")
    yr = int(exp["t"].max())
    exp = exp[exp["t"] == yr]
    exp["iso3"] = exp["j"].map(lambda c: resolve_country(int(c)))
    by_dest = exp.dropna(subset=["iso3", "q"]).groupby("iso3")["q"].sum()
    uv = float(exp["v"].sum() / exp["q"].sum()) / 1e3 if exp["q"].sum() > 0 else None  # MUSD per t
    return calc_destinations(production_t, by_dest, origin), uv, f"BACI {yr}, HS {codes}"


# ----------------------------------------------------------------------------- commands


def register(app: typer.Typer) -> None:
    """Add ``criticality``, ``shock`` and ``profile`` to the root app."""

    @app.command("criticality", help="EU-method supply risk and economic importance per commodity "
                                     "(HHI, HHI_WGI, import reliance, SR, EI) for a sourcing scope.")
    def criticality_cmd(
        year: Annotated[Optional[int], typer.Option("--year", help="Production year (default: latest).")] = None,
        scope: Annotated[str, typer.Option("--scope", help="Sourcing economy: EU or an ISO3 code.")] = "EU",
        output: Annotated[Optional[Path], typer.Option("--output", help="Write the table as CSV.")] = None,
        db: DbOption = None,
    ) -> None:
        from reslog.model.criticality import scope_members

        scope_members(scope)
        with open_warehouse(db, read_only=True) as wh:
            df = _criticality_frame(wh, year, scope.upper())
        cols = ["commodity", "hhi", "hhi_wgi", "import_reliance", "sr", "ei"]
        _print_df(df, f"Criticality ({scope.upper()} scope)", cols + ["sr_upper"],
                  {"hhi": ",.0f", "hhi_wgi": ".2f", "import_reliance": ".2f", "sr": ".2f", "ei": ".2f",
                   "sr_upper": ".2f"})
        if output is not None:
            output.parent.mkdir(parents=True, exist_ok=True)
            rest = [c for c in df.columns if c not in cols]
            df[cols + rest].to_csv(output, index=False)
            console.print(f"written: {output}")

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


def run_shock(wh: Any, mine_id: str, months: float, annual_output: float | None = None):  # -> ShockReport
    """Read the inputs for ``mine_id`` from the warehouse and run the shock model."""
    from reslog.model.shock import analyse_shock, calc_supply_cut

    inp = _brazil_inputs(wh, mine_id, annual_output)
    cut = calc_supply_cut(inp["annual_output"], months, world_production=inp["world_t"],
                          country_production=inp["country_t"], origin=inp["origin"],
                          commodity=inp["commodity"])
    dest, uv, src = _destinations(wh, inp["origin"], inp["commodity"], inp["country_t"])
    rep = analyse_shock(cut, dest)
    rep.notes.append(f"Deliveries from {src}; production {inp['year']}.")
    return rep


def demo_sections(db_path: Path, console: Console) -> list:  # -> list[Section]
    """Criticality table and the Brazilian tailings-dam case for ``reslog demo``."""
    from reslog.report.html import Section

    sections = []
    from reslog.store.warehouse import Warehouse

    with Warehouse.open(resolve_db(db_path), read_only=True) as wh:
        crit = _criticality_frame(wh, None, "EU")
        cols = ["commodity", "stage", "year", "hhi", "hhi_wgi", "import_reliance", "sr", "sr_upper",
                "ei", "sr_published_latest", "sr_published_assessment"]
        t = Table(title="Criticality (EU method), latest year")
        for c in ("commodity", "HHI", "HHI_WGI", "SR", "SR upper", "EI"):
            t.add_column(c)
        for r in crit.itertuples():
            t.add_row(r.commodity, f"{r.hhi:,.0f}", f"{r.hhi_wgi:.2f}",
                      "—" if pd.isna(r.sr) else f"{r.sr:.2f}", f"{r.sr_upper:.2f}",
                      "—" if pd.isna(r.ei) else f"{r.ei:.2f}")
        console.print(t)
        sections.append(Section(
            "Criticality (EU CRM method)",
            "Supply risk SR = [HHI_WGI(global)·IR/2 + HHI_WGI(sourcing)·(1 − IR/2)]·(1 − EoL_RIR)·SI_SR "
            "(Blengini et al. 2017). SR is shown only where EoL-RIR and SI_SR could be cited; "
            "'sr_upper' is the worst case EoL_RIR = 0, SI_SR = 1 with the sourcing assumed equal to "
            "the world production mix. See docs/criticality.md.",
            table=crit[cols]))
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
    return sections
