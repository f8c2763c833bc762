"""Warehouse tables of the scenario, panel and fingerprint areas (registered on import).

* ``country_indicators`` — one number per country, year and indicator (GHG, CO2, GDP,
  population, primary energy, SDG indicators …), with its unit and the source row citation.
* ``scenario_inputs`` — scenario paths per country and year (SSP population and GDP-per-capita
  growth, built GHG/GDP/population paths), one row per (scenario, country, year, variable).
* ``production_history`` — multi-year mine production by country (Clio Infra & USGS via OWID);
  kept apart from ``production`` because of its documented quality warnings.
* ``geochem_samples`` — labelled whole-rock / mineral analyses in long form, one row per
  (dataset, sample, element); ``flag`` is ``bdl`` when a below-detection value was replaced.
* ``reference_compositions`` — normalisation reservoirs (chondrite …) per element, in ppm.

Every row carries ``ledger_id`` (the ingest that wrote it), like every other data table.
"""

from __future__ import annotations

from reslog.store.tables import register_table

SCENARIO_TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "country_indicators": ("""
        country VARCHAR NOT NULL, year INTEGER NOT NULL, indicator VARCHAR NOT NULL,
        value DOUBLE NOT NULL, unit VARCHAR NOT NULL, source VARCHAR NOT NULL, ledger_id INTEGER,
        PRIMARY KEY (country, year, indicator)
    """, ("country", "year", "indicator")),
    "scenario_inputs": ("""
        scenario VARCHAR NOT NULL, country VARCHAR NOT NULL, year INTEGER NOT NULL,
        variable VARCHAR NOT NULL, value DOUBLE NOT NULL, unit VARCHAR NOT NULL,
        source VARCHAR NOT NULL, ledger_id INTEGER,
        PRIMARY KEY (scenario, country, year, variable)
    """, ("scenario", "country", "year", "variable")),
    "production_history": ("""
        country VARCHAR NOT NULL, commodity VARCHAR NOT NULL, year INTEGER NOT NULL,
        quantity DOUBLE NOT NULL, unit VARCHAR NOT NULL, source VARCHAR NOT NULL, ledger_id INTEGER,
        PRIMARY KEY (country, commodity, year)
    """, ("country", "commodity", "year")),
    "geochem_samples": ("""
        dataset VARCHAR NOT NULL, sample_id VARCHAR NOT NULL, deposit VARCHAR NOT NULL,
        label VARCHAR NOT NULL, element VARCHAR NOT NULL, value DOUBLE, unit VARCHAR NOT NULL,
        flag VARCHAR, ledger_id INTEGER,
        PRIMARY KEY (dataset, sample_id, element)
    """, ("dataset", "sample_id", "element")),
    "reference_compositions": ("""
        reference VARCHAR NOT NULL, element VARCHAR NOT NULL, value DOUBLE NOT NULL,
        unit VARCHAR NOT NULL, citation VARCHAR NOT NULL, ledger_id INTEGER,
        PRIMARY KEY (reference, element)
    """, ("reference", "element")),
}


def register() -> None:
    """Register the tables with the warehouse schema (idempotent)."""
    for name, (body, pk) in SCENARIO_TABLES.items():
        register_table(name, body, pk)


register()
