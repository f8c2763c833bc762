"""``reslog imagery``: ASGM detection in Sentinel-2 scenes, training, evaluation, exposure.

Commands call :mod:`reslog.intel.imagery.service` (and the training module) and print; the
methods are in ``docs/imagery.md``. Every figure from the simulator is labelled *simulated*.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from reslog.cli.common import DbOption, open_warehouse
from reslog.errors import ReslogError

console = Console()
imagery_app = typer.Typer(help="Watch from space: artisanal gold mining (ASGM) in Sentinel-2 "
                          "scenes, and who imports the gold.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add ``reslog imagery …`` to the root app."""
    app.add_typer(imagery_app, name="imagery")


def _write_json(path: Path, doc: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".part")
    tmp.write_text(json.dumps(doc, indent=1, default=str), encoding="utf-8")
    tmp.replace(path)


def _sim(flag: bool) -> str:
    return " (simulated)" if flag else ""


@imagery_app.command("detect", help="Find ASGM hotspots in a scene and write them as GeoJSON.")
def detect_cmd(
    scene: Annotated[Path, typer.Option("--scene", help="Multi-band GeoTIFF/COG, or a folder / "
                                        ".SAFE of band files.")],
    output: Annotated[Path, typer.Option("--output", help="Hotspots GeoJSON to write.")],
    before: Annotated[Optional[Path], typer.Option("--before", help="Earlier scene on the same "
                                                   "grid (two-date change features).")] = None,
    model: Annotated[Optional[Path], typer.Option("--model", help="Model folder (default: the "
                                                  "shipped model).")] = None,
    threshold: Annotated[Optional[float], typer.Option(help="Override the model's "
                                                       "threshold.")] = None,
    date: Annotated[Optional[str], typer.Option(help="Acquisition date if the file has "
                                                "none (YYYY-MM-DD).")] = None,
    workers: Annotated[int, typer.Option(help="Dask LocalCluster workers (0 = this "
                                         "process).")] = 0,
    scheduler: Annotated[Optional[str], typer.Option(help="Address of a running Dask "
                                                     "scheduler.")] = None,
    window_patches: Annotated[int, typer.Option(help="Window side in 48-px patches.")] = 32,
    ingest: Annotated[bool, typer.Option("--ingest", help="Also write asgm risk events to the "
                                         "warehouse (--db).")] = False,
    max_mine_km: Annotated[float, typer.Option(help="Link events to the nearest known mine "
                                               "within this distance (km).")] = 25.0,
    map_html: Annotated[Optional[Path], typer.Option("--map", help="Also write an offline HTML "
                                                     "map of the hotspots.")] = None,
    db: DbOption = None,
) -> None:
    from reslog.intel.imagery.service import dask_client, ingest_hotspots, run_detection

    if threshold is not None and not 0 < threshold < 1:
        raise ReslogError(f"--threshold {threshold}: must be between 0 and 1")
    if window_patches < 1:
        raise ReslogError(f"--window-patches {window_patches}: must be ≥ 1")
    with dask_client(workers or None, scheduler) as client:
        doc = run_detection(scene, before=before, model_dir=model, threshold=threshold,
                            window_patches=window_patches, client=client, date=date)
    _write_json(output, doc)
    if map_html is not None:
        from reslog.figures.hotspots import hotspot_figure

        map_html.parent.mkdir(parents=True, exist_ok=True)
        hotspot_figure(doc).write_html(map_html, include_plotlyjs=True, full_html=True)
    meta = doc["reslog"]
    sim = _sim(meta.get("simulated_scene"))
    if meta["empty_reason"]:
        console.print(f"[yellow]no hotspot:[/yellow] {meta['empty_reason']}")
    t = Table(title=f"hotspots in {meta['scene']} ({meta['date'] or 'no date'}){sim}")
    for c in ("hotspot", "area ha", "probability", "country", "centroid"):
        t.add_column(c)
    for f in doc["features"][:30]:
        p = f["properties"]
        t.add_row(p["hotspot_id"], f"{p['area_ha']:,.1f}", f"{p['probability']:.2f}",
                  str(p["country"]), f"{p['centroid_lat']:.4f}, {p['centroid_lon']:.4f}")
    console.print(t)
    console.print(f"{len(doc['features'])} hotspot(s), {meta['patches_valid']:,} of "
                  f"{meta['patches_total']:,} patches valid; wrote {output}")
    if ingest:
        wh = open_warehouse(db)
        try:
            res, parsed = ingest_hotspots(wh, doc, source_file=str(output.resolve()),
                                          max_mine_km=max_mine_km)
        finally:
            wh.close()
        if res.skipped:
            console.print(f"events already in the warehouse (ledger {res.ledger_id}); nothing "
                          "written")
        else:
            linked = int(parsed.tables["risk_events"]["mine_id"].notna().sum())
            console.print(f"wrote {res.rows.get('risk_events', 0)} asgm event(s) (ledger "
                          f"{res.ledger_id}); {linked} linked to a known mine within "
                          f"{max_mine_km:g} km")


