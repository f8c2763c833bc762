"""Site-monitoring figures (plotly): one sensor's readings with its guideline limits, QC-flagged
readings and GISTM trigger levels; and the interpolated heat map of one parameter over the
site's sensors (plain lon/lat axes, no map tiles: offline)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd


def sensor_series_figure(readings: pd.DataFrame, limits: pd.DataFrame | None = None, *, title: str = "",
                         unit: str = "", bad_mask: np.ndarray | None = None,
                         triggers: Mapping[str, float] | None = None,
                         labels: Mapping[str, str] | None = None, height: int = 380):
    """Readings (``time``, ``value``) as a line; readings with a QC flag in ``bad_mask`` as
    crosses (not used by any analysis); each guideline row of ``limits`` (``set_id``, ``value``,
    ``limit_type``) and each trigger level (``{"amber": x, "red": y}``) as a horizontal line."""
    import plotly.graph_objects as go

    lab = {"clean": "QC-clean", "flagged": "QC-flagged", "amber": "GISTM amber", "red": "GISTM red",
           **dict(labels or {})}
    r = readings.sort_values("time")
    bad = np.zeros(len(r), dtype=bool) if bad_mask is None else np.asarray(bad_mask, dtype=bool)
    fig = go.Figure()
    good = r[~bad]
    fig.add_trace(go.Scattergl(x=good["time"], y=good["value"], mode="lines", name=lab["clean"],
                               line={"color": "#1f3b57", "width": 1}))
    if bad.any():
        b = r[bad]
        fig.add_trace(go.Scattergl(x=b["time"], y=b["value"], mode="markers", name=lab["flagged"],
                                   marker={"color": "#e08214", "symbol": "x", "size": 6}))
    for g in (limits if limits is not None else pd.DataFrame()).itertuples(index=False):
        fig.add_hline(y=float(g.value), line_dash="dash", line_color="#d7301f",
                      annotation_text=f"{g.set_id} {g.limit_type} {g.value:g}", annotation_position="top left")
    for lvl, col in (("amber", "#f0a202"), ("red", "#b30000")):
        v = (triggers or {}).get(lvl)
        if v is not None and np.isfinite(v):
            fig.add_hline(y=float(v), line_dash="dot", line_color=col, annotation_text=f"{lab[lvl]} {v:g}",
                          annotation_position="bottom left")
    fig.update_layout(template="plotly_white", height=height, title=title or None,
                      yaxis_title=unit, margin={"l": 60, "r": 20, "t": 40 if title else 10, "b": 40},
                      legend={"orientation": "h", "y": -0.15})
    return fig


def heatmap_figure(lon: np.ndarray, lat: np.ndarray, z: np.ndarray, points: pd.DataFrame, *,
                   unit: str = "", title: str = "", height: int = 460):
    """Interpolated surface ``z`` (rows = ``lat``, columns = ``lon``) with the sensors
    (``points``: ``sensor_id``, ``lat``, ``lon``, ``value``) on top."""
    import plotly.graph_objects as go

    fig = go.Figure(go.Heatmap(x=lon, y=lat, z=z, colorscale="YlOrRd", colorbar={"title": unit},
                               hovertemplate="%{x:.4f}, %{y:.4f}: %{z:.4g}<extra></extra>"))
    fig.add_trace(go.Scatter(x=points["lon"], y=points["lat"], mode="markers+text",
                             text=points["sensor_id"], textposition="top center",
                             customdata=points["value"],
                             hovertemplate="%{text}: %{customdata:.4g}<extra></extra>",
                             marker={"color": "#1f3b57", "size": 9, "line": {"color": "white", "width": 1}},
                             showlegend=False))
    fig.update_layout(template="plotly_white", height=height, title=title or None,
                      xaxis_title="lon", yaxis_title="lat", yaxis_scaleanchor="x",
                      margin={"l": 60, "r": 20, "t": 40 if title else 10, "b": 40})
    return fig
