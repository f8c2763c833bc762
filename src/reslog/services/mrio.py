"""MRIO analyses on the tables stored in the warehouse (``io_blocks``): footprints by origin,
accounts and structural paths. Building an :class:`~reslog.model.io.MRIO` (and its solver) is the
heavy part; callers keep the object per warehouse version (see ``reslog.api``'s cache)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from reslog.errors import ReslogError
from reslog.services.provenance import Provenance, provenance
from reslog.store.warehouse import Warehouse


class UnknownMrio(ReslogError):
    """No MRIO of that name in the warehouse."""


def list_mrios(wh: Warehouse) -> pd.DataFrame:
    """MRIOs in ``io_blocks``: name, blocks, regions, sectors, unit, ledger entry."""
    return wh.query(
        "SELECT mrio, list(DISTINCT block ORDER BY block) AS blocks, "
        "count(DISTINCT row_region) FILTER (WHERE block = 'Z') AS regions, "
        "count(DISTINCT row_sector) FILTER (WHERE block = 'Z') AS sectors, "
        "any_value(unit) FILTER (WHERE block = 'Z') AS unit, max(ledger_id) AS ledger_id "
        "FROM io_blocks GROUP BY mrio ORDER BY mrio")


def load(wh: Warehouse, name: str) -> tuple[Any, Provenance]:
    """The MRIO ``name`` from ``io_blocks`` as a model object, with its ledger entries."""
    from reslog.model.io.mrio import MRIO

    blocks = wh.query("SELECT * FROM io_blocks WHERE mrio = ?", [name])
    if blocks.empty:
        have = list_mrios(wh)["mrio"].tolist()
        raise UnknownMrio(f"no MRIO named {name!r} in the warehouse; available: "
                          f"{', '.join(have) or 'none (reslog ingest mrio PATH)'}")
    return MRIO.from_long(blocks.drop(columns=["mrio"])), provenance(wh, blocks[["ledger_id"]])


def describe(m: Any) -> dict[str, Any]:
    """Regions, sectors, final-demand columns and extensions with their stressors."""
    return {"regions": [str(r) for r in m.regions], "sectors": [str(s) for s in m.sectors],
            "final_demand": [" | ".join(map(str, c)) if isinstance(c, tuple) else str(c) for c in m.Y_agg().columns],
            "extensions": {k: [_label(s) for s in e.F.index] for k, e in m.extensions.items()},
            "unit": m.unit}


def _label(s: object) -> str:
    return " | ".join(map(str, s)) if isinstance(s, tuple) else str(s)


def footprint_by_origin(m: Any, region: str, extension: str, *, stressor: str | None = None,
                        sector: str | None = None) -> dict[str, Any]:
    """Footprint of ``region``'s final demand (or of one unit of ``sector`` in ``region``) by
    origin region and sector: f = S·L·y, D_o[k, i] = S_ki (L y)_i."""
    if extension not in m.extensions:
        raise ReslogError(f"extension {extension!r} not in this MRIO; extensions: {', '.join(m.extensions)}")
    lab = None
    if stressor is not None:
        _ext, lab = m.find_stressor(stressor)
    demand: Any = region if sector is None else {(region, sector): 1.0}
    fp = m.footprint(demand, extension, stressor=lab)
    by_region = fp.by_region()
    total = fp.total
    rows = []
    for s in by_region.index:
        tot = float(total.loc[s])
        for o in by_region.columns:
            v = float(by_region.loc[s, o])
            rows.append({"stressor": _label(s), "origin_region": str(o), "value": v,
                         "share": v / tot if tot else 0.0})
    long = fp.long()
    return {"region": region, "sector": sector, "extension": extension,
            "totals": [{"stressor": _label(s), "value": float(v)} for s, v in total.items()],
            "by_origin_region": rows,
            "by_origin_sector": long}


def accounts(m: Any, extension: str) -> pd.DataFrame:
    """D_pba, D_cba, D_imp, D_exp per region and stressor (long table)."""
    if extension not in m.extensions:
        raise ReslogError(f"extension {extension!r} not in this MRIO; extensions: {', '.join(m.extensions)}")
    acc = m.accounts(extension)
    rows = []
    for name in ("D_pba_reg", "D_cba_reg", "D_imp_reg", "D_exp_reg"):
        tab = getattr(acc, name, None)
        if tab is None:
            continue
        for s in tab.index:
            for r in tab.columns:
                rows.append({"account": name.removesuffix("_reg"), "stressor": _label(s), "region": str(r),
                             "value": float(tab.loc[s, r])})
    return pd.DataFrame(rows)


def structural_paths(m: Any, stressor: str, region: str, *, top: int = 10, max_order: int = 6,
                     threshold: float = 1e-4) -> dict[str, Any]:
    """Top supply-chain paths of ``region``'s footprint of ``stressor`` (as ``reslog io paths``)."""
    from reslog.model.io.spa import calc_spa

    ext_name, lab = m.find_stressor(stressor)
    y = m.demand_vector(region)
    s = m.S(ext_name).loc[[lab]].to_numpy()[0]
    mult = m.solver.solve(s, transpose=True)
    res = calc_spa(m.A.to_numpy(), s, y, mult, list(m.labels), top=top, max_order=max_order,
                   threshold=threshold)
    paths = res.copy()
    for c in paths.columns:
        if paths[c].dtype == object:
            paths[c] = paths[c].map(lambda v: _label(v) if isinstance(v, tuple) else
                                    ([_label(x) for x in v] if isinstance(v, list) else v))
    total = float(res.attrs.get("total", float("nan")))
    covered = float(res.attrs.get("covered", float("nan")))
    return {"stressor": _label(lab), "extension": ext_name, "region": region, "total": total,
            "covered": covered, "truncated": bool(res.attrs.get("truncated", False)), "paths": paths}
