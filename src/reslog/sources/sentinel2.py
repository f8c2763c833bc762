"""Sentinel-2 L2A scenes as GeoTIFF/COG: one multi-band file, or a folder / SAFE-like layout.

Layouts
-------
* **multi-band file**: 10 bands ``B02 B03 B04 B05 B06 B07 B08 B8A B11 B12`` in this order, each
  with its band description set to its name, optionally an 11th band ``SCL``;
* **folder** (also a ``.SAFE`` tree, searched recursively, or a STAC item's assets): one file
  per band whose name contains the band code (``…_B02_10m.jp2``, ``B8A.tif``, ``…_SCL_20m…``).
  The 10 m ``B02`` file is the reference grid; other bands (20 m, or any CRS) are resampled to
  it on the fly through GDAL warped VRTs (bilinear for reflectance, nearest for SCL), window by
  window.

Values are L2A digital numbers: reflectance = (DN + BOA_ADD_OFFSET) / 10000 (the offset is
read from the ``BOA_ADD_OFFSET`` tag when present, else 0); DN 0 is no data. Floating-point
files are taken as reflectance already. SCL classes 0, 1, 3, 8, 9, 10 (no data, defective,
cloud shadow, clouds, cirrus) are masked.

Nothing is read whole: :meth:`Sentinel2Scene.read_window` reads one window.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from reslog.errors import InputError
from reslog.intel.imagery.bands import BANDS, PATCH, REFLECTANCE_SCALE, SCL_MASKED

# GDAL's block cache defaults to 5 % of RAM per process; windows are read once, so a small cache
# keeps each Dask worker's memory bounded (set before GDAL is first used in the process).
os.environ.setdefault("GDAL_CACHEMAX", "128")

_DATE_TAGS = ("ACQUISITION_DATE", "DATATAKE_SENSING_START", "SENSING_TIME", "datetime", "date")
_RASTER_EXT = (".tif", ".tiff", ".jp2", ".vrt")


def _rio():
    try:
        import rasterio
    except ModuleNotFoundError as e:  # pragma: no cover - depends on the install
        raise ModuleNotFoundError("rasterio is needed to read scenes (pip install "
                                  "'reslog[imagery]')", name="rasterio") from e
    return rasterio


@dataclass
class Grid:
    """The pixel grid of a scene: CRS (WKT), affine transform (6 numbers), size."""

    crs: str
    transform: tuple[float, ...]
    width: int
    height: int

    def same_as(self, other: "Grid", tol: float = 1e-6) -> bool:
        from rasterio.crs import CRS

        return (self.width == other.width and self.height == other.height
                and CRS.from_wkt(self.crs) == CRS.from_wkt(other.crs)
                and np.allclose(self.transform, other.transform, atol=tol))

    def describe(self) -> str:
        from rasterio.crs import CRS

        c = CRS.from_wkt(self.crs)
        t = self.transform
        return (f"{self.width}×{self.height} px, {c.to_string()}, origin ({t[2]:.2f}, {t[5]:.2f}), "
                f"pixel {t[0]:g}×{-t[4]:g}")


@dataclass
class SceneSpec:
    """Where a scene's bands are: picklable, so Dask workers can open the scene themselves."""

    bands: dict[str, str]
    scl: str | None = None
    multiband: str | None = None
    has_scl_band: bool = False
    offset: float = 0.0
    date: str | None = None
    name: str = ""
    grid: Grid | None = None
    simulated: bool = False
    """The file says it was written by reslog's scene simulator (tag ``RESLOG_SIMULATED``)."""


def _find_date(tags: dict, name: str) -> str | None:
    for k in _DATE_TAGS:
        for key, v in tags.items():
            if key.upper() == k.upper() and v:
                m = re.search(r"(\d{4})-?(\d{2})-?(\d{2})", str(v))
                if m:
                    return f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
    m = re.search(r"(20\d{2})(\d{2})(\d{2})T?\d{0,6}", name)
    if m:
        try:
            return _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
        except ValueError:
            return None
    return None


def _grid_of(src, path: str) -> Grid:
    if src.crs is None:
        raise InputError(path, "the raster has no CRS (coordinate reference system); a scene "
                         "must be georeferenced (set one with gdal_edit.py -a_srs EPSG:…)",
                         field="crs")
    if src.transform.is_identity:
        raise InputError(path, "the raster has no geotransform (pixel → map coordinates)",
                         field="transform")
    return Grid(src.crs.to_wkt(), tuple(src.transform)[:6], src.width, src.height)


