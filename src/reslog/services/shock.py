"""Shock simulations: a mine stops, or a country's output of a commodity is cut, for N months.

The lost tonnes (:func:`reslog.model.shock.calc_supply_cut`) are allocated to the consuming
countries through the origin's deliveries (BACI exports by destination + domestic use,
:func:`reslog.model.shock.analyse_shock`). Without trade in the warehouse the cut itself is still
reported and the result says that consumers could not be allocated.

The orchestrators shared by ``reslog shock`` and the API live here: :func:`mine_inputs` (what the
model needs from the warehouse for a mine), :func:`destinations` (the origin's deliveries from BACI),
:func:`run_shock` (warehouse inputs, else the packaged cited case, :func:`run_case_shock`), and
:func:`mine_shock` / :func:`country_shock` (results with provenance for the API and dashboard).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from reslog.errors import ReslogError
from reslog.services.provenance import Provenance, packaged_present, provenance
from reslog.store.warehouse import Warehouse

# HS-6 codes whose BACI quantity (t) represents each commodity's first-stage trade.
SHOCK_HS: dict[str, tuple[int, ...]] = {
    "iron": (260111, 260112), "copper": (260300,), "nickel": (260400,), "cobalt": (260500,),
    "aluminium": (260600,), "bauxite": (260600,), "lead": (260700,), "zinc": (260800,),
    "tin": (260900,), "chromium": (261000,), "tungsten": (261100,), "manganese": (260200,),
}
BRAZIL_CASE_MINE = "bra-corrego-do-feijao"

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


def mine_inputs(wh: Any, mine_id: str, annual_output: float | None) -> dict[str, Any]:
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


def destinations(wh: Any, origin: str, commodity: str, production_t: float) -> tuple[pd.Series, float | None, str]:
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
        inp = mine_inputs(wh, mine_id, annual_output)
        dest, uv, src = destinations(wh, inp["origin"], inp["commodity"], inp["country_t"])
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


def _report_dict(rep: Any) -> dict[str, Any]:
    c = rep.cut
    consumers = rep.consumers.reset_index()
    consumers = consumers.rename(columns={consumers.columns[0]: "country"})
    out: dict[str, Any] = {
        "origin": c.origin, "commodity": c.commodity, "months": float(c.months),
        "lost_tonnes": float(c.tonnes), "share_world": float(c.share_world),
        "share_country": float(c.share_country), "consumers": consumers,
        "sectors": None, "notes": list(rep.notes), "summary": rep.summary()}
    if rep.sectors is not None and len(rep.sectors):
        out["sectors"] = rep.sectors.reset_index()
    return out


def _production_t(wh: Warehouse, commodity: str, country: str) -> tuple[int, float, float, pd.DataFrame]:
    """Latest year with mine production of ``commodity``: (year, world t, country t, rows used)."""
    prod = wh.query("SELECT country, year, quantity, unit, ledger_id FROM production WHERE commodity = ? AND "
                    "stage = 'mine' AND quantity IS NOT NULL AND NOT coalesce(estimated, false) "
                    "ORDER BY year DESC", [commodity])
    have = prod[prod["country"] == country]
    if have.empty:
        raise ReslogError(f"no reported mine production of {commodity} for {country} in the warehouse")
    yr = int(have["year"].max())
    p = prod[prod["year"] == yr]
    unit = str(p["unit"].iloc[0])
    mult = {"t": 1.0, "kt": 1e3, "Mt": 1e6}.get(unit.split()[0])
    if mult is None:
        raise ReslogError(f"production unit '{unit}' of {commodity} is not a tonnage")
    world = p.loc[p["country"] == "WLD", "quantity"]
    world_t = float(world.iloc[0] if len(world) else p.loc[p["country"] != "ROW", "quantity"].sum()) * mult
    country_t = float(p.loc[p["country"] == country, "quantity"].iloc[0]) * mult
    return yr, world_t, country_t, p


def _allocate(wh: Warehouse, cut: Any, country_t: float) -> Any:
    from reslog.model.shock import analyse_shock

    try:
        dest, _uv, src = destinations(wh, cut.origin, cut.commodity, country_t)
    except ReslogError as e:
        from reslog.model.shock import ShockReport

        return ShockReport(cut=cut, consumers=pd.DataFrame(columns=["lost_tonnes", "share"]),
                           notes=[f"Consumers not allocated: {e}"])
    rep = analyse_shock(cut, dest)
    rep.notes.append(f"Deliveries from {src}.")
    return rep


def mine_shock(wh: Warehouse, mine_id: str, months: float, *, annual_output: float | None = None) -> tuple[dict[str, Any], Provenance]:
    """A mine stops for ``months``: lost tonnes, share of world supply, consumers affected.

    As ``reslog shock --mine``: warehouse inputs (mine_sites, production, BACI) when present; the
    packaged cited case data for a case mine (Córrego do Feijão) otherwise.
    """
    from reslog.model.shock import calc_supply_cut

    mine = wh.query("SELECT * FROM mine_sites WHERE mine_id = ?", [mine_id])
    try:
        rep = run_shock(wh, mine_id, months, annual_output)
    except ReslogError as e:
        if "BACI" not in str(e) and "exports" not in str(e):
            raise
        inp = mine_inputs(wh, mine_id, annual_output)
        cut = calc_supply_cut(inp["annual_output"], months, world_production=inp["world_t"],
                              country_production=inp["country_t"], origin=inp["origin"],
                              commodity=inp["commodity"])
        rep = _allocate(wh, cut, inp["country_t"])
    out = _report_dict(rep)
    out["mine_id"] = mine_id
    prod = wh.query("SELECT ledger_id FROM production WHERE commodity = ? AND stage = 'mine'", [out["commodity"]])
    files = []
    if any("packaged cited case" in n for n in rep.notes) or mine.empty:
        files += packaged_present(("cases/brumadinho/*.csv", "Brumadinho case data, cited per row"))
    return out, provenance(wh, mine, prod, packaged_files=files)


def country_shock(wh: Warehouse, country: str, commodity: str, months: float, *,
                  fraction: float = 1.0) -> tuple[dict[str, Any], Provenance]:
    """A share ``fraction`` of ``country``'s mine output of ``commodity`` is lost for ``months``."""
    from reslog.model.shock import calc_supply_cut

    yr, world_t, country_t, rows = _production_t(wh, commodity, country)
    cut = calc_supply_cut(country_t * fraction, months, world_production=world_t,
                          country_production=country_t, origin=country, commodity=commodity)
    rep = _allocate(wh, cut, country_t)
    rep.notes.append(f"Mine production {yr}: {country} {country_t:,.0f} t, world {world_t:,.0f} t; "
                     f"{100 * fraction:g}% of {country}'s output lost.")
    out = _report_dict(rep)
    out["fraction"] = fraction
    out["production_year"] = yr
    return out, provenance(wh, rows)
