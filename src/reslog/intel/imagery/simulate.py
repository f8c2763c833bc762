r"""Sentinel-2 L2A scene simulator built from measured spectra (no real scenes are reachable here).

Every pixel is a linear mixture of *materials*, and every material a mixture of measured USGS
splib07 spectra convolved with the Sentinel-2 SRFs (:mod:`reslog.intel.imagery.spectra`):

.. math:: \rho_b(x) = \sum_m f_m(x)\,\rho_{m,b}, \qquad \sum_m f_m(x) = 1,

rendered at 5 m and averaged to 10 m (mixed pixels at every boundary); the 20 m bands are
further averaged over 2 × 2 blocks. Then, in this order: multiplicative texture (lognormal,
spatially correlated), haze :math:`\rho' = (1-h)\rho + h\,\rho_{\text{path}}` with a smooth
:math:`h(x)`, clouds (bright, flat spectra) and their shadows (darkened ground, offset from the
cloud), and sensor noise (Gaussian, additive and multiplicative). The SCL band flags opaque cloud
(9), thin cloud (8) and shadow (3) from the same fields, so cloud masking can be tested.

Materials (band vectors; the random weights are drawn per scene):

* ``forest``: AVIRIS canopy spectra (aspen, Douglas fir, lodgepole) mixed with green leaves;
* ``pasture``: green lawn grass with dry grass and dry leaves;
* ``laterite`` (mining scars, fresh unpaved roads, landslides): kaolinite + goethite/limonite +
  hematite, darkened by a factor 0.33–0.7 for moisture, grain size and organic matter — USGS v7
  has no measured laterite (PROVENANCE.md), so this mixture is an assumption based on the
  mineralogy of lateritic soils (kaolinite, goethite, hematite; Tardy 1997);
* ``tailings``: dry playa mud, montmorillonite and the acid-mine-drainage assemblage;
* waters: clear (open ocean, 0.5 g/L montmorillonite), algal (coastal chlorophyll water, for
  fish and farm ponds), and turbid (1.67, 5.01, 16.5 g/L montmorillonite suspensions); rivers
  take a seasonal sediment load between 0.5 and 5 g/L;
* ``sand`` (sandbars, braided channels): the quartz sands; ``urban``: concrete, asphalt, roofs.

Scene kinds (what is at the centre of the scene): ``mine`` (pits of laterite and tailings with
turbid ponds, by a river), ``dredge`` (river dredging: tailings heaps in a turbid river), and the
negatives ``forest``, ``river``, ``pasture``, ``sandbar``, ``braided``, ``farm_ponds``,
``aquaculture``, ``road``, ``urban``, ``landslide``. The last eight are the known false positives.

The truth mask marks mining pixels; a patch is *mining* when at least
:data:`MIN_MINING_FRACTION` of its pixels are.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import ndimage

from reslog.intel.imagery.bands import BANDS, PATCH
from reslog.intel.imagery.spectra import load_endmembers

POSITIVE_KINDS = ("mine", "dredge")
HARD_NEGATIVE_KINDS = ("sandbar", "braided", "farm_ponds", "aquaculture", "road", "urban",
                       "landslide")
NEGATIVE_KINDS = ("forest", "river", "pasture") + HARD_NEGATIVE_KINDS
KINDS = POSITIVE_KINDS + NEGATIVE_KINDS
NEW_KINDS = POSITIVE_KINDS + ("road", "landslide")
"""Kinds that are absent from the ``before`` scene (mines, fresh roads, fresh landslides)."""

MIN_MINING_FRACTION = 0.05
"""Share of mining pixels above which a patch is labelled *mining* (5 % of 48² px ≈ 1.15 ha)."""

_B20 = np.array([b in ("B05", "B06", "B07", "B8A", "B11", "B12") for b in BANDS])
_PATH_RADIANCE = np.array([0.10, 0.085, 0.07, 0.065, 0.06, 0.055, 0.05, 0.05, 0.03, 0.02])
"""Haze path reflectance per band (bluish, falling with wavelength; an assumption)."""


@dataclass
class RegionStyle:
    """What differs between regions (drawn once per region seed): soils, waters, haze, clouds."""

    hematite_share: float
    darkening: tuple[float, float]
    river_load: tuple[float, float]
    haze: float
    cloud_cover: float
    forest_mix: np.ndarray

    @classmethod
    def draw(cls, seed: int) -> "RegionStyle":
        r = np.random.default_rng(seed)
        d0 = r.uniform(0.33, 0.5)
        lo = r.uniform(0.3, 1.5)
        return cls(hematite_share=float(r.uniform(0.1, 0.6)),
                   darkening=(d0, d0 + r.uniform(0.1, 0.2)),
                   river_load=(lo, lo + r.uniform(0.5, 3.5)),
                   haze=float(r.uniform(0.0, 0.25)), cloud_cover=float(r.uniform(0.0, 0.25)),
                   forest_mix=r.dirichlet([2.0, 1.0, 1.0]))


@dataclass
class Scene:
    """A simulated scene: reflectance (band, row, col), SCL, truth mask and what it shows."""

    refl: np.ndarray
    scl: np.ndarray
    truth: np.ndarray
    kind: str
    seed: int
    before: np.ndarray | None = None
    meta: dict = field(default_factory=dict)

    def patch_truth(self) -> np.ndarray:
        """Mining-pixel share of every 48 × 48 patch (rows, cols of the patch grid)."""
        h, w = self.truth.shape
        t = self.truth[: h // PATCH * PATCH, : w // PATCH * PATCH].astype(np.float32)
        return t.reshape(h // PATCH, PATCH, w // PATCH, PATCH).mean(axis=(1, 3))


class Materials:
    """Band vectors of the simulator's materials, drawn from the endmember table."""

    def __init__(self, endmembers: pd.DataFrame | None = None) -> None:
        em = endmembers if endmembers is not None else load_endmembers()
        self.spec = {r["endmember"]: np.array([r[b] for b in BANDS], dtype=np.float64)
                     for _, r in em.iterrows()}
        self.roles: dict[str, list[str]] = {}
        for _, r in em.iterrows():
            self.roles.setdefault(r["role"], []).append(r["endmember"])

    def mix(self, rng: np.random.Generator, role: str, conc: float = 1.0) -> np.ndarray:
        names = self.roles[role]
        w = rng.dirichlet([conc] * len(names))
        return sum(wi * self.spec[n] for wi, n in zip(w, names))

    def water(self, load_gl: float, rng: np.random.Generator) -> np.ndarray:
        """Water with a suspended-sediment load (g/L), interpolated in log load between spectra."""
        pts = [(0.05, self.mix(rng, "clear_water")), (0.50, self.spec["water_montmor_0.50gl"]),
               (1.67, self.spec["water_montmor_1.67gl"]), (5.01, self.spec["water_montmor_5.01gl"]),
               (16.5, self.spec["water_montmor_16.5gl"])]
        x = math.log(max(min(load_gl, 16.5), 0.05))
        for (c0, s0), (c1, s1) in zip(pts, pts[1:]):
            if x <= math.log(c1):
                t = (x - math.log(c0)) / (math.log(c1) - math.log(c0))
                return (1 - t) * s0 + t * s1
        return pts[-1][1]

    def laterite(self, rng: np.random.Generator, style: RegionStyle) -> np.ndarray:
        hem = style.hematite_share * rng.uniform(0.7, 1.3)
        goe = rng.uniform(0.25, 0.45)
        kao = max(1.0 - hem - goe, 0.1)
        s = (kao * self.mix(rng, "clay") + goe * self.mix(rng, "iron_oxide")
             + hem * self.spec[rng.choice(["hematite_gds27", "hematite_ws161", "hematite_fe2602"])])
        s = s / (kao + goe + hem)
        return s * rng.uniform(*style.darkening)

    def forest(self, rng: np.random.Generator, style: RegionStyle) -> np.ndarray:
        c = [self.spec["canopy_aspen"], self.spec["canopy_douglas_fir"], self.spec["canopy_lodgepole"]]
        w = style.forest_mix * rng.uniform(0.8, 1.2, 3)
        can = sum(wi * ci for wi, ci in zip(w / w.sum(), c))
        return 0.8 * can + 0.2 * 0.45 * self.mix(rng, "green_leaf")

    def pasture(self, rng: np.random.Generator) -> np.ndarray:
        d = rng.uniform(0.1, 0.6)
        return (1 - d) * self.spec["grass_lawn_green"] * 0.7 + d * self.mix(rng, "dry_veg") * 0.7


