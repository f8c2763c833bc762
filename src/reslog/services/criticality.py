"""Criticality (EU CRM method) per commodity and the SR/EI matrix points."""

from __future__ import annotations

import pandas as pd

from reslog.services.provenance import Provenance, packaged_present, provenance
from reslog.store.warehouse import Warehouse


def criticality(wh: Warehouse, *, year: int | None = None, scope: str = "EU") -> tuple[pd.DataFrame, pd.DataFrame, Provenance]:
    """``(table, matrix points, provenance)`` for a sourcing ``scope`` (EU or ISO3).

    The table is :func:`reslog.model.criticality.criticality_table` on the warehouse production
    and governance (as ``reslog criticality``); matrix points use computed SR/EI where every input
    is cited, else the latest published EU values (``basis`` says which).
    """
    from reslog.cli.risk import _criticality_frame, matrix_frame
    from reslog.model.criticality import scope_members

    scope_members(scope)
    table = _criticality_frame(wh, year, scope.upper())
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
