"""Trade origin tracing (Kastner et al. 2011, multi-stage) and Sankey links, from the warehouse."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from reslog.errors import ReslogError
from reslog.schema import resolve_country
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

    Orchestration as ``reslog trade trace``: :func:`load_chain` reads production
    and (cleaned) BACI trade, :func:`reslog.model.trade.tracing.trace_chain` traces them.
    """
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
    from reslog.model.trade.sankey import calc_sankey_links
    from reslog.model.trade.tracing import trace_chain

    data = load_chain(wh, metal, year, hs, raw, "fraction")
    res = trace_chain(data.stages)
    links: pd.DataFrame = calc_sankey_links(res, top=top)
    notes = data.notes + res.notes
    return ({"metal": metal, "year": year, "hs_revision": data.revision, "stages": res.stages,
             "links": links, "total_t": float(links["quantity_t"].sum()) if len(links) else 0.0,
             "notes": notes}, _prov(wh, metal, year, notes))


_UNIT_SCALE = {"t": 1.0, "kt": 1e3, "mt": 1e6, "kg": 1e-3, "g": 1e-6,
               "metric tons": 1.0, "metric ton": 1.0, "tonnes": 1.0, "tons": 1.0,
               "thousand metric tons": 1e3, "kilograms": 1e-3}


class TradeDataMissing(ReslogError):
    """The warehouse lacks the production or trade needed for a command."""


def to_tonnes(quantity: pd.Series, unit: pd.Series) -> pd.Series:
    """Convert production quantities to tonnes from units like ``t Co``, ``kt Mn``, ``kg``."""
    out = []
    for q, u in zip(quantity, unit):
        scale = str(u).strip().split(" ")[0].lower() if str(u).strip() else ""
        full = str(u).strip().lower()
        f = _UNIT_SCALE.get(full, _UNIT_SCALE.get(scale))
        if f is None:
            raise ReslogError(f"production unit {u!r} is not understood (expected t, kt or kg "
                              "with an optional content basis, e.g. 't Co')")
        out.append(float(q) * f if pd.notna(q) else np.nan)
    return pd.Series(out, index=quantity.index)


def distinct_years(wh: Warehouse, sql: str, params: list) -> list[int]:
    """The first column of ``sql`` as a list of years."""
    return [int(x) for x in wh.query(sql, params).iloc[:, 0].tolist()]


def country_map(wh: Warehouse) -> dict[int, str]:
    """BACI numeric code → ISO3 (newest release first; reslog.schema as fallback)."""
    df = wh.query("SELECT code, iso3, release FROM trade_countries ORDER BY release DESC")
    out: dict[int, str] = {}
    for code, iso3 in zip(df["code"], df["iso3"]):
        if int(code) not in out and isinstance(iso3, str) and iso3.strip():
            out[int(code)] = iso3.strip()
    return out


def label_countries(codes: pd.Series, cmap: dict[int, str]) -> tuple[pd.Series, list[int]]:
    """ISO3 labels for BACI codes (``BACI<code>`` when unknown) and the unknown codes."""
    uniq = pd.unique(codes)
    lab, unknown = {}, []
    for c in uniq:
        iso = cmap.get(int(c)) or resolve_country(int(c))
        if iso is None:
            unknown.append(int(c))
            iso = f"BACI{int(c)}"
        lab[c] = iso
    return codes.map(lab), unknown


@dataclass
class ChainData:
    """What ``trace`` and ``sankey`` load from the warehouse for one metal and year."""

    metal: str
    year: int
    revision: str
    quantity_source: str
    stages: list
    notes: list[str]


