"""One orchestrator per job, shared by ``reslog imagery …`` and the API router.

* :func:`run_detection` — scene(s) → hotspot GeoJSON document (optionally on Dask);
* :func:`ingest_hotspots` — hotspot document → ``asgm`` risk events in the warehouse;
* :func:`load_gold_trade` / :func:`run_exposure` — hotspots or events → gold-trade exposure.
"""

from __future__ import annotations

import json
import math
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from reslog.errors import InputError, ReslogError
from reslog.intel.imagery.exposure import GOLD_HS92, ExposureResult, calc_gold_exposure


class NoModelError(ReslogError):
    """No trained model where one was expected."""


def load_model(folder: str | Path | None, *, with_change: bool):
    """The model in ``folder``, or the shipped one (``single``/``change`` subfolder)."""
    from reslog.intel.imagery.model import PatchModel
    from reslog.intel.imagery.training import default_model_dir

    if folder is None:
        d = default_model_dir() / ("change" if with_change else "single")
        if not (d / "model.json").exists():
            raise NoModelError(f"{d}: no shipped model; train one with `reslog imagery train "
                               "--labels …/sampling_locations --simulate --output DIR` and pass "
                               "--model DIR")
        return PatchModel.load(d)
    d = Path(folder)
    if (d / ("change" if with_change else "single") / "model.json").exists():
        d = d / ("change" if with_change else "single")
    return PatchModel.load(d)


@contextmanager
def dask_client(workers: int | None = None, scheduler: str | None = None):
    """A Dask client: a LocalCluster of ``workers`` processes, or an existing scheduler."""
    if not workers and not scheduler:
        yield None
        return
    from distributed import Client, LocalCluster

    if scheduler:
        client = Client(scheduler)
        try:
            yield client
        finally:
            client.close()
        return
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           dashboard_address=None, memory_limit="1.5GB", host="127.0.0.1")
    client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def run_detection(scene: str | Path, *, before: str | Path | None = None,
                  model_dir: str | Path | None = None, threshold: float | None = None,
                  window_patches: int = 32, client=None, date: str | None = None) -> dict:
    """Detect hotspots in ``scene``; the GeoJSON document (features + ``reslog`` metadata)."""
    from reslog.intel.imagery.detect import detect
    from reslog.intel.imagery.hotspots import feature_collection, hotspot_features
    from reslog.sources.sentinel2 import open_scene

    sc = open_scene(scene)
    if date:
        sc.spec.date = date
    model = load_model(model_dir, with_change=before is not None)
    det = detect(sc, model, before=before, window_patches=window_patches, client=client,
                 threshold=threshold)
    feats = hotspot_features(det) if det.reason is None else []
    before_date = None
    if before is not None:
        before_date = open_scene(before).date
    for f in feats:
        if det.spec.simulated:
            f["properties"]["simulated_scene"] = True
        if before is not None:
            # two-date model: the hotspot is new since the before scene
            f["properties"]["not_seen_on"] = before_date
    doc = feature_collection(det, feats, simulated=bool(model.info.get("simulated", True)),
                             model_info=model.info)
    doc["reslog"]["simulated_scene"] = det.spec.simulated
    return doc