def open_scene(path: str | Path, *, bands: dict[str, str] | None = None) -> "Sentinel2Scene":
    """Open a scene: a multi-band file, a folder/SAFE tree, or explicit ``bands`` (STAC hrefs).

    Raises
    ------
    InputError
        Wrong band count or order, missing band descriptions, a missing band file, no CRS.
    """
    if bands is not None:
        return Sentinel2Scene(_spec_from_band_files(dict(bands), str(path)))
    p = Path(path)
    if not p.exists():
        raise InputError(p, "no such file or folder")
    if p.is_dir():
        return Sentinel2Scene(_spec_from_folder(p))
    return Sentinel2Scene(_spec_from_multiband(p))


def _spec_from_multiband(p: Path) -> SceneSpec:
    rio = _rio()
    try:
        src = rio.open(p)
    except rio.errors.RasterioIOError as e:
        raise InputError(p, f"not a readable raster ({e})") from None
    with src:
        desc = [d or "" for d in src.descriptions]
        n = src.count
        expected = list(BANDS)
        if n not in (10, 11):
            raise InputError(p, f"{n} band(s); a multi-band scene has the 10 bands "
                             f"{' '.join(BANDS)} (and optionally SCL as band 11)", field="bands")
        if any(not d.strip() for d in desc):
            missing = [i + 1 for i, d in enumerate(desc) if not d.strip()]
            raise InputError(p, f"band(s) {missing} have no description; each band must be "
                             f"named ({' '.join(BANDS)}{' SCL' if n == 11 else ''}) so its order "
                             "can be checked", field="descriptions")
        got = [d.strip().upper() for d in desc]
        want = expected + (["SCL"] if n == 11 else [])
        if got != want:
            first = next(i for i, (a, b) in enumerate(zip(got, want)) if a != b)
            raise InputError(p, f"band order {' '.join(got)} differs from the expected "
                             f"{' '.join(want)} (first difference at band {first + 1}: "
                             f"{got[first]} instead of {want[first]}); rewrite the file in this "
                             "order", field="descriptions")
        grid = _grid_of(src, str(p))
        tags = src.tags()
        offset = float(tags.get("BOA_ADD_OFFSET", 0) or 0)
        return SceneSpec(bands={}, multiband=str(p), has_scl_band=n == 11, offset=offset,
                         date=_find_date(tags, p.name), name=p.name, grid=grid,
                         simulated=tags.get("RESLOG_SIMULATED") == "yes")


def _band_in_name(name: str, band: str) -> bool:
    return re.search(rf"(^|[^A-Z0-9]){band}([^A-Z0-9]|$)", name.upper()) is not None


def _spec_from_folder(p: Path) -> SceneSpec:
    files = [f for f in sorted(p.rglob("*")) if f.suffix.lower() in _RASTER_EXT and f.is_file()]
    found: dict[str, str] = {}
    for b in BANDS + ("SCL",):
        hits = [f for f in files if _band_in_name(f.name, b)]
        if len(hits) > 1:  # a SAFE tree has B02 at 10, 20 and 60 m: take the finest
            pref = [f for f in hits if "10M" in f.name.upper()] or \
                   [f for f in hits if "20M" in f.name.upper()] or hits
            hits = pref[:1]
        if hits:
            found[b] = str(hits[0])
    missing = [b for b in BANDS if b not in found]
    if missing:
        raise InputError(p, f"no file for band(s) {' '.join(missing)} (file names must contain the "
                         f"band code, e.g. T20NQF_20240105_{missing[0]}_10m.tif); found "
                         f"{', '.join(sorted(found)) or 'no band file'}", field="bands")
    return _spec_from_band_files(found, str(p))


def _spec_from_band_files(found: dict[str, str], where: str) -> SceneSpec:
    rio = _rio()
    scl = found.pop("SCL", None)
    missing = [b for b in BANDS if b not in found]
    if missing:
        raise InputError(where, f"no file for band(s) {' '.join(missing)}", field="bands")
    try:
        with rio.open(found["B02"]) as ref:
            grid = _grid_of(ref, found["B02"])
            tags = ref.tags()
    except rio.errors.RasterioIOError as e:
        raise InputError(found["B02"], f"not a readable raster ({e})") from None
    for b, f in list(found.items()) + ([("SCL", scl)] if scl else []):
        try:
            with rio.open(f) as src:
                if src.count != 1:
                    raise InputError(f, f"{src.count} bands in the {b} file; one band expected",
                                     field="bands")
                _grid_of(src, f)
        except rio.errors.RasterioIOError as e:
            raise InputError(f, f"not a readable raster ({e})") from None
    return SceneSpec(bands=found, scl=scl, offset=float(tags.get("BOA_ADD_OFFSET", 0) or 0),
                     date=_find_date(tags, Path(found["B02"]).name), name=Path(where).name,
                     grid=grid, simulated=tags.get("RESLOG_SIMULATED") == "yes")


