"""World map: a value per country (choropleth on the shipped Natural Earth polygons) with mines
and risk events as points.

Offline by construction: ``go.Choroplethmap`` / ``go.Scattermap`` with ``map.style = "white-bg"``
and the GeoJSON inlined in the figure, so plotly.js fetches no tiles, no glyphs and no topojson.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

POINT_STYLE: dict[str, dict[str, Any]] = {
    "mine": {"color": "#1f3b57", "symbol": "circle", "size": 7},
    "event": {"color": "#d7301f", "symbol": "circle", "size": 11},
    "hotspot": {"color": "#7a0177", "symbol": "circle", "size": 14},
}


def world_map_figure(values: pd.DataFrame, geojson: Mapping[str, Any], *,
                     points: pd.DataFrame | None = None, value_label: str = "",
                     names: Mapping[str, str] | None = None, point_names: Mapping[str, str] | None = None,
                     colorscale: str = "YlOrRd", value_format: str = ",.1f", height: int = 560):
    """Choropleth of ``values`` (columns ``country`` ISO3, ``value``) with optional ``points``.

    Parameters
    ----------
    values : DataFrame
        ``country`` (ISO3) and ``value``; countries without a polygon are left out of the map
        (the caller's table still lists them).
    geojson : mapping
        FeatureCollection whose feature ``id`` is the ISO3 code
        (:func:`reslog.figures.geo.countries_geojson`).
    points : DataFrame, optional
        ``lat``, ``lon``, ``label`` (hover text) and ``kind`` (``mine``, ``event`` or ``hotspot``: imagery ASGM hotspots).
    value_label : colour-bar title (with unit).
    names : ISO3 → display name (e.g. Japanese); default the ISO3 code.
    point_names : kind → legend name.
    """
    import plotly.graph_objects as go

    names = dict(names or {})
    point_names = dict(point_names or {})
    ids = [f["id"] for f in geojson["features"]]
    fig = go.Figure()
    # Every country in light grey underneath, so countries without data are still drawn.
    fig.add_trace(go.Choroplethmap(
        geojson=geojson, locations=ids, z=[0] * len(ids), featureidkey="id",
        colorscale=[[0, "#eceff1"], [1, "#eceff1"]], showscale=False, hoverinfo="skip",
        marker={"line": {"color": "#ffffff", "width": 0.5}}, name=""))
    v = values.dropna(subset=["value"])
    v = v[v["country"].isin(set(ids))]
    if len(v):
        have = set(v["country"])
        sub = {"type": "FeatureCollection", "features": [f for f in geojson["features"] if f["id"] in have]}
        fig.add_trace(go.Choroplethmap(
            geojson=sub, locations=v["country"].tolist(), z=v["value"].astype(float).tolist(),
            featureidkey="id", colorscale=colorscale, marker={"line": {"color": "#ffffff", "width": 0.5}},
            text=[names.get(c, c) for c in v["country"]],
            hovertemplate=f"%{{text}}<br>{value_label}: %{{z:{value_format}}}<extra></extra>",
            colorbar={"title": {"text": value_label, "side": "right"}, "thickness": 12, "len": 0.7},
            name=value_label))
    if points is not None and len(points):
        for kind, grp in points.groupby("kind", sort=False):
            st = POINT_STYLE.get(str(kind), POINT_STYLE["mine"])
            fig.add_trace(go.Scattermap(
                lat=grp["lat"].astype(float).tolist(), lon=grp["lon"].astype(float).tolist(),
                mode="markers", marker={"size": st["size"], "color": st["color"], "opacity": 0.85},
                text=grp["label"].astype(str).tolist(), hovertemplate="%{text}<extra></extra>",
                name=point_names.get(str(kind), str(kind))))
    fig.update_layout(
        map={"style": "white-bg", "center": {"lat": 22, "lon": 12}, "zoom": 1.05},
        margin={"l": 0, "r": 0, "t": 0, "b": 0}, height=height,
        legend={"orientation": "h", "x": 0.01, "y": 0.01, "bgcolor": "rgba(255,255,255,0.8)"},
        paper_bgcolor="#ffffff")
    return fig