# ----------------------------------------------------------------------------- drawing helpers
def _field(rng: np.random.Generator, shape: tuple[int, int], sigma: float) -> np.ndarray:
    """Smooth random field, zero mean, unit standard deviation."""
    f = ndimage.gaussian_filter(rng.standard_normal(shape), sigma, mode="wrap")
    return (f - f.mean()) / (f.std() + 1e-12)


def _blobs(rng: np.random.Generator, shape: tuple[int, int], centre: tuple[float, float],
           radius: float, n: int, size: tuple[float, float]) -> np.ndarray:
    """Union of ``n`` random ellipses scattered within ``radius`` of ``centre``."""
    yy, xx = np.mgrid[0: shape[0], 0: shape[1]]
    m = np.zeros(shape, bool)
    for _ in range(n):
        r = radius * math.sqrt(rng.uniform(0, 1))
        a = rng.uniform(0, 2 * math.pi)
        cy, cx = centre[0] + r * math.sin(a), centre[1] + r * math.cos(a)
        ay, ax = rng.uniform(*size), rng.uniform(*size)
        th = rng.uniform(0, math.pi)
        dy, dx = yy - cy, xx - cx
        u = dx * math.cos(th) + dy * math.sin(th)
        v = -dx * math.sin(th) + dy * math.cos(th)
        m |= (u / ax) ** 2 + (v / ay) ** 2 <= 1.0
    return m


