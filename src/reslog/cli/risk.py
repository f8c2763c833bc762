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

from reslog.cli.common import DbOption, open_warehouse, resolve_db
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


_UNIT_T = {"t": 1.0, "kt": 1e3, "Mt": 1e6, "kg": 1e-3}


def _scope_supply(wh: Any, scope: str, production: pd.DataFrame) -> tuple[dict, str]:
    """Sourcing shares and import reliance of ``scope`` per commodity × stage from BACI trade in
    the warehouse (metal content of each HS-6 line, packaged metal-content table), latest trade
    year. Returns ``({(commodity, stage): ScopeSupply}, note)``; empty when there is no trade."""
    from reslog.model.criticality import ScopeSupply, calc_import_reliance, calc_sourcing_shares, scope_members
    from reslog.model.trade.metal_content import metal_content_table

    n = wh.query("SELECT count(*) AS n FROM trade")["n"].iloc[0]
    if not n:
        return {}, "no BACI trade in the warehouse: sourcing and import reliance from trade not available"
    members = scope_members(scope)
    content = metal_content_table()
    content = content[content["stage"].isin(["mine", "refined"])]
    codes = ",".join(str(int(c)) for c in content["hs6"].unique())
    tr = wh.query(
        "SELECT t.t, t.k, t.q, ci.iso3 AS exporter, cj.iso3 AS importer FROM trade t "
        "LEFT JOIN (SELECT DISTINCT code, iso3 FROM trade_countries) ci ON ci.code = t.i "
        "LEFT JOIN (SELECT DISTINCT code, iso3 FROM trade_countries) cj ON cj.code = t.j "
        f"WHERE t.k IN ({codes}) AND t.q IS NOT NULL")
    if tr.empty:
        return {}, "no BACI trade in mineral HS codes: sourcing and import reliance not available"
    year = int(tr["t"].max())
    tr = tr[tr["t"] == year]
    frac = content.groupby(["hs6", "metal", "stage"])["fraction"].first().reset_index()
    frac["hs6"] = frac["hs6"].astype(int)
    tr["k"] = tr["k"].astype(int)
    tr = tr.merge(frac, left_on="k", right_on="hs6")
    tr["metal_t"] = tr["q"] * tr["fraction"]
    out = {}
    for (metal, stage), g in tr.groupby(["metal", "stage"]):
        imp = g[g["importer"].isin(members) & ~g["exporter"].isin(members)]
        exp = g[g["exporter"].isin(members) & ~g["importer"].isin(members)]
        if imp.empty:
            continue
        p = production[(production["commodity"] == metal) & (production["stage"] == stage)]
        p = p[p["country"].isin(members)].dropna(subset=["quantity"])
        dom = pd.Series(dtype=float)
        if len(p):
            p = p[p["year"] == p["year"].max()]
            mult = _UNIT_T.get(str(p["unit"].iloc[0]).split()[0])
            if mult is not None:
                dom = p.groupby("country")["quantity"].sum() * mult
        by_origin = imp.groupby("exporter")["metal_t"].sum()
        shares = calc_sourcing_shares(dom, by_origin, scope)
        ir = calc_import_reliance(float(by_origin.sum()), float(exp["metal_t"].sum()), float(dom.sum()))
        codes_used = sorted({int(k) for k in g["k"]})
        out[(metal, stage)] = ScopeSupply(shares, ir, f"BACI {year}, HS {codes_used}, metal content")
    return out, f"sourcing and import reliance from BACI {year} (metal content)"


def _criticality_frame(wh: Any, year: int | None, scope: str,
                       years: tuple[int, int] | None = None) -> pd.DataFrame:
    """One row per material: SR/EI computed where the inputs exist, else the published EU 2023
    value, labelled (``sr_basis``/``ei_basis``), with the missing inputs named."""
    from reslog.model.criticality import assess_scope, material_table
    from reslog.sources.crm import read_eu_crm_2023, read_eu_trade_factors

    # Without an explicit year: the latest *reported* year (USGS estimates only when asked for).
    from reslog.model.concentration import select_reported

    prod = wh.production()
    if year is None and years is None:
        prod = select_reported(prod)  # estimates only where a series has nothing else
    gov = wh.query("SELECT * FROM governance")
    if prod.empty:
        raise ReslogError("the warehouse has no production rows; run `reslog demo` or "
                          "`reslog ingest production FILE` first")
    if year is not None:
        years = (year, year)
    supply, note = _scope_supply(wh, scope, prod)
    stages = assess_scope(read_eu_crm_2023(), prod, gov, scope=scope,
                          trade_factors=read_eu_trade_factors(), years=years, supply=supply)
    out = material_table(stages)
    out.attrs["supply_note"] = note
    out.attrs["stages"] = stages
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


