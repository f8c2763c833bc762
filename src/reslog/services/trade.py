"""Trade origin tracing (Kastner et al. 2011, multi-stage) and Sankey links, from the warehouse."""

from __future__ import annotations

from typing import Any

import pandas as pd

from reslog.services.provenance import Provenance, packaged_present, provenance
from reslog.store.warehouse import Warehouse


def metals() -> list[str]:
    """Metals with HS metal-content data (those that can be traced)."""
    from reslog.model.trade.metal_content import METALS

    return sorted(METALS)


def trade_years(wh: Warehouse) -> list[int]:
    """Years with bilateral trade in the warehouse."""
    return [int(x) for x in wh.query("SELECT DISTINCT t FROM trade ORDER BY t")["t"]]


def _prov(wh: Warehouse, metal: str, year: int, notes: list[str]) -> Provenance:
    prod = wh.query("SELECT ledger_id FROM production WHERE commodity = ? AND year = ?", [metal, year])
    tr = wh.query("SELECT DISTINCT ledger_id FROM trade WHERE t = ?", [year])
    try:
        tc = wh.query("SELECT DISTINCT ledger_id FROM trade_clean WHERE t = ?", [year])
    except Exception:  # noqa: BLE001 - table absent in an old warehouse
        tc = None
    return provenance(wh, prod, tr, tc, packaged_files=packaged_present(
        ("metal_content.csv", "metal content of HS codes (docs/trade.md)")), notes=notes)


def trace(wh: Warehouse, metal: str, year: int, *, consumer: str | None = None, hs: str | None = None,
          raw: bool = False, bound: str = "fraction") -> tuple[dict[str, Any], Provenance]:
    """Consumption of ``metal`` in ``year`` by consuming country and mining origin (t).

    Orchestration as ``reslog trade trace``: :func:`reslog.cli.trade.load_chain` reads production
    and (cleaned) BACI trade, :func:`reslog.model.trade.tracing.trace_chain` traces them.
    """
    from reslog.cli.trade import load_chain
    from reslog.model.trade.tracing import consumer_origins, trace_chain

    data = load_chain(wh, metal, year, hs, raw, bound)
    res = trace_chain(data.stages)
    table = consumer_origins(res, consumer)[["consumer", "origin", "quantity_t", "share"]]
    notes = data.notes + res.notes
    out = {"metal": metal, "year": year, "hs_revision": data.revision, "quantity_source": data.quantity_source,
           "stages": res.stages, "world_production_t": float(res.world_production),
           "losses_t": float(res.losses["quantity_t"].sum()) if len(res.losses) else 0.0,
           "flows": table.sort_values("quantity_t", ascending=False), "notes": notes}
    return out, _prov(wh, metal, year, notes)


def sankey(wh: Warehouse, metal: str, year: int, *, top: int = 12, hs: str | None = None,
           raw: bool = False) -> tuple[dict[str, Any], Provenance]:
    """Sankey links mine country → refining country → consuming country (t of metal)."""
    from reslog.cli.trade import load_chain
    from reslog.model.trade.sankey import calc_sankey_links
    from reslog.model.trade.tracing import trace_chain

    data = load_chain(wh, metal, year, hs, raw, "fraction")
    res = trace_chain(data.stages)
    links: pd.DataFrame = calc_sankey_links(res, top=top)
    notes = data.notes + res.notes
    return ({"metal": metal, "year": year, "hs_revision": data.revision, "stages": res.stages,
             "links": links, "total_t": float(links["quantity_t"].sum()) if len(links) else 0.0,
             "notes": notes}, _prov(wh, metal, year, notes))
