"""Canonical warehouse tables (DuckDB DDL). ``docs/data-model.md`` documents each column.

Every data table carries ``ledger_id``: the ingest (see the ``ledger`` table) that wrote the row,
so every number can be traced to its source file, version and licence.
"""

from __future__ import annotations

import re

SCHEMA_VERSION = 1

# name -> (DDL body, primary key columns). Column order is the canonical order.
TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "ledger": ("""
        ledger_id INTEGER PRIMARY KEY,
        source VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        version VARCHAR,
        licence VARCHAR,
        citation VARCHAR,
        files VARCHAR,
        sha256 VARCHAR NOT NULL UNIQUE,
        rows BIGINT NOT NULL,
        ingested_at TIMESTAMP NOT NULL,
        reslog_version VARCHAR
    """, ("ledger_id",)),
    "countries": ("""
        iso3 VARCHAR PRIMARY KEY, iso2 VARCHAR, numeric INTEGER, name_en VARCHAR NOT NULL,
        name_ja VARCHAR, kind VARCHAR NOT NULL
    """, ("iso3",)),
    "commodities": ("""
        name VARCHAR PRIMARY KEY, symbol VARCHAR, "group" VARCHAR, eu_crm_2023 BOOLEAN,
        eu_srm_2023 BOOLEAN, name_ja VARCHAR, aliases VARCHAR, parent VARCHAR
    """, ("name",)),
    "hs_codes": ("""
        revision VARCHAR NOT NULL, code VARCHAR NOT NULL, level INTEGER, description VARCHAR,
        parent VARCHAR, ledger_id INTEGER,
        PRIMARY KEY (revision, code)
    """, ("revision", "code")),
    "production": ("""
        country VARCHAR NOT NULL, commodity VARCHAR NOT NULL, year INTEGER NOT NULL,
        stage VARCHAR NOT NULL, quantity DOUBLE, unit VARCHAR NOT NULL, marker VARCHAR,
        estimated BOOLEAN, source VARCHAR NOT NULL, ledger_id INTEGER,
        PRIMARY KEY (country, commodity, year, stage)
    """, ("country", "commodity", "year", "stage")),
    "reserves": ("""
        country VARCHAR NOT NULL, commodity VARCHAR NOT NULL, year INTEGER NOT NULL,
        quantity DOUBLE, unit VARCHAR NOT NULL, marker VARCHAR, source VARCHAR NOT NULL,
        ledger_id INTEGER,
        PRIMARY KEY (country, commodity, year)
    """, ("country", "commodity", "year")),
    "mine_sites": ("""
        mine_id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, lat DOUBLE NOT NULL, lon DOUBLE NOT NULL,
        country VARCHAR NOT NULL, commodities VARCHAR NOT NULL, type VARCHAR NOT NULL,
        status VARCHAR, operator VARCHAR, tailings_facilities INTEGER, capacity DOUBLE,
        capacity_unit VARCHAR, capacity_year INTEGER, capacity_text VARCHAR,
        source VARCHAR NOT NULL, ledger_id INTEGER
    """, ("mine_id",)),
    "trade": ("""
        t SMALLINT NOT NULL, i SMALLINT NOT NULL, j SMALLINT NOT NULL, k INTEGER NOT NULL,
        v DOUBLE NOT NULL, q DOUBLE, hs_revision VARCHAR NOT NULL, ledger_id INTEGER
    """, ()),
    "trade_countries": ("""
        code SMALLINT NOT NULL, iso3 VARCHAR, name VARCHAR, release VARCHAR NOT NULL,
        ledger_id INTEGER,
        PRIMARY KEY (release, code)
    """, ("release", "code")),
    "governance": ("""
        country VARCHAR NOT NULL, year INTEGER NOT NULL, indicator VARCHAR NOT NULL,
        estimate DOUBLE, stddev DOUBLE, nsource INTEGER, pctrank DOUBLE, source VARCHAR NOT NULL,
        ledger_id INTEGER,
        PRIMARY KEY (country, year, indicator)
    """, ("country", "year", "indicator")),
    "risk_events": ("""
        event_id VARCHAR PRIMARY KEY, event_type VARCHAR NOT NULL, start_time TIMESTAMP,
        end_time TIMESTAMP, lat DOUBLE, lon DOUBLE, country VARCHAR, mine_id VARCHAR,
        commodity VARCHAR, severity DOUBLE NOT NULL, confidence DOUBLE NOT NULL,
        deaths INTEGER, release_m3 DOUBLE, title VARCHAR, description VARCHAR,
        source_urls VARCHAR, taxonomy_version VARCHAR NOT NULL, source VARCHAR NOT NULL,
        ledger_id INTEGER
    """, ("event_id",)),
    "io_blocks": ("""
        mrio VARCHAR NOT NULL, block VARCHAR NOT NULL, row_region VARCHAR, row_sector VARCHAR,
        col_region VARCHAR, col_sector VARCHAR, value DOUBLE NOT NULL, unit VARCHAR,
        ledger_id INTEGER
    """, ()),
}

# Tables that other modules register (e.g. ``trade_clean`` from ``reslog.store.trade_tables``).
EXTRA_TABLES: dict[str, tuple[str, tuple[str, ...]]] = {}


def register_table(name: str, body: str, primary_key: tuple[str, ...] = ()) -> None:
    """Add a table to the warehouse schema (created on the next :meth:`Warehouse.open`)."""
    EXTRA_TABLES[name] = (body, primary_key)


def all_tables() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Core and registered tables."""
    return {**TABLES, **EXTRA_TABLES}


def all_columns(name: str) -> list[str]:
    """Columns of any (core or registered) table."""
    return columns(name)


def primary_key(name: str) -> tuple[str, ...]:
    """Primary-key columns of a table (empty when it has none)."""
    return all_tables()[name][1]


# Reference tables filled from code lists at warehouse creation.
REFERENCE_TABLES = ("countries", "commodities")

DATA_TABLES = tuple(t for t in TABLES if t not in ("ledger", *REFERENCE_TABLES))


def columns(table: str) -> list[str]:
    """Canonical column names of ``table`` in order (constraints skipped)."""
    body = re.sub(r"PRIMARY KEY\s*\([^)]*\)", "", all_tables()[table][0])
    cols = []
    for part in body.split(","):
        tok = part.strip().split()
        if tok:
            cols.append(tok[0].strip('"'))
    return cols
