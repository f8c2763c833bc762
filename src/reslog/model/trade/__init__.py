"""Trade-linked material flows: cleaning of bilateral trade, metal content of HS items,
embodied-metal trade, Kastner-style origin tracing through multi-stage chains, the IO–trade
link and Sankey diagrams.

Everything here is pure computation on pandas/numpy objects (no files, no connections); the
CLI (``reslog.cli.trade``) reads the warehouse and calls these functions. ``docs/trade.md``
gives the methods, equations and references.
"""

from reslog.model.trade.clean import CleaningParams, clean_trade
from reslog.model.trade.embodied import calc_embodied_flows, flows_to_matrix
from reslog.model.trade.link import (
    calc_hs_sector_map,
    calc_import_requirements,
    national_io_from_mrio,
    rank_imported_items,
)
from reslog.model.trade.metal_content import (
    METALS,
    calc_metal_flags,
    metal_content_table,
    stoichiometric_fraction,
)
from reslog.model.trade.sankey import calc_sankey_links
from reslog.model.trade.stages import STAGES, stage_codes, stage_map
from reslog.model.trade.tracing import (
    StageInput,
    TraceResult,
    calc_mass_balance,
    consumer_origins,
    trace_chain,
    trace_origins,
)

__all__ = [
    "CleaningParams",
    "METALS",
    "STAGES",
    "StageInput",
    "TraceResult",
    "calc_embodied_flows",
    "calc_hs_sector_map",
    "calc_import_requirements",
    "calc_sankey_links",
    "calc_mass_balance",
    "calc_metal_flags",
    "clean_trade",
    "consumer_origins",
    "flows_to_matrix",
    "metal_content_table",
    "national_io_from_mrio",
    "rank_imported_items",
    "stage_codes",
    "stage_map",
    "stoichiometric_fraction",
    "trace_chain",
    "trace_origins",
]
