"""Training and evaluation on simulated scenes at AMW's labelled places (the AMW protocol).

1. Sites: every AMW labelled point becomes a simulated 3 × 3-patch scene (144 × 144 px) with
   the point's kind at the centre (:mod:`reslog.intel.imagery.labels`), in its region's style.
2. Split: points inside the Caroní polygon are the geographic hold-out; they and the extra
   false-positive scenes placed inside it are never seen in training, validation or threshold
   choice. The rest is split by whole 2° cells into training and validation.
3. Patch labels come from the simulator's truth: mining if ≥ 5 % of the patch's pixels are
   mining, not mining if none are; patches in between, and patches with < 50 % valid
   (cloud-free) pixels, are left out and counted.
4. An ensemble of LightGBM models is trained on training patches; the threshold maximises
   F0.5 on validation patches; the hold-out is scored once at the end.

Every number this module reports is on **simulated** scenes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from reslog.intel.imagery.features import (
    MIN_VALID,
    calc_patch_features,
    feature_index,
    feature_names,
    model_matrix,
)
from reslog.intel.imagery.labels import Site, extra_holdout_negatives, split_sites
from reslog.intel.imagery.model import PatchModel, choose_threshold, confusion, fit_ensemble
from reslog.intel.imagery.simulate import (
    HARD_NEGATIVE_KINDS,
    MIN_MINING_FRACTION,
    Materials,
    RegionStyle,
    simulate_scene,
)

SCL_MASK = (0, 1, 3, 8, 9, 10)


@dataclass
class PatchSet:
    """Feature rows and labels of patches, with where each came from."""

    X: np.ndarray
    Xc: np.ndarray
    y: np.ndarray
    info: pd.DataFrame
    dropped: dict[str, int] = field(default_factory=dict)


def site_patches(sites: list[Site], materials: Materials | None = None) -> PatchSet:
    """Simulate a scene per site and return its labelled patches (single and two-date rows)."""
    mats = materials or Materials()
    X, Xc, y, rows = [], [], [], []
    dropped = {"ambiguous": 0, "cloud": 0}
    styles: dict[int, RegionStyle] = {}
    for s in sites:
        style = styles.setdefault(s.region_seed, RegionStyle.draw(s.region_seed))
        area = None
        if s.kind == "mine":
            area = float(np.clip(s.area_ha, 2.0, 60.0)) if s.area_ha else None
        sc = simulate_scene(s.kind, s.seed, style=style, materials=mats, area_ha=area, before=True)
        valid = ~np.isin(sc.scl, SCL_MASK)
        g = calc_patch_features(sc.refl, valid)
        gb = calc_patch_features(sc.before)
        m1 = model_matrix(g)
        m2 = model_matrix(g, gb)
        frac = sc.patch_truth().ravel()
        vs = g[..., feature_index("valid_share")].ravel()
        for i in range(len(frac)):
            centre = i == len(frac) // 2
            if not np.isfinite(vs[i]) or vs[i] < MIN_VALID:
                dropped["cloud"] += 1
                continue
            if 0 < frac[i] < MIN_MINING_FRACTION:
                dropped["ambiguous"] += 1
                continue
            X.append(m1[i])
            Xc.append(m2[i])
            y.append(int(frac[i] >= MIN_MINING_FRACTION))
            rows.append({"source": s.source, "kind": s.kind if centre else
                         (s.kind if frac[i] > 0 else f"{s.kind}-surroundings"),
                         "centre": centre, "lon": s.lon, "lat": s.lat, "mining_share": frac[i]})
    nf1, nf2 = len(feature_names(False)), len(feature_names(True))
    return PatchSet(np.array(X, np.float32).reshape(-1, nf1), np.array(Xc, np.float32).reshape(-1, nf2),
                    np.array(y, int), pd.DataFrame(rows), dropped)


@dataclass
class TrainResult:
    model: PatchModel
    model_change: PatchModel | None
    metrics: dict
    holdout_rows: pd.DataFrame


def train_and_evaluate(sites: list[Site], holdout_polygon, *, extra_per_kind: int = 30,
                       members: int = 5, seed: int = 0, n_jobs: int = 2,
                       log=print) -> TrainResult:
    """The whole protocol (see the module docstring); returns models and simulated metrics."""
    split = split_sites(sites, holdout_polygon, seed=seed)
    extra = extra_holdout_negatives(holdout_polygon, HARD_NEGATIVE_KINDS, extra_per_kind, seed)
    split["holdout"] = split["holdout"] + extra
    mats = Materials()
    sets = {}
    for name in ("train", "validation", "holdout"):
        log(f"simulating {len(split[name])} {name} scenes")
        sets[name] = site_patches(split[name], mats)
    tr, va, ho = sets["train"], sets["validation"], sets["holdout"]
    if tr.y.sum() == 0 or tr.y.sum() == len(tr.y):
        raise ValueError("training patches hold a single class; give more label files")
    out = {}
    metrics: dict = {"simulated": True, "sites": {k: len(v) for k, v in split.items()},
                     "patches": {k: int(len(s.y)) for k, s in sets.items()},
                     "positives": {k: int(s.y.sum()) for k, s in sets.items()},
                     "dropped": {k: s.dropped for k, s in sets.items()}}
    for tag, attr in (("single", "X"), ("change", "Xc")):
        log(f"training the {tag}-date ensemble ({members} members)")
        feats = feature_names(tag == "change")
        model = fit_ensemble(getattr(tr, attr), tr.y, feats, members=members, seed=seed,
                             n_jobs=n_jobs)
        pv = model.predict_proba(getattr(va, attr))
        thr, fv = choose_threshold(va.y, pv)
        model.threshold = thr
        ph = model.predict_proba(getattr(ho, attr))
        pred = (ph >= thr).astype(int)
        m = {"threshold": thr, "validation_f05": fv,
             "validation": confusion(va.y, (pv >= thr).astype(int)),
             "holdout_all_patches": confusion(ho.y, pred),
             "holdout_point_patches": confusion(ho.y[ho.info["centre"].to_numpy()],
                                                pred[ho.info["centre"].to_numpy()])}
        fp = {}
        for k in sorted(set(ho.info["kind"])):
            sel = (ho.info["kind"] == k).to_numpy() & (ho.y == 0)
            if sel.any():
                fp[k] = {"negatives": int(sel.sum()), "false_positives": int(pred[sel].sum())}
        m["holdout_negatives_by_kind"] = fp
        model.info = {"simulated": True, "protocol": "AMW-style geographic hold-out (Caroni)",
                      **{k: m[k] for k in ("threshold", "validation_f05")},
                      "holdout": m["holdout_all_patches"]}
        metrics[tag] = m
        out[tag] = model
        if tag == "single":
            rows = ho.info.assign(y=ho.y, prob=ph, pred=pred)
    return TrainResult(out["single"], out["change"], metrics, rows)


def evaluate_model(model: PatchModel, sites: list[Site]) -> dict:
    """Confusion matrix of a saved model on the patches of ``sites`` (simulated scenes)."""
    ps = site_patches(sites)
    X = ps.Xc if model.with_change else ps.X
    pred = (model.predict_proba(X) >= model.threshold).astype(int)
    res = {"simulated": True, "threshold": model.threshold, "all_patches": confusion(ps.y, pred),
           "point_patches": confusion(ps.y[ps.info["centre"].to_numpy()],
                                      pred[ps.info["centre"].to_numpy()]),
           "dropped": ps.dropped}
    fp = {}
    for k in sorted(set(ps.info["kind"])):
        sel = (ps.info["kind"] == k).to_numpy() & (ps.y == 0)
        if sel.any():
            fp[k] = {"negatives": int(sel.sum()), "false_positives": int(pred[sel].sum())}
    res["negatives_by_kind"] = fp
    return res


def default_model_dir() -> Path:
    """The model shipped with reslog (trained by ``reslog imagery train`` on simulated scenes)."""
    return Path(__file__).resolve().parents[2] / "data" / "imagery" / "model"


def _patch_at(sc, s: Site, tf: dict):
    """Model row of the patch centred on site ``s`` in scene ``sc``; None if outside, "cloud"."""
    from pyproj import CRS, Transformer

    g = sc.grid
    if g.crs not in tf:
        tf[g.crs] = Transformer.from_crs(CRS.from_epsg(4326), CRS.from_wkt(g.crs), always_xy=True)
    x, yy = tf[g.crs].transform(s.lon, s.lat)
    a, _, c, _, e, f = g.transform[:6]
    col, row = (x - c) / a, (yy - f) / e
    r0, c0 = int(round(row)) - 72, int(round(col)) - 72
    if r0 < 0 or c0 < 0 or r0 + 144 > g.height or c0 + 144 > g.width:
        return None
    refl, valid, _ = sc.read_window(r0, c0, 144, 144)
    grid = calc_patch_features(refl, valid)
    if grid[1, 1, feature_index("valid_share")] < MIN_VALID:
        return "cloud"
    return model_matrix(grid)[4]


def _collect(sites: list[Site], scenes_for) -> tuple[PatchSet, list[Site]]:
    X, y, rows, outside = [], [], [], []
    tf: dict = {}
    cloud = 0
    for s in sites:
        got = None
        for sc in scenes_for(s):
            got = _patch_at(sc, s, tf)
            if got is not None:
                break
        if got is None:
            outside.append(s)
        elif isinstance(got, str):
            cloud += 1
        else:
            X.append(got)
            y.append(s.label)
            rows.append({"source": s.source, "kind": s.kind, "centre": True, "lon": s.lon,
                         "lat": s.lat, "mining_share": float("nan")})
    nf = len(feature_names(False))
    ps = PatchSet(np.array(X, np.float32).reshape(-1, nf), np.zeros((len(X), 0), np.float32),
                  np.array(y, int), pd.DataFrame(rows), {"outside": len(outside), "cloud": cloud})
    return ps, outside


def scene_patches(sites: list[Site], scene_paths: list[Path]) -> tuple[PatchSet, list[Site]]:
    """Centre patches of real scenes at the label points; also the points outside every scene.

    A point is used in the first scene whose grid holds the whole 144 × 144-px window centred
    on it (so its patch and the 3 × 3 context are complete).
    """
    from reslog.sources.sentinel2 import open_scene

    scenes = [open_scene(p) for p in scene_paths]
    try:
        return _collect(sites, lambda s: scenes)
    finally:
        for sc in scenes:
            sc.close()


def stac_patches(sites: list[Site], start: str, end: str, *, stac_io=None,
                 max_cloud: float = 30.0) -> tuple[PatchSet, list[Site]]:
    """Centre patches at the label points from the least cloudy STAC scene of each point."""
    from reslog.sources.stac import open_item, search_scenes

    def scenes_for(s: Site):
        d = 0.01
        items = search_scenes((s.lon - d, s.lat - d, s.lon + d, s.lat + d), start, end,
                              stac_io=stac_io, max_cloud=max_cloud, max_items=3)
        for it in items:
            yield open_item(it)

    return _collect(sites, scenes_for)


def list_scenes(folder: Path) -> list[Path]:
    """Multi-band files and band-file folders (``*.SAFE`` or any folder holding a B02 file)."""
    from reslog.errors import InputError

    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(folder, "not a folder of scenes")
    out = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".tif", ".tiff", ".vrt"))
    out += sorted(p for p in folder.iterdir() if p.is_dir())
    if not out:
        raise InputError(folder, "no scene here (expected .tif files or scene folders)")
    return out


def train_on_scenes(sites: list[Site], holdout_polygon, folder: Path | None, *, members: int = 5,
                    seed: int = 0, log=print, stac: dict | None = None) -> TrainResult:
    """The AMW protocol on real scenes (single-date model only).

    Scenes come from ``folder`` or, with ``stac={"start": …, "end": …}``, from a STAC API
    (the least cloudy scene over each point).
    """
    from reslog.errors import InputError

    split = split_sites(sites, holdout_polygon, seed=seed)
    if stac is not None:
        paths: list[Path] = []
        folder = Path(stac.get("url", "STAC"))

        def patches(ss):
            return stac_patches(ss, stac["start"], stac["end"], stac_io=stac.get("stac_io"))
    else:
        assert folder is not None
        paths = list_scenes(folder)

        def patches(ss):
            return scene_patches(ss, paths)
    sets, outside = {}, {}
    for name in ("train", "validation", "holdout"):
        sets[name], outside[name] = patches(split[name])
        log(f"{name}: {len(sets[name].y)} patches from scenes; {len(outside[name])} label "
            "point(s) outside every scene")
    n_in = sum(len(s.y) for s in sets.values())
    if n_in == 0:
        raise InputError(folder, f"no label point falls inside any scene ({len(sites)} points, "
                         f"{len(paths) if paths else 'STAC'} scene(s)); scenes must cover the "
                         "labelled places")
    tr, va, ho = sets["train"], sets["validation"], sets["holdout"]
    if len(set(tr.y.tolist())) < 2 or len(set(va.y.tolist())) < 2:
        raise InputError(folder, f"training ({len(tr.y)}) and validation ({len(va.y)}) patches "
                         "must each hold mines and non-mines; add scenes over more label points")
    model = fit_ensemble(tr.X, tr.y, feature_names(False), members=members, seed=seed)
    thr, fv = choose_threshold(va.y, model.predict_proba(va.X))
    model.threshold = thr
    m = {"threshold": thr, "validation_f05": fv,
         "validation": confusion(va.y, (model.predict_proba(va.X) >= thr).astype(int))}
    if len(ho.y):
        ph = model.predict_proba(ho.X)
        m["holdout_all_patches"] = m["holdout_point_patches"] = confusion(ho.y, (ph >= thr).astype(int))
    model.info = {"simulated": False, "protocol": "AMW-style geographic hold-out",
                  "threshold": thr, "validation_f05": fv}
    metrics = {"simulated": False, "single": m,
               "outside_every_scene": {k: len(v) for k, v in outside.items()}}
    rows = ho.info.assign(y=ho.y)
    return TrainResult(model, None, metrics, rows)
