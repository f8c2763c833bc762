"""Shock simulations: a mine stops, or a country's output of a commodity is cut, for N months.

The lost tonnes (:func:`reslog.model.shock.calc_supply_cut`) are allocated to the consuming
countries through the origin's deliveries (BACI exports by destination + domestic use,
:func:`reslog.model.shock.analyse_shock`). Without trade in the warehouse the cut itself is still
reported and the result says that consumers could not be allocated.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from reslog.errors import ReslogError
from reslog.services.provenance import Provenance, packaged_present, provenance
from reslog.store.warehouse import Warehouse


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
    from reslog.cli.risk import _destinations
    from reslog.model.shock import analyse_shock

    try:
        dest, _uv, src = _destinations(wh, cut.origin, cut.commodity, country_t)
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
    from reslog.cli.risk import _brazil_inputs, run_shock
    from reslog.model.shock import calc_supply_cut

    mine = wh.query("SELECT * FROM mine_sites WHERE mine_id = ?", [mine_id])
    try:
        rep = run_shock(wh, mine_id, months, annual_output)
    except ReslogError as e:
        if "BACI" not in str(e) and "exports" not in str(e):
            raise
        inp = _brazil_inputs(wh, mine_id, annual_output)
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