_T_MULT = {"t": 1.0, "kt": 1e3, "Mt": 1e6}


def capacity_t_per_year(value: object, unit: object, commodity: str) -> float | None:
    """Mine capacity in t/yr when ``unit`` is a tonnage per year of ``commodity`` or its ore
    ("t Cu/yr", "kt Li/yr", "Mt iron ore/yr"); None otherwise (per day, ounces, areas)."""
    if value is None or (isinstance(value, float) and value != value) or not unit:
        return None
    u = str(unit).strip()
    parts = u.split()
    if len(parts) < 2 or parts[0] not in _T_MULT or not u.endswith("/yr"):
        return None
    return float(value) * _T_MULT[parts[0]]


def _brazil_inputs(wh: Any, mine_id: str, annual_output: float | None) -> dict[str, Any]:
    """Collect what the shock model needs from the warehouse; raise naming what is missing."""
    mine = wh.query("SELECT * FROM mine_sites WHERE mine_id = ?", [mine_id])
    if mine.empty:
        raise ReslogError(f"mine '{mine_id}' is not in the warehouse table mine_sites")
    m = mine.iloc[0]
    commodity = str(m["commodities"]).split(";")[0]
    origin = str(m["country"])
    cap = annual_output if annual_output is not None else capacity_t_per_year(
        m.get("capacity"), m.get("capacity_unit"), commodity)
    missing = []
    if cap is None:
        stated = ("empty" if pd.isna(m.get("capacity")) else
                  f"{m.get('capacity'):g} {m.get('capacity_unit') or ''}, not t/yr")
        missing.append(f"the annual output of mine '{mine_id}' (mine_sites.capacity is {stated}; "
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
            df = _criticality_frame(wh, year, scope.upper(), window)
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
                crit = _criticality_frame(wh, year, scope.upper())
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


def matrix_frame(crit: pd.DataFrame | None = None) -> pd.DataFrame:
    """SR/EI points for the criticality matrix, one per material, with a ``basis`` label
    (computed / published EU 2023). Without a criticality table: the published EU 2023 values."""
    if crit is None or not len(crit):
        from reslog.sources.crm import read_eu_crm_2023

        eu = read_eu_crm_2023()
        eu = eu[eu["used_stage"]].drop_duplicates("material")
        return pd.DataFrame({"commodity": eu["material"], "sr": eu["sr"], "ei": eu["ei"],
                             "basis": "published EU 2023"}).reset_index(drop=True)
    d = crit[crit["sr"].notna() | crit["ei"].notna()]
    basis = [("SR computed" if str(a).startswith("computed") else f"SR {a}" if a else "SR unknown")
             + (f", EI {b}" if b else ", EI unknown") for a, b in zip(d["sr_basis"], d["ei_basis"])]
    return pd.DataFrame({"commodity": d["material"].to_numpy(), "sr": d["sr"].to_numpy(),
                         "ei": d["ei"].to_numpy(), "basis": basis})


def _write_matrix(crit: pd.DataFrame | None, path: Path) -> Path:
    from reslog.figures.criticality import write_matrix

    out = write_matrix(matrix_frame(crit), path)
    console.print(f"written: {out}")
    return out


def product_inputs(wh: Any | None, product: str) -> tuple[pd.Series, dict[str, pd.Series], pd.DataFrame, list[str]]:
    """Inventory (kg/unit), origin shares per metal, TMR table, notes — from packaged product data,
    the warehouse ``production`` table (if any) and the supplementary packaged mine production."""
    from reslog.errors import ModelInputError
    from reslog.model.product import calc_origin_shares
    from reslog.sources.products import (BATTERY_INTENSITY_FILE, read_battery_intensity, read_inventory, read_mine_production,
                                         read_products, read_tmr_coefficients, resolve_inventory)

    products = read_products()
    product = product.lower()
    if product not in products.index:
        raise ReslogError(f"unknown product '{product}'; known: {list(products.index)}")
    inv_raw = read_inventory()
    inv_raw = inv_raw[inv_raw["product"] == product]
    bi = None
    if (inv_raw["basis"] != "per_unit").any():
        # The cited rows of Busch et al. (2024) used by the inventory ship with the package
        # (data/products/battery_intensity.csv); tests check them against the original table.
        bi = read_battery_intensity(BATTERY_INTENSITY_FILE)
    inv = resolve_inventory(inv_raw, products, bi).set_index("metal")["kg_per_unit"]
    prod = wh.query("SELECT * FROM production") if wh is not None else pd.DataFrame()
    supp = read_mine_production()
    if len(prod):
        prod = prod[[c for c in supp.columns if c in prod.columns]]
        have = set(zip(prod.loc[prod["stage"] == "mine", "commodity"], prod.loc[prod["stage"] == "mine", "year"]))
        supp = supp[[(c, y) not in have for c, y in zip(supp["commodity"], supp["year"])]]
    allp = pd.concat([prod, supp], ignore_index=True) if len(prod) else supp
    shares, notes = {}, []
    for metal in inv.index:
        try:
            s = calc_origin_shares(allp, metal)
            shares[metal] = s
            notes.append(f"{metal}: mine production shares {s.attrs['year']} ({s.attrs['unit']})")
        except ModelInputError as e:
            notes.append(f"{metal}: no origin shares ({e})")
    return inv, shares, read_tmr_coefficients(), notes


def run_product_footprint(wh: Any | None, product: str):  # -> (ProductFootprint, notes)
    """Telecoupled TMR by origin country for one unit of ``product``."""
    from reslog.model.product import calc_product_footprint

    inv, shares, tmr, notes = product_inputs(wh, product)
    fp = calc_product_footprint(product, inv, shares, tmr)
    if fp.missing_tmr:
        notes.append("no cited TMR coefficient (left out of the TMR total): " + ", ".join(fp.missing_tmr))
    if fp.missing_origin:
        notes.append("no mine-production origin shares (left out): " + ", ".join(fp.missing_origin))
    return fp, notes


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


def run_case_shock(mine_id: str, months: float, annual_output: float | None = None, *,
                   base_year: int = 2018, production_year: int = 2017):  # -> ShockReport
    """Run a shock from a packaged, cited case (``reslog.sources.cases``), e.g. Brumadinho.

    Lost tonnes are allocated over Brazil's base-year iron-ore deliveries: exports by destination
    (stated tonnes, shares or y/y changes, :func:`reslog.sources.cases.calc_base_exports`) plus
    domestic use = production − exports.
    """
    from reslog.model.shock import analyse_shock, calc_destinations, calc_supply_cut
    from reslog.sources.cases import read_shock_case

    case = read_shock_case("brumadinho")
    if mine_id not in case.mines.index:
        raise ReslogError(f"mine '{mine_id}' is not in the packaged case (known: {list(case.mines.index)})")
    m = case.mines.loc[mine_id]
    out = float(annual_output) if annual_output is not None else float(m["annual_output_t"])
    origin, com = str(m["country"]), str(m["commodity"])
    country_t = case.production_t(origin, com, production_year)
    world_t = case.production_t("WLD", com, production_year)
    cut = calc_supply_cut(out, months, world_production=world_t, country_production=country_t,
                          origin=origin, commodity=com)
    exports, notes = case.base_exports(base_year)
    named = exports.drop(labels=["ROW"])
    dest = calc_destinations(country_t, exports, origin)
    rep = analyse_shock(cut, dest)
    rep.notes.append(f"Mine output {out / 1e6:.1f} Mt/y ({m['basis']}; {m['source'][:90]}…).")
    rep.notes.append(f"Production {production_year}: {origin} {country_t / 1e6:,.0f} Mt, world "
                     f"{world_t / 1e6:,.0f} Mt (case production.csv). Exports {base_year}: "
                     + "; ".join(notes) + ".")
    rep.notes.append(f"Domestic use = production {production_year} − exports {base_year} "
                     f"({dest.get(origin, 0.0) / 1e6:.1f} Mt); MYS is Vale's transhipment hub (ore "
                     "re-exported mostly to Asia); ROW = destinations not named by the source.")
    rep.notes.append(f"Named destinations cover {100 * named.sum() / exports.sum():.0f}% of {base_year} exports.")
    return rep


def run_shock(wh: Any, mine_id: str, months: float, annual_output: float | None = None):  # -> ShockReport
    """Run the shock model for ``mine_id``: warehouse inputs (mine_sites, production, BACI trade)
    when present, else the packaged cited case for that mine (:func:`run_case_shock`)."""
    from reslog.model.shock import analyse_shock, calc_supply_cut
    from reslog.sources.cases import read_shock_case

    try:
        inp = _brazil_inputs(wh, mine_id, annual_output)
        dest, uv, src = _destinations(wh, inp["origin"], inp["commodity"], inp["country_t"])
    except ReslogError as e:
        if mine_id in read_shock_case("brumadinho").mines.index:
            rep = run_case_shock(mine_id, months, annual_output)
            rep.notes.insert(0, f"Warehouse inputs incomplete ({e}); used the packaged cited case data.")
            return rep
        raise
    cut = calc_supply_cut(inp["annual_output"], months, world_production=inp["world_t"],
                          country_production=inp["country_t"], origin=inp["origin"],
                          commodity=inp["commodity"])
    rep = analyse_shock(cut, dest)
    rep.notes.append(f"Deliveries from {src}; production {inp['year']}.")
    return rep


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
        crit = _criticality_frame(wh, None, "EU")
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
