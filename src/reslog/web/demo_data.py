"""Demo content for the dashboard's demo site (tests, screenshots): one monitored site of the demo
organisation with a short simulated sensor record, and imagery hotspots from one small simulated
Sentinel-2 scene run through the shipped detector.

Everything goes through the same library calls a user's commands make (``reslog sites register``
/ ``ingest`` / ``qc``, ``reslog imagery simulate`` / ``detect --ingest``); every number is
simulated and labelled so (site and sensor ``source`` columns, the hotspot document's
``simulated_scene``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

DEMO_SITE = "demo-tsf"
SIM_SOURCE = "simulated (reslog.model.monitoring.simulate; demo site)"

# (sensor, parameter, unit, lat, lon, guideline sets, simulated incident kind, seed)
DEMO_SENSORS: tuple[tuple[str, str, str, float, float, str, str, int], ...] = (
    ("as-upstream", "As", "mg/L", -20.105, -44.110, "WHO-DW", "none", 3),
    ("as-pond", "As", "mg/L", -20.119, -44.121, "WHO-DW", "fault", 0),
    ("as-downstream", "As", "mg/L", -20.135, -44.128, "WHO-DW", "breakthrough", 1),
    ("as-river", "As", "mg/L", -20.128, -44.140, "WHO-DW", "spill", 2),
)
PIEZO = ("pz-dam", "piezometric_pressure", "kPa", -20.120, -44.123, 120.0, 150.0)
DAYS = 42


def register_demo_site(db: Path, org_id: int | None, folder: Path) -> dict[str, int]:
    """Register :data:`DEMO_SITE` (owned by ``org_id``) with four arsenic sensors and one
    piezometer, ingest ``DAYS`` days of simulated 10-minute readings and run the QC.
    Returns readings accepted per sensor."""
    from reslog.intel.monitoring.analysis import run_qc
    from reslog.intel.monitoring.ingest import ingest_readings
    from reslog.intel.monitoring.registry import Registry
    from reslog.model.monitoring.simulate import simulate_sensor
    from reslog.sources.sensors import RawReadings, read_sensors, read_sites
    from reslog.store.readings import ReadingStore, default_readings_root
    from reslog.store.warehouse import Warehouse

    sites = folder / "demo_sites.csv"
    sensors = folder / "demo_sensors.csv"
    sites.write_text("site_id,name,org_id,mine_id,lat,lon,country,description,source\n"
                     f"{DEMO_SITE},Demo tailings facility (simulated),{'' if org_id is None else org_id},"
                     f"bra-corrego-do-feijao,-20.119,-44.121,BRA,Simulated demo record,{SIM_SOURCE}\n",
                     encoding="utf-8")
    rows = ["sensor_id,site_id,parameter,unit,lat,lon,guideline_sets,interval_s,trigger_amber,"
            "trigger_red,trigger_basis,source"]
    for sid, par, unit, lat, lon, sets, _k, _s in DEMO_SENSORS:
        rows.append(f"{sid},{DEMO_SITE},{par},{unit},{lat},{lon},{sets},600,,,,{SIM_SOURCE}")
    sid, par, unit, lat, lon, amber, red = PIEZO
    rows.append(f"{sid},{DEMO_SITE},{par},{unit},{lat},{lon},,600,{amber},{red},level,{SIM_SOURCE}")
    sensors.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with Warehouse.open(db) as wh:
        wh.ingest(read_sites(sites), kind="monitoring_sites")
        wh.ingest(read_sensors(sensors), kind="monitoring_sensors")
        reg = Registry.from_warehouse(wh)
    store = ReadingStore(default_readings_root(db))
    out: dict[str, int] = {}
    frames = []
    for sid, _p, _u, _la, _lo, _sets, kind, seed in DEMO_SENSORS:
        sim = simulate_sensor(kind, seed, days=DAYS, start="2024-05-01")
        frames.append(pd.DataFrame({"sensor_id": sid, "time": sim.times, "value": sim.values}))
    # piezometer: 100 kPa plus 1,000 × a simulated spill record (a pressure rise and its decay)
    sim = simulate_sensor("spill", 5, days=DAYS, start="2024-05-01")
    frames.append(pd.DataFrame({"sensor_id": PIEZO[0], "time": sim.times, "value": 100.0 + 1000.0 * sim.values}))
    df = pd.concat(frames, ignore_index=True)
    df["unit"] = ""
    df["row"] = np.arange(1, len(df) + 1)
    res = ingest_readings(store, reg, DEMO_SITE, RawReadings(df), batch_id="demo-site-simulated",
                          via="file", now=pd.Timestamp("2025-01-01"))
    out[DEMO_SITE] = res.accepted
    run_qc(store, reg, DEMO_SITE)
    return out


def ingest_demo_hotspots(db: Path, folder: Path) -> dict:
    """Simulate one small Sentinel-2 scene (forest beside an ASGM pit, Bolívar, Venezuela), run the
    shipped detector on it and ingest its hotspots as ``asgm`` risk events; the hotspot document."""
    import json

    from reslog.intel.imagery.service import ingest_hotspots, run_detection
    from reslog.intel.imagery.simulate import simulate_mosaic
    from reslog.sources.sentinel2 import write_scene
    from reslog.store.warehouse import Warehouse

    scene = folder / "demo_scene.tif"
    m = simulate_mosaic([["forest", "mine"]], 0, -61.9, 6.3)
    write_scene(scene, m.refl, crs=m.crs, transform=m.transform, scl=m.scl, date="2024-06-01")
    doc = run_detection(scene, date="2024-06-01")
    (folder / "demo_hotspots.geojson").write_text(json.dumps(doc), encoding="utf-8")
    with Warehouse.open(db) as wh:
        ingest_hotspots(wh, doc, source_file=str(scene.name))
    return doc
