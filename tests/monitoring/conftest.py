"""Fixtures of the site-monitoring tests: a warehouse with one registered site and its sensors."""

from __future__ import annotations

from pathlib import Path

import pytest

from reslog.intel.monitoring.registry import Registry
from reslog.sources.sensors import read_sensors, read_sites
from reslog.store.readings import ReadingStore
from reslog.store.warehouse import Warehouse

SITES = """site_id,name,org_id,mine_id,lat,lon,country
tsf1,Test tailings facility,7,bra-corrego-do-feijao,-20.119,-44.121,BRA
other,Site of another organisation,8,,-19.6,-65.75,BOL
"""
SENSORS = """sensor_id,site_id,parameter,unit,lat,lon,guideline_sets,interval_s,trigger_amber,trigger_red,trigger_basis,range_lo,range_hi
as-up,tsf1,As,mg/L,-20.110,-44.120,WHO-DW;IFC-EHS-MINING;SITE-DAILY,600,,,,,
as-down,tsf1,As,ug/L,-20.130,-44.125,WHO-DW,600,,,,,
ph1,tsf1,pH,pH,-20.120,-44.122,WHO-DW,600,,,,,
pz1,tsf1,piezometric_pressure,kPa,-20.119,-44.121,,600,120,150,level,,
inc1,tsf1,displacement,mm,-20.118,-44.120,,600,5,20,rate,,
lvl,tsf1,water_level,m,,,,300,,,,300,400
x1,other,Cu,mg/L,,,WHO-DW,600,,,,,
"""


@pytest.fixture()
def site_env(tmp_path: Path):
    """``(db_path, store, registry)`` with sites ``tsf1`` (org 7, linked to a mine) and ``other``."""
    (tmp_path / "sites.csv").write_text(SITES)
    (tmp_path / "sensors.csv").write_text(SENSORS)
    db = tmp_path / "wh" / "reslog.duckdb"
    with Warehouse.open(db) as wh:
        wh.ingest(read_sites(tmp_path / "sites.csv"), kind="monitoring_sites")
        wh.ingest(read_sensors(tmp_path / "sensors.csv"), kind="monitoring_sensors")
        reg = Registry.from_warehouse(wh)
    store = ReadingStore(tmp_path / "readings")
    return db, store, reg
