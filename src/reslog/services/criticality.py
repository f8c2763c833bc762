"""Criticality (EU CRM method) per commodity and the SR/EI matrix points.

:func:`criticality_frame` (the table ``reslog criticality`` prints), :func:`matrix_frame` (SR/EI
points) and :func:`criticality` (both, with provenance, for the API and the dashboard).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from reslog.errors import ReslogError

from reslog.services.provenance import Provenance, packaged_present, provenance
from reslog.store.warehouse import Warehouse


def criticality(wh: Warehouse, *, year: int | None = None, scope: str = "EU") -> tuple[pd.DataFrame, pd.DataFrame, Provenance]:
    """``(table, matrix points, provenance)`` for a sourcing ``scope`` (EU or ISO3).

    The table is :func:`reslog.model.criticality.criticality_table` on the warehouse production
    and governance (:func:`criticality_frame`, as ``reslog criticality``); matrix points use computed SR/EI where every input
    is cited, else the latest published EU values (``basis`` says which).
    """
    from reslog.model.criticality import scope_members

    scope_members(scope)
    table = criticality_frame(wh, year, scope.upper())
    points = matrix_frame(table)
    prod = wh.production(reported_only=year is None)
    keys = [c for c in ("commodity", "stage", "year") if c in table.columns and c in prod.columns]
    if len(table) and keys:
        prod = prod.merge(table[keys].drop_duplicates(), on=keys)
    gov = wh.query("SELECT ledger_id FROM governance")
    prov = provenance(wh, prod, gov, packaged_files=packaged_present(
        ("crm/*.csv", "European Commission CRM assessments: published SR, EI, EoL-RIR, SI and "
                      "trade parameters (cited per row)")),
        notes=["SR = [HHI_WGI(global)·IR/2 + HHI_WGI(sourcing)·(1 − IR/2)]·(1 − EoL_RIR)·SI_SR "
               "(Blengini et al. 2017); docs/criticality.md."])
    return table, points, prov


_UNIT_T = {"t": 1.0, "kt": 1e3, "Mt": 1e6, "kg": 1e-3}


def scope_supply(wh: Any, scope: str, production: pd.DataFrame) -> tuple[dict, str]:
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


def criticality_frame(wh: Any, year: int | None, scope: str,
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
    supply, note = scope_supply(wh, scope, prod)
    stages = assess_scope(read_eu_crm_2023(), prod, gov, scope=scope,
                          trade_factors=read_eu_trade_factors(), years=years, supply=supply)
    out = material_table(stages)
    out.attrs["supply_note"] = note
    out.attrs["stages"] = stages
    return out


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
