"""CLI for mine-site monitoring: ``reslog sites register | guidelines | ingest | listen | status |
qc | warn | heatmap | evaluate-warning``.

Commands parse options, call :mod:`reslog.intel.monitoring` and print; no analysis here.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Annotated, Optional

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from reslog.cli.common import DbOption, open_warehouse, resolve_db
from reslog.errors import ReslogError

console = Console()
err_console = Console(stderr=True)
sites_app = typer.Typer(help="Mine-site environmental monitoring: sensors, ingest (file, HTTP, "
                             "MQTT), QC, exceedances, early warning, heat maps, GISTM triggers.",
                        no_args_is_help=True)

ReadingsOption = Annotated[Optional[Path], typer.Option(
    "--readings", envvar="RESLOG_READINGS",
    help="Readings store folder (default: readings/ beside the warehouse).")]


def _store(db: Path | None, readings: Path | None):
    from reslog.store.readings import ReadingStore, default_readings_root

    return ReadingStore(readings or default_readings_root(resolve_db(db)))


def _registry(db: Path | None):
    from reslog.intel.monitoring.registry import Registry

    with open_warehouse(db, read_only=True) as wh:
        return Registry.from_warehouse(wh)


def _print(df: pd.DataFrame, title: str) -> None:
    t = Table(title=title)
    for c in df.columns:
        t.add_column(str(c))
    for r in df.itertuples(index=False):
        t.add_row(*["—" if (not isinstance(v, str) and pd.isna(v)) else
                    (f"{v:.4g}" if isinstance(v, float) else str(v)) for v in r])
    console.print(t)


@sites_app.command("register", help="Register sites and/or sensors from CSV files (one transaction each).")
def register_cmd(
    sites: Annotated[Optional[Path], typer.Option("--sites", help="Sites CSV (site_id,name,org_id,mine_id,lat,lon,country…).")] = None,
    sensors: Annotated[Optional[Path], typer.Option("--sensors", help="Sensors CSV (sensor_id,site_id,parameter,unit,…).")] = None,
    db: DbOption = None,
) -> None:
    from reslog.sources.sensors import read_sensors, read_sites

    if sites is None and sensors is None:
        raise ReslogError("give --sites FILE and/or --sensors FILE")
    with open_warehouse(db) as wh:
        for path, reader, kind in ((sites, read_sites, "monitoring_sites"),
                                   (sensors, read_sensors, "monitoring_sensors")):
            if path is None:
                continue
            res = wh.ingest(reader(path), kind=kind)
            console.print(f"{path}: " + ("already registered" if res.skipped else
                                         f"{sum(res.rows.values())} rows (ledger #{res.ledger_id})"))
        if sensors is not None:
            known = set(wh.query("SELECT site_id FROM monitoring_sites")["site_id"])
            orphan = set(wh.query("SELECT site_id FROM monitoring_sensors")["site_id"]) - known
            if orphan:
                err_console.print(f"warning: sensors of unregistered site(s) {sorted(orphan)}")


@sites_app.command("guidelines", help="Add national or site-specific guideline values (CSV with a citation per row).")
def guidelines_cmd(path: Annotated[Path, typer.Argument(help="Guideline CSV (see data/guidelines/README.md).")],
                   db: DbOption = None) -> None:
    from reslog.sources.sensors import read_guidelines_parsed

    with open_warehouse(db) as wh:
        res = wh.ingest(read_guidelines_parsed(path), kind="monitoring_guidelines")
    console.print(f"{path}: " + ("already ingested" if res.skipped else f"{sum(res.rows.values())} guideline rows"))


@sites_app.command("ingest", help="Ingest readings from a CSV or Parquet file (sensor_id,time,value[,unit]) "
                                  "or a wide logger CSV (--column COL=SENSOR).")
def ingest_cmd(
    site: Annotated[str, typer.Argument(help="Site id.")],
    path: Annotated[Path, typer.Argument(help="Readings file.")],
    batch_id: Annotated[Optional[str], typer.Option("--batch-id", help="Batch id (default: the file's SHA-256).")] = None,
    column: Annotated[Optional[list[str]], typer.Option("--column", help="Wide format: COLUMN=SENSOR (repeat).")] = None,
    time_column: Annotated[str, typer.Option("--time-column", help="Wide format: the time column.")] = "Time",
    errors: Annotated[int, typer.Option("--errors", help="Rejected readings to print.")] = 20,
    db: DbOption = None, readings: ReadingsOption = None,
) -> None:
    from reslog.intel.monitoring.ingest import ingest_readings
    from reslog.sources.sensors import read_readings_file, read_wide_readings

    if column:
        mapping = dict(c.split("=", 1) for c in column)
        raw = read_wide_readings(path, mapping, time_column=time_column)
    else:
        raw = read_readings_file(path)
    res = ingest_readings(_store(db, readings), _registry(db), site, raw,
                          batch_id=batch_id or raw.sha256, via="file")
    if res.duplicate:
        console.print(f"{path}: batch {res.batch_id[:16]} was already stored; nothing to do")
        return
    console.print(f"{path}: {res.accepted:,} readings stored, {res.rejected:,} rejected"
                  + ("" if res.complete else " (file incomplete: last line cut)"))
    for p in res.problems.head(errors).itertuples():
        err_console.print(f"  {path}, row {p.row}, field '{p.field}'"
                          + (f" (sensor {p.sensor_id})" if isinstance(p.sensor_id, str) else "")
                          + f": {p.message}", markup=False, highlight=False)
    if len(res.problems) > errors:
        err_console.print(f"  … and {len(res.problems) - errors} more")


@sites_app.command("import-pilcomayo", help="Register the stations of a Pilcomayo Trinational Commission "
                                            "water-quality export (calidad_agua_*.csv) as one site and ingest its samples.")
def import_pilcomayo_cmd(
    path: Annotated[Path, typer.Argument(help="calidad_agua_*.csv")],
    site: Annotated[str, typer.Option("--site", help="Site id to create.")] = "pilcomayo",
    org_id: Annotated[Optional[int], typer.Option("--org-id", help="Owning organisation.")] = None,
    db: DbOption = None, readings: ReadingsOption = None,
) -> None:
    import tempfile

    from reslog.intel.monitoring.ingest import ingest_readings
    from reslog.intel.monitoring.registry import Registry
    from reslog.sources.sensors import read_pilcomayo_water_quality, read_sensors, read_sites

    s = read_pilcomayo_water_quality(path, site_id=site)
    with tempfile.TemporaryDirectory() as tmp:
        sites = s.sites.assign(org_id=org_id)
        sites.to_csv(Path(tmp) / "sites.csv", index=False)
        s.sensors.to_csv(Path(tmp) / "sensors.csv", index=False)
        with open_warehouse(db) as wh:
            wh.ingest(read_sites(Path(tmp) / "sites.csv"), kind="monitoring_sites")
            wh.ingest(read_sensors(Path(tmp) / "sensors.csv"), kind="monitoring_sensors")
            reg = Registry.from_warehouse(wh)
    res = ingest_readings(_store(db, readings), reg, site, s.readings, batch_id=s.readings.sha256, via="file")
    console.print(f"{path}: {len(s.sensors)} station sensors; {res.accepted:,} samples stored, "
                  f"{res.rejected:,} rejected (censored '<x'/'>x' values are not guessed)"
                  + (" — already stored" if res.duplicate else ""))


@sites_app.command("listen", help="Subscribe to the MQTT topic tree (reslog/v1/{site}/readings, "
                                  "reslog/v1/{site}/sensors/{sensor}) and ingest with QoS 1.")
def listen_cmd(
    broker: Annotated[str, typer.Option("--broker", help="HOST:PORT of the MQTT broker.")] = "127.0.0.1:1883",
    root: Annotated[str, typer.Option("--root", help="Topic root.")] = "reslog/v1",
    client_id: Annotated[str, typer.Option("--client-id", help="Persistent MQTT session id.")] = "reslog-listener",
    seconds: Annotated[Optional[float], typer.Option("--seconds", help="Stop after this many seconds.")] = None,
    triggers: Annotated[bool, typer.Option(help="Evaluate GISTM triggers after each flush and write amber/red events.")] = True,
    db: DbOption = None, readings: ReadingsOption = None,
) -> None:
    from reslog.intel.monitoring.mqtt import Listener, parse_broker
    from reslog.intel.monitoring.registry import CachedRegistry

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    host, port = parse_broker(broker)
    dbp = resolve_db(db)
    if not dbp.exists():
        raise ReslogError(f"{dbp}: no warehouse; register sites first (`reslog sites register`)")
    reg = CachedRegistry(dbp)
    store = _store(db, readings)

    def on_flush(results) -> None:
        if not triggers:
            return
        from reslog.intel.monitoring.analysis import evaluate_triggers
        from reslog.intel.monitoring.events import trigger_events, write_events
        from reslog.store.warehouse import Warehouse

        r = reg.get()
        for site in {x.site_id for x in results if x.accepted}:
            trig = r.sensors_of(site)
            if trig["trigger_basis"].isna().all():
                continue
            _cur, eps = evaluate_triggers(store, r, site, start=pd.Timestamp.now() - pd.Timedelta(days=7))
            if len(eps):
                with Warehouse.open(dbp) as wh:
                    write_events(wh, trigger_events(r, eps), site)

    lst = Listener(host, port, store, reg.get, root=root, client_id=client_id, on_flush=on_flush)
    console.print(f"listening on {host}:{port} ({root}/+/readings, {root}/+/sensors/+); Ctrl-C stops")
    try:
        stats = lst.run(max_seconds=seconds)
    except KeyboardInterrupt:
        stats = lst.stats
    console.print(json.dumps(stats.__dict__, default=str))


@sites_app.command("qc", help="Run the quality-control rules and store the flags beside the readings.")
def qc_cmd(site: Annotated[str, typer.Argument()], db: DbOption = None, readings: ReadingsOption = None) -> None:
    from reslog.intel.monitoring.analysis import run_qc

    out = run_qc(_store(db, readings), _registry(db), site)
    for m, n in out.items():
        console.print(f"{site} {m}: {n:,} readings flagged")


@sites_app.command("status", help="Readings, last reading, QC flags and GISTM trigger level per sensor.")
def status_cmd(site: Annotated[str, typer.Argument()], db: DbOption = None, readings: ReadingsOption = None) -> None:
    from reslog.intel.monitoring.analysis import evaluate_triggers

    reg, store = _registry(db), _store(db, readings)
    reg.site(site)
    last = store.last_times()
    cur, _ = evaluate_triggers(store, reg, site)
    lev = dict(zip(cur["sensor_id"], cur["level"])) if len(cur) else {}
    sens = reg.sensors_of(site)
    df = pd.DataFrame({"sensor": sens["sensor_id"], "parameter": sens["parameter"], "unit": sens["unit"],
                       "last reading": [str(last.get(s, "—")) for s in sens["sensor_id"]],
                       "GISTM": [lev.get(s, "—") for s in sens["sensor_id"]]})
    info = store.info()
    _print(df, f"site {site}: {store.count(site):,} readings ({info['batches']:,} batches in the store)")


@sites_app.command("warn", help="Early warning per sensor (baseline, anomaly score, change points, forecast "
                                "crossing); write exceedances and GISTM amber/red triggers as risk events.")
def warn_cmd(
    site: Annotated[str, typer.Argument()],
    now: Annotated[Optional[str], typer.Option("--now", help="Evaluate as of this time (default: the latest reading).")] = None,
    write: Annotated[bool, typer.Option(help="Write exceedance and trigger events to the warehouse.")] = True,
    db: DbOption = None, readings: ReadingsOption = None,
) -> None:
    from reslog.intel.monitoring.analysis import early_warning, evaluate_triggers, find_exceedances, run_qc
    from reslog.intel.monitoring.events import exceedance_events, trigger_events, write_events

    reg, store = _registry(db), _store(db, readings)
    reg.site(site)
    run_qc(store, reg, site)
    ew = early_warning(store, reg, site, now=pd.Timestamp(now) if now else None)
    if len(ew):
        _print(ew, f"early warning, site {site}")
    exc = find_exceedances(store, reg, site)
    _cur, eps = evaluate_triggers(store, reg, site)
    ev = pd.concat([exceedance_events(reg, exc), trigger_events(reg, eps)], ignore_index=True)
    if len(ev):
        _print(ev[["event_id", "event_type", "start_time", "severity", "title"]], "risk events")
    if write and len(ev):
        with open_warehouse(db) as wh:
            n = write_events(wh, ev, site)
        console.print(f"{n} risk event(s) written (reslog shock --event EVENT_ID, reslog events alerts)")


@sites_app.command("heatmap", help="Interpolated map of a parameter on a date (kriging, IDW fallback).")
def heatmap_cmd(
    site: Annotated[str, typer.Argument()],
    parameter: Annotated[str, typer.Option("--parameter", help="Parameter symbol, e.g. As.")],
    date: Annotated[str, typer.Option("--date", help="UTC day, YYYY-MM-DD.")],
    output: Annotated[Path, typer.Option("--output", help="FILE.png or FILE.tif")],
    method: Annotated[str, typer.Option("--method", help="auto, kriging or idw.")] = "auto",
    resolution: Annotated[int, typer.Option("--resolution", help="Grid cells per side.")] = 200,
    days: Annotated[int, typer.Option("--days", help="Average over this many days from --date (a campaign).")] = 1,
    db: DbOption = None, readings: ReadingsOption = None,
) -> None:
    from reslog.intel.monitoring.heatmap import heatmap_for_site, write_heatmap

    hm = heatmap_for_site(_store(db, readings), _registry(db), site, parameter, date,
                          resolution=resolution, method=method, days=days)
    write_heatmap(hm, output)
    console.print(f"written: {output} ({hm.surface.method}, {len(hm.points)} points, leave-one-out "
                  f"RMSE {hm.surface.loo_rmse:.3g} {hm.unit})")


@sites_app.command("evaluate-warning", help="Evaluate the early warning on simulated incidents "
                                            "(breakthrough, spill, sensor fault, background).")
def evaluate_cmd(n: Annotated[int, typer.Option("--n", help="Sensors per scenario.")] = 30,
                 seed: Annotated[int, typer.Option("--seed")] = 0,
                 markdown: Annotated[Optional[Path], typer.Option("--markdown", help="Also write the table here.")] = None) -> None:
    from reslog.model.monitoring.evaluate import evaluate_early_warning

    _df, s = evaluate_early_warning(n, seed=seed)
    lines = ["| metric | value |", "|---|---:|"] + [f"| {k} | {v:.3g} |" for k, v in s.items()]
    console.print("\n".join(lines), markup=False)
    if markdown is not None:
        markdown.write_text("\n".join(lines) + "\n")


def register(app: typer.Typer) -> None:
    """Add the ``sites`` command group."""
    app.add_typer(sites_app, name="sites")
