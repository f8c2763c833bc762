"""Warehouse table written by ``reslog trade clean``: cleaned bilateral trade quantities.

``trade_clean`` keeps the raw BACI value and quantity beside the cleaned quantity (see
:mod:`reslog.model.trade.clean`): ``q`` raw tonnes (NULL when BACI has none), ``q_clean``
cleaned tonnes (missing quantities estimated from value with the product's median unit value,
2σ outliers of the moving-average residual replaced by linear interpolation), ``q_estimated``
(``q`` was missing), ``outlier`` (flagged and replaced), ``params`` (cleaning parameters).
One row per (hs_revision, t, i, j, k); ``i``/``j`` are BACI numeric country codes as in
``trade``. Importing this module registers the table (created on the next warehouse open).
"""

from __future__ import annotations

from reslog.store.tables import register_table

TRADE_CLEAN_DDL = """
    t SMALLINT NOT NULL, i SMALLINT NOT NULL, j SMALLINT NOT NULL, k INTEGER NOT NULL,
    hs_revision VARCHAR NOT NULL, v DOUBLE NOT NULL, q DOUBLE, q_clean DOUBLE,
    q_estimated BOOLEAN NOT NULL, outlier BOOLEAN NOT NULL, params VARCHAR NOT NULL,
    ledger_id INTEGER,
    PRIMARY KEY (hs_revision, t, i, j, k)
"""
TRADE_CLEAN_PK = ("hs_revision", "t", "i", "j", "k")
TRADE_CLEAN_COLUMNS = ("t", "i", "j", "k", "hs_revision", "v", "q", "q_clean", "q_estimated",
                       "outlier", "params")


def register() -> None:
    """Register ``trade_clean`` with the warehouse schema (idempotent)."""
    register_table("trade_clean", TRADE_CLEAN_DDL, TRADE_CLEAN_PK)


register()
