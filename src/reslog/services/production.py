"""Production and its concentration (HHI, governance-weighted HHI_WGI) by commodity."""

from __future__ import annotations

from typing import Any

import pandas as pd

from reslog.services.provenance import Provenance, provenance
from reslog.store.warehouse import Warehouse


def commodities(wh: Warehouse) -> pd.DataFrame:
    """Commodities with production rows: stages, year range, row count; code-list names (en, ja)."""
    return wh.query(
        "SELECT p.commodity, list(DISTINCT p.stage ORDER BY p.stage) AS stages, min(p.year) AS first_year, "
        "max(p.year) AS last_year, count(*) AS rows, any_value(c.symbol) AS symbol, "
        "any_value(c.name_ja) AS name_ja, any_value(c.eu_crm_2023) AS eu_crm_2023 "
        "FROM production p LEFT JOIN commodities c ON c.name = p.commodity "
        "GROUP BY p.commodity ORDER BY p.commodity")


def production_rows(wh: Warehouse, *, commodity: str | None = None, stage: str | None = None,
                    year: int | None = None, country: str | None = None,
                    reported_only: bool = False) -> pd.DataFrame:
    """Filtered rows of the canonical ``production`` table, with each row's ``ledger_id``."""
    where, params = [], []
    for col, val in (("commodity", commodity), ("stage", stage), ("year", year), ("country", country)):
        if val is not None:
            where.append(f"{col} = ?")
            params.append(val)
    if reported_only:
        where.append("NOT coalesce(estimated, false)")
    sql = "SELECT * FROM production" + (" WHERE " + " AND ".join(where) if where else "")
    return wh.query(sql + " ORDER BY commodity, stage, year, country", params)


def concentration(wh: Warehouse, *, commodity: str | None = None, stage: str | None = None,
                  year: int | None = None, reported_only: bool = True) -> tuple[pd.DataFrame, Provenance]:
    """Concentration per commodity × stage (``reslog.model.concentration.concentration_table``).

    ``year=None`` takes each commodity's latest year (reported, non-estimated unless
    ``reported_only=False``). Returns the table and the ledger entries of the production and
    governance rows it used.
    """
    from reslog.model.concentration import concentration_table

    prod = wh.production(reported_only=reported_only and year is None)
    if commodity is not None:
        prod = prod[prod["commodity"] == commodity]
    if stage is not None:
        prod = prod[prod["stage"] == stage]
    gov = wh.query("SELECT * FROM governance")
    if prod.empty:
        return pd.DataFrame(), provenance(wh)
    table = concentration_table(prod, gov, year)
    used = prod.merge(table[["commodity", "stage", "year"]], on=["commodity", "stage", "year"]) \
        if len(table) else prod.iloc[:0]
    wgi_years = set(table["wgi_year"].dropna().astype(int)) if "wgi_year" in table else set()
    gov_used = gov[gov["year"].isin(wgi_years)] if wgi_years else gov.iloc[:0]
    return table, provenance(wh, used, gov_used, notes=[
        "HHI over country shares of world production (0–10,000); HHI_WGI = Σ sᵢ²·WGIᵢ with WGI on "
        "the EU 0–10 scale (docs/criticality.md)."])


def shares(wh: Warehouse, commodity: str, *, stage: str = "mine", year: int | None = None) -> tuple[dict[str, Any], Provenance]:
    """Country shares of world production of one commodity/stage/year (default: latest reported)."""
    from reslog.model.concentration import calc_shares

    prod = production_rows(wh, commodity=commodity, stage=stage, reported_only=year is None)
    prod = prod[prod["quantity"].notna()]
    if year is None and len(prod):
        year = int(prod["year"].max())
    prod = prod[prod["year"] == year]
    if prod.empty:
        return {"commodity": commodity, "stage": stage, "year": year, "unit": None, "shares": []}, provenance(wh)
    agg = prod.groupby("country", as_index=False)["quantity"].sum(min_count=1)
    s = calc_shares(agg).sort_values(ascending=False)
    q = agg.set_index("country")["quantity"]
    rows = [{"country": str(c), "share_pct": float(v), "quantity": None if c not in q.index or pd.isna(q[c]) else float(q[c])}
            for c, v in s.items()]
    return ({"commodity": commodity, "stage": stage, "year": int(year), "unit": str(prod["unit"].iloc[0]),
             "shares": rows}, provenance(wh, prod))