@dataclass
class Sentinel2Scene:
    """An open scene; read it window by window (see the module docstring)."""

    spec: SceneSpec
    _handles: dict = field(default_factory=dict, repr=False)

    @property
    def grid(self) -> Grid:
        assert self.spec.grid is not None
        return self.spec.grid

    @property
    def date(self) -> str | None:
        return self.spec.date

    @property
    def patch_shape(self) -> tuple[int, int]:
        """Whole 48-px patches in (rows, cols); a trailing strip narrower than 48 px is not used."""
        return self.grid.height // PATCH, self.grid.width // PATCH

    def _open(self, key: str, path: str, resampling: str):
        if key in self._handles:
            return self._handles[key]
        rio = _rio()
        from rasterio.enums import Resampling
        from rasterio.vrt import WarpedVRT

        src = rio.open(path)
        g = self.grid
        t = tuple(src.transform)[:6]
        if (src.crs.to_wkt() == g.crs or src.crs == rio.crs.CRS.from_wkt(g.crs)) and \
                np.allclose(t, g.transform) and (src.width, src.height) == (g.width, g.height):
            h = src
        else:
            from affine import Affine

            h = WarpedVRT(src, crs=rio.crs.CRS.from_wkt(g.crs), transform=Affine(*g.transform),
                          width=g.width, height=g.height,
                          resampling=getattr(Resampling, resampling))
            self._handles[key + "_src"] = src
        self._handles[key] = h
        return h

    def read_window(self, row: int, col: int, height: int, width: int
                    ) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
        """Reflectance (10, h, w) float32, valid mask (h, w), and masked-pixel counts."""
        from rasterio.windows import Window

        win = Window(col, row, width, height)
        s = self.spec
        if s.multiband:
            src = self._open("multi", s.multiband, "nearest")
            idx = list(range(1, 11)) + ([11] if s.has_scl_band else [])
            raw = src.read(idx, window=win)
            dn, scl = raw[:10], (raw[10] if s.has_scl_band else None)
        else:
            dn = np.stack([self._open(b, s.bands[b], "bilinear").read(1, window=win)
                           for b in BANDS])
            scl = self._open("SCL", s.scl, "nearest").read(1, window=win) if s.scl else None
        if np.issubdtype(dn.dtype, np.floating):  # reflectance already
            nodata = ~np.isfinite(dn).all(axis=0) | (dn == 0).all(axis=0)
            refl = np.nan_to_num(dn.astype(np.float32, copy=False))
        else:
            nodata = (dn == 0).all(axis=0)
            refl = (dn.astype(np.float32) + np.float32(s.offset)) / np.float32(REFLECTANCE_SCALE)
        counts = {"pixels": int(height * width), "nodata": int(nodata.sum()), "cloud": 0}
        valid = ~nodata
        if scl is not None:
            masked = np.isin(scl, list(SCL_MASKED))
            counts["nodata"] = int((nodata | (scl == 0)).sum())
            counts["cloud"] = int((masked & ~(nodata | (scl == 0))).sum())
            valid &= ~masked
        return refl, valid, counts

    def close(self) -> None:
        for h in self._handles.values():
            try:
                h.close()
            except Exception:  # pragma: no cover
                pass
        self._handles.clear()


def write_scene(path: str | Path, refl: np.ndarray, *, crs: str, transform: tuple[float, ...],
                scl: np.ndarray | None = None, date: str | None = None,
                descriptions: list[str] | None = None, tiled: bool = True,
                simulated: bool = True) -> Path:
    """Write reflectance (10, h, w) as an L2A-style uint16 multi-band GeoTIFF (+ SCL band).

    Used by the simulator, the tests and the benchmark; ``descriptions`` overrides the band
    names (to write deliberately bad files in tests).
    """
    rio = _rio()
    from affine import Affine

    p = Path(path)
    n = refl.shape[0] + (1 if scl is not None else 0)
    dn = np.clip(np.round(refl * REFLECTANCE_SCALE), 1, 65535).astype(np.uint16)
    prof = {"driver": "GTiff", "width": refl.shape[2], "height": refl.shape[1], "count": n,
            "dtype": "uint16", "crs": crs, "transform": Affine(*transform[:6]), "nodata": None}
    if tiled:
        prof.update(tiled=True, blockxsize=256, blockysize=256)
    with rio.open(p, "w", **prof) as dst:
        dst.write(dn, indexes=list(range(1, refl.shape[0] + 1)))
        if scl is not None:
            dst.write(scl.astype(np.uint16), n)
        names = descriptions or (list(BANDS) + (["SCL"] if scl is not None else []))
        for i, d in enumerate(names[:n], start=1):
            dst.set_band_description(i, d)
        if date:
            dst.update_tags(ACQUISITION_DATE=date)
        if simulated:
            dst.update_tags(RESLOG_SIMULATED="yes")
    return p