@imagery_app.command("simulate", help="Write a simulated Sentinel-2 L2A scene (GeoTIFF) made "
                     "from measured spectra, for trials and tests.")
def simulate_cmd(
    output: Annotated[Path, typer.Option("--output", help="GeoTIFF to write.")],
    kinds: Annotated[str, typer.Option(help="Rows of scene kinds: 'forest,mine;road,urban'.")]
    = "forest,mine,sandbar;road,mine,urban",
    lon: Annotated[float, typer.Option(help="Centre longitude.")] = -63.0,
    lat: Annotated[float, typer.Option(help="Centre latitude.")] = 6.5,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    date: Annotated[str, typer.Option(help="Acquisition date written in the file.")]
    = "2024-03-01",
    before: Annotated[Optional[Path], typer.Option(help="Also write the scene before mining "
                                                   "here.")] = None,
    no_clouds: Annotated[bool, typer.Option("--no-clouds")] = False,
) -> None:
    from reslog.intel.imagery.simulate import KINDS, simulate_mosaic
    from reslog.sources.sentinel2 import write_scene

    grid = [[k.strip() for k in row.split(",")] for row in kinds.split(";")]
    bad = sorted({k for r in grid for k in r if k not in KINDS})
    if bad or len({len(r) for r in grid}) != 1:
        raise ReslogError(f"--kinds {kinds!r}: rows of equal length of {', '.join(KINDS)}"
                          + (f"; unknown: {', '.join(bad)}" if bad else ""))
    m = simulate_mosaic(grid, seed, lon, lat, clouds=not no_clouds)
    write_scene(output, m.refl, crs=m.crs, transform=m.transform, scl=m.scl, date=date)
    console.print(f"wrote simulated scene {output} ({m.refl.shape[2]}×{m.refl.shape[1]} px)")
    if before is not None:
        write_scene(before, m.before, crs=m.crs, transform=m.transform, date=None)
        console.print(f"wrote simulated before-scene {before}")


@imagery_app.command("train", help="Train the patch classifier (AMW protocol): on real scenes "
                     "where reachable, else on simulated scenes at the labelled points.")
def train_cmd(
    labels: Annotated[Path, typer.Option("--labels", help="AMW sampling_locations folder, or "
                                         "one labelled-point GeoJSON file.")],
    output: Annotated[Path, typer.Option("--output", help="Model folder to write.")],
    scenes: Annotated[Optional[Path], typer.Option("--scenes", help="Folder of real scenes "
                                                   "covering the label points.")] = None,
    stac: Annotated[bool, typer.Option("--stac", help="Find scenes through STAC (online).")]
    = False,
    simulate: Annotated[bool, typer.Option("--simulate", help="Simulated scenes at the label "
                                           "points (no real scene needed).")] = False,
    holdout: Annotated[Optional[Path], typer.Option(help="Hold-out polygon (default: "
                                                    "geo_holdout_caroni.geojson in --labels).")]
    = None,
    max_per_file: Annotated[int, typer.Option(help="Sample at most this many points per "
                                              "label file (0 = all).")] = 250,
    members: Annotated[int, typer.Option(help="Ensemble members.")] = 5,
    extra_per_kind: Annotated[int, typer.Option(help="Simulated false positives per kind "
                                                "in the hold-out.")] = 40,
    start: Annotated[str, typer.Option(help="--stac: first acquisition date.")] = "2024-01-01",
    end: Annotated[str, typer.Option(help="--stac: last acquisition date.")] = "2024-12-31",
    seed: Annotated[int, typer.Option()] = 0,
) -> None:
    from reslog.intel.imagery.labels import (
        HOLDOUT_FILE,
        load_label_files,
        load_sites,
        read_polygon,
    )
    from reslog.intel.imagery.training import train_and_evaluate, train_on_scenes

    if sum([scenes is not None, stac, simulate]) != 1:
        raise ReslogError("give exactly one of --scenes DIR, --stac or --simulate")
    if not labels.exists():
        raise ReslogError(f"--labels {labels}: no such file or folder")
    hp = holdout or (labels if labels.is_dir() else labels.parent) / HOLDOUT_FILE
    if not hp.exists():
        raise ReslogError(f"{hp}: hold-out polygon not found (give --holdout FILE)")
    if labels.is_dir():
        sites = load_sites(labels, max_per_file=max_per_file or None, seed=seed)
    else:
        sites = load_label_files([labels], max_per_file=max_per_file or None, seed=seed)
    poly = read_polygon(hp)
    if stac:
        res = train_on_scenes(sites, poly, None, members=members, seed=seed, log=console.print,
                              stac={"start": start, "end": end})
    elif scenes is not None:
        res = train_on_scenes(sites, poly, scenes, members=members, seed=seed,
                              log=console.print)
    else:
        res = train_and_evaluate(sites, poly, extra_per_kind=extra_per_kind, members=members,
                                 seed=seed, log=console.print)
    res.model.save(output / "single")
    if res.model_change is not None:
        res.model_change.save(output / "change")
    _write_json(output / "metrics.json", res.metrics)
    res.holdout_rows.to_csv(output / "holdout_patches.csv", index=False)
    _print_metrics(res.metrics)
    console.print(f"wrote {output}/single, {output}/change, metrics.json, holdout_patches.csv")


