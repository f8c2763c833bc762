"""Supplier exposure: what touches an organisation's suppliers, composed from library functions.

No new analysis here: concentration comes from :func:`reslog.model.concentration.concentration_table`
and :func:`~reslog.model.concentration.calc_shares`; event matching from
:func:`reslog.intel.text.alerts.calc_match_reasons` and :func:`~reslog.intel.text.alerts.calc_alerts`.
This module only shapes the inputs (supplier rows → watch-lists) and the JSON output.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import pandas as pd

from reslog.errors import ModelInputError
from reslog.intel.text.alerts import Supplier as AlertSupplier
from reslog.intel.text.alerts import Watchlist as AlertWatchlist
from reslog.intel.text.alerts import calc_alerts, calc_match_reasons
from reslog.model.concentration import ROW, WLD, calc_shares, concentration_table


def _json(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, (pd.Timestamp, datetime, date)):
        return None if pd.isna(v) else pd.Timestamp(v).isoformat()
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        try:
            return _json(v.item())
        except (ValueError, AttributeError):
            pass
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return v


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    if df is None or df.empty:
        return []
    return [{k: _json(v) for k, v in rec.items()} for rec in df.to_dict(orient="records")]


def _mine_keys(suppliers: Sequence[dict[str, Any]], mines: pd.DataFrame) -> dict[str, set[str]]:
    """Each supplier mine entry → the lower-cased names and ids it is known by in ``mine_sites``."""
    by_name: dict[str, set[str]] = {}
    if mines is not None and not mines.empty and {"mine_id", "name"} <= set(mines.columns):
        for mid, name in zip(mines["mine_id"], mines["name"]):
            keys = {str(mid).lower(), str(name).lower()}
            by_name.setdefault(str(name).lower(), set()).update(keys)
            by_name.setdefault(str(mid).lower(), set()).update(keys)
    out: dict[str, set[str]] = {}
    for s in suppliers:
        m = s.get("mine")
        if m:
            out[m] = by_name.get(str(m).lower(), {str(m).lower()})
    return out


def calc_supplier_exposure(*, suppliers: Sequence[dict[str, Any]], events: pd.DataFrame,
                           org_events: Sequence[dict[str, Any]], production: pd.DataFrame,
                           governance: pd.DataFrame, mines: pd.DataFrame) -> dict[str, Any]:
    """Exposure of a supplier list (see :func:`reslog.platform.items.supplier_exposure`).

    ``suppliers``: dicts with ``supplier``, ``country`` (ISO3), ``commodity``, ``mine``.
    ``events``: warehouse ``risk_events``; ``org_events``: visible organisation events (dicts).
    """
    countries = sorted({s["country"] for s in suppliers if s.get("country")})
    commodities = sorted({s["commodity"] for s in suppliers if s.get("commodity")})
    mine_keys = _mine_keys(suppliers, mines)
    all_mine_keys = frozenset(k for ks in mine_keys.values() for k in ks)

    # Events touching a supplier country or mine (the reasons say which).
    touch = AlertWatchlist(name="supplier countries and mines", countries=frozenset(countries),
                           mines=all_mine_keys)
    ev_records = _records(events) + [dict(e) for e in org_events]
    touching = []
    for ev in ev_records:
        reasons = calc_match_reasons(ev, touch)
        if reasons:
            touching.append({**ev, "reasons": reasons})
    touching.sort(key=lambda e: (-(e.get("severity") or 0.0), str(e.get("event_id"))))

    # Alerts: an event matching a supplier on all of its given fields.
    wl_sups = tuple(AlertSupplier(name=s["supplier"], country=s.get("country"),
                                  commodity=s.get("commodity"), mine=None) for s in suppliers)
    # A supplier mine may be known by name or id: one alert supplier per key.
    wl_sups += tuple(AlertSupplier(name=s["supplier"], country=s.get("country"),
                                   commodity=s.get("commodity"), mine=k)
                     for s in suppliers if s.get("mine") for k in sorted(mine_keys[s["mine"]]))
    alerts = calc_alerts(ev_records, [AlertWatchlist(name="suppliers", suppliers=wl_sups)])

    # Production concentration of the suppliers' commodities, and each supplier country's share.
    conc_rows: list[dict[str, Any]] = []
    shares: dict[tuple[str, str], list[dict[str, Any]]] = {}
    notes: list[str] = []
    prod = production if production is not None and not production.empty else pd.DataFrame()
    if not prod.empty and commodities:
        prod = prod[prod["commodity"].isin(commodities)]
    if not prod.empty:
        gov = governance if governance is not None and not governance.empty else pd.DataFrame(
            columns=["country", "year", "indicator", "estimate"])
        try:
            table = concentration_table(prod, gov)
        except ModelInputError as e:
            notes.append(f"concentration not computed: {e}")
            table = pd.DataFrame()
        conc_rows = _records(table)
        for rec in conc_rows:
            grp = prod[(prod["commodity"] == rec["commodity"]) & (prod["stage"] == rec["stage"])
                       & (pd.to_numeric(prod["year"]) == rec["year"])]
            try:
                sh = calc_shares(grp.groupby("country", as_index=False)["quantity"].sum(min_count=1))
            except ModelInputError as e:
                notes.append(f"shares of {rec['commodity']}/{rec['stage']}: {e}")
                continue
            for c in countries:
                if c in (ROW, WLD):
                    continue
                shares.setdefault((c, rec["commodity"]), []).append({
                    "stage": rec["stage"], "year": rec["year"],
                    "share_pct": _json(float(sh.get(c, 0.0))), "hhi": rec.get("hhi"),
                    "top_producers": rec.get("top_producers")})
    ledger_ids = sorted({int(v) for df in (events, production, governance)
                         if df is not None and not df.empty and "ledger_id" in df.columns
                         for v in df["ledger_id"].dropna().unique()})
    sup_out = []
    for s in suppliers:
        n_events = sum(1 for e in touching
                       if e.get("country") == s.get("country")
                       or (s.get("mine") and str(e.get("mine_id") or "").lower() in mine_keys[s["mine"]]))
        sup_out.append({**s, "production": shares.get((s.get("country"), s.get("commodity")), []),
                        "events": n_events,
                        "alerts": sum(1 for a in alerts if a.reasons and any(
                            r == f"supplier {s['supplier']}" for r in a.reasons))})
    return {"countries": countries, "commodities": commodities,
            "mines": sorted(mine_keys), "suppliers": sup_out, "concentration": conc_rows,
            "events": touching, "alerts": [a.to_record() for a in alerts], "notes": notes,
            "provenance": {"ledger_ids": ledger_ids}}
