"""Metals–SDG panel figure: number of indicators worsened per metal, mined vs imported, base vs
precious/rare metals (the layout of the study's bar chart)."""

from __future__ import annotations

import pandas as pd


def worsened_bar_figure(summary: pd.DataFrame):
    """Grouped bars: metals on x (grouped by class), bars for mined and imported."""
    import plotly.graph_objects as go

    s = summary.sort_values(["class", "metal"])
    fig = go.Figure()
    for comp, col in (("mined", "#8c510a"), ("imported", "#01665e")):
        g = s[s["component"] == comp]
        text = [("n/a" if t == 0 else f"{w}/{t}") for w, t in zip(g["worsened"], g["tests"])]
        fig.add_trace(go.Bar(x=[g["class"], g["metal"]], y=g["worsened"], name=comp,
                             marker_color=col, text=text, textposition="outside"))
    top = max(1, int(s["tests"].max()) if len(s) else 1)
    fig.update_yaxes(range=[0, top + 0.5], dtick=1)
    fig.update_layout(barmode="group", template="plotly_white", height=420,
                      yaxis_title="indicators worsened (BH-adjusted, adverse sign)",
                      title="SDG-related indicators worsened by metal input (labels: worsened/tests; n/a = no data)")
    return fig