def read_hotspots(path: str | Path) -> dict:
    """A hotspot GeoJSON written by ``reslog imagery detect`` (checked)."""
    p = Path(path)
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except OSError as e:
        raise InputError(p, f"cannot read: {e.strerror or e}") from e
    except json.JSONDecodeError as e:
        raise InputError(p, f"not valid JSON: {e.msg} at line {e.lineno}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("features"), list):
        raise InputError(p, "not a GeoJSON FeatureCollection")
    need = ("hotspot_id", "area_ha", "centroid_lat", "centroid_lon", "probability")
    for n, f in enumerate(doc["features"], start=1):
        props = (f or {}).get("properties") or {}
        miss = [k for k in need if k not in props]
        if miss:
            raise InputError(p, f"feature lacks {miss}: not a reslog hotspot file", row=n,
                             field=miss[0])
        a = props["area_ha"]
        if not isinstance(a, (int, float)) or not math.isfinite(a) or a < 0:
            raise InputError(p, f"area_ha {a!r} is not a non-negative number", row=n,
                             field="area_ha")
    return doc


def ingest_hotspots(wh, doc: dict, *, source_file: str = "", max_mine_km: float = 25.0):
    """Write the hotspots of ``doc`` as ``asgm`` events (one transaction, idempotent)."""
    from reslog.intel.imagery.events import SOURCE_NAME, build_parsed

    mines = wh.query("SELECT mine_id, name, lat, lon FROM mine_sites")
    earlier = wh.query("SELECT lat, lon, start_time FROM risk_events WHERE source = ? AND "
                       "event_type = 'asgm'", [SOURCE_NAME])
    sim = bool(doc.get("reslog", {}).get("simulated_scene"))
    parsed = build_parsed(doc, mines, earlier=earlier, max_mine_km=max_mine_km,
                          source_file=source_file, simulated=sim)
    return wh.ingest(parsed, kind="imagery"), parsed


def hotspot_areas(docs: list[dict]) -> tuple[pd.Series, pd.DataFrame]:
    """Detected area per country and the hotspot rows it sums (for tracing back)."""
    rows = []
    for d in docs:
        for f in d.get("features", []):
            p = f["properties"]
            rows.append({"hotspot_id": p["hotspot_id"], "country": p.get("country"),
                         "area_ha": float(p["area_ha"]), "first_seen": p.get("first_seen"),
                         "scene": p.get("scene"), "simulated": bool(p.get("simulated_scene"))})
    hs = pd.DataFrame(rows, columns=["hotspot_id", "country", "area_ha", "first_seen", "scene",
                                     "simulated"])
    area = hs.dropna(subset=["country"]).groupby("country")["area_ha"].sum()
    return area, hs


def event_areas(wh) -> tuple[pd.Series, pd.DataFrame]:
    """Detected area per country from imagery ``asgm`` events (A = −50 ln(1 − severity))."""
    ev = wh.query("SELECT event_id, country, severity, start_time, title FROM risk_events "
                  "WHERE event_type = 'asgm' AND source = 'imagery_s2'")
    ev["area_ha"] = -50.0 * np.log1p(-ev["severity"].clip(upper=1 - 1e-12))
    hs = ev.rename(columns={"event_id": "hotspot_id", "start_time": "first_seen"})
    hs["simulated"] = hs["title"].str.contains("simulated", na=False)
    area = hs.dropna(subset=["country"]).groupby("country")["area_ha"].sum()
    return area, hs


def load_gold_trade(wh, year: int | None) -> tuple[pd.DataFrame, int | None, list[str]]:
    """HS 7108 trade rows (ISO3-labelled, with ``ledger_id``) of ``year`` (default: latest)."""
    from reslog.schema import resolve_country

    notes: list[str] = []
    klist = ", ".join(str(k) for k in GOLD_HS92)
    years = wh.query(f"SELECT DISTINCT t FROM trade WHERE k IN ({klist}) ORDER BY t")["t"].tolist()
    if not years:
        return pd.DataFrame(columns=["t", "exporter", "importer", "k", "v", "q", "ledger_id"]), \
            year, notes
    if year is None:
        year = int(years[-1])
    df = wh.query(f"SELECT t, i, j, k, v, q, hs_revision, ledger_id FROM trade WHERE t = ? AND "
                  f"k IN ({klist})", [year])
    cm = wh.query("SELECT code, iso3 FROM trade_countries WHERE iso3 IS NOT NULL")
    cmap = {int(c): i for c, i in zip(cm["code"], cm["iso3"])}

    def lab(c: int) -> str:
        return cmap.get(int(c)) or resolve_country(int(c)) or f"BACI{int(c)}"

    df["exporter"] = df["i"].map(lab)
    df["importer"] = df["j"].map(lab)
    if len(df):
        ex = sorted(set(df["exporter"]))
        notes.append(f"{len(df):,} HS 7108 trade rows for {year} ({df['hs_revision'].iloc[0]}), "
                     f"exporters in the data: {', '.join(ex[:12])}{' …' if len(ex) > 12 else ''}")
    return df, year, notes


def load_gold_production(wh, year: int) -> pd.Series | None:
    """Gold mine production (t) by country for ``year`` when the warehouse has it."""
    p = wh.query("SELECT country, quantity, unit FROM production WHERE commodity = 'gold' AND "
                 "stage = 'mine' AND year = ? AND quantity IS NOT NULL", [year])
    p = p[~p["country"].isin(["WLD", "ROW"])]
    if p.empty:
        return None
    scale = {"t": 1.0, "kt": 1e3, "kg": 1e-3, "g": 1e-6}
    f = p["unit"].astype(str).str.strip().str.split(" ").str[0].str.lower().map(scale)
    if f.isna().any():
        bad = p.loc[f.isna(), "unit"].iloc[0]
        raise ReslogError(f"gold production unit {bad!r} is not understood (t, kt, kg or g)")
    return (p["quantity"] * f).groupby(p["country"].to_numpy()).sum()


def run_exposure(wh, *, hotspot_docs: list[dict] | None = None, year: int | None = None,
                 measure: str = "tonnes") -> tuple[ExposureResult, pd.DataFrame, pd.DataFrame,
                                                     int | None]:
    """(result, hotspot rows, trade rows used, year) — everything the numbers came from."""
    if measure not in ("tonnes", "value"):
        raise ReslogError(f"--measure {measure!r}: use tonnes or value")
    if hotspot_docs is not None:
        area, hs = hotspot_areas(hotspot_docs)
    else:
        area, hs = event_areas(wh)
    trade, year, notes = load_gold_trade(wh, year)
    if hs.empty:
        res = ExposureResult(pd.DataFrame(), pd.DataFrame(), notes,
                             "no hotspots: give --hotspots FILE or ingest detections first "
                             "(reslog imagery detect … --db DB --ingest)")
        return res, hs, trade, year
    if hs["country"].isna().all():
        res = ExposureResult(pd.DataFrame(), pd.DataFrame(), notes,
                             "no hotspot has a country (all centroids at sea or outside the "
                             "shipped country geometry)")
        return res, hs, trade, year
    if trade.empty:
        t_all = wh.query("SELECT count(*) AS n FROM trade")["n"].iloc[0]
        res = ExposureResult(pd.DataFrame(), pd.DataFrame(), notes,
                             "the warehouse holds no HS 7108 (gold) trade rows"
                             + (f" for {year}" if year else "")
                             + f" ({t_all:,} trade rows in all); ingest BACI with gold: "
                             "reslog ingest baci FOLDER")
        return res, hs, trade, year
    prod = load_gold_production(wh, year) if year else None
    res = calc_gold_exposure(area, trade, prod, quantity="q" if measure == "tonnes" else "v")
    res.notes[:0] = notes
    return res, hs, trade, year