def _river(rng: np.random.Generator, shape: tuple[int, int], width: float,
           offset: float | None = None, vertical: bool | None = None) -> tuple[np.ndarray, np.ndarray]:
    """A meandering river band; returns its mask and the along-river coordinate (0..1)."""
    h, w = shape
    vertical = rng.uniform() < 0.5 if vertical is None else vertical
    n, m = (h, w) if vertical else (w, h)
    t = np.arange(n)
    off = offset if offset is not None else rng.uniform(0.2, 0.8) * m
    amp, per, ph = rng.uniform(0.03, 0.15) * m, rng.uniform(0.6, 2.0) * n, rng.uniform(0, 6.3)
    centre = off + amp * np.sin(2 * math.pi * t / per + ph)
    ww = width * (1 + 0.2 * np.sin(t / rng.uniform(15, 40)))
    grid = np.arange(m)[None, :]
    mask = np.abs(grid - centre[:, None]) <= ww[:, None] / 2
    along = np.repeat((t / n)[:, None], m, axis=1)
    if not vertical:
        mask, along = mask.T, along.T
    return mask, along


def _line(shape: tuple[int, int], p0: tuple[float, float], p1: tuple[float, float],
          width: float) -> np.ndarray:
    yy, xx = np.mgrid[0: shape[0], 0: shape[1]]
    (y0, x0), (y1, x1) = p0, p1
    dy, dx = y1 - y0, x1 - x0
    L2 = dy * dy + dx * dx + 1e-9
    t = np.clip(((yy - y0) * dy + (xx - x0) * dx) / L2, 0, 1)
    d = np.hypot(yy - (y0 + t * dy), xx - (x0 + t * dx))
    return d <= width / 2


class _Canvas:
    """Per-pixel material abundances at the render resolution (5 m)."""

    def __init__(self, shape: tuple[int, int]) -> None:
        self.shape = shape
        self.layers: list[tuple[np.ndarray, np.ndarray]] = []  # (spectrum, mask)
        self.truth = np.zeros(shape, bool)

    def paint(self, spectrum: np.ndarray, mask: np.ndarray, *, mining: bool = False) -> None:
        self.layers.append((spectrum, mask))
        if mining:
            self.truth |= mask
        else:
            self.truth &= ~mask

    def render(self) -> np.ndarray:
        out = np.zeros((len(BANDS),) + self.shape, np.float32)
        for spec, mask in self.layers:  # later layers paint over earlier ones
            out[:, mask] = spec[:, None].astype(np.float32)
        return out


# ----------------------------------------------------------------------------- scene kinds
def _background(c: _Canvas, rng: np.random.Generator, mats: Materials, style: RegionStyle) -> None:
    c.paint(mats.forest(rng, style), np.ones(c.shape, bool))
    if rng.uniform() < 0.3:  # a pasture clearing somewhere off-centre
        h, w = c.shape
        ctr = (rng.uniform(0, h), rng.choice([rng.uniform(0, w * 0.25), rng.uniform(w * 0.75, w)]))
        c.paint(mats.pasture(rng), _blobs(rng, c.shape, ctr, h * 0.1, 3, (h * 0.05, h * 0.12)))