def _print_metrics(m: dict) -> None:
    sim = _sim(m.get("simulated", False))
    for tag in ("single", "change"):
        if tag not in m:
            continue
        x = m[tag]
        t = Table(title=f"{tag}-date model, threshold {x['threshold']:.2f} (F0.5 on validation "
                  f"{x['validation_f05']:.3f}){sim}")
        for c in ("set", "TP", "FN", "FP", "TN", "sensitivity", "specificity"):
            t.add_column(c)
        for name in ("validation", "holdout_all_patches", "holdout_point_patches"):
            if name not in x:
                continue
            c = x[name]
            t.add_row(name, str(c["tp"]), str(c["fn"]), str(c["fp"]), str(c["tn"]),
                      f"{c['sensitivity']:.3f}", f"{c['specificity']:.3f}")
        console.print(t)


@imagery_app.command("evaluate", help="Confusion matrix of a model on the hold-out region's "
                     "simulated scenes (never used in training).")
def evaluate_cmd(
    labels: Annotated[Path, typer.Option("--labels", help="AMW sampling_locations folder.")],
    model: Annotated[Optional[Path], typer.Option("--model", help="Model folder (default: "
                                                  "shipped).")] = None,
    holdout: Annotated[Optional[Path], typer.Option(help="Hold-out polygon.")] = None,
    extra_per_kind: Annotated[int, typer.Option(help="Simulated false positives per "
                                                "kind.")] = 40,
    change: Annotated[bool, typer.Option("--change", help="Evaluate the two-date model.")]
    = False,
    output: Annotated[Optional[Path], typer.Option(help="JSON file for the result.")] = None,
    seed: Annotated[int, typer.Option()] = 0,
) -> None:
    from reslog.intel.imagery.labels import (
        HOLDOUT_FILE,
        extra_holdout_negatives,
        load_sites,
        read_polygon,
        split_sites,
    )
    from reslog.intel.imagery.service import load_model
    from reslog.intel.imagery.simulate import HARD_NEGATIVE_KINDS
    from reslog.intel.imagery.training import evaluate_model

    hp = holdout or labels / HOLDOUT_FILE
    poly = read_polygon(hp)
    sites = load_sites(labels, seed=seed)
    ho = split_sites(sites, poly, seed=seed)["holdout"]
    ho += extra_holdout_negatives(poly, HARD_NEGATIVE_KINDS, extra_per_kind, seed)
    m = load_model(model, with_change=change)
    res = evaluate_model(m, ho)
    t = Table(title=f"hold-out ({hp.name}), threshold {res['threshold']:.2f} (simulated)")
    for c in ("patches", "TP", "FN", "FP", "TN", "sensitivity", "specificity"):
        t.add_column(c)
    for name in ("all_patches", "point_patches"):
        c = res[name]
        t.add_row(name, str(c["tp"]), str(c["fn"]), str(c["fp"]), str(c["tn"]),
                  f"{c['sensitivity']:.3f}", f"{c['specificity']:.3f}")
    console.print(t)
    fp = ", ".join(f"{k} {v['false_positives']}/{v['negatives']}"
                   for k, v in res["negatives_by_kind"].items() if "surroundings" not in k)
    console.print(f"false positives among known false-positive kinds: {fp}")
    if output:
        _write_json(output, res)


