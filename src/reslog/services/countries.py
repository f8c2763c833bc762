"""Country risk profiles: WGI dimensions, event history, combined risk, and what a country produces."""

from __future__ import annotations

from typing import Any

import pandas as pd

from reslog.services.provenance import Provenance, provenance
from reslog.store.warehouse import Warehouse


def profiles(wh: Warehouse, *, year: int, window: int = 10,
             countries: list[str] | None = None) -> tuple[pd.DataFrame, Provenance]:
    """:func:`reslog.model.profiles.country_profiles` with English/Japanese names added."""
    from reslog.model.profiles import country_profiles

    gov = wh.query("SELECT * FROM governance")
    ev = wh.query("SELECT * FROM risk_events")
    p = country_profiles(gov, ev, year, window=window, countries=countries)
    names = wh.query("SELECT iso3 AS country, name_en, name_ja FROM countries")
    p = p.reset_index().merge(names, on="country", how="left")
    lo = year - window + 1
    ev_used = ev[pd.to_datetime(ev["start_time"]).dt.year.between(lo, year)] if len(ev) else ev
    if countries is not None:
        ev_used = ev_used[ev_used["country"].isin(countries)]
        gov = gov[gov["country"].isin(countries)]
    return p, provenance(wh, gov, ev_used, notes=[
        "R = w_G·G + (1 − w_G)·E, G = WGI_EU/10, E = 1 − exp(−Σ severity·confidence/W) "
        "(docs/riskmap.md)."])


def country_detail(wh: Warehouse, iso3: str, *, year: int, window: int = 10) -> tuple[dict[str, Any], Provenance]:
    """One country's profile, its production shares (latest year per commodity × stage), mines."""
    from reslog.model.concentration import calc_shares

    prof, prov = profiles(wh, year=year, window=window, countries=[iso3])
    prod = wh.production(reported_only=True)
    prod = prod[prod["quantity"].notna()]
    produced = []
    used = []
    for (com, stage), grp in prod.groupby(["commodity", "stage"]):
        if iso3 not in set(grp["country"]):
            continue
        yr = int(grp[grp["country"] == iso3]["year"].max())
        g = grp[grp["year"] == yr]
        try:
            s = calc_shares(g.groupby("country", as_index=False)["quantity"].sum(min_count=1))
        except Exception:  # noqa: BLE001 - withheld/zero world totals: no share to report
            continue
        if iso3 in s.index:
            row = g[g["country"] == iso3].iloc[0]
            produced.append({"commodity": com, "stage": stage, "year": yr, "quantity": float(row["quantity"]),
                             "unit": row["unit"], "share_world_pct": float(s[iso3]), "rank": int((s > s[iso3]).sum()) + 1})
            used.append(g)
    mines = wh.query("SELECT mine_id, name, commodities, type, status, lat, lon, ledger_id FROM mine_sites "
                     "WHERE country = ? ORDER BY name", [iso3])
    extra = provenance(wh, *used, mines)
    prov.ledger = sorted({e["ledger_id"]: e for e in prov.ledger + extra.ledger}.values(), key=lambda e: e["ledger_id"])
    produced.sort(key=lambda r: -r["share_world_pct"])
    return {"profile": prof.iloc[0].to_dict() if len(prof) else None, "production": produced,
            "mines": mines.drop(columns=["ledger_id"]).to_dict(orient="records")}, prov