def _river_water(c: _Canvas, rng: np.random.Generator, mats: Materials, style: RegionStyle,
                 width: float, load: float | None = None, **kw) -> np.ndarray:
    mask, along = _river(rng, c.shape, width, **kw)
    load = rng.uniform(*style.river_load) if load is None else load
    c.paint(mats.water(load, rng), mask)
    return mask


def _mine(c: _Canvas, rng: np.random.Generator, mats: Materials, style: RegionStyle,
          area_ha: float) -> None:
    h, w = c.shape
    px_ha = 400.0  # 5 m pixels per hectare
    radius = math.sqrt(area_ha * px_ha / math.pi)
    ctr = (h / 2 + rng.normal(0, 4), w / 2 + rng.normal(0, 4))
    if rng.uniform() < 0.7:  # most alluvial mines sit on a river
        _river_water(c, rng, mats, style, rng.uniform(6, 24), offset=w / 2 + rng.uniform(-1.3, 1.3) * radius)
    nb = int(rng.integers(3, 9))
    site = _blobs(rng, c.shape, ctr, radius * 0.8, nb, (radius * 0.35, radius * 0.8))
    c.paint(mats.laterite(rng, style), site, mining=True)
    tail = site & _blobs(rng, c.shape, ctr, radius, nb, (radius * 0.15, radius * 0.4))
    c.paint(0.5 * mats.mix(rng, "mud") * rng.uniform(0.6, 1.0) + 0.5 * mats.laterite(rng, style),
            tail, mining=True)
    ponds = _blobs(rng, c.shape, ctr, radius * 0.9, int(rng.integers(2, 9)),
                   (radius * 0.08, radius * 0.3))
    for lab in np.unique(ndimage.label(ponds)[0])[1:]:
        m = ndimage.label(ponds)[0] == lab
        c.paint(mats.water(float(np.exp(rng.uniform(math.log(1.0), math.log(16.5)))), rng), m,
                mining=True)
    if rng.uniform() < 0.4:  # regrowth inside old pits
        c.paint(mats.pasture(rng), site & _blobs(rng, c.shape, ctr, radius, 2,
                                                  (radius * 0.1, radius * 0.3)), mining=True)


def _dredge(c: _Canvas, rng: np.random.Generator, mats: Materials, style: RegionStyle) -> None:
    h, w = c.shape
    width = rng.uniform(30, 60)
    river = _river_water(c, rng, mats, style, width, load=rng.uniform(5, 16.5), offset=w / 2,
                         vertical=True)
    heaps = river & _blobs(rng, c.shape, (h / 2, w / 2), h * 0.18, int(rng.integers(6, 16)),
                           (3, 10))
    c.paint(0.6 * mats.mix(rng, "sand") + 0.4 * mats.laterite(rng, style), heaps, mining=True)
    plume = river & _blobs(rng, c.shape, (h / 2, w / 2), h * 0.2, 6, (8, 20))
    c.paint(mats.water(rng.uniform(8, 16.5), rng), plume & ~heaps, mining=True)


def _sandbar(c, rng, mats, style, braided: bool) -> None:
    h, w = c.shape
    if braided:
        band = _river(rng, c.shape, rng.uniform(0.35, 0.7) * w, offset=w / 2)[0]
        c.paint(mats.mix(rng, "sand") * rng.uniform(0.7, 1.0), band)
        for _ in range(int(rng.integers(3, 7))):
            ch = _river(rng, c.shape, rng.uniform(3, 10), offset=w / 2 + rng.uniform(-0.2, 0.2) * w)[0]
            c.paint(mats.water(rng.uniform(*style.river_load), rng), ch & band)
    else:
        river = _river_water(c, rng, mats, style, rng.uniform(60, 120), offset=w / 2)
        bars = river & _blobs(rng, c.shape, (h / 2, w / 2), h * 0.25, int(rng.integers(1, 4)),
                              (h * 0.04, h * 0.15))
        c.paint(mats.mix(rng, "sand") * rng.uniform(0.7, 1.0), bars)