@imagery_app.command("exposure", help="Trace gold exports (HS 7108) from countries with "
                     "detected ASGM to importing and refining countries.")
def exposure_cmd(
    hotspots: Annotated[Optional[list[Path]], typer.Option("--hotspots", help="Hotspot "
                                                           "GeoJSON file(s); default: imagery "
                                                           "asgm events in the warehouse.")]
    = None,
    importer: Annotated[Optional[str], typer.Option(help="Answer for this importing country "
                                                    "(e.g. JPN).")] = None,
    year: Annotated[Optional[int], typer.Option(help="Trade year (default: latest with "
                                                "gold).")] = None,
    measure: Annotated[str, typer.Option(help="tonnes (BACI q) or value (kUSD).")] = "tonnes",
    output: Annotated[Optional[Path], typer.Option(help="CSV of the per-country table; "
                                                   "*_origins.csv, *_hotspots.csv and "
                                                   "*_trade.csv are written beside it.")] = None,
    db: DbOption = None,
) -> None:
    from reslog.intel.imagery.service import read_hotspots, run_exposure
    from reslog.schema import resolve_country

    iso = None
    if importer:
        iso = resolve_country(importer)
        if iso is None:
            raise ReslogError(f"--importer {importer!r}: unknown country")
    docs = [read_hotspots(p) for p in hotspots] if hotspots else None
    wh = open_warehouse(db, read_only=True)
    try:
        res, hs, trade, yr = run_exposure(wh, hotspot_docs=docs, year=year, measure=measure)
    finally:
        wh.close()
    sim = _sim(bool(len(hs)) and bool(hs["simulated"].any()))
    for n in res.notes:
        console.print(f"[yellow]note:[/yellow] {n}")
    if len(hs):
        area = hs.groupby(hs["country"].fillna("?"))["area_ha"].agg(["sum", "count"])
        console.print("detected ASGM area by country" + sim + ": " + ", ".join(
            f"{c} {r['sum']:,.1f} ha ({int(r['count'])} hotspot(s))" for c, r in area.iterrows()))
    if res.empty_reason:
        console.print(f"[yellow]nothing traced:[/yellow] {res.empty_reason}")
        return
    unit = "t" if measure == "tonnes" else "kUSD"
    tab = res.table
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        tab.to_csv(output, index=False)
        stem = output.with_suffix("")
        res.origins.to_csv(f"{stem}_origins.csv", index=False)
        hs.to_csv(f"{stem}_hotspots.csv", index=False)
        trade.to_csv(f"{stem}_trade.csv", index=False)
        console.print(f"wrote {output} and its _origins, _hotspots, _trade tables")
    t = Table(title=f"gold (HS 7108) {yr}: exposure of importers to detected ASGM{sim}, {unit}")
    for c in ("country", "imports", "from ASGM (direct)", "direct share", "traced share",
              "attributed ha", "area share"):
        t.add_column(c, justify="left" if c == "country" else "right")
    show = tab[tab["country"] == iso] if iso else tab.head(20)
    for r in show.itertuples(index=False):
        t.add_row(r.country, f"{r.imports:,.3f}", f"{r.imports_from_asgm:,.3f}",
                  f"{r.direct_share:.3f}", f"{r.traced_share:.3f}",
                  f"{r.attributed_area_ha:,.2f}", f"{r.area_share:.3f}")
    console.print(t)
    if iso:
        if show.empty:
            console.print(f"{iso} imports no gold in the traced {yr} trade data")
        else:
            r = show.iloc[0]
            console.print(f"{iso}: {r.direct_share:.1%} of its recorded gold imports come directly "
                          f"from countries with detected ASGM; {r.traced_share:.1%} of its gold "
                          f"traces back to them directly or through re-export hubs; "
                          f"{r.attributed_area_ha:,.2f} ha ({r.area_share:.1%}) of the detected "
                          f"area is attributed to it{sim}")
