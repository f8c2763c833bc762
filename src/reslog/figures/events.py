"""Event feed chart: risk events over time (date × severity, colour = event type)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd


def events_timeline_figure(events: pd.DataFrame, *, type_names: Mapping[str, str] | None = None,
                           names: Mapping[str, str] | None = None, severity_label: str = "severity",
                           height: int = 300):
    """Scatter of events (``start_time``, ``severity``, ``event_type``, ``country``, ``title``)."""
    import plotly.graph_objects as go

    type_names = dict(type_names or {})
    names = dict(names or {})
    fig = go.Figure()
    ev = events.dropna(subset=["start_time"])
    for et, grp in ev.groupby("event_type", sort=True):
        fig.add_trace(go.Scatter(
            x=pd.to_datetime(grp["start_time"]).dt.strftime("%Y-%m-%d").tolist(),
            y=grp["severity"].astype(float).tolist(), mode="markers",
            marker={"size": 9, "opacity": 0.8}, name=type_names.get(str(et), str(et)),
            text=[f"{names.get(str(c), str(c))} — {t}" for c, t in zip(grp["country"], grp["title"].fillna(""))],
            hovertemplate="%{x}<br>%{text}<br>" + severity_label + " %{y:.2f}<extra></extra>"))
    from plotly.colors import qualitative

    fig.update_layout(template="plotly_white", height=height, colorway=qualitative.Dark24, yaxis={"title": severity_label, "range": [0, 1.05]},
                      xaxis={"type": "date"}, margin={"l": 10, "r": 10, "t": 10, "b": 30},
                      legend={"orientation": "h", "y": -0.25})
    return fig
