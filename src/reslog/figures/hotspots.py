"""ASGM hotspots on a map: plotly figure (offline: inline GeoJSON, ``white-bg`` style, no tiles).

Input: a hotspot document written by ``reslog imagery detect`` (or the
``/api/imagery/hotspots`` layer). Polygons are filled by probability; the hover names area,
country and first-seen date, and the title says when the scene was simulated.
"""

from __future__ import annotations

import plotly.graph_objects as go


def hotspot_figure(doc: dict, *, title: str | None = None) -> go.Figure:
    """A map of the hotspot polygons of ``doc`` (empty map with the reason when none)."""
    feats = [f for f in doc.get("features", []) if f.get("geometry")]
    meta = doc.get("reslog", {})
    sim = " — simulated scene" if meta.get("simulated_scene") else ""
    fig = go.Figure()
    if feats:
        props = [f["properties"] for f in feats]
        fig.add_trace(go.Choroplethmap(
            geojson={"type": "FeatureCollection", "features": feats},
            featureidkey="properties.hotspot_id", locations=[p["hotspot_id"] for p in props],
            z=[p["probability"] for p in props], zmin=0, zmax=1, colorscale="YlOrRd",
            marker={"opacity": 0.7, "line": {"width": 1, "color": "#7f0000"}},
            colorbar={"title": "probability"},
            customdata=[[p["area_ha"], p.get("country") or "?", p.get("first_seen") or "?"]
                        for p in props],
            hovertemplate="%{customdata[0]:.1f} ha, %{customdata[1]}, first seen "
                          "%{customdata[2]}<br>p = %{z:.2f}<extra></extra>"))
        lon = sum(p["centroid_lon"] for p in props) / len(props)
        lat = sum(p["centroid_lat"] for p in props) / len(props)
        fig.update_layout(map={"style": "white-bg", "center": {"lon": lon, "lat": lat},
                               "zoom": 11})
    else:
        fig.update_layout(map={"style": "white-bg", "zoom": 1})
        fig.add_annotation(text=meta.get("empty_reason") or "no hotspot", showarrow=False,
                           x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_layout(title=title or f"ASGM hotspots in {meta.get('scene', 'the scene')} "
                      f"({meta.get('date') or 'no date'}){sim}",
                      margin={"l": 0, "r": 0, "t": 40, "b": 0})
    return fig
