"""Heat maps of a parameter over a site's monitoring points for one day.

Each point is a sensor of the parameter with a location; its value is the mean of its QC-clean
readings on that UTC day (or over ``days`` days, e.g. a sampling campaign). Longitude/latitude are projected to local planar metres
(equirectangular about the points' centre; error < 0.1 % over a mine site of tens of km), the
surface is interpolated by :func:`reslog.model.monitoring.interpolate.calc_surface` (ordinary
kriging, IDW fallback) on a grid covering the points plus a 10 % margin, and written as
GeoTIFF (EPSG:4326, float32, NaN no-data), PNG, or an image layer for the platform's map.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from reslog.errors import ReslogError
from reslog.intel.monitoring.parameters import get_parameter
from reslog.intel.monitoring.registry import Registry
from reslog.model.monitoring.interpolate import Surface, calc_surface
from reslog.model.monitoring.qc import BAD
from reslog.store.readings import ReadingStore

M_PER_DEG = 111_320.0


@dataclass
class HeatMap:
    """A surface with its geographic frame and the points it was built from."""

    site_id: str
    parameter: str
    unit: str
    date: pd.Timestamp
    points: pd.DataFrame          # sensor_id, lat, lon, value, n
    lon: np.ndarray               # grid cell centres
    lat: np.ndarray
    surface: Surface
    days: int = 1


def heatmap_for_site(store: ReadingStore, registry: Registry, site_id: str, parameter: str,
                     date: str | pd.Timestamp, *, resolution: int = 200, method: str = "auto",
                     days: int = 1) -> HeatMap:
    """Interpolate the mean of ``parameter`` over ``days`` days from ``date`` (default: that
    UTC day; a sampling campaign spans several) over the site's sensors."""
    p = get_parameter(parameter)
    day = pd.Timestamp(date).normalize()
    sensors = registry.sensors_of(site_id)
    sensors = sensors[(sensors["parameter"] == parameter) & sensors["lat"].notna()]
    if sensors.empty:
        raise ReslogError(f"site '{site_id}' has no located sensor of {parameter}")
    df = store.query(site_id, sensor_id=list(sensors.index), start=day, end=day + pd.Timedelta(days=days))
    df = df[(df["qc_flags"] & BAD) == 0]
    agg = df.groupby("sensor_id")["value"].agg(["mean", "count"])
    pts = sensors[["sensor_id", "lat", "lon"]].reset_index(drop=True).join(agg, on="sensor_id").dropna(subset=["mean"])
    pts = pts.rename(columns={"mean": "value", "count": "n"}).reset_index(drop=True)
    if len(pts) < 2:
        raise ReslogError(f"{parameter} on {day:%Y-%m-%d} (+{days} day(s)): {len(pts)} sensor(s) "
                          "with QC-clean readings; a heat map needs at least 2 (widen --days?)")
    lat0, lon0 = float(pts["lat"].mean()), float(pts["lon"].mean())
    kx = M_PER_DEG * np.cos(np.radians(lat0))
    x = (pts["lon"].to_numpy() - lon0) * kx
    y = (pts["lat"].to_numpy() - lat0) * M_PER_DEG
    span = max(np.ptp(x), np.ptp(y), 100.0)
    pad = 0.1 * span
    gx = np.linspace(x.min() - pad, x.max() + pad, resolution)
    gy = np.linspace(y.min() - pad, y.max() + pad, resolution)
    surf = calc_surface(np.column_stack([x, y]), pts["value"].to_numpy(), gx, gy, method=method)
    return HeatMap(site_id, parameter, p.unit, day, pts, lon0 + gx / kx, lat0 + gy / M_PER_DEG, surf, days)


def _png_bytes(hm: HeatMap, *, overlay: bool = False) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    z = hm.surface.z
    if overlay:  # bare image, north up, for a map layer
        fig = plt.figure(figsize=(4, 4), dpi=100)
        ax = fig.add_axes([0, 0, 1, 1])
        ax.imshow(z[::-1], cmap="viridis", alpha=0.7, aspect="auto")
        ax.axis("off")
    else:
        fig, ax = plt.subplots(figsize=(7, 6), dpi=110)
        m = ax.pcolormesh(hm.lon, hm.lat, z, cmap="viridis", shading="auto")
        ax.scatter(hm.points["lon"], hm.points["lat"], c="white", edgecolors="black", s=30)
        for r in hm.points.itertuples():
            ax.annotate(r.sensor_id, (r.lon, r.lat), fontsize=7, xytext=(3, 3), textcoords="offset points")
        fig.colorbar(m, ax=ax, label=f"{hm.parameter} ({hm.unit})")
        when = f"{hm.date:%Y-%m-%d}" + (f" + {hm.days} days" if hm.days > 1 else "")
        ax.set_title(f"{hm.site_id}: {hm.parameter} mean, {when} — {hm.surface.method}\n"
                     f"leave-one-out RMSE {hm.surface.loo_rmse:.3g} {hm.unit}", fontsize=9)
        ax.set_xlabel("longitude")
        ax.set_ylabel("latitude")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", transparent=overlay)
    plt.close(fig)
    return buf.getvalue()


def write_heatmap(hm: HeatMap, path: str | Path) -> Path:
    """Write ``.png`` (figure with points and legend) or ``.tif``/``.tiff`` (GeoTIFF)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    suf = path.suffix.lower()
    if suf == ".png":
        path.write_bytes(_png_bytes(hm))
    elif suf in (".tif", ".tiff"):
        import rasterio
        from rasterio.transform import from_bounds

        dx = (hm.lon[-1] - hm.lon[0]) / (len(hm.lon) - 1)
        dy = (hm.lat[-1] - hm.lat[0]) / (len(hm.lat) - 1)
        tr = from_bounds(hm.lon[0] - dx / 2, hm.lat[0] - dy / 2, hm.lon[-1] + dx / 2,
                         hm.lat[-1] + dy / 2, len(hm.lon), len(hm.lat))
        with rasterio.open(path, "w", driver="GTiff", height=len(hm.lat), width=len(hm.lon), count=1,
                           dtype="float32", crs="EPSG:4326", transform=tr, nodata=np.nan) as dst:
            dst.write(hm.surface.z[::-1].astype("float32"), 1)       # row 0 = north
            dst.update_tags(parameter=hm.parameter, unit=hm.unit, date=f"{hm.date:%Y-%m-%d}",
                            method=hm.surface.method, loo_rmse=str(hm.surface.loo_rmse))
    else:
        raise ReslogError(f"{path}: the heat map is written as .png or .tif")
    return path


def map_layer(hm: HeatMap) -> dict:
    """A Plotly ``map``/``mapbox`` image layer: PNG data URI and its four corner coordinates
    (top-left, top-right, bottom-right, bottom-left), plus the legend facts."""
    png = base64.b64encode(_png_bytes(hm, overlay=True)).decode()
    w, e, s, n = float(hm.lon[0]), float(hm.lon[-1]), float(hm.lat[0]), float(hm.lat[-1])
    return {"sourcetype": "image", "source": f"data:image/png;base64,{png}",
            "coordinates": [[w, n], [e, n], [e, s], [w, s]], "below": "traces",
            "parameter": hm.parameter, "unit": hm.unit, "date": f"{hm.date:%Y-%m-%d}",
            "method": hm.surface.method, "loo_rmse": hm.surface.loo_rmse,
            "min": float(np.nanmin(hm.surface.z)), "max": float(np.nanmax(hm.surface.z))}
