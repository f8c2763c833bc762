"""Warehouse tables of site monitoring: sites, sensors and site-specific guideline values.

Readings themselves are not in the warehouse: they live in the partitioned Parquet store of
:mod:`reslog.store.readings`. ``docs/monitoring.md`` documents every column.
"""

from __future__ import annotations

from reslog.store.tables import register_table

register_table("monitoring_sites", """
    site_id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, org_id INTEGER, mine_id VARCHAR,
    lat DOUBLE, lon DOUBLE, country VARCHAR, description VARCHAR, source VARCHAR NOT NULL,
    ledger_id INTEGER
""", ("site_id",))

register_table("monitoring_sensors", """
    sensor_id VARCHAR PRIMARY KEY, site_id VARCHAR NOT NULL, parameter VARCHAR NOT NULL,
    unit VARCHAR NOT NULL, lat DOUBLE, lon DOUBLE, depth_m DOUBLE, elevation_m DOUBLE,
    guideline_sets VARCHAR, interval_s DOUBLE, range_lo DOUBLE, range_hi DOUBLE,
    trigger_amber DOUBLE, trigger_red DOUBLE, trigger_basis VARCHAR, reference_sensor VARCHAR,
    drift_tol_per_day DOUBLE, source VARCHAR NOT NULL, ledger_id INTEGER
""", ("sensor_id",))

register_table("monitoring_guidelines", """
    set_id VARCHAR NOT NULL, parameter VARCHAR NOT NULL, limit_type VARCHAR NOT NULL,
    value DOUBLE NOT NULL, unit VARCHAR NOT NULL, averaging VARCHAR NOT NULL, basis VARCHAR,
    citation VARCHAR NOT NULL, note VARCHAR, ledger_id INTEGER,
    PRIMARY KEY (set_id, parameter, limit_type, averaging)
""", ("set_id", "parameter", "limit_type", "averaging"))