def load_chain(wh, metal: str, year: int, hs: str | None = None, raw: bool = False,
               bound: str = "fraction") -> ChainData:
    """Read production and trade for ``metal``/``year`` and build the stage inputs."""
    from reslog.model.trade.embodied import aggregate_flows, calc_embodied_flows
    from reslog.model.trade.metal_content import metal_content_table, normalize_revision
    from reslog.model.trade.stages import STAGES, stage_codes
    from reslog.model.trade.tracing import StageInput

    notes: list[str] = []
    prod = wh.query("SELECT country, stage, quantity, unit FROM production WHERE commodity = ? "
                    "AND year = ?", [metal, year])
    mine = prod[prod["stage"] == "mine"]
    if mine.empty or mine["quantity"].notna().sum() == 0:
        have = distinct_years(wh, "SELECT DISTINCT year FROM production WHERE commodity = ? AND "
                      "stage = 'mine' ORDER BY year", [metal])
        raise TradeDataMissing(
            f"the warehouse has no mine production of {metal} for {year}; "
            + (f"years with {metal} mine production: {', '.join(map(str, have))}" if have else
               f"it has no {metal} mine production at all (ingest a USGS MCS table: "
               "reslog ingest usgs FILE)"))
    revs = wh.query("SELECT DISTINCT hs_revision FROM trade WHERE t = ?", [year])["hs_revision"]
    if revs.empty:
        have = distinct_years(wh, "SELECT DISTINCT t FROM trade ORDER BY t", [])
        raise TradeDataMissing(
            f"the warehouse has no trade for {year}; "
            + (f"years with trade: {', '.join(map(str, have))}" if have else
               "it has no trade at all (ingest BACI: reslog ingest baci FOLDER)"))
    from reslog.model.trade.metal_content import REVISIONS

    available = sorted((normalize_revision(r) for r in revs), key=REVISIONS.index)
    rev = normalize_revision(hs) if hs else available[-1]
    if rev not in available:
        raise TradeDataMissing(f"no {rev} trade for {year}; available: {', '.join(available)}")
    rev_db = next(r for r in revs if normalize_revision(r) == rev)
    codes = stage_codes(metal, rev)
    all_codes = sorted({int(c) for cs in codes.values() for c in cs})
    qsrc = "q"
    clean_n = 0
    if not raw:
        try:
            clean_n = int(wh.query("SELECT count(*) FROM trade_clean WHERE t = ? AND hs_revision = ?",
                                   [year, rev_db]).iloc[0, 0])
        except Exception:  # table not created yet
            clean_n = 0
    if all_codes:
        klist = ", ".join(str(k) for k in all_codes)
        if clean_n:
            qsrc = "q_clean"
            trade = wh.query(f"SELECT t, i, j, k, q_clean FROM trade_clean WHERE t = ? AND "
                             f"hs_revision = ? AND k IN ({klist})", [year, rev_db])
        else:
            trade = wh.query(f"SELECT t, i, j, k, q FROM trade WHERE t = ? AND hs_revision = ? "
                             f"AND k IN ({klist})", [year, rev_db])
            if not raw:
                notes.append(f"no cleaned trade for {year} {rev}: raw BACI quantities used (run "
                             f"reslog trade clean --years {year - 2}-{year + 2})")
    else:
        trade = pd.DataFrame({"t": [], "i": [], "j": [], "k": [], "q": []})
    cmap = country_map(wh)
    trade["exporter"], unk1 = label_countries(trade["i"], cmap)
    trade["importer"], unk2 = label_countries(trade["j"], cmap)
    if unk1 or unk2:
        notes.append(f"BACI country codes without ISO3 kept as BACI<code>: {sorted(set(unk1 + unk2))}")
    content = metal_content_table(rev, metal)
    flows = calc_embodied_flows(trade, content, metal, quantity=qsrc, missing="drop")
    if flows.attrs.get("dropped"):
        notes.append(f"{flows.attrs['dropped']} shipment(s) without quantity left out")
    agg = aggregate_flows(flows)
    value = {"fraction": "metal_t", "low": "metal_low_t", "high": "metal_high_t"}[bound]
    stages = []
    for n, st in enumerate(STAGES):
        if n > 0 and not codes[st]:
            continue
        a = agg[agg["stage"] == st]
        tr = pd.DataFrame({"exporter": a["exporter"], "importer": a["importer"],
                           "quantity": a[value]})
        p = prod[prod["stage"] == ("mine" if n == 0 else "refined" if st == "refined" else "_")]
        p = p[p["quantity"].notna()]
        production = None
        if len(p):
            iso = p["country"].map(lambda c: c if c in ("ROW",) else (resolve_country(c) or c))
            production = to_tonnes(p["quantity"], p["unit"]).groupby(iso.to_numpy()).sum()
            production = production.drop(index=[c for c in ("WLD",) if c in production.index])
        stages.append(StageInput(st, tr, production))
    return ChainData(metal, year, rev, qsrc, stages, notes)