def _ponds(c, rng, mats, style, aquaculture: bool) -> None:
    h, w = c.shape
    c.paint(mats.pasture(rng), _blobs(rng, c.shape, (h / 2, w / 2), h * 0.2, 4, (h * 0.2, h * 0.35)))
    n = int(rng.integers(2, 5))
    cell = rng.uniform(18, 34)
    y0, x0 = h / 2 - n * cell / 2, w / 2 - n * cell / 2
    dike = np.zeros(c.shape, bool)
    water = np.zeros(c.shape, bool)
    yy, xx = np.mgrid[0:h, 0:w]
    for i in range(n):
        for j in range(n):
            if rng.uniform() < 0.15:
                continue
            a, b = y0 + i * cell, x0 + j * cell
            inner = (yy >= a + 2) & (yy < a + cell - 2) & (xx >= b + 2) & (xx < b + cell - 2)
            outer = (yy >= a) & (yy < a + cell) & (xx >= b) & (xx < b + cell)
            dike |= outer & ~inner
            water |= inner
    c.paint(mats.laterite(rng, style) * 1.1 if rng.uniform() < 0.5 else mats.pasture(rng), dike)
    if aquaculture:
        c.paint(0.7 * mats.mix(rng, "algal_water") + 0.3 * mats.water(0.5, rng), water)
    else:
        c.paint(mats.water(rng.uniform(0.05, 1.0), rng), water)


def _road(c, rng, mats, style) -> None:
    h, w = c.shape
    p0 = (rng.uniform(0, h), 0.0)
    p1 = (rng.uniform(0, h), float(w))
    if rng.uniform() < 0.5:
        p0, p1 = (0.0, rng.uniform(0, w)), (float(h), rng.uniform(0, w))
    spec = mats.laterite(rng, style) if rng.uniform() < 0.75 else mats.mix(rng, "asphalt")
    margin = _line(c.shape, p0, p1, rng.uniform(8, 16))
    c.paint(mats.pasture(rng), margin)
    c.paint(spec, _line(c.shape, p0, p1, rng.uniform(2, 5)))
    if rng.uniform() < 0.5:  # a side road
        mid = ((p0[0] + p1[0]) / 2, (p0[1] + p1[1]) / 2)
        c.paint(spec, _line(c.shape, mid, (rng.uniform(0, h), rng.uniform(0, w)), rng.uniform(2, 4)))


