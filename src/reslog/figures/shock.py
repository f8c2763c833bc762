"""Shock simulator chart: lost tonnes by consuming country."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd


def shock_consumers_figure(consumers: pd.DataFrame, *, names: Mapping[str, str] | None = None,
                           value_label: str = "t", top: int = 12, height: int = 380):
    """Horizontal bars of ``lost_tonnes`` per ``country`` (the consumers table of
    :class:`reslog.model.shock.ShockReport`, reset to a column), largest at the top."""
    import plotly.graph_objects as go

    names = dict(names or {})
    c = consumers.sort_values("lost_tonnes", ascending=False).head(top)[::-1]
    fig = go.Figure(go.Bar(
        y=[names.get(str(x), str(x)) for x in c["country"]], x=c["lost_tonnes"].astype(float).tolist(),
        orientation="h", marker_color="#d7301f",
        customdata=(100 * c["share"].astype(float)).tolist() if "share" in c else None,
        hovertemplate="%{y}: %{x:,.0f} " + value_label + "<extra></extra>"))
    fig.update_layout(template="plotly_white", height=height, xaxis_title=value_label,
                      margin={"l": 10, "r": 10, "t": 10, "b": 40})
    return fig
