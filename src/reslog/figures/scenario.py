"""Scenario figures (plotly): world trade volume per product to 2050 under two scenarios with
their intervals and the observed history (the layout of the original study's figure: one
panel per product), and metal demand of low-carbon technologies against today's production."""

from __future__ import annotations

import math

import pandas as pd

COLORS = {"below2C": "#2c7fb8", "high": "#d7301f"}


def trade_projection_figure(projection: pd.DataFrame, history: pd.DataFrame,
                            labels: dict[str, str] | None = None, products: list | None = None):
    """One subplot per product: observed total (points) and each scenario's median with band."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    labels = labels or {}
    prods = products or sorted(projection["product"].unique(), key=str)
    ncol = 2 if len(prods) > 1 else 1
    nrow = max(1, math.ceil(len(prods) / ncol))
    fig = make_subplots(rows=nrow, cols=ncol, subplot_titles=[f"HS {p}" for p in prods],
                        vertical_spacing=min(0.08, 0.9 / max(nrow, 1)))
    for n, p in enumerate(prods):
        r, c = n // ncol + 1, n % ncol + 1
        for s, g in projection[projection["product"] == p].groupby("scenario"):
            col = COLORS.get(s, "#555")
            g = g.sort_values("year")
            fig.add_trace(go.Scatter(x=list(g["year"]) + list(g["year"][::-1]),
                                     y=list(g["upper"]) + list(g["lower"][::-1]), fill="toself",
                                     fillcolor=col, opacity=0.15, line={"width": 0}, hoverinfo="skip",
                                     showlegend=False), row=r, col=c)
            fig.add_trace(go.Scatter(x=g["year"], y=g["world"], mode="lines", line={"color": col},
                                     name=labels.get(s, s), legendgroup=s, showlegend=n == 0),
                          row=r, col=c)
        h = history[history["product"] == p]
        if len(h):
            fig.add_trace(go.Scatter(x=h["year"], y=h["volume"], mode="markers",
                                     marker={"color": "black", "size": 7}, name="observed",
                                     legendgroup="obs", showlegend=n == 0), row=r, col=c)
        fig.update_yaxes(type="log", title_text="t" if c == 1 else None, row=r, col=c)
    fig.update_layout(height=260 * nrow + 80, template="plotly_white",
                      title="Projected trade volume (sum over fitted importers, median, 90 % interval)")
    return fig


def demand_figure(demand: pd.DataFrame, comparison: pd.DataFrame):
    """Primary demand per element over time, as a share of today's world production."""
    import plotly.graph_objects as go

    from reslog.model.scenario.demand import SUPPLY_BASIS

    prod = comparison.set_index("commodity")["production_t"].to_dict()
    fig = go.Figure()
    for e, g in demand.groupby("element"):
        com, f = SUPPLY_BASIS.get(e, (e, 1.0))
        p = prod.get(com)
        if not p or p != p:
            continue
        fig.add_trace(go.Scatter(x=g["year"], y=100 * g["primary_t"] * f / p, mode="lines", name=e))
    fig.add_hline(y=100, line_dash="dash", line_color="grey",
                  annotation_text="today's world production (all uses)")
    fig.update_layout(template="plotly_white", yaxis_title="% of today's world mine production",
                      title="Primary metal demand of PV, wind and EV batteries",
                      height=480)
    return fig


def to_html(fig, include_plotlyjs: bool = True) -> str:
    """HTML fragment (plotly.js inlined when asked: offline, no CDN)."""
    return fig.to_html(full_html=False, include_plotlyjs=include_plotlyjs, include_mathjax=False,
                       config={"displaylogo": False})