def _urban(c, rng, mats, style) -> None:
    h, w = c.shape
    town = _blobs(rng, c.shape, (h / 2, w / 2), h * 0.2, 5, (h * 0.15, h * 0.3))
    c.paint(mats.pasture(rng), town)
    blk = rng.uniform(6, 14)
    yy, xx = np.mgrid[0:h, 0:w]
    ids = (yy // blk).astype(int) * 1000 + (xx // blk).astype(int)
    choice = {k: rng.uniform() for k in np.unique(ids[town])}
    u = np.vectorize(choice.get, otypes=[float])(np.where(town, ids, -1), 2.0)
    c.paint(mats.mix(rng, "concrete") * rng.uniform(0.6, 1.0), town & (u < 0.45))
    c.paint(mats.mix(rng, "asphalt"), town & (u >= 0.45) & (u < 0.7))
    c.paint(0.5 * mats.laterite(rng, style) + 0.5 * mats.mix(rng, "concrete") * 0.6,
            town & (u >= 0.7) & (u < 0.85))
    streets = ((yy % blk) < 1.5) | ((xx % blk) < 1.5)
    c.paint(mats.mix(rng, "asphalt"), town & streets)


def _landslide(c, rng, mats, style) -> None:
    h, w = c.shape
    a = rng.uniform(0, math.pi)
    L = rng.uniform(0.3, 0.6) * h
    p0 = (h / 2 - L / 2 * math.sin(a), w / 2 - L / 2 * math.cos(a))
    p1 = (h / 2 + L / 2 * math.sin(a), w / 2 + L / 2 * math.cos(a))
    m = _line(c.shape, p0, p1, rng.uniform(8, 22))
    m &= _field(rng, c.shape, 3) > -1.0
    c.paint(0.6 * mats.laterite(rng, style) + 0.4 * mats.mix(rng, "clay") * 0.4, m)


def _pasture_scene(c, rng, mats, style) -> None:
    h, w = c.shape
    c.paint(mats.pasture(rng), _blobs(rng, c.shape, (h / 2, w / 2), h * 0.3, 6, (h * 0.15, h * 0.35)))
    if rng.uniform() < 0.5:  # a small bare patch (corral, cattle track)
        c.paint(mats.laterite(rng, style), _blobs(rng, c.shape, (h / 2, w / 2), h * 0.2, 1, (2, 6)))
    if rng.uniform() < 0.3:  # a cattle pond
        c.paint(mats.water(rng.uniform(0.3, 3.0), rng), _blobs(rng, c.shape, (h / 2, w / 2), h * 0.2, 1, (3, 7)))


# ----------------------------------------------------------------------------- atmosphere, sensor
def _atmosphere(refl: np.ndarray, rng: np.random.Generator, style: RegionStyle,
                clouds: bool) -> tuple[np.ndarray, np.ndarray]:
    _, h, w = refl.shape
    tex = np.exp(0.06 * _field(rng, (h, w), 1.0)).astype(np.float32)
    out = refl * tex
    haze = np.clip(style.haze * rng.uniform(0.3, 1.5) + 0.05 * _field(rng, (h, w), h / 6), 0, 0.6)
    out = (1 - haze) * out + haze * _PATH_RADIANCE[:, None, None].astype(np.float32)
    scl = np.full((h, w), 4, np.uint8)  # 4 = vegetation (SCL); only masked classes matter here
    if clouds and rng.uniform() < 0.6:
        cover = style.cloud_cover * rng.uniform(0.2, 1.8)
        f = _field(rng, (h, w), rng.uniform(4, 12))
        thr = np.quantile(f, 1 - min(cover, 0.95))
        opac = np.clip((f - thr) / 0.8, 0, 1).astype(np.float32)
        dy, dx = int(rng.integers(-12, 13)), int(rng.integers(-12, 13))
        shadow = np.roll(np.roll(opac, dy, 0), dx, 1)
        out = out * (1 - 0.6 * shadow)
        cloud_spec = rng.uniform(0.45, 0.75) * np.ones(len(BANDS), np.float32)
        cloud_spec[-2:] *= 0.8
        out = (1 - opac) * out + opac * cloud_spec[:, None, None]
        scl[shadow > 0.4] = 3
        scl[opac > 0.3] = 8
        scl[opac > 0.7] = 9
    noise = rng.normal(0, 0.004, out.shape).astype(np.float32)
    out = out * (1 + rng.normal(0, 0.015, out.shape).astype(np.float32)) + noise
    return np.clip(out, 0.0001, 1.5), scl


def _downsample(a: np.ndarray, k: int) -> np.ndarray:
    *lead, h, w = a.shape
    return a.reshape(*lead, h // k, k, w // k, k).mean(axis=(-3, -1))


def _to_sensor(hi: np.ndarray) -> np.ndarray:
    """5 m render → 10 m bands, 20 m bands averaged over 2 × 2 and repeated."""
    ten = _downsample(hi, 2)
    b20 = _downsample(ten[_B20], 2)
    ten[_B20] = np.repeat(np.repeat(b20, 2, axis=1), 2, axis=2)
    return ten


def simulate_scene(kind: str, seed: int, *, size: int = 3 * PATCH, style: RegionStyle | None = None,
                   materials: Materials | None = None, area_ha: float | None = None,
                   clouds: bool = True, before: bool = False) -> Scene:
    """Simulate one scene of ``size`` × ``size`` 10 m pixels with ``kind`` at its centre.

    Parameters
    ----------
    kind : one of :data:`KINDS`.
    seed : random seed (the scene is a pure function of its arguments).
    size : side in 10 m pixels (a multiple of 4).
    style : the region's style (:meth:`RegionStyle.draw`); default drawn from ``seed``.
    area_ha : mining-site area for ``mine`` (ha); default drawn from 2–40 ha.
    clouds : allow clouds and shadows.
    before : also render the same place before any mining (forest instead of the site; other
        atmosphere), for two-date change features.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown scene kind {kind!r}; kinds: {', '.join(KINDS)}")
    if size % 4:
        raise ValueError(f"size {size} must be a multiple of 4")
    mats = materials or Materials()
    style = style or RegionStyle.draw(seed + 7919)
    rng = np.random.default_rng(seed)
    shape = (2 * size, 2 * size)
    c = _Canvas(shape)
    _background(c, rng, mats, style)
    if kind == "mine":
        a = area_ha if area_ha is not None else float(np.exp(rng.uniform(math.log(2), math.log(40))))
        _mine(c, rng, mats, style, a)
    elif kind == "dredge":
        _dredge(c, rng, mats, style)
    elif kind == "river":
        _river_water(c, rng, mats, style, rng.uniform(10, 60), offset=size + rng.uniform(-20, 20))
    elif kind == "forest":
        if rng.uniform() < 0.5:
            _river_water(c, rng, mats, style, rng.uniform(4, 20))
    elif kind == "pasture":
        _pasture_scene(c, rng, mats, style)
    elif kind in ("sandbar", "braided"):
        _sandbar(c, rng, mats, style, braided=kind == "braided")
    elif kind in ("farm_ponds", "aquaculture"):
        _ponds(c, rng, mats, style, aquaculture=kind == "aquaculture")
    elif kind == "road":
        _road(c, rng, mats, style)
    elif kind == "urban":
        _urban(c, rng, mats, style)
    elif kind == "landslide":
        _landslide(c, rng, mats, style)
    hi = c.render()
    truth = _downsample(c.truth.astype(np.float32), 2) >= 0.5
    refl, scl = _atmosphere(_to_sensor(hi), rng, style, clouds)
    prior = None
    if before:
        rb = np.random.default_rng(seed)  # same background draws: same place, before mining
        cb = _Canvas(shape)
        _background(cb, rb, mats, style)
        rb2 = np.random.default_rng(seed + 104729)
        prior, _ = _atmosphere(_to_sensor(cb.render()), rb2, style, clouds=False)
        if kind not in NEW_KINDS:  # these negatives were there before too
            prior, _ = _atmosphere(_to_sensor(hi), rb2, style, clouds=False)
    return Scene(refl=refl.astype(np.float32), scl=scl, truth=truth, kind=kind, seed=seed,
                 before=None if prior is None else prior.astype(np.float32))


def utm_epsg(lon: float, lat: float) -> int:
    """EPSG code of the WGS84 UTM zone holding (lon, lat) (Sentinel-2 tiles use UTM)."""
    zone = int((lon + 180) // 6) + 1
    return (32600 if lat >= 0 else 32700) + zone


@dataclass
class Mosaic:
    """Scenes laid side by side on one georeferenced 10 m UTM grid."""

    refl: np.ndarray
    scl: np.ndarray
    truth: np.ndarray
    before: np.ndarray
    crs: str
    transform: tuple[float, ...]
    kinds: list[list[str]]


def simulate_mosaic(kinds: list[list[str]], seed: int, lon: float, lat: float, *,
                    cell: int = 3 * PATCH, clouds: bool = True,
                    style: RegionStyle | None = None) -> Mosaic:
    """A mosaic of simulated scenes (one per entry of ``kinds``) centred on (lon, lat)."""
    from pyproj import CRS, Transformer

    mats = Materials()
    style = style or RegionStyle.draw(seed)
    rows, cols = len(kinds), len(kinds[0])
    refl = np.zeros((len(BANDS), rows * cell, cols * cell), np.float32)
    before = np.zeros_like(refl)
    scl = np.zeros((rows * cell, cols * cell), np.uint8)
    truth = np.zeros(scl.shape, bool)
    for i, row in enumerate(kinds):
        for j, k in enumerate(row):
            s = simulate_scene(k, seed * 1000 + i * cols + j, size=cell, style=style,
                               materials=mats, clouds=clouds, before=True)
            sl = (slice(i * cell, (i + 1) * cell), slice(j * cell, (j + 1) * cell))
            refl[(slice(None),) + sl] = s.refl
            before[(slice(None),) + sl] = s.before
            scl[sl] = s.scl
            truth[sl] = s.truth
    epsg = utm_epsg(lon, lat)
    x, y = Transformer.from_crs(4326, epsg, always_xy=True).transform(lon, lat)
    x0 = round(x - cols * cell * 5.0, -1)
    y0 = round(y + rows * cell * 5.0, -1)
    return Mosaic(refl, scl, truth, before, CRS.from_epsg(epsg).to_wkt(),
                  (10.0, 0.0, x0, 0.0, -10.0, y0), kinds)
